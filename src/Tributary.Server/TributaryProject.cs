using Tributary.Core.Components;
using Tributary.Core.Pipelines;
using Tributary.Core.Warehousing;
using Tributary.Engine.Orchestration;
using Tributary.Engine.Runs;

namespace Tributary.Server;

/// <summary>
/// What the server serves: an opened project. The host (trib serve) owns the warehouse and stores and composes the
/// component catalog; the server only uses them.
/// </summary>
public sealed record TributaryProject
{
    /// <summary>The project folder; relative paths in pipelines resolve against it.</summary>
    public required string Directory { get; init; }
    /// <summary>Folders outside the project that pipelines may also read and write (allowed_paths in tributary.yaml).</summary>
    public IReadOnlyList<string> AllowedPaths { get; init; } = [];
    /// <summary>Control files beyond the fixed ones that no pipeline may write (a moved pipelines folder, warehouse file, run store).</summary>
    public IReadOnlyList<string> ControlPaths { get; init; } = [];
    /// <summary>Where pipelines may read and write files, as a run resolves them.</summary>
    public Core.Projects.ProjectPaths Paths => new(Directory, AllowedPaths, [PipelinesDirectory, .. ControlPaths]);
    /// <summary>Every component type.</summary>
    public required ComponentCatalog Catalog { get; init; }
    /// <summary>The project's warehouse, owned by this process while it serves.</summary>
    public required IWarehouse Warehouse { get; init; }
    /// <summary>Run history.</summary>
    public required IRunStore Runs { get; init; }
    /// <summary>The daemon's state (cursors, ticks, queue, backfills).</summary>
    public required IOrchestrationStore Orchestration { get; init; }
    /// <summary>
    /// The project's reporting time zone (tributary.yaml's <c>timezone:</c>, an IANA name): the zone components bucket days
    /// in, that of a schedule or partition set that names none, and what "today" is where an audience preview buckets days.
    /// Default <c>UTC</c>.
    /// </summary>
    public string Timezone { get; init; } = "UTC";
    /// <summary>Steps executing at once within a run.</summary>
    public int Parallelism { get; init; } = 4;
    /// <summary>Loads a pipeline by name with param overrides and, for a partitioned run, the partition's values.</summary>
    public required Func<string, IReadOnlyDictionary<string, string>, IReadOnlyDictionary<string, string>?, PipelineSpec> LoadPipeline { get; init; }
    /// <summary>The project's pipeline names.</summary>
    public required Func<IReadOnlyList<string>> PipelineNames { get; init; }
    /// <summary>Folder of the project's pipeline files, where the designer saves.</summary>
    public required string PipelinesDirectory { get; init; }
    /// <summary>The use-case templates shipped with trib: name and YAML text.</summary>
    public IReadOnlyDictionary<string, string> Templates { get; init; } = new Dictionary<string, string>();
}
