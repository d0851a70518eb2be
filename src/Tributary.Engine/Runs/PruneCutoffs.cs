namespace Tributary.Engine.Runs;

/// <summary>What a prune deletes: history older than each cutoff; null keeps that kind forever.</summary>
/// <param name="Runs">Ended runs (with their steps, events, materializations and checks) and finished queue entries older than this.</param>
/// <param name="Ticks">Schedule and sensor ticks that requested a run, failed or alerted, older than this.</param>
/// <param name="SkippedTicks">Ticks that found nothing to do, older than this.</param>
public sealed record PruneCutoffs(DateTimeOffset? Runs, DateTimeOffset? Ticks, DateTimeOffset? SkippedTicks);

/// <summary>What a prune deleted (or, dry, would delete).</summary>
public sealed record PruneResult(long Runs, long Events, long Materializations, long Checks, long Ticks, long QueueEntries)
{
    /// <summary>One line for a person: counts of each kind.</summary>
    public string Describe(bool dryRun) =>
        $"{(dryRun ? "would delete" : "deleted")} {Runs:N0} run(s) with {Events:N0} event(s), {Materializations:N0} materialization(s) and {Checks:N0} check result(s); "
        + $"{Ticks:N0} tick(s); {QueueEntries:N0} finished queue entr{(QueueEntries == 1 ? "y" : "ies")}";
}
