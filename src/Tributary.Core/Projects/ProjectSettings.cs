using Tributary.Core.Diagnostics;
using Tributary.Core.Loading;
using Tributary.Core.Yaml;

namespace Tributary.Core.Projects;

/// <summary>Settings from a project's <c>tributary.yaml</c>; every path is absolute once loaded.</summary>
public sealed partial record ProjectSettings
{
    /// <summary>The settings file name at the project root.</summary>
    public const string FileName = "tributary.yaml";

    /// <summary>The project folder.</summary>
    public required string Directory { get; init; }
    /// <summary>Embedded DuckDB file, used unless <see cref="PostgresEnv"/> is set.</summary>
    public required string DuckDbPath { get; init; }
    /// <summary>Env variable holding a PostgreSQL connection string for the warehouse; null for DuckDB.</summary>
    public string? PostgresEnv { get; init; }
    /// <summary>
    /// Memory the DuckDB warehouse file may hold (its block cache included) before it spills to disk, in DuckDB's own
    /// notation (<c>warehouse.memory_limit</c>, e.g. <c>4GB</c>, <c>512MiB</c>). Default <see cref="DefaultDuckDbMemoryLimit"/>.
    /// </summary>
    public string DuckDbMemoryLimit { get; init; } = DefaultDuckDbMemoryLimit;

    /// <summary>
    /// DuckDB's memory limit when tributary.yaml names none: bounded, unlike DuckDB's own default of 80% of the machine. The
    /// process holds ~300-350 MB beside DuckDB's pool (the runtime, the allocator's pages in flight), and a 25k-customer demo
    /// run's pool peaks at ~790 MB: at 900MB the pool binds from about that size on, so a run's peak stays near 1.1-1.3 GB
    /// at 25k, 50k and 100k customers (1GB let it grow ~25% past 25k's; bench/README.md, stop 18).
    /// </summary>
    public const string DefaultDuckDbMemoryLimit = "900MB";
    /// <summary>SQLite run store file (<c>run_store: PATH</c>); unused when <see cref="RunStorePostgresEnv"/> is set.</summary>
    public required string RunStorePath { get; init; }
    /// <summary>
    /// The environment variable holding the connection string of a PostgreSQL run store (<c>run_store: { postgres_env: NAME }</c>),
    /// shared by several processes; null for the SQLite file.
    /// </summary>
    public string? RunStorePostgresEnv { get; init; }
    /// <summary>Folder of pipeline files.</summary>
    public required string PipelinesDirectory { get; init; }
    /// <summary>Steps run at once. Default 4.</summary>
    public int Parallelism { get; init; } = 4;
    /// <summary>Server bind address. Default 127.0.0.1.</summary>
    public string ServerHost { get; init; } = "127.0.0.1";
    /// <summary>Server port. Default 8080.</summary>
    public int ServerPort { get; init; } = 8080;
    /// <summary>Whether API writes need the per-install secret of <c>.tributary/write-secret</c> (when no token is set). Default true.</summary>
    public bool ServerWriteSecret { get; init; } = true;
    /// <summary>Largest answer of <c>POST /api/query</c> in MB (<c>server: { query_max_mb }</c>), 1 to 1024. Default 32.</summary>
    public int ServerQueryMaxMb { get; init; } = 32;
    /// <summary>The event intake of <c>trib serve</c> (<c>intake:</c>).</summary>
    public IntakeSettings Intake { get; init; } = new();
    /// <summary>The worker cluster that partitioned runs' steps are placed on (<c>workers:</c>); null runs them in process.</summary>
    public WorkerSettings? Workers { get; init; }
    /// <summary>Folders outside the project that pipelines may also read and write (<c>allowed_paths:</c>); none by default.</summary>
    public IReadOnlyList<string> AllowedPaths { get; init; } = [];
    /// <summary>
    /// The project's time zone (<c>timezone:</c>, an IANA name such as <c>America/New_York</c>): the zone whose calendar days
    /// every day-level figure buckets timestamps into, the zone of schedules and partitions that name none, and the zone of
    /// source timestamps written without an offset. Default <c>UTC</c>.
    /// </summary>
    public string Timezone { get; init; } = "UTC";

    /// <summary>
    /// Where pipelines may read and write files: the project folder and <see cref="AllowedPaths"/>; never the control files,
    /// here with the pipelines folder, warehouse file and run store wherever this file puts them.
    /// </summary>
    public ProjectPaths Paths => new(Directory, AllowedPaths, ControlPaths);

