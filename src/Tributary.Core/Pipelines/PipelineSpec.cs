using Tributary.Core.Diagnostics;

namespace Tributary.Core.Pipelines;

/// <summary>A validated pipeline: definitions only, nothing here executes (Dagster's definitions/execution split).</summary>
public sealed record PipelineSpec
{
    /// <summary>Pipeline name, <c>[a-z0-9_]+</c>.</summary>
    public required string Name { get; init; }
    /// <summary>What the pipeline is for.</summary>
    public string? Description { get; init; }
    /// <summary>The file it was loaded from.</summary>
    public required string File { get; init; }
    /// <summary>Template parameters with their resolved values.</summary>
    public IReadOnlyList<ParamSpec> Params { get; init; } = [];
    /// <summary>When to run; executed by the orchestration daemon.</summary>
    public ScheduleSpec? Schedule { get; init; }
    /// <summary>How assets are partitioned, if at all.</summary>
    public PartitionsSpec? Partitions { get; init; }
    /// <summary>Step retry policy; no retries by default.</summary>
    public RetrySpec Retry { get; init; } = RetrySpec.None;
    /// <summary>Sensors that trigger runs.</summary>
    public IReadOnlyList<SensorSpec> Sensors { get; init; } = [];
    /// <summary>Alert on a failed run, or null.</summary>
    public AlertSpec? OnFailure { get; init; }
    /// <summary>Components in file order; each produces the asset named by its id.</summary>
    public required IReadOnlyList<ComponentSpec> Components { get; init; }
    /// <summary>Named sets of assets with their own schedule, sensors and retry policy, selected with <c>--select group:NAME</c>.</summary>
    public IReadOnlyList<GroupSpec> Groups { get; init; } = [];
    /// <summary>
    /// Concurrency pools by name: at most a pool's limit of the steps that name it (<see cref="ComponentSpec.Pool"/>) run
    /// at once, e.g. steps whose queries each need much of the warehouse's memory.
    /// </summary>
    public IReadOnlyDictionary<string, int> Pools { get; init; } = new Dictionary<string, int>();

    /// <summary>
    /// The project's reporting time zone, an IANA name (tributary.yaml's <c>timezone:</c>): components bucket timestamps
    /// into its calendar days. Default <c>UTC</c>.
    /// </summary>
    public string Timezone { get; init; } = "UTC";

    /// <summary>
    /// The value each <c>${env.NAME}</c> of the file took in this load, by name: secrets a run masks in its errors, events,
    /// records and alerts (<see cref="SecretMask"/>). Never serialized.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public IReadOnlyDictionary<string, string> EnvironmentValues { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// What the load warned of, the file valid all the same: an environment variable a <c>*_env</c> setting names that is not
    /// set in the loading process (the step would fail), an <c>on_failure</c> URL that would send no alert. Never serialized.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public IReadOnlyList<Diagnostic> Warnings { get; init; } = [];

    /// <summary>The retry policy of a step: its group's when the group sets one, else the pipeline's.</summary>
    public RetrySpec RetryOf(string asset) => Groups.FirstOrDefault(g => g.Retry is not null && g.Assets.Contains(asset))?.Retry ?? Retry;
}

/// <summary>
/// A named set of a pipeline's assets that runs on its own: its schedule and sensors queue runs of these assets only
/// (their inputs from other groups are read as they are), and its retry policy replaces the pipeline's for its steps.
/// </summary>
public sealed record GroupSpec(string Name, string? Description, IReadOnlyList<string> Assets, ScheduleSpec? Schedule,
    IReadOnlyList<SensorSpec> Sensors, RetrySpec? Retry, SourceLocation Location)
{
    /// <summary>The selection that runs this group, <c>group:NAME</c>.</summary>
    public string Selection => AssetGraph.GroupPrefix + Name;

    /// <summary>
    /// How this group's assets are partitioned, or null: a run of the group with a partition replaces only that partition
    /// of its assets, while the other groups (and runs without a partition) read and write whole tables.
    /// </summary>
    public PartitionsSpec? Partitions { get; init; }
}

/// <summary>A typed template parameter and the value it resolved to (override, else default).</summary>
public sealed record ParamSpec(string Name, ParamType Type, string? Value, string? Description, double? Min, double? Max,
    IReadOnlyList<string> Values, SourceLocation Location)
{
    /// <summary>The file's default, or null when it has none (or an invalid one).</summary>
    public string? Default { get; init; }
}

