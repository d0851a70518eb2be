using Tributary.Engine.Runs;

namespace Tributary.Server.Contracts;

/// <summary>One line of a run's log, as <c>GET /api/runs/{id}/events</c> streams it (server-sent event <c>message</c>).</summary>
/// <param name="At">When it was recorded.</param>
/// <param name="Kind">What it reports.</param>
/// <param name="Asset">The asset it is about, if any.</param>
/// <param name="Message">The line.</param>
public sealed record RunEventView(DateTimeOffset At, RunEventKind Kind, string? Asset, string Message)
{
    internal static RunEventView Of(RunEvent e) => new(e.At, e.Kind, e.Asset, e.Message);
}
