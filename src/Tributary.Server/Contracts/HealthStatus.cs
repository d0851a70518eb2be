namespace Tributary.Server.Contracts;

/// <summary>The answer of <c>GET /api/health</c>.</summary>
/// <param name="Status">Always <c>ok</c> while the server answers.</param>
public sealed record HealthStatus(string Status);
