using Tributary.Engine.Orchestration;

namespace Tributary.Server.Contracts;

/// <summary>One evaluation of a schedule or sensor (<c>GET /api/ticks</c>).</summary>
/// <param name="Id">Its sequence number; later ticks have larger ones.</param>
/// <param name="Kind">The schedule's or sensor's key: <c>schedule</c>, <c>schedule:GROUP</c> or <c>sensor:[GROUP:]TYPE#N</c> (N its place in the list).</param>
/// <param name="Pipeline">The pipeline it belongs to.</param>
/// <param name="Name">The same for a reader, e.g. <c>activation: freshness of orders, max age 1h</c> (a group's sensor after its group).</param>
/// <param name="At">When it was evaluated.</param>
/// <param name="Status">What came of it.</param>
/// <param name="Reason">Why.</param>
/// <param name="QueueId">The run it requested, if it did.</param>
public sealed record TickView(long Id, string Kind, string Pipeline, string Name, DateTimeOffset At, TickStatus Status, string Reason, string? QueueId)
{
    internal static TickView Of(TickRecord t) => new(t.Id, t.Kind, t.Pipeline, t.Name, t.At, t.Status, t.Reason, t.QueueId);
}