    /// <summary>
    /// The files Tributary reads to run the project, beyond the fixed ones of <see cref="ProjectPaths.ControlPaths"/>: a DuckDB
    /// file with its WAL, SQLite's with its journals, and what <c>trib serve</c> keeps beside the run store.
    /// </summary>
    public IReadOnlyList<string> ControlPaths =>
        [PipelinesDirectory, DuckDbPath, DuckDbPath + ".wal", RunStorePath, RunStorePath + "-wal", RunStorePath + "-shm", RunStorePath + "-journal",
         .. ServerStateFiles.Select(f => Path.Combine(Path.GetDirectoryName(RunStorePath)!, f))];

    // What trib serve keeps in the run store's folder (.tributary/ unless run_store moves it).
    private static readonly string[] ServerStateFiles = ["server.json", "write-secret", "sources.json", "intake.db", "intake.db-wal", "intake.db-shm"];

    /// <summary>The contents <c>trib init</c> writes.</summary>
    public static string DefaultFileText =>
        """
        # Tributary project settings. Secrets never go here: name an environment variable instead.
        warehouse:
          duckdb: .tributary/warehouse.duckdb      # the embedded default
          # postgres_env: TRIBUTARY_POSTGRES       # or, instead of duckdb: env variable holding a PostgreSQL connection string
        run_store: .tributary/runs.db              # or: { postgres_env: NAME }, one store for several processes
        pipelines: pipelines
        parallelism: 4
        # timezone: America/New_York               # the project's zone, default UTC: reporting days (orders by day, cohorts, ad spend),
                                                   # schedules and partitions that name no zone, and file times written without an offset
        server:
          host: 127.0.0.1                          # any other address requires TRIBUTARY_TOKEN
          port: 8080
          write_secret: true                       # changes through the API need .tributary/write-secret (the web UI gets it)
          query_max_mb: 32                         # /api/query answers at most this many MB of rows (and 100,000 rows)

        """;

    /// <summary>Defaults for a folder without a settings file.</summary>
    public static ProjectSettings Defaults(string directory) => new()
    {
        Directory = directory,
        DuckDbPath = Path.Combine(directory, ".tributary", "warehouse.duckdb"),
        RunStorePath = Path.Combine(directory, ".tributary", "runs.db"),
        PipelinesDirectory = Path.Combine(directory, "pipelines"),
    };

