using Tributary.Engine.Runs;

namespace Tributary.Server.Contracts;

/// <summary>A run as recorded (<c>GET /api/runs</c>, newest first).</summary>
/// <param name="RunId">The run.</param>
/// <param name="Pipeline">Its pipeline.</param>
/// <param name="Status">Where it stands.</param>
/// <param name="Trigger">Who started it: cli, api, schedule, sensor, backfill.</param>
/// <param name="Selection">The asset selection, if not all.</param>
/// <param name="Partition">Its partition, if partitioned.</param>
/// <param name="StartedAt">When it started.</param>
/// <param name="EndedAt">When it ended; null while it runs.</param>
/// <param name="Error">Why it failed, if it did.</param>
/// <param name="Params">The template params it was loaded with (submit them again to re-run it the same way); null for runs recorded before they were kept.</param>
/// <param name="FullRefresh">Whether it was a full refresh: its sources forgot their files ledger and loaded every file again.</param>
public sealed record RunView(string RunId, string Pipeline, RunStatus Status, string Trigger, string? Selection, string? Partition,
    DateTimeOffset StartedAt, DateTimeOffset? EndedAt, string? Error, IReadOnlyDictionary<string, string>? Params, bool FullRefresh = false)
{
    internal static RunView Of(RunRecord r) => new(r.RunId, r.Pipeline, r.Status, r.Trigger, r.Selection, r.Partition, r.StartedAt, r.EndedAt, r.Error, r.Params, r.FullRefresh);
}
