using Tributary.Core.Pipelines;
using Tributary.Engine.Runs;

namespace Tributary.Engine.Orchestration;

/// <summary>
/// Crash recovery: runs left "running" by a process that is gone are marked failed, and each one's pipeline
/// <c>on_failure</c> alert is sent by the process that marked it, so once per run however many processes recover.
/// </summary>
public static class AbandonedRuns
{
    /// <summary>
    /// Marks the runs of dead processes failed (<see cref="IRunStore.FailAbandonedRunsAsync"/>) and alerts for each one
    /// this call marked; <paramref name="pipelineOf"/> gives a run's pipeline (null when it no longer loads: no alert).
    /// Returns the ids marked.
    /// </summary>
    public static async Task<IReadOnlyList<string>> FailAndAlertAsync(IRunStore store, Func<int, bool> processAlive, Func<RunRecord, PipelineSpec?> pipelineOf,
        FailureAlerts alerts, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var failed = await store.FailAbandonedRunsAsync(processAlive, now, cancellationToken).ConfigureAwait(false);
        foreach (var id in failed)
            await AlertAsync(store, id, FailureAlerts.ProcessStopped, pipelineOf, alerts, cancellationToken).ConfigureAwait(false);
        return failed;
    }

    /// <summary>Sends the alert of a run this process has just closed as failed (<see cref="IRunStore.FailUnfinishedRunAsync"/>).</summary>
    public static async Task AlertAsync(IRunStore store, string runId, string cause, Func<RunRecord, PipelineSpec?> pipelineOf, FailureAlerts alerts,
        CancellationToken cancellationToken)
    {
        if (await store.GetRunAsync(runId, cancellationToken).ConfigureAwait(false) is not { } run || pipelineOf(run) is not { } spec) return;
        var steps = await store.GetStepsAsync(runId, cancellationToken).ConfigureAwait(false);
        await alerts.SendAsync(spec, FailureAlerts.RunInterrupted(run, steps, cause), cancellationToken).ConfigureAwait(false);
    }
}
