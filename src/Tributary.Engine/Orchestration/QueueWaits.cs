using System.Globalization;
using Tributary.Engine.Runs;

namespace Tributary.Engine.Orchestration;

/// <summary>
/// Why a queued run has not started: a run of its pipeline (or of its partition) is running, in this process or another,
/// and one runs at a time. Read from the run history, so that <c>trib runs</c> and the API say it without the daemon.
/// </summary>
public static class QueueWaits
{
    // Runs of one pipeline read to find the running one: a backfill's other partitions may have started since.
    private const int RunsRead = 500;

    /// <summary>For each queued (not launched) entry that waits for a running run, why; entries that wait for nothing are absent.</summary>
    public static async Task<IReadOnlyDictionary<string, string>> OfAsync(IRunStore runs, IReadOnlyList<QueuedRun> queue, CancellationToken cancellationToken)
    {
        var waits = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pipeline in queue.Where(q => q.State == QueueState.Queued).Select(q => q.Pipeline).Distinct(StringComparer.Ordinal))
        {
            var running = (await runs.ListRunsAsync(RunsRead, pipeline, cancellationToken).ConfigureAwait(false)).Where(r => r.Status == RunStatus.Running).ToList();
            foreach (var q in queue.Where(q => q.State == QueueState.Queued && q.Pipeline == pipeline))
                if (running.FirstOrDefault(r => r.Partition == q.Partition) is { } holder) waits[q.QueueId] = Describe(holder.RunId, holder.Trigger, holder.StartedAt);
        }
        return waits;
    }

    /// <summary>
    /// As <see cref="OfAsync(IRunStore, IReadOnlyList{QueuedRun}, CancellationToken)"/>, and for an entry no run of its
    /// pipeline holds back: that every slot of the daemon that launches it is taken by <paramref name="executing"/>.
    /// </summary>
    public static async Task<IReadOnlyDictionary<string, string>> OfAsync(IRunStore runs, IReadOnlyList<QueuedRun> queue, IReadOnlyList<QueuedRun> executing, int slots,
        CancellationToken cancellationToken)
    {
        var waits = new Dictionary<string, string>(await OfAsync(runs, queue, cancellationToken).ConfigureAwait(false), StringComparer.Ordinal);
        if (executing.Count < slots) return waits;
        foreach (var q in queue.Where(q => q.State == QueueState.Queued && !waits.ContainsKey(q.QueueId)))
            waits[q.QueueId] = DescribeFull(executing, slots);
        return waits;
    }

    /// <summary>The reason a queued run gives while every one of the daemon's <paramref name="slots"/> runs a run.</summary>
    public static string DescribeFull(IReadOnlyList<QueuedRun> executing, int slots) =>
        $"waits for a free run slot: this server runs at most {slots} run{(slots == 1 ? "" : "s")} at once (trib serve --max-runs) and {executing.Count} "
        + $"{(executing.Count == 1 ? "is" : "are")} running ({string.Join(", ", executing.Select(e => e.Partition is null ? e.Pipeline : $"{e.Pipeline} [{e.Partition}]"))}); it starts when one ends";

    /// <summary>The reason a queued run gives while run <paramref name="runId"/> holds its pipeline or partition.</summary>
    public static string Describe(string runId, string trigger, DateTimeOffset since) =>
        $"waits for run {runId} (trigger {trigger}, running since {since.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture)}): "
        + "one run of a pipeline (or partition) at a time; it starts when that run ends";
}
