namespace Tributary.Core.Components;

/// <summary>
/// The step's input, as it is, cannot give a result: too few customers or rows for a model, more rejected rows than
/// <c>max_rejected_ratio</c>, a column the data lacks. Another attempt would read the same data and fail the same way, so
/// the engine does not retry it; the message says what is wrong with the data and what to change.
/// </summary>
public sealed class InputDataException : Exception
{
    /// <summary>Creates the exception; <paramref name="message"/> is shown to the user as is.</summary>
    public InputDataException(string message) : base(message) { }

    /// <summary>Creates the exception with no message (required by the exception pattern; prefer the message).</summary>
    public InputDataException() { }

    /// <summary>Creates the exception wrapping another.</summary>
    public InputDataException(string message, Exception innerException) : base(message, innerException) { }
}
