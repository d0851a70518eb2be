namespace Tributary.Core.Components;

/// <summary>
/// A mistake in a component's parameters that only its plan step can see (a role naming a table that is not an
/// input, a target that would overwrite the input). The loader shows the message at the component as a diagnostic;
/// any other exception from a plan step is a bug and is reported without its text.
/// </summary>
public sealed class PlanException : Exception
{
    /// <summary>Creates the exception; <paramref name="message"/> is shown to the user as is.</summary>
    public PlanException(string message) : base(message) { }

    /// <summary>Creates the exception with no message (required by the exception pattern; prefer the message).</summary>
    public PlanException() { }

    /// <summary>Creates the exception wrapping another.</summary>
    public PlanException(string message, Exception innerException) : base(message, innerException) { }
}