    /// <summary>Loads <c>tributary.yaml</c> from <paramref name="directory"/>, or defaults when there is none.</summary>
    /// <exception cref="PipelineException">The file has errors; each has its position.</exception>
    public static ProjectSettings Load(string directory)
    {
        directory = Path.GetFullPath(directory);
        var file = Path.Combine(directory, FileName);
        var settings = Defaults(directory);
        if (!File.Exists(file)) return settings;
        var diagnostics = new List<Diagnostic>();
        var reader = new NodeReader(file, diagnostics);
        var root = YamlTreeReader.Read(File.ReadAllText(file), file, diagnostics);
        if (root is not null && reader.Mapping(root, "the settings file") is { } top)
        {
            reader.CheckKeys(top, "tributary.yaml", ["warehouse", "run_store", "pipelines", "parallelism", "server", "allowed_paths", "intake", "workers", "retention", "timezone"]);
            if (reader.Mapping(top["warehouse"], "'warehouse'") is { } wh)
            {
                reader.CheckKeys(wh, "'warehouse'", ["duckdb", "postgres_env", "memory_limit"]);
                if (reader.Text(wh, "duckdb", "'warehouse'") is { } duck) settings = settings with { DuckDbPath = Path.GetFullPath(duck, directory) };
                settings = settings with { PostgresEnv = reader.Text(wh, "postgres_env", "'warehouse'") };
                // Both set used to mean PostgreSQL without a word, and a user who meant the DuckDB file lost track of their data.
                if (wh.KeyNode("duckdb") is { } duckKey && wh.KeyNode("postgres_env") is { } pgKey)
                    reader.Error(DiagnosticCodes.NotAllowed, pgKey.Location,
                        $"'warehouse' in {FileName} sets both 'duckdb' (line {duckKey.Location.Line}) and 'postgres_env' (line {pgKey.Location.Line}): "
                        + "a project has one warehouse.",
                        "Keep duckdb: for the embedded file or postgres_env: for PostgreSQL, and delete or comment out the other line.");
                if (MemorySize(reader, wh, "memory_limit") is { } limit) settings = settings with { DuckDbMemoryLimit = limit };
            }
            if (top["run_store"] is YamlMapping runStore)
            {
                reader.CheckKeys(runStore, "'run_store'", ["postgres_env"]);
                settings = settings with { RunStorePostgresEnv = reader.Text(runStore, "postgres_env", "'run_store'", required: true) };
            }
            else if (reader.Text(top, "run_store", "tributary.yaml") is { } store)
            {
                settings = settings with { RunStorePath = Path.GetFullPath(store, directory) };
            }
            if (ReportingZone(reader, top) is { } zone) settings = settings with { Timezone = zone };
            if (reader.Text(top, "pipelines", "tributary.yaml") is { } pipes) settings = settings with { PipelinesDirectory = Path.GetFullPath(pipes, directory) };
            settings = settings with { Parallelism = reader.Integer(top, "parallelism", "tributary.yaml", 1, 64) ?? settings.Parallelism };
            settings = settings with { AllowedPaths = reader.TextList(top["allowed_paths"], "'allowed_paths'").Select(p => Path.GetFullPath(p, directory)).ToList() };
            CheckAllowedPaths(reader, top["allowed_paths"], directory);
            if (reader.Mapping(top["server"], "'server'") is { } server)
            {
                reader.CheckKeys(server, "'server'", ["host", "port", "write_secret", "query_max_mb"]);
                settings = settings with
                {
                    ServerHost = reader.Text(server, "host", "'server'") ?? settings.ServerHost,
                    ServerPort = reader.Integer(server, "port", "'server'", 1, 65535) ?? settings.ServerPort,
                    ServerWriteSecret = reader.Boolean(server, "write_secret", "'server'") ?? settings.ServerWriteSecret,
                    ServerQueryMaxMb = reader.Integer(server, "query_max_mb", "'server'", 1, 1024) ?? settings.ServerQueryMaxMb,
                };
            }
            if (reader.Mapping(top["intake"], "'intake'") is { } intake)
            {
                reader.CheckKeys(intake, "'intake'", ["flush_seconds", "batch_size", "max_log_rows", "dedup_hours", "table"]);
                var d = settings.Intake;
                settings = settings with
                {
                    Intake = new IntakeSettings
                    {
                        FlushSeconds = reader.Integer(intake, "flush_seconds", "'intake'", 1, 3600) ?? d.FlushSeconds,
                        BatchSize = reader.Integer(intake, "batch_size", "'intake'", 1, 1_000_000) ?? d.BatchSize,
                        MaxLogRows = reader.Integer(intake, "max_log_rows", "'intake'", 1, 1_000_000_000) ?? d.MaxLogRows,
                        DedupHours = reader.Integer(intake, "dedup_hours", "'intake'", 1, 720) ?? d.DedupHours,
                        Table = reader.Text(intake, "table", "'intake'") ?? d.Table,
                    },
                };
            }
            if (reader.Mapping(top["retention"], "'retention'") is { } retention) settings = settings with { Retention = ReadRetention(reader, retention) };
            if (reader.Mapping(top["workers"], "'workers'") is { } workers)
            {
                reader.CheckKeys(workers, "'workers'", ["cluster", "max_placements"]);
                var w = new WorkerSettings();
                settings = settings with
                {
                    Workers = new WorkerSettings
                    {
                        ClusterId = reader.Text(workers, "cluster", "'workers'") ?? w.ClusterId,
                        MaxPlacements = reader.Integer(workers, "max_placements", "'workers'", 1, 100) ?? w.MaxPlacements,
                    },
                };
                // The cluster's membership and the attempts' epochs live in the shared run store.
                if (settings.RunStorePostgresEnv is null)
                    reader.Error(DiagnosticCodes.NotAllowed, workers.Location, $"'workers' in {FileName} needs a PostgreSQL run store, which the workers share.",
                        "Add run_store: { postgres_env: NAME } naming the variable that holds its connection string.");
                // A DuckDB file belongs to one process; workers write their partitions into one shared warehouse.
                if (settings.PostgresEnv is null)
                    reader.Error(DiagnosticCodes.NotAllowed, workers.Location, $"'workers' in {FileName} needs a PostgreSQL warehouse: a DuckDB file can be written by one process only.",
                        "Add warehouse: { postgres_env: NAME }.");
            }
        }
        if (diagnostics.Count > 0) throw new PipelineException(diagnostics);
        return settings;
    }