/// <summary>The type of a template parameter.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1720:Identifier contains type name", Justification = "Named after the YAML type names users write.")]
public enum ParamType
{
    /// <summary>Any text.</summary>
    String,
    /// <summary>A whole number.</summary>
    Integer,
    /// <summary>A real number.</summary>
    Number,
    /// <summary>true or false.</summary>
    Boolean,
}

/// <summary>
/// A cron schedule in an IANA timezone (the schedule's own <c>timezone:</c>, else the project's), and what to do about
/// ticks missed while the daemon was down.
/// </summary>
public sealed record ScheduleSpec(string Cron, string Timezone, SourceLocation Location, CatchUpPolicy CatchUp = CatchUpPolicy.Latest);

/// <summary>Ticks missed while the daemon was down.</summary>
public enum CatchUpPolicy
{
    /// <summary>Run the latest missed tick once; record the others as skipped.</summary>
    Latest,
    /// <summary>Run none of them; record them as skipped.</summary>
    Skip,
}

/// <summary>Where to send an alert when a run fails: a Slack-compatible webhook whose URL is in an environment variable.</summary>
public sealed record AlertSpec(string WebhookUrlEnv, SourceLocation Location)
{
    /// <summary>True for a URL an alert can be posted to: absolute, http or https.</summary>
    public static bool IsWebhookUrl(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp);
}

/// <summary>How a pipeline's (or a group's) assets are partitioned; time windows in <c>Timezone</c> (the partitions' own, else the project's).</summary>
public sealed record PartitionsSpec(PartitionGranularity Type, DateOnly? Start, string Timezone, IReadOnlyList<string> Keys, SourceLocation Location)
{
    /// <summary>
    /// The time column every partitioned asset has, or null. With it, a partitioned run also replaces the rows of its
    /// window that a run without a partition wrote (those have no partition key), so whole and partitioned runs mix.
    /// </summary>
    public string? Column { get; init; }
}

/// <summary>
/// Which partitions of an input a partition depends on: the same key (identity), every partition (all), the latest
/// (last), or the window <see cref="Offset"/> steps away (offset, e.g. -1: the day before).
/// </summary>
public sealed record PartitionMapping(PartitionMappingKind Kind, int Offset = 0)
{
    /// <summary>The default: the same partition.</summary>
    public static readonly PartitionMapping Identity = new(PartitionMappingKind.Identity);
}

/// <summary>Kinds of <see cref="PartitionMapping"/>.</summary>
public enum PartitionMappingKind
{
    /// <summary>The same key.</summary>
    Identity,
    /// <summary>Every partition.</summary>
    All,
    /// <summary>The latest partition.</summary>
    Last,
    /// <summary>The time window a number of steps away.</summary>
    Offset,
}

/// <summary>The kinds of partitions.</summary>
public enum PartitionGranularity
{
    /// <summary>One partition per hour.</summary>
    Hourly,
    /// <summary>One partition per day.</summary>
    Daily,
    /// <summary>One partition per ISO week.</summary>
    Weekly,
    /// <summary>One partition per month.</summary>
    Monthly,
    /// <summary>A fixed list of keys.</summary>
    Static,
}

/// <summary>Retry policy for a failed step.</summary>
public sealed record RetrySpec(int MaxRetries, TimeSpan Delay, BackoffKind Backoff, bool Jitter)
{
    /// <summary>No retries.</summary>
    public static readonly RetrySpec None = new(0, TimeSpan.Zero, BackoffKind.Constant, false);
}

/// <summary>How the delay between retries grows.</summary>
public enum BackoffKind
{
    /// <summary>The same delay each time.</summary>
    Constant,
    /// <summary>delay × attempt.</summary>
    Linear,
    /// <summary>delay × 2^(attempt-1).</summary>
    Exponential,
}

/// <summary>A sensor definition; its settings are validated by type.</summary>
public sealed record SensorSpec(string Type, IReadOnlyDictionary<string, string> Settings, TimeSpan Interval, SourceLocation Location)
{
    /// <summary>
    /// The sensor for a reader: its type and what it watches (<c>freshness of orders, max age 1h</c>, <c>run_status of group
    /// ingest (succeeded)</c>, <c>file_arrival in inbox</c>, <c>table_rows of orders</c>), so two sensors of one type differ.
    /// </summary>
    public string Describe()
    {
        string? Setting(string key) => Settings.GetValueOrDefault(key);
        return Type switch
        {
            "file_arrival" when Setting("path") is { } path => $"file_arrival in {path}",
            "table_rows" when Setting("table") is { } table => $"table_rows of {table}",
            "run_status" => $"run_status of {(Setting("group") is { } g ? $"group {g}" : Setting("pipeline"))} ({Setting("status") ?? "succeeded"})",
            "freshness" when Setting("asset") is { } asset => $"freshness of {asset}, max age {Setting("max_age")}",
            _ => Type,
        };
    }
}

