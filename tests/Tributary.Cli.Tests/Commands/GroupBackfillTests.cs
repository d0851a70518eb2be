using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Tributary.Testing;

namespace Tributary.Cli.Tests.Commands;

/// <summary>
/// <c>trib backfill PIPELINE --group G</c> and <c>POST /api/backfills</c> with a group, on DuckDB with the SQLite run store
/// and on PostgreSQL with the PostgreSQL run store: six hours of the hourly intake group, one of which fails until its
/// data is fixed, then resumed; each hour is materialized once and only the group's assets run.
/// </summary>
public sealed partial class GroupBackfillTests(PostgresCluster postgres) : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly string _warehouseEnv = "TRIB_TEST_BFW_" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
    private readonly string _storeEnv = "TRIB_TEST_BFS_" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
    private readonly Dictionary<string, string> _environment = [];
    private readonly TribProcesses _trib = new();
    private string Project => Path.Combine(_temp.Path, "hours");
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        _trib.Dispose();
        Environment.SetEnvironmentVariable(_warehouseEnv, null);
        Environment.SetEnvironmentVariable(_storeEnv, null);
        _temp.Dispose();
    }

    // The hour named by the setup group's bad_hour fails (its text is cast to an integer); every other hour succeeds.
    internal const string Yaml = """
        pipeline: hours
        params:
          bad_hour: { type: string, default: none, description: The hour whose rows fail to load }
        groups:
          setup:
            assets: [switches]
          intake:
            assets: [hour_events]
            partitions: { type: hourly, start: 2025-01-01, timezone: UTC, column: seen_at }
          analytics:
            assets: [totals]
        components:
          - id: switches
            type: transform.sql
            with: { sql: "SELECT CAST(${param.bad_hour} AS VARCHAR) AS bad_hour" }
          - id: hour_events
            type: transform.sql
            inputs: [switches]
            with:
              sql: >-
                SELECT CAST(${partition.key} AS VARCHAR) AS hour, CAST(${partition.start} AS TIMESTAMP) AS seen_at,
                CAST(CASE WHEN s.bad_hour = CAST(${partition.key} AS VARCHAR) THEN s.bad_hour ELSE '1' END AS INTEGER) AS v FROM switches s
          - id: totals
            type: transform.sql
            inputs: [hour_events]
            with: { sql: "SELECT count(*) AS n FROM hour_events" }
        """;

    private const string AllHours = "partition_key,hour,v\n2025-01-01T00:00,2025-01-01T00:00,1\n2025-01-01T01:00,2025-01-01T01:00,1\n2025-01-01T02:00,2025-01-01T02:00,1\n" +
        "2025-01-01T03:00,2025-01-01T03:00,1\n2025-01-01T04:00,2025-01-01T04:00,1\n2025-01-01T05:00,2025-01-01T05:00,1\n";

    private async Task CreateProjectAsync(string engine)
    {
        Assert.Equal(0, (await Trib.RunAsync("init", Project)).ExitCode);
        File.WriteAllText(Path.Combine(Project, "pipelines", "hours.yaml"), Yaml);
        if (engine != "postgres") return;
        var settings = Path.Combine(Project, "tributary.yaml");
        File.WriteAllText(settings, ProjectSettingsFile.WithPostgresWarehouse(File.ReadAllText(settings), _warehouseEnv)
            .Replace("run_store: .tributary/runs.db", $"run_store: {{ postgres_env: {_storeEnv} }}", StringComparison.Ordinal));
        _environment[_warehouseEnv] = await postgres.NewSchemaAsync();
        _environment[_storeEnv] = await postgres.NewSchemaAsync();
        foreach (var (name, value) in _environment) Environment.SetEnvironmentVariable(name, value);
    }

    private async Task SetBadHourAsync(string hour)
    {
        var setup = await Trib.RunAsync("run", "hours", "--select", "group:setup", "--param", $"bad_hour={hour}", "--project", Project);
        Assert.True(setup.ExitCode == 0, setup.Error);
    }

    private async Task<string> HourEventsAsync()
    {
        var rows = await Trib.RunAsync("query", "SELECT partition_key, hour, v FROM hour_events ORDER BY partition_key", "--project", Project, "--format", "csv");
        Assert.True(rows.ExitCode == 0, rows.Error);
        return rows.Out.ReplaceLineEndings("\n");
    }

    [GeneratedRegex(@"backfill (\S+) of hours group intake: 6 partition\(s\) from 2025-01-01T00:00 to 2025-01-01T05:00")]
    private static partial Regex Started();

    [Theory]
    [InlineData("duckdb")]
    [InlineData("postgres")]
    public async Task Backfill_OfAGroup_RunsEachHourOfTheGroup_AndResumeRunsTheFailedHourOnly(string engine)
    {
        await CreateProjectAsync(engine);
        await SetBadHourAsync("2025-01-01T03:00");

        var failed = await Trib.RunAsync("backfill", "hours", "--group", "intake", "--from", "2025-01-01T00:00", "--to", "2025-01-01T05:00", "--concurrency", "3", "--project", Project);

        Assert.True(failed.ExitCode == 2, failed.Error);
        var id = Started().Match(failed.Error).Groups[1].Value;
        Assert.NotEmpty(id);
        Assert.Contains($"backfill {id}: 5 of 6 partition(s) materialized", failed.Error, StringComparison.Ordinal);
        Assert.Contains("2025-01-01T03:00: failed", failed.Error, StringComparison.Ordinal);
        Assert.Contains($"trib backfill hours --resume {id}", failed.Error, StringComparison.Ordinal);
        Assert.Equal(AllHours.Replace("2025-01-01T03:00,2025-01-01T03:00,1\n", "", StringComparison.Ordinal), await HourEventsAsync());

        await SetBadHourAsync("none");
        var resumed = await Trib.RunAsync("backfill", "hours", "--resume", id, "--project", Project);

        Assert.True(resumed.ExitCode == 0, resumed.Error);
        Assert.Contains($"backfill {id}: 6 of 6 partition(s) materialized", resumed.Error, StringComparison.Ordinal);
        Assert.Equal(AllHours, await HourEventsAsync());
        // Only the group's assets ran (a run of setup would have cleared the bad hour; analytics' table was never written), seven runs in all.
        Assert.Equal(1, (await Trib.RunAsync("query", "SELECT n FROM totals", "--project", Project)).ExitCode);
        var runs = await Trib.RunAsync("runs", "--project", Project, "--format", "json", "--limit", "50");
        Assert.Equal(7, JsonDocument.Parse(runs.Out).RootElement.EnumerateArray().Count(r => r.GetProperty("trigger").GetString() == "backfill"));

        var wrong = await Trib.RunAsync("backfill", "hours", "--from", "2025-01-01T00:00", "--to", "2025-01-01T01:00", "--project", Project);
        Assert.Equal(1, wrong.ExitCode);
        Assert.Contains("pipeline 'hours' has no partitions of its own; backfill one of its partitioned groups with --group NAME. Its partitioned groups: intake.", wrong.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("duckdb")]
    [InlineData("postgres")]
    public async Task BackfillApi_OfAGroup_RunsEachHour_RetryRunsTheFailedOne_AndThePartitionsPageShowsEachHour(string engine)
    {
        await CreateProjectAsync(engine);
        await SetBadHourAsync("2025-01-01T03:00");
        var (_, address) = await _trib.ServeAsync(Project, _environment, [], Ct);
        using var http = new HttpClient { BaseAddress = address };
        http.DefaultRequestHeaders.Add("X-Tributary-Write-Secret", File.ReadAllText(Path.Combine(Project, ".tributary", "write-secret")));

        var unknown = await http.PostAsJsonAsync("/api/backfills", new { pipeline = "hours", group = "analytics", from = "2025-01-01T00:00", to = "2025-01-01T05:00" }, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Contains("group 'analytics' of pipeline 'hours' has no partitions to backfill", await unknown.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        var started = await http.PostAsJsonAsync("/api/backfills", new { pipeline = "hours", group = "intake", from = "2025-01-01T00:00", to = "2025-01-01T05:00", concurrency = 3 }, Ct);
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var id = (await started.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("backfill_id").GetString()!;

        var first = await EndedAsync(http, id);
        Assert.Equal(("failed", "intake"), (first.GetProperty("backfill").GetProperty("status").GetString(), first.GetProperty("backfill").GetProperty("group").GetString()));
        Assert.Equal(["succeeded", "succeeded", "succeeded", "failed", "succeeded", "succeeded"], Statuses(first));
        Assert.Equal((6, 5, 1), Progress(first.GetProperty("backfill")));

        // Fixed at the source (handed to the server), then the failed hour again.
        await SetBadHourAsync("none");
        Assert.Equal(HttpStatusCode.Accepted, (await http.PostAsync($"/api/backfills/{id}/retry", null, Ct)).StatusCode);
        var second = await EndedAsync(http, id);
        Assert.Equal("succeeded", second.GetProperty("backfill").GetProperty("status").GetString());
        Assert.Equal(Enumerable.Repeat("succeeded", 6), Statuses(second));

        // The partitions page: each hour of the group's asset materialized (the failed attempt superseded), the next hour missing.
        var page = await http.GetFromJsonAsync<JsonElement>("/api/pipelines/hours/partitions?limit=7", Ct);
        var states = page.GetProperty("items").EnumerateArray().Select(i => $"{i.GetProperty("asset").GetString()} {i.GetProperty("partition").GetString()} {i.GetProperty("state").GetString()}").ToList();
        Assert.Equal([.. Enumerable.Range(0, 6).Select(h => $"hour_events 2025-01-01T{h:00}:00 materialized"), "hour_events 2025-01-01T06:00 missing"], states);
        Assert.All(page.GetProperty("items").EnumerateArray(), i => Assert.Equal("intake", i.GetProperty("group").GetString()));
        // The pipeline is not partitioned as a whole: the summary names its partitioned group instead.
        var summary = (await http.GetFromJsonAsync<JsonElement>("/api/pipelines", Ct)).EnumerateArray().Single(p => p.GetProperty("name").GetString() == "hours");
        Assert.Equal(JsonValueKind.Null, summary.GetProperty("partitions").ValueKind);
        Assert.Equal(["intake hourly"], summary.GetProperty("partitioned_groups").EnumerateArray().Select(g => $"{g.GetProperty("group").GetString()} {g.GetProperty("partitions").GetString()}"));
        var listed = await http.GetFromJsonAsync<JsonElement>("/api/backfills", Ct);
        Assert.Equal((6, 6, 0), Progress(listed.EnumerateArray().Single(b => b.GetProperty("backfill_id").GetString() == id)));
    }

    private static async Task<JsonElement> EndedAsync(HttpClient http, string id)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            var detail = await http.GetFromJsonAsync<JsonElement>($"/api/backfills/{id}", Ct);
            if (detail.GetProperty("backfill").GetProperty("status").GetString() != "running") return detail;
            Assert.True(watch.Elapsed < TimeSpan.FromMinutes(5), "the backfill did not end");
            await Task.Delay(200, Ct);
        }
    }

    private static List<string> Statuses(JsonElement detail) =>
        detail.GetProperty("partitions").EnumerateArray().Select(p => p.GetProperty("status").GetString()!).ToList();

    private static (int Total, int Succeeded, int Failed) Progress(JsonElement backfill)
    {
        var p = backfill.GetProperty("progress");
        return (p.GetProperty("total").GetInt32(), p.GetProperty("succeeded").GetInt32(), p.GetProperty("failed").GetInt32());
    }
}
