using Tributary.Engine.Orchestration;

namespace Tributary.Server.Contracts;

/// <summary>A run waiting for, or holding, a slot in the run queue (<c>/api/queue</c>).</summary>
/// <param name="QueueId">The queue entry.</param>
/// <param name="Pipeline">The pipeline to run.</param>
/// <param name="Partition">Its partition, if partitioned.</param>
/// <param name="Trigger">Who asked: api, schedule, sensor, backfill.</param>
/// <param name="Priority">Higher runs first.</param>
/// <param name="Params">Template param overrides.</param>
/// <param name="BackfillId">The backfill it belongs to, if any.</param>
/// <param name="State">Queued, launched, done or cancelled.</param>
/// <param name="RunId">The run, once launched.</param>
/// <param name="EnqueuedAt">When it was queued.</param>
/// <param name="Attempt">1 for the first launch; more after a restart put it back.</param>
/// <param name="Selection">The asset selection, if not all.</param>
/// <param name="FullRefresh">Whether the run is a full refresh.</param>
/// <param name="Waits">
/// Why a queued run has not started, as <c>trib runs</c> says it: a run of its pipeline (or partition) is running, in this
/// process or another, or every run slot of this server is taken. Null when it waits for nothing (it starts at the next
/// tick) and once it is launched.
/// </param>
public sealed record QueuedRunView(string QueueId, string Pipeline, string? Partition, string Trigger, int Priority, IReadOnlyDictionary<string, string> Params,
    string? BackfillId, QueueState State, string? RunId, DateTimeOffset EnqueuedAt, int Attempt, string? Selection, bool FullRefresh = false, string? Waits = null)
{
    internal static QueuedRunView Of(QueuedRun q, IReadOnlyDictionary<string, string> waits) =>
        new(q.QueueId, q.Pipeline, q.Partition, q.Trigger, q.Priority, q.Params, q.BackfillId, q.State, q.RunId, q.EnqueuedAt, q.Attempt, q.Selection, q.FullRefresh,
            waits.GetValueOrDefault(q.QueueId));
}
