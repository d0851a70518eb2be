namespace Tributary.Server.Contracts;

/// <summary>A run request (<c>POST /api/runs</c>): it is queued, and the answer names its queue entry.</summary>
/// <param name="Pipeline">The pipeline to run.</param>
/// <param name="Partition">The partition key, for a partitioned pipeline.</param>
/// <param name="Params">Template param overrides, name to value.</param>
/// <param name="Priority">Higher runs first; default 0.</param>
/// <param name="Selection">Assets to run: ids, +id (with upstream), id+ (with downstream), comma-separated; default all.</param>
/// <param name="FullRefresh">
/// Reload from scratch (as <c>trib run --full-refresh</c>): each selected source forgets its files ledger, raw rows and rejected
/// rows and loads every file at its path again, in the step's own transaction; default false.
/// </param>
/// <param name="Trigger">Who asked, as the run history records it: <c>api</c> (the default) or <c>cli</c> (<c>trib run</c> handing its run to the server).</param>
public sealed record RunSubmission(string Pipeline, string? Partition = null, IReadOnlyDictionary<string, string>? Params = null, int? Priority = null, string? Selection = null,
    bool? FullRefresh = null, string? Trigger = null)
{
    /// <summary>The triggers a submission may name; the daemon's own (schedule, sensor, backfill) are not a caller's to claim.</summary>
    public static IReadOnlyList<string> Triggers { get; } = ["api", "cli"];
}
