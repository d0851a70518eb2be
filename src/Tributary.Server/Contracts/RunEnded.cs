using Tributary.Engine.Runs;

namespace Tributary.Server.Contracts;

/// <summary>The last server-sent event (<c>end</c>) of <c>GET /api/runs/{id}/events</c>: how the run ended.</summary>
/// <param name="Status">The run's final status.</param>
/// <param name="Error">Why it failed, if it did.</param>
public sealed record RunEnded(RunStatus Status, string? Error);
