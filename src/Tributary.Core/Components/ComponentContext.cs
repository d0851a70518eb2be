using Tributary.Core.Projects;
using Tributary.Core.Warehousing;

namespace Tributary.Core.Components;

/// <summary>Everything a materialize step gets from the engine; nothing comes from process memory.</summary>
public sealed record ComponentContext
{
    /// <summary>The asset (table) to write; equals the component id.</summary>
    public required string Asset { get; init; }
    /// <summary>Input tables in the order of <c>inputs</c>.</summary>
    public required IReadOnlyList<string> Inputs { get; init; }
    /// <summary>The warehouse to read from and write to.</summary>
    public required IWarehouse Warehouse { get; init; }
    /// <summary>Where files may be read and written: the project folder and the allowed_paths of tributary.yaml.</summary>
    public required ProjectPaths Paths { get; init; }
    /// <summary>The project folder; relative paths in parameters resolve against it.</summary>
    public string ProjectDirectory => Paths.Directory;
    /// <summary>The run this step belongs to.</summary>
    public required string RunId { get; init; }
    /// <summary>The clock; never <c>DateTime.Now</c>.</summary>
    public required TimeProvider Time { get; init; }
    /// <summary>
    /// The project's reporting time zone (tributary.yaml's <c>timezone:</c>): a day-level figure buckets a timestamp into
    /// this zone's calendar day, and a source reads a timestamp written without an offset as this zone's. Default UTC.
    /// </summary>
    public TimeZoneInfo TimeZone { get; init; } = TimeZoneInfo.Utc;
    /// <summary>Writes a line to the run's log.</summary>
    public required Action<string> Log { get; init; }
    /// <summary>
    /// Gives an HTTP client for calls to outside services (webhooks, activation APIs); the host pools the connections,
    /// so dispose the client when done. Null where the host offers none.
    /// </summary>
    public Func<HttpClient>? Http { get; init; }
    /// <summary>Reads an environment variable (secrets such as connection strings live there, never in YAML).</summary>
    public Func<string, string?> Environment { get; init; } = System.Environment.GetEnvironmentVariable;

    /// <summary>
    /// A full refresh (<c>trib run --full-refresh</c>): a step that keeps state between runs (a source's files ledger)
    /// forgets it and rebuilds from what is there now, replacing that state in the same transaction as its rows.
    /// </summary>
    public bool FullRefresh { get; init; }

    /// <summary>The tables this step declared in its plan, main first.</summary>
    public IReadOnlyList<StepOutput> Outputs { get; init; } = [];
    /// <summary>The tables each input step declared, by input id.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<StepOutput>> InputOutputs { get; init; } = new Dictionary<string, IReadOnlyList<StepOutput>>();

    /// <summary>The table of this step's declared output <paramref name="name"/>.</summary>
    /// <exception cref="InvalidOperationException">The plan does not declare that output.</exception>
    public string Output(string name) => Find(Outputs, name, $"step '{Asset}'");

    /// <summary>The table of output <paramref name="name"/> that input step <paramref name="input"/> declared.</summary>
    /// <exception cref="InvalidOperationException">It is not an input of this step, or it declares no such output.</exception>
    public string InputOutput(string input, string name) =>
        InputOutputs.TryGetValue(input, out var outputs) ? Find(outputs, name, $"input '{input}'")
            : throw new InvalidOperationException($"'{input}' is not an input of step '{Asset}'.");

    private static string Find(IReadOnlyList<StepOutput> outputs, string name, string owner) =>
        outputs.FirstOrDefault(o => o.Output.Name == name)?.Table ?? throw new InvalidOperationException(
            $"{owner} declares no output '{name}' (declared: {string.Join(", ", outputs.Select(o => o.Output.Name))}); declare it in the component's plan.");

    /// <summary>A path from a parameter, resolved against the project folder; one leading outside it and allowed_paths is refused.</summary>
    /// <exception cref="UnauthorizedAccessException">The path leads outside the project folder and allowed_paths.</exception>
    public string ResolvePath(string path) => Paths.Resolve(path);

    /// <summary>
    /// A path from a parameter that the component is about to write: as <see cref="ResolvePath"/>, and refused when it is one
    /// of the project's control files (tributary.yaml, the pipelines folder, .tributary/), links followed.
    /// </summary>
    /// <exception cref="UnauthorizedAccessException">The path leads outside, or to a control file.</exception>
    public string ResolveOutputPath(string path) => Paths.ResolveOutput(path);
}

/// <summary>What a materialize step wrote.</summary>
/// <param name="RowCount">Rows in the asset after the write.</param>
/// <param name="Metadata">Facts worth keeping with the materialization (files read, rejected rows…).</param>
public sealed record Materialization(long RowCount, IReadOnlyDictionary<string, object?> Metadata)
{
    /// <summary>
    /// What went partly wrong although the step succeeded (rows rejected, batches not delivered): each is recorded as a
    /// non-blocking check that did not pass, so the run page shows it beside the step instead of only in the log.
    /// </summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>A materialization with no metadata.</summary>
    public static Materialization Of(long rowCount) => new(rowCount, new Dictionary<string, object?>());
}
