namespace Tributary.Server.Contracts;

/// <summary>What the validator found in YAML text (<c>POST /api/validate</c>); no diagnostics means it is valid.</summary>
/// <param name="Diagnostics">Every problem found, with its position.</param>
public sealed record ValidationReport(IReadOnlyList<DiagnosticView> Diagnostics);
