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
/// <param name="Progress">How many of its partitions stand where.</param>
public sealed record BackfillView(string BackfillId, string Pipeline, BackfillStatus Status, int Concurrency, IReadOnlyDictionary<string, string> Params,
    DateTimeOffset CreatedAt, DateTimeOffset? EndedAt, string? Group, BackfillProgress Progress)
{
    internal static BackfillView Of(BackfillRecord b, IReadOnlyList<BackfillPartition> partitions) =>
        new(b.BackfillId, b.Pipeline, b.Status, b.Concurrency, b.Params, b.CreatedAt, b.EndedAt, b.Group, BackfillProgress.Of(partitions));
}

/// <summary>A backfill's partitions counted by state.</summary>
/// <param name="Total">Partitions in the backfill.</param>
/// <param name="Pending">Not yet queued.</param>
/// <param name="Running">Queued or running.</param>
/// <param name="Succeeded">Materialized.</param>
/// <param name="Failed">Whose run failed.</param>
/// <param name="Cancelled">Cancelled with the backfill.</param>
public sealed record BackfillProgress(int Total, int Pending, int Running, int Succeeded, int Failed, int Cancelled)
{
    internal static BackfillProgress Of(IReadOnlyList<BackfillPartition> partitions) => new(partitions.Count,
        partitions.Count(p => p.Status == PartitionRunStatus.Pending), partitions.Count(p => p.Status is PartitionRunStatus.Queued or PartitionRunStatus.Running),
        partitions.Count(p => p.Status == PartitionRunStatus.Succeeded), partitions.Count(p => p.Status == PartitionRunStatus.Failed),
        partitions.Count(p => p.Status == PartitionRunStatus.Cancelled));
}
