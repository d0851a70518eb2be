namespace Tributary.Core.Diagnostics;

/// <summary>One problem found in a pipeline, with a stable code for tools and the API.</summary>
/// <param name="Code">Stable identifier such as <c>TRIB0102</c>; see <see cref="DiagnosticCodes"/>.</param>
/// <param name="Location">Where the problem is.</param>
/// <param name="Message">What is wrong, in one sentence.</param>
/// <param name="Hint">What to do next, when there is something useful to say.</param>
public sealed record Diagnostic(string Code, SourceLocation Location, string Message, string? Hint = null)
{
    /// <summary>True for a warning: worth knowing, but the file is valid and runs.</summary>
    public bool IsWarning { get; init; }

    /// <summary>The compiler-style line: <c>file:line:col: error CODE: message</c> (or <c>warning</c>).</summary>
    public override string ToString() =>
        $"{Location}: {(IsWarning ? "warning" : "error")} {Code}: {Message}" + (Hint is null ? "" : $" {Hint}");
}
