namespace Tributary.Core.Components;

/// <summary>
/// A step's SQL that the engine refuses over empty tables shaped as its inputs (a column or function that is not
/// there, a syntax error): the loader reports it at the step's <c>sql</c> as TRIB0212, with the engine's message.
/// </summary>
public sealed class SqlDoesNotRunException : Exception
{
    /// <summary>Creates the exception; <paramref name="message"/> is shown to the user as is.</summary>
    public SqlDoesNotRunException(string message) : base(message) { }

    /// <summary>Creates the exception with no message (required by the exception pattern; prefer the message).</summary>
    public SqlDoesNotRunException() { }

    /// <summary>Creates the exception wrapping the engine's.</summary>
    public SqlDoesNotRunException(string message, Exception innerException) : base(message, innerException) { }
}
