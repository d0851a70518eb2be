namespace Tributary.Core.Diagnostics;

/// <summary>A user-facing failure carrying every diagnostic found; never shown with a stack trace.</summary>
public sealed class PipelineException : Exception
{
    /// <summary>Creates the exception from the problems found.</summary>
    public PipelineException(IReadOnlyList<Diagnostic> diagnostics)
        : base(string.Join(Environment.NewLine, diagnostics)) => Diagnostics = diagnostics;

    /// <summary>Every problem found, in file order.</summary>
    public IReadOnlyList<Diagnostic> Diagnostics { get; }
}
