namespace Tributary.Server.Contracts;

/// <summary>The answer of <c>GET /api/health</c> while the server answers and the daemon's ticks complete; while they fail, a 503 ProblemDetails says since when and why.</summary>
/// <param name="Status">Always <c>ok</c>.</param>
public sealed record HealthStatus(string Status);
