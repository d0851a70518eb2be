namespace Tributary.Server.Contracts;

/// <summary>How much a diagnostic stops: an error makes the pipeline invalid; a warning leaves it valid and runnable.</summary>
public enum DiagnosticSeverity
{
    /// <summary>The pipeline is invalid: it is neither saved nor run.</summary>
    Error,
    /// <summary>Worth knowing, but the pipeline is valid: it is saved and runs.</summary>
    Warning,
}
