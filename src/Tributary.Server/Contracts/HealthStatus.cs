namespace Tributary.Server.Contracts;

/// <summary>The answer of <c>GET /api/health</c>.</summary>
/// <param name="Status"><c>ok</c>, or <c>failing</c> (with status 503) while the daemon's ticks fail and nothing is scheduled or launched.</param>
/// <param name="Daemon">Why the daemon's ticks fail and since when; null when they complete.</param>
public sealed record HealthStatus(string Status, string? Daemon = null);
