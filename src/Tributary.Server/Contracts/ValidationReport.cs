namespace Tributary.Server.Contracts;

/// <summary>
/// What the validator found in YAML text (<c>POST /api/validate</c>): the text's own errors, and warnings where it defines
/// an asset otherwise than the project's other pipelines do. It is valid, and can be saved, when none is an error.
/// </summary>
/// <param name="Diagnostics">Every problem found, with its position and severity.</param>
public sealed record ValidationReport(IReadOnlyList<DiagnosticView> Diagnostics);
