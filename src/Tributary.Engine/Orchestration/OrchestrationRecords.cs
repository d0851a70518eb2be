namespace Tributary.Engine.Orchestration;

/// <summary>What happened at one evaluation of a schedule or sensor.</summary>
public enum TickStatus
{
    /// <summary>A run was requested.</summary>
    Requested,
    /// <summary>Nothing to do, or a tick that was not run (the reason says which).</summary>
    Skipped,
    /// <summary>The evaluation failed or timed out.</summary>
    Failed,
    /// <summary>A freshness alert was raised.</summary>
    Alert,
}

/// <summary>One schedule or sensor evaluation, kept as history.</summary>
public sealed record TickRecord(long Id, string Kind, string Pipeline, string Name, DateTimeOffset At, TickStatus Status, string Reason, string? QueueId);

/// <summary>Where a queued run is.</summary>
public enum QueueState
{
    /// <summary>Waiting for a slot.</summary>
    Queued,
    /// <summary>Handed to the executor.</summary>
    Launched,
    /// <summary>Finished (its run has the outcome).</summary>
    Done,
    /// <summary>Cancelled before it ran.</summary>
    Cancelled,
}

/// <summary>A run waiting for, or holding, a slot in the run queue.</summary>
public sealed record QueuedRun(string QueueId, string Pipeline, string? Partition, string Trigger, int Priority,
    IReadOnlyDictionary<string, string> Params, string? BackfillId, QueueState State, string? RunId, DateTimeOffset EnqueuedAt, int Attempt, string? Selection = null,
    bool FullRefresh = false);

/// <summary>A backfill's overall state.</summary>
public enum BackfillStatus
{
    /// <summary>Partitions are still pending or running.</summary>
    Running,
    /// <summary>Every partition succeeded.</summary>
    Succeeded,
    /// <summary>Every partition ran and at least one failed.</summary>
    Failed,
    /// <summary>Cancelled.</summary>
    Cancelled,
}

/// <summary>One partition's state within a backfill.</summary>
public enum PartitionRunStatus
{
    /// <summary>Not yet queued.</summary>
    Pending,
    /// <summary>In the run queue.</summary>
    Queued,
    /// <summary>Its run is executing.</summary>
    Running,
    /// <summary>Materialized.</summary>
    Succeeded,
    /// <summary>Its run failed.</summary>
    Failed,
    /// <summary>Cancelled with the backfill.</summary>
    Cancelled,
}

/// <summary>
/// A backfill: a pipeline's partitions run with bounded concurrency; with <paramref name="Group"/>, the partitions of that
/// partitioned group, each a run of the group's assets only.
/// </summary>
public sealed record BackfillRecord(string BackfillId, string Pipeline, BackfillStatus Status, int Concurrency, IReadOnlyDictionary<string, string> Params,
    DateTimeOffset CreatedAt, DateTimeOffset? EndedAt, string? Group = null);

/// <summary>A partition of a backfill and the run that materialized (or tried to) it.</summary>
public sealed record BackfillPartition(string Key, PartitionRunStatus Status, string? RunId);
