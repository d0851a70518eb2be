namespace Tributary.Engine.Runs;

/// <summary>History of runs, steps, events, materializations and checks.</summary>
public interface IRunStore : IAsyncDisposable
{
    /// <summary>Records a new run.</summary>
    Task CreateRunAsync(RunRecord run, IReadOnlyList<StepRecord> steps, CancellationToken cancellationToken);
    /// <summary>
    /// Records a new run unless a live process is running the same pipeline and partition (null: the whole pipeline); then
    /// nothing is recorded and that run is returned. A holder whose process is gone (<paramref name="processAlive"/> false, on
    /// this machine) is marked failed, as <see cref="FailAbandonedRunsAsync"/> does, and does not block. The check and the
    /// insert are one transaction under a lock of the pipeline, so of two processes starting together one runs.
    /// </summary>
    /// <returns>Null when the run was recorded; else the run that holds the pipeline.</returns>
    async Task<LiveRun?> TryCreateRunAsync(RunRecord run, IReadOnlyList<StepRecord> steps, Func<int, bool> processAlive, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await CreateRunAsync(run, steps, cancellationToken).ConfigureAwait(false);
        return null;
    }
    /// <summary>Sets a run's final status.</summary>
    Task EndRunAsync(string runId, RunStatus status, DateTimeOffset endedAt, string? failure, CancellationToken cancellationToken);
    /// <summary>Updates one step.</summary>
    Task UpdateStepAsync(StepRecord record, CancellationToken cancellationToken);
    /// <summary>Appends an event.</summary>
    Task AddEventAsync(RunEvent e, CancellationToken cancellationToken);
    /// <summary>Records a materialization.</summary>
    Task AddMaterializationAsync(MaterializationRecord m, CancellationToken cancellationToken);
    /// <summary>Records a check result.</summary>
    Task AddCheckAsync(CheckRecord c, CancellationToken cancellationToken);
    /// <summary>Recent runs, newest first.</summary>
    Task<IReadOnlyList<RunRecord>> ListRunsAsync(int limit, string? pipeline, CancellationToken cancellationToken);
    /// <summary>One run, or null.</summary>
    Task<RunRecord?> GetRunAsync(string runId, CancellationToken cancellationToken);
    /// <summary>A run's steps in plan order.</summary>
    Task<IReadOnlyList<StepRecord>> GetStepsAsync(string runId, CancellationToken cancellationToken);
    /// <summary>A run's events in order, each with its <see cref="RunEvent.Sequence"/>.</summary>
    Task<IReadOnlyList<RunEvent>> GetEventsAsync(string runId, CancellationToken cancellationToken);
    /// <summary>Materializations of a run, or of an asset across runs when <paramref name="runId"/> is null.</summary>
    Task<IReadOnlyList<MaterializationRecord>> GetMaterializationsAsync(string? runId, string? asset, CancellationToken cancellationToken);
    /// <summary>The latest materialization of every asset that has one, in one read.</summary>
    Task<IReadOnlyList<MaterializationRecord>> GetLatestMaterializationsAsync(CancellationToken cancellationToken);
    /// <summary>A run's check results.</summary>
    Task<IReadOnlyList<CheckRecord>> GetChecksAsync(string runId, CancellationToken cancellationToken);
    /// <summary>
    /// Marks runs still "running" whose process is gone as failed; returns the ids of those this call marked (a run that
    /// another process marked first is not among them), so that exactly one process alerts for each.
    /// </summary>
    Task<IReadOnlyList<string>> FailAbandonedRunsAsync(Func<int, bool> processAlive, DateTimeOffset now, CancellationToken cancellationToken);
    /// <summary>
    /// Ends a run that is still running or queued as failed with <paramref name="failure"/>: its running steps fail with
    /// <paramref name="stepFailure"/>, its pending ones are skipped. True when this call ended it; false when it had ended
    /// already (or another process ended it first), so that one process alone alerts for it.
    /// </summary>
    Task<bool> FailUnfinishedRunAsync(string runId, string failure, string stepFailure, DateTimeOffset at, CancellationToken cancellationToken);
}
