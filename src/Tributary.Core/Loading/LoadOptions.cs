namespace Tributary.Core.Loading;

/// <summary>What a load may take from outside the file: param overrides and the environment.</summary>
public sealed record LoadOptions
{
    /// <summary>Values from <c>--param name=value</c>, which win over defaults.</summary>
    public IReadOnlyDictionary<string, string> ParamOverrides { get; init; } = new Dictionary<string, string>();

    /// <summary>Reads an environment variable; the process environment unless a test injects another.</summary>
    public Func<string, string?> Environment { get; init; } = System.Environment.GetEnvironmentVariable;

    /// <summary>
    /// Variables the project uses for Tributary itself (tributary.yaml's <c>postgres_env</c> names), refused to the pipeline
    /// like every <c>TRIBUTARY_*</c> (<see cref="ReservedVariables"/>); none by default.
    /// </summary>
    public IReadOnlySet<string> ReservedEnvironment { get; init; } = new HashSet<string>();

    /// <summary>The partition a run is for: its <c>${partition.*}</c> values. Without it, time partitions with a column (and partitioned groups) span the whole history; others take the first partition's, for validation only (a run of them needs a partition).</summary>
    public IReadOnlyDictionary<string, string>? Partition { get; init; }

    /// <summary>The clock that says how many time partitions exist by now, for the partition limit; the system clock unless a test injects another.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>
    /// True for a file of a project's pipelines folder: the project knows a pipeline by its file name ('trib run', the
    /// API, the designer, the daemon), so a <c>pipeline:</c> name that differs is an error. False (the default) for text
    /// checked on its own.
    /// </summary>
    public bool NamedAfterFile { get; init; }

    /// <summary>
    /// What checks each SQL step's query against its inputs' columns while the file is checked (<c>trib validate</c>,
    /// the designer), so a misspelt column is reported at the step before any run; null (the default) leaves SQL to
    /// the run.
    /// </summary>
    public Components.IQueryDescriber? Queries { get; init; }

    /// <summary>
    /// The project's paths (<see cref="Projects.ProjectSettings.Paths"/>): when given, each parameter naming a file a
    /// component writes is checked as the run checks it, and one outside the project or to a control file is an error at
    /// its key (TRIB0111). Null (the default) leaves that to the run.
    /// </summary>
    public Projects.ProjectPaths? Paths { get; init; }

    /// <summary>
    /// The project's reporting time zone (<see cref="Projects.ProjectSettings.Timezone"/>, an IANA name): the value of
    /// <c>${project.timezone}</c>, the zone the pipeline's components bucket days in, and the zone of a schedule or
    /// partition set that names none. Default <c>UTC</c>.
    /// </summary>
    public string Timezone { get; init; } = "UTC";

    /// <summary>Defaults: no overrides, the process environment.</summary>
    public static LoadOptions Default { get; } = new();
}
