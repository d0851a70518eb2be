using Tributary.Engine.Orchestration;

namespace Tributary.Server.Contracts;

/// <summary>A backfill: a pipeline's (or a partitioned group's) partitions run with bounded concurrency (<c>GET /api/backfills</c>).</summary>
/// <param name="BackfillId">The backfill.</param>
/// <param name="Pipeline">Its pipeline.</param>
/// <param name="Status">Where it stands.</param>
/// <param name="Concurrency">Partitions running at once.</param>
/// <param name="Params">Template param overrides.</param>
/// <param name="CreatedAt">When it started.</param>
/// <param name="EndedAt">When it ended, if it did.</param>
/// <param name="Group">The partitioned group whose partitions it runs, or null for the pipeline's.</param>
public sealed record BackfillView(string BackfillId, string Pipeline, BackfillStatus Status, int Concurrency, IReadOnlyDictionary<string, string> Params,
    DateTimeOffset CreatedAt, DateTimeOffset? EndedAt, string? Group)
{
    internal static BackfillView Of(BackfillRecord b) => new(b.BackfillId, b.Pipeline, b.Status, b.Concurrency, b.Params, b.CreatedAt, b.EndedAt, b.Group);
}
