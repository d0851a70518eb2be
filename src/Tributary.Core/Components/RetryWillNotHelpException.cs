namespace Tributary.Core.Components;

/// <summary>
/// A step failure that running the step again would not mend, said by the component: it has already retried what could be
/// retried (a webhook its batches, each with backoff), or another attempt would repeat what the receiver already holds. The
/// engine does not apply the pipeline's retry policy to it; the message is shown to the user as is.
/// </summary>
public sealed class RetryWillNotHelpException : Exception
{
    /// <summary>Creates the exception; <paramref name="message"/> is shown to the user as is.</summary>
    public RetryWillNotHelpException(string message) : base(message) { }

    /// <summary>Creates the exception with no message (required by the exception pattern; prefer the message).</summary>
    public RetryWillNotHelpException() { }

    /// <summary>Creates the exception wrapping another.</summary>
    public RetryWillNotHelpException(string message, Exception innerException) : base(message, innerException) { }
}
