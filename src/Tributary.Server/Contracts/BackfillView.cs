using Tributary.Engine.Orchestration;

namespace Tributary.Server.Contracts;

/// <summary>A backfill: a pipeline's partitions run with bounded concurrency (<c>GET /api/backfills</c>).</summary>
/// <param name="BackfillId">The backfill.</param>
/// <param name="Pipeline">Its pipeline.</param>
/// <param name="Status">Where it stands.</param>
/// <param name="Concurrency">Partitions running at once.</param>
/// <param name="Params">Template param overrides.</param>
/// <param name="CreatedAt">When it started.</param>
/// <param name="EndedAt">When it ended, if it did.</param>
public sealed record BackfillView(string BackfillId, string Pipeline, BackfillStatus Status, int Concurrency, IReadOnlyDictionary<string, string> Params,
    DateTimeOffset CreatedAt, DateTimeOffset? EndedAt)
{
    internal static BackfillView Of(BackfillRecord b) => new(b.BackfillId, b.Pipeline, b.Status, b.Concurrency, b.Params, b.CreatedAt, b.EndedAt);
}
