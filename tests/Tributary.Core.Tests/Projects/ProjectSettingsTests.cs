using Tributary.Core.Diagnostics;
using Tributary.Core.Projects;
using Tributary.Testing;

namespace Tributary.Core.Tests.Projects;

/// <summary>tributary.yaml's warehouse settings: DuckDB's memory limit.</summary>
public sealed class ProjectSettingsTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private ProjectSettings Load(string yaml)
    {
        File.WriteAllText(Path.Combine(_temp.Path, ProjectSettings.FileName), yaml);
        return ProjectSettings.Load(_temp.Path);
    }

    // trib init's file: its timezone line, uncommented as a user does, sets the project's zone, and its two-line comment
    // (reporting days, schedules and partitions, offset-less file times) stays a comment.
    [Fact]
    public void Load_InitFile_IsUtc_AndItsTimezoneLineUncommented_SetsTheProjectZone()
    {
        Assert.Equal("UTC", Load(ProjectSettings.DefaultFileText).Timezone);
        var uncommented = ProjectSettings.DefaultFileText.Replace("# timezone: America/New_York", "timezone: America/New_York", StringComparison.Ordinal);
        Assert.NotEqual(ProjectSettings.DefaultFileText, uncommented);
        Assert.Equal("America/New_York", Load(uncommented).Timezone);
        Assert.Contains("schedules and partitions that name no zone, and file times written without an offset", ProjectSettings.DefaultFileText, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_WithoutMemoryLimit_BoundsDuckDbToOneGigabyte()
    {
        Assert.Equal("900MB", Load("warehouse:\n  duckdb: w.duckdb\n").DuckDbMemoryLimit);
        Assert.Equal("900MB", ProjectSettings.Defaults(_temp.Path).DuckDbMemoryLimit);
    }

    [Theory]
    [InlineData("4GB", "4GB")]
    [InlineData("512MiB", "512MiB")]
    [InlineData("1.5 gb", "1.5gb")]
    [InlineData("64MiB", "64MiB")]
    public void Load_MemoryLimitWithAUnit_IsKept(string value, string expected)
    {
        Assert.Equal(expected, Load($"warehouse:\n  memory_limit: {value}\n").DuckDbMemoryLimit);
    }

    [Theory]
    [InlineData("lots", "must be a size with a unit, such as 1GB, 512MB or 4GiB; got 'lots'.")]
    [InlineData("1024", "must be a size with a unit, such as 1GB, 512MB or 4GiB; got '1024'.")]
    [InlineData("2 GBs", "must be a size with a unit, such as 1GB, 512MB or 4GiB; got '2 GBs'.")]
    [InlineData("-1GB", "must be a size with a unit, such as 1GB, 512MB or 4GiB; got '-1GB'.")]
    [InlineData("10MB", "must be at least 64MiB, got '10MB'.")]
    public void Load_BadMemoryLimit_IsRefusedNamingTheFileAndKey(string value, string expected)
    {
        var error = Assert.Throws<PipelineException>(() => Load($"warehouse:\n  duckdb: w.duckdb\n  memory_limit: {value}\n"));

        var diagnostic = Assert.Single(error.Diagnostics);
        Assert.Equal($"'warehouse.memory_limit' in tributary.yaml {expected}", diagnostic.Message);
        Assert.Equal((Path.Combine(_temp.Path, ProjectSettings.FileName), 3), (diagnostic.Location.File, diagnostic.Location.Line));
    }

    [Fact]
    public void Load_NoTimezone_IsUtc()
    {
        Assert.Equal("UTC", Load("parallelism: 2\n").Timezone);
    }

    [Theory]
    [InlineData("America/New_York")]
    [InlineData("Europe/Berlin")]
    [InlineData("UTC")]
    public void Load_IanaTimezone_IsKept(string zone)
    {
        Assert.Equal(zone, Load($"timezone: {zone}\n").Timezone);
    }

    [Theory]
    [InlineData("America/Gotham")]
    [InlineData("Eastern Standard Time")]
    public void Load_UnknownTimezone_IsRefusedNamingTheKey(string zone)
    {
        var error = Assert.Throws<PipelineException>(() => Load($"parallelism: 2\ntimezone: {zone}\n"));

        var diagnostic = Assert.Single(error.Diagnostics);
        Assert.Equal(($"'timezone' in tributary.yaml names no known IANA time zone: '{zone}'.", "Use an IANA name such as UTC, Europe/Berlin or America/New_York.", "TRIB0401"),
            (diagnostic.Message, diagnostic.Hint, diagnostic.Code));
        Assert.Equal(2, diagnostic.Location.Line);
    }

    [Fact]
    public void Load_RunStoreAsAPath_IsTheSqliteFile()
    {
        var settings = Load("run_store: state/runs.sqlite\n");

        Assert.Equal((Path.Combine(_temp.Path, "state", "runs.sqlite"), (string?)null), (settings.RunStorePath, settings.RunStorePostgresEnv));
    }

    [Fact]
    public void Load_RunStoreWithPostgresEnv_NamesTheVariableNotTheConnection()
    {
        var settings = Load("run_store: { postgres_env: TRIB_RUNS }\n");

        Assert.Equal("TRIB_RUNS", settings.RunStorePostgresEnv);
    }

    [Theory]
    [InlineData("run_store:\n  postgres_evn: X\n", 2, "unknown key 'postgres_evn' in 'run_store'. Did you mean 'postgres_env'?")]
    [InlineData("run_store: {}\n", 1, "'run_store' is missing required key 'postgres_env'.")]
    [InlineData("run_store:\n  postgres_env: [A, B]\n", 2, "'postgres_env' in 'run_store' must be a scalar, got a list.")]
    [InlineData("run_store: [a.db]\n", 1, "'run_store' in tributary.yaml must be a scalar, got a list.")]
    public void Load_BadRunStore_IsRefusedWithFileAndLine(string yaml, int line, string expected)
    {
        var error = Assert.Throws<PipelineException>(() => Load(yaml));

        Assert.Contains(error.Diagnostics, d => d.Message == expected && d.Location.Line == line && d.Location.File == Path.Combine(_temp.Path, ProjectSettings.FileName));
    }

    [Fact]
    public void Load_WarehouseWithBothDuckDbAndPostgresEnv_IsRefusedNamingBothLines()
    {
        var error = Assert.Throws<PipelineException>(() => Load("parallelism: 2\nwarehouse:\n  duckdb: w.duckdb\n  postgres_env: WH\n"));

        var diagnostic = Assert.Single(error.Diagnostics);
        Assert.Equal(DiagnosticCodes.NotAllowed, diagnostic.Code);
        Assert.Equal((Path.Combine(_temp.Path, ProjectSettings.FileName), 4, 3), (diagnostic.Location.File, diagnostic.Location.Line, diagnostic.Location.Column));
        Assert.Equal("'warehouse' in tributary.yaml sets both 'duckdb' (line 3) and 'postgres_env' (line 4): a project has one warehouse.", diagnostic.Message);
        Assert.Equal("Keep duckdb: for the embedded file or postgres_env: for PostgreSQL, and delete or comment out the other line.", diagnostic.Hint);
    }

    [Fact]
    public void Load_InitFileMovedToPostgres_UsesPostgresOnly()
    {
        var settings = Load(ProjectSettingsFile.WithPostgresWarehouse(ProjectSettings.DefaultFileText, "WH"));

        Assert.Equal("WH", settings.PostgresEnv);
        Assert.Null(Load(ProjectSettings.DefaultFileText).PostgresEnv);
    }

    [Fact]
    public void Load_Workers_WithBothStoresOnPostgres_AreKept_AndAbsentByDefault()
    {
        var settings = Load("warehouse: { postgres_env: WH }\nrun_store: { postgres_env: RUNS }\nworkers: { cluster: shop, max_placements: 5 }\n");

        Assert.Equal(new WorkerSettings { ClusterId = "shop", MaxPlacements = 5 }, settings.Workers);
        Assert.Null(Load("parallelism: 2\n").Workers);
        Assert.Equal(new WorkerSettings(), Load("warehouse: { postgres_env: WH }\nrun_store: { postgres_env: RUNS }\nworkers: {}\n").Workers);
    }

    [Theory]
    [InlineData("warehouse: { postgres_env: WH }\nworkers: {}\n", 2, "needs a PostgreSQL run store")]
    [InlineData("run_store: { postgres_env: RUNS }\nworkers: {}\n", 2, "needs a PostgreSQL warehouse")]
    [InlineData("warehouse: { postgres_env: WH }\nrun_store: { postgres_env: RUNS }\nworkers: { max_placements: 0 }\n", 3, "max_placements")]
    [InlineData("warehouse: { postgres_env: WH }\nrun_store: { postgres_env: RUNS }\nworkers: { clustr: a }\n", 3, "unknown key 'clustr'")]
    public void Load_BadWorkers_AreRefusedWithTheReason(string yaml, int line, string expected)
    {
        var error = Assert.Throws<PipelineException>(() => Load(yaml));

        Assert.Contains(error.Diagnostics, d => d.Message.Contains(expected, StringComparison.Ordinal) && d.Location.Line == line);
    }

    [Fact]
    public void Load_IntakeBlock_SetsTheIntakeSettings_AndDefaultsStayWithoutIt()
    {
        var intake = Load("intake:\n  flush_seconds: 5\n  batch_size: 1000\n  max_log_rows: 9000\n  dedup_hours: 48\n  table: live_events\n").Intake;

        Assert.Equal(new IntakeSettings { FlushSeconds = 5, BatchSize = 1000, MaxLogRows = 9000, DedupHours = 48, Table = "live_events" }, intake);
        Assert.Equal(new IntakeSettings(), Load("parallelism: 2\n").Intake);
    }

    [Theory]
    [InlineData("intake:\n  flush_seconds: 0\n", 2, "flush_seconds")]
    [InlineData("intake:\n  batch_size: many\n", 2, "batch_size")]
    [InlineData("intake:\n  table: events\n  flush_secs: 3\n", 3, "flush_secs")]
    public void Load_BadIntakeSetting_IsRefusedWithItsLine(string yaml, int line, string key)
    {
        var error = Assert.Throws<PipelineException>(() => Load(yaml));

        var diagnostic = Assert.Single(error.Diagnostics);
        Assert.Equal((Path.Combine(_temp.Path, ProjectSettings.FileName), line), (diagnostic.Location.File, diagnostic.Location.Line));
        Assert.Contains(key, diagnostic.Message, StringComparison.Ordinal);
    }
}
