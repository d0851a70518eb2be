using Tributary.Engine.Orchestration;

namespace Tributary.Server.Contracts;

/// <summary>A backfill with each partition's state (<c>GET /api/backfills/{id}</c>).</summary>
/// <param name="Backfill">The backfill.</param>
/// <param name="Partitions">Its partitions in order.</param>
public sealed record BackfillDetail(BackfillView Backfill, IReadOnlyList<BackfillPartitionView> Partitions);

/// <summary>A partition of a backfill and the run that materialized (or tried to) it.</summary>
/// <param name="Key">The partition key.</param>
/// <param name="Status">Where it stands.</param>
/// <param name="RunId">Its run, once started.</param>
public sealed record BackfillPartitionView(string Key, PartitionRunStatus Status, string? RunId)
{
    internal static BackfillPartitionView Of(BackfillPartition p) => new(p.Key, p.Status, p.RunId);
}
