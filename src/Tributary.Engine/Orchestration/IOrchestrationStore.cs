namespace Tributary.Engine.Orchestration;

/// <summary>The daemon's durable state: cursors, tick history, the run queue and backfills. Survives restarts.</summary>
public interface IOrchestrationStore
{
    /// <summary>A named cursor (a schedule's last tick, a sensor's position), or null.</summary>
    Task<string?> GetCursorAsync(string name, CancellationToken cancellationToken);
    /// <summary>Sets a named cursor.</summary>
    Task SetCursorAsync(string name, string value, DateTimeOffset at, CancellationToken cancellationToken);
    /// <summary>Appends a tick.</summary>
    Task AddTickAsync(TickRecord tick, CancellationToken cancellationToken);
    /// <summary>Recent ticks, newest first.</summary>
    Task<IReadOnlyList<TickRecord>> ListTicksAsync(string? pipeline, int limit, CancellationToken cancellationToken);
    /// <summary>Adds a run to the queue.</summary>
    Task EnqueueAsync(QueuedRun run, CancellationToken cancellationToken);
    /// <summary>Queue entries in the given states, by priority then age.</summary>
    Task<IReadOnlyList<QueuedRun>> ListQueueAsync(IReadOnlyList<QueueState> states, CancellationToken cancellationToken);
    /// <summary>
    /// Moves a queued entry to launched when it is still queued and no other process is claiming it; false when it was
    /// not (launched, cancelled or being claimed elsewhere). The one way a daemon takes a run from the queue.
    /// </summary>
    Task<bool> ClaimQueuedAsync(string queueId, CancellationToken cancellationToken);
    /// <summary>
    /// Whether this process is the daemon leader now, taking the lead when no other process holds it. Only the leader
    /// ticks schedules, sensors, backfills and the queue; a store that one process uses alone always leads.
    /// </summary>
    Task<bool> HoldLeadershipAsync(CancellationToken cancellationToken);
    /// <summary>Moves a queue entry to a state, with its run id once launched.</summary>
    Task UpdateQueueAsync(string queueId, QueueState state, string? runId, CancellationToken cancellationToken);
    /// <summary>Records a backfill and its partitions (pending).</summary>
    Task CreateBackfillAsync(BackfillRecord backfill, IReadOnlyList<string> partitions, CancellationToken cancellationToken);
    /// <summary>One backfill, or null.</summary>
    Task<BackfillRecord?> GetBackfillAsync(string backfillId, CancellationToken cancellationToken);
    /// <summary>Backfills, newest first.</summary>
    Task<IReadOnlyList<BackfillRecord>> ListBackfillsAsync(CancellationToken cancellationToken);
    /// <summary>A backfill's partitions in order.</summary>
    Task<IReadOnlyList<BackfillPartition>> GetBackfillPartitionsAsync(string backfillId, CancellationToken cancellationToken);
    /// <summary>Sets one partition's state.</summary>
    Task SetBackfillPartitionAsync(string backfillId, string key, PartitionRunStatus status, string? runId, CancellationToken cancellationToken);
    /// <summary>Sets a backfill's state.</summary>
    Task SetBackfillStatusAsync(string backfillId, BackfillStatus status, DateTimeOffset? endedAt, CancellationToken cancellationToken);
}
