using Tributary.Core.Diagnostics;
using Tributary.Core.Warehousing;
using Tributary.Engine.Runs;

namespace Tributary.Engine.Execution;

/// <summary>What to run: the asset selection, who asked, where the project lives, and who listens.</summary>
public sealed record RunRequest
{
    /// <summary>Selection expression (see <see cref="AssetSelection"/>); null runs every asset.</summary>
    public string? Selection { get; init; }
    /// <summary>Who started the run: cli, schedule, sensor, api, backfill.</summary>
    public string Trigger { get; init; } = "cli";
    /// <summary>Relative paths in parameters resolve against this folder.</summary>
    public required string ProjectDirectory { get; init; }
    /// <summary>Folders outside the project that components may also read and write (allowed_paths in tributary.yaml).</summary>
    public IReadOnlyList<string> AllowedPaths { get; init; } = [];
    /// <summary>Environment variables for components; the process environment unless a test injects another.</summary>
    public Func<string, string?> Environment { get; init; } = System.Environment.GetEnvironmentVariable;
    /// <summary>The partition this run materializes; its assets replace only that partition. Null for unpartitioned runs.</summary>
    public string? Partition { get; init; }

    /// <summary>
    /// The time window of <see cref="Partition"/> when its scheme names a time column: the partition's writes also replace
    /// the rows of the window that a run without a partition wrote. Null otherwise.
    /// </summary>
    public PartitionWindow? PartitionWindow { get; init; }
    /// <summary>The template params the pipeline was loaded with, so that a worker can load it the same way.</summary>
    public IReadOnlyDictionary<string, string> Params { get; init; } = new Dictionary<string, string>();
    /// <summary>
    /// A full refresh: each step that keeps state between runs (a source's files ledger) starts from nothing and rebuilds
    /// from what is there now (<see cref="Core.Components.ComponentContext.FullRefresh"/>); with a selection, only the selected steps.
    /// </summary>
    public bool FullRefresh { get; init; }
    /// <summary>Receives each of this run's events, in order, once it is recorded.</summary>
    public Action<RunEvent>? Observer { get; init; }
    /// <summary>Awaited with the run id as soon as the run is recorded, before any step starts.</summary>
    public Func<string, CancellationToken, Task>? Started { get; init; }
    /// <summary>
    /// Lines the run's log opens with, after its start: what loading the pipeline where the run happens warned of (an unset
    /// variable a step will read), for a run whose starter has no console of its own (the server's runs). Empty by default.
    /// </summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>
    /// <see cref="Warnings"/> from a load's warnings (<see cref="Core.Pipelines.PipelineSpec.Warnings"/>): each its compiler-style
    /// line, the file relative to <paramref name="projectDirectory"/> as <c>trib validate</c> prints it.
    /// </summary>
    public static IReadOnlyList<string> LoadWarnings(IEnumerable<Diagnostic> warnings, string projectDirectory) =>
        [.. warnings.Select(d => (d with { Location = d.Location with { File = Path.IsPathFullyQualified(d.Location.File) ? Path.GetRelativePath(projectDirectory, d.Location.File) : d.Location.File } }).ToString())];
}

/// <summary>How a run ended.</summary>
public sealed record RunResult(string RunId, RunStatus Status, IReadOnlyList<StepRecord> Steps, string? Error);
