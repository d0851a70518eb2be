using Tributary.Core.Diagnostics;

namespace Tributary.Server.Contracts;

/// <summary>
/// A problem in a pipeline at a line and column of its YAML. A validation answers with them, and so does the
/// <c>diagnostics</c> member of the ProblemDetails that refuses an invalid pipeline.
/// </summary>
/// <param name="Code">Its stable code, e.g. TRIB0102.</param>
/// <param name="Severity">An error (the pipeline is invalid) or a warning (it is valid, but see the message).</param>
/// <param name="Line">1-based line.</param>
/// <param name="Column">1-based column.</param>
/// <param name="Message">What is wrong.</param>
/// <param name="Hint">What to do about it, if known.</param>
public sealed record DiagnosticView(string Code, DiagnosticSeverity Severity, int Line, int Column, string Message, string? Hint)
{
    internal static DiagnosticView Of(Diagnostic d) =>
        new(d.Code, d.IsWarning ? DiagnosticSeverity.Warning : DiagnosticSeverity.Error, d.Location.Line, d.Location.Column, d.Message, d.Hint);
}
