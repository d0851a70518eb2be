namespace Tributary.Engine.Runs;

/// <summary>Status of a run.</summary>
public enum RunStatus
{
    /// <summary>Waiting to start.</summary>
    Queued,
    /// <summary>Executing.</summary>
    Running,
    /// <summary>Every planned step succeeded and no blocking check failed.</summary>
    Succeeded,
    /// <summary>A step or blocking check failed, or the process died.</summary>
    Failed,
    /// <summary>Stopped on request.</summary>
    Cancelled,
}

/// <summary>Status of one step (one asset) in a run.</summary>
public enum StepStatus
{
    /// <summary>Not started yet.</summary>
    Pending,
    /// <summary>Executing.</summary>
    Running,
    /// <summary>Materialized.</summary>
    Succeeded,
    /// <summary>Failed after its retries.</summary>
    Failed,
    /// <summary>Not run because something upstream failed.</summary>
    Skipped,
    /// <summary>Stopped by cancellation.</summary>
    Cancelled,
}

/// <summary>A run as recorded.</summary>
public sealed record RunRecord(string RunId, string Pipeline, RunStatus Status, string Trigger, string? Selection,
    DateTimeOffset StartedAt, DateTimeOffset? EndedAt, string? Error, int ProcessId, string? Partition = null)
{
    /// <summary>Wall time, when ended.</summary>
    public TimeSpan? Duration => EndedAt - StartedAt;

    /// <summary>
    /// The template params the run was loaded with (<c>--param</c>, the API's <c>params</c>), so a re-run can load it the same way;
    /// empty when none were given, null in records written before they were kept. Not secret: secrets are <c>${env.*}</c>.
    /// </summary>
    public IReadOnlyDictionary<string, string>? Params { get; init; }

    /// <summary>Whether the run was a full refresh (<c>--full-refresh</c>): its stateful steps forgot their state and rebuilt whole.</summary>
    public bool FullRefresh { get; init; }
}

/// <summary>A step as recorded.</summary>
public sealed record StepRecord(string RunId, string Asset, string ComponentType, StepStatus Status, int Attempts,
    DateTimeOffset? StartedAt, DateTimeOffset? EndedAt, string? Error)
{
    /// <summary>
    /// The process's peak resident memory (bytes) while the step ran; steps that ran at the same time share the process,
    /// so each sees the others' memory too. Null until the step ends, and in records written before it was measured.
    /// </summary>
    public long? PeakRssBytes { get; init; }
}

/// <summary>One materialization of a table a step declared (its main asset or a side output); <c>Asset</c> is the table written.</summary>
public sealed record MaterializationRecord(string RunId, string Asset, DateTimeOffset At, long RowCount,
    IReadOnlyList<(string Name, string Type)> Columns, TimeSpan Duration, string MetadataJson)
{
    /// <summary>The step that wrote the table; null in records written before outputs were declared.</summary>
    public string? Step { get; init; }
    /// <summary>The declared output's name within its step (<c>main</c> for the asset itself).</summary>
    public string? Output { get; init; }
    /// <summary>The declared output's role; null in records written before outputs were declared.</summary>
    public Core.Components.OutputRole? Role { get; init; }
    /// <summary>
    /// The definition fingerprint of the step that wrote the table (<see cref="Core.Pipelines.AssetDefinitions"/>); null in
    /// records written before fingerprints were kept, and for steps of pipelines not loaded from a file.
    /// </summary>
    public string? Fingerprint { get; init; }
}

/// <summary>One check result.</summary>
public sealed record CheckRecord(string RunId, string Asset, string Check, bool Passed, bool Blocking, string Detail, DateTimeOffset At);

/// <summary>One line of a run's log.</summary>
public sealed record RunEvent(string RunId, DateTimeOffset At, RunEventKind Kind, string? Asset, string Message)
{
    /// <summary>Its place in the run's log, from 1; it only grows, so a follower can resume after the last one it saw.</summary>
    public long Sequence { get; init; }

    /// <summary>
    /// The warnings loading the pipeline gave where the run happened (<see cref="Execution.RunRequest.Warnings"/>), in order:
    /// the log lines of <paramref name="events"/> that name no step, which only those are.
    /// </summary>
    public static IReadOnlyList<string> LoadWarnings(IEnumerable<RunEvent> events) =>
        [.. events.Where(e => e.Kind == RunEventKind.Log && e.Asset is null).Select(e => e.Message)];
}

/// <summary>What a run event reports.</summary>
public enum RunEventKind
{
    /// <summary>The run started.</summary>
    RunStarted,
    /// <summary>The run ended.</summary>
    RunEnded,
    /// <summary>A step started.</summary>
    StepStarted,
    /// <summary>A step succeeded.</summary>
    StepSucceeded,
    /// <summary>A step failed.</summary>
    StepFailed,
    /// <summary>A step will be tried again.</summary>
    StepRetry,
    /// <summary>A step ran out of the warehouse's memory beside other steps and will be tried again alone, outside its retries.</summary>
    StepRunAlone,
    /// <summary>A step was skipped.</summary>
    StepSkipped,
    /// <summary>A check result.</summary>
    Check,
    /// <summary>A log line from a component.</summary>
    Log,
}