    // A folder that holds the project (the root, the home folder) would open every sibling project and the user's own files
    // (~/.ssh) to whoever writes a pipeline: name the folder that is needed instead.
    private static void CheckAllowedPaths(NodeReader reader, YamlNode? node, string directory)
    {
        IEnumerable<YamlScalar> items = node switch { YamlScalar { IsNull: false } one => [one], YamlSequence seq => seq.Items.OfType<YamlScalar>().Where(s => !s.IsNull), _ => [] };
        var comparison = OperatingSystem.IsLinux() ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase;
        foreach (var item in items)
        {
            var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(item.Value, directory));
            var root = Path.EndsInDirectorySeparator(full) ? full : full + Path.DirectorySeparatorChar;
            if (!directory.StartsWith(root, comparison)) continue;
            reader.Error(DiagnosticCodes.NotAllowed, item.Location,
                $"'allowed_paths' in {FileName} may not list '{item.Value}' ('{full}'): it holds the project folder, so every pipeline could read and write " +
                "everything beside it (other projects, the user's files).",
                "List only the folders outside the project that pipelines need, e.g. /srv/exports; the project folder itself needs no entry.");
        }
    }

    // An IANA name, which both engines' SQL also knows; .NET alone would take a Windows name such as 'Eastern Standard Time'.
    private static string? ReportingZone(NodeReader reader, YamlMapping top)
    {
        if (reader.Scalar(top, "timezone", "tributary.yaml") is not { } s) return null;
        if (TimeZoneInfo.TryFindSystemTimeZoneById(s.Value, out var zone) && zone.HasIanaId) return s.Value;
        reader.Error(DiagnosticCodes.BadTimezone, s.Location, $"'timezone' in {FileName} names no known IANA time zone: '{s.Value}'.",
            "Use an IANA name such as UTC, Europe/Berlin or America/New_York.");
        return null;
    }

    /// <summary>The least <c>warehouse.memory_limit</c> accepted: below it every query fails with DuckDB's out-of-memory error.</summary>
    public const long MinimumDuckDbMemoryBytes = 64L << 20;

    // DuckDB's units: decimal (KB, MB…) and binary (KiB, MiB…), any case, as DuckDB itself parses them.
    private static readonly Dictionary<string, long> MemoryUnits = new(StringComparer.OrdinalIgnoreCase)
    {
        ["B"] = 1, ["KB"] = 1_000, ["MB"] = 1_000_000, ["GB"] = 1_000_000_000, ["TB"] = 1_000_000_000_000,
        ["KiB"] = 1L << 10, ["MiB"] = 1L << 20, ["GiB"] = 1L << 30, ["TiB"] = 1L << 40,
    };

    [System.Text.RegularExpressions.GeneratedRegex(@"^\s*(\d+(?:\.\d+)?)\s*([A-Za-z]+)\s*$")]
    private static partial System.Text.RegularExpressions.Regex MemorySizePattern();

    // A size such as "4GB" or "1.5 GiB", checked here so a typo fails at load naming the file and key, not at the first query.
    private static string? MemorySize(NodeReader reader, YamlMapping mapping, string key)
    {
        if (reader.Scalar(mapping, key, "'warehouse'") is not { } s) return null;
        var match = MemorySizePattern().Match(s.Value);
        if (!match.Success || !MemoryUnits.TryGetValue(match.Groups[2].Value, out var unit))
        {
            reader.Error(DiagnosticCodes.WrongType, s.Location, $"'warehouse.{key}' in {FileName} must be a size with a unit, such as 1GB, 512MB or 4GiB; got '{s.Value}'.",
                $"Units: {string.Join(", ", MemoryUnits.Keys)}.");
            return null;
        }
        var bytes = double.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) * unit;
        if (bytes < MinimumDuckDbMemoryBytes)
        {
            reader.Error(DiagnosticCodes.OutOfRange, s.Location, $"'warehouse.{key}' in {FileName} must be at least 64MiB, got '{s.Value}'.");
            return null;
        }
        return match.Groups[1].Value + match.Groups[2].Value;
    }
}
