namespace Tributary.Server.Contracts;

/// <summary>The answer to a run request: its entry in the run queue (follow it at <c>/api/queue/{queue_id}</c>).</summary>
/// <param name="QueueId">The queue entry.</param>
public sealed record RunQueued(string QueueId);