/// <summary>One component: its id is also the asset (table) it produces.</summary>
public sealed record ComponentSpec
{
    /// <summary>Component id and asset name.</summary>
    public required string Id { get; init; }
    /// <summary>Component type, <c>category.name</c>.</summary>
    public required string Type { get; init; }
    /// <summary>Ids of the components whose assets this one reads.</summary>
    public IReadOnlyList<string> Inputs { get; init; } = [];
    /// <summary>The bound, validated parameters record of the component type.</summary>
    public required object Parameters { get; init; }
    /// <summary>Data quality checks run after each materialization.</summary>
    public IReadOnlyList<CheckSpec> Checks { get; init; } = [];
    /// <summary>How each input's partitions map onto this asset's (identity unless listed).</summary>
    public IReadOnlyDictionary<string, PartitionMapping> PartitionMappings { get; init; } = new Dictionary<string, PartitionMapping>();
    /// <summary>The concurrency pool (a key of <see cref="PipelineSpec.Pools"/>) the step runs in, or null for none.</summary>
    public string? Pool { get; init; }
    /// <summary>Where the component is defined.</summary>
    public required SourceLocation Location { get; init; }
    /// <summary>
    /// What the file defines the component as, in canonical text (type, inputs, parameters with the params' defaults in
    /// place; not its checks or description), the same for every partition and every run's <c>--param</c>; null for a
    /// spec not loaded from a file. See <see cref="AssetDefinitions"/>.
    /// </summary>
    public string? Definition { get; init; }
    /// <summary>
    /// The component's <c>with</c> as this load resolved it, as JSON: the run's params (a <c>--param</c> included) in
    /// place of <c>${param.NAME}</c>, env and partition references as written (no secret is recorded). The run records
    /// it with the main materialization, under <c>with</c>, so that a card shows the values a run used; null for a spec
    /// not loaded from a file.
    /// </summary>
    public string? ResolvedWith { get; init; }
}

/// <summary>A data quality check on an asset.</summary>
public sealed record CheckSpec(CheckType Type, IReadOnlyList<string> Columns, double? Value, IReadOnlyList<string> Values,
    string? Sql, bool Blocking, SourceLocation Location)
{
    /// <summary>The declared output the check runs on (<c>output:</c>); <c>main</c>, the asset itself, when not given.</summary>
    public string Output { get; init; } = Components.DeclaredOutput.MainName;

    /// <summary>A short name for reports, such as <c>not_null(email)</c> or <c>not_null(value) on model</c>.</summary>
    public string Name => (Type switch
    {
        CheckType.RowCountMin => $"row_count_min({Value})",
        CheckType.Expression => $"expression({Sql})",
        _ => $"{CheckTypeNames.Of(Type)}({string.Join(", ", Columns)})",
    }) + (Output == Components.DeclaredOutput.MainName ? "" : $" on {Output}");
}

/// <summary>The built-in checks.</summary>
public enum CheckType
{
    /// <summary>At least <c>value</c> rows.</summary>
    RowCountMin,
    /// <summary>No NULL in the columns.</summary>
    NotNull,
    /// <summary>No two rows share the columns' values.</summary>
    Unique,
    /// <summary>Every value of the column is in <c>values</c>.</summary>
    AcceptedValues,
    /// <summary>A SQL predicate that holds for every row.</summary>
    Expression,
}

/// <summary>YAML names of <see cref="CheckType"/>.</summary>
public static class CheckTypeNames
{
    /// <summary>Every check type by its YAML name.</summary>
    public static IReadOnlyDictionary<string, CheckType> All { get; } = new Dictionary<string, CheckType>
    {
        ["row_count_min"] = CheckType.RowCountMin,
        ["not_null"] = CheckType.NotNull,
        ["unique"] = CheckType.Unique,
        ["accepted_values"] = CheckType.AcceptedValues,
        ["expression"] = CheckType.Expression,
    };

    /// <summary>The YAML name of a check type.</summary>
    public static string Of(CheckType type) => All.First(p => p.Value == type).Key;
}
