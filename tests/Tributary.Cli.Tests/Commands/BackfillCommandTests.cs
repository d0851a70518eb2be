using Tributary.Testing;

namespace Tributary.Cli.Tests.Commands;

public sealed class BackfillCommandTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private string Project => Path.Combine(_temp.Path, "bf");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Backfill_WithoutAServer_MaterializesEachPartitionAndReRunsReplaceOnlyTheirOwn()
    {
        Assert.Equal(0, (await Trib.RunAsync("init", Project)).ExitCode);
        File.WriteAllText(Path.Combine(Project, "pipelines", "daily.yaml"), """
            pipeline: daily
            partitions: { type: daily, start: 2025-01-01, timezone: Europe/Berlin }
            components:
              - { id: window, type: transform.sql, with: { sql: "SELECT '${partition.start}' AS starts, '${partition.end}' AS ends" } }
            """);

        var first = await Trib.RunAsync("backfill", "daily", "--from", "2025-01-01", "--to", "2025-01-03", "--project", Project);
        var again = await Trib.RunAsync("backfill", "daily", "--from", "2025-01-02", "--to", "2025-01-02", "--project", Project);
        var wrong = await Trib.RunAsync("backfill", "daily", "--from", "2024-12-01", "--to", "2025-01-02", "--project", Project);

        Assert.True(first.ExitCode == 0, first.Error);
        Assert.Contains("3 of 3 partition(s) materialized", first.Error, StringComparison.Ordinal);
        Assert.Equal(0, again.ExitCode);
        var rows = await Trib.RunAsync("query", "SELECT partition_key, starts, ends FROM \"window\" ORDER BY 1", "--project", Project, "--format", "csv");
        // Berlin midnight is 23:00 UTC the day before; one row per partition after the re-run.
        Assert.Equal("partition_key,starts,ends\n2025-01-01,2024-12-31 23:00:00,2025-01-01 23:00:00\n2025-01-02,2025-01-01 23:00:00,2025-01-02 23:00:00\n2025-01-03,2025-01-02 23:00:00,2025-01-03 23:00:00\n",
            rows.Out.ReplaceLineEndings("\n"));
        Assert.Equal(1, wrong.ExitCode);
        Assert.Contains("'2024-12-01' is not a partition of this pipeline; they run from 2025-01-01", wrong.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BackfillStatus_AfterALocalBackfill_ListsEachPartitionWithItsRun_AndAnUnknownIdIsAUserError()
    {
        Assert.Equal(0, (await Trib.RunAsync("init", Project)).ExitCode);
        File.WriteAllText(Path.Combine(Project, "pipelines", "daily.yaml"), """
            pipeline: daily
            partitions: { type: daily, start: 2025-01-01 }
            components:
              - { id: days, type: transform.sql, with: { sql: "SELECT CAST(CASE WHEN '${partition.key}' = '2025-01-02' THEN 'x' ELSE '1' END AS INTEGER) AS v" } }
            """);
        var backfill = await Trib.RunAsync("backfill", "daily", "--from", "2025-01-01", "--to", "2025-01-03", "--project", Project);
        Assert.Equal(2, backfill.ExitCode);
        var id = System.Text.RegularExpressions.Regex.Match(backfill.Error, @"backfill (\S+) of daily: 3 partition\(s\)").Groups[1].Value;
        Assert.NotEmpty(id);

        var status = await Trib.RunAsync("backfill", "status", id, "--format", "csv", "--project", Project);
        var followed = await Trib.RunAsync("backfill", "status", id, "--follow", "--project", Project);
        var unknown = await Trib.RunAsync("backfill", "status", "nope", "--project", Project);

        Assert.True(status.ExitCode == 0, status.Error);
        var rows = status.Out.ReplaceLineEndings("\n").Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(',')).ToList();
        Assert.Equal(["partition,status", "2025-01-01,succeeded", "2025-01-02,failed", "2025-01-03,succeeded"], rows.Select(r => $"{r[0]},{r[1]}"));
        Assert.All(rows.Skip(1), r => Assert.Matches(@"^\d{8}-\d{6}-[0-9a-f]{6}$", r[2]));
        Assert.Equal([$"backfill {id} of daily: failed, 2 of 3 partition(s) succeeded, 0 running, 0 pending, 1 failed, 0 cancelled",
            $"2025-01-02: failed (trib runs show {rows[2][2]})", $"to run its failed and cancelled partitions again: trib backfill daily --resume {id}"], status.ErrorLines);
        // Following a backfill that has ended prints it once and says by its exit code that a partition failed.
        Assert.Equal(2, followed.ExitCode);
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("no backfill 'nope' in this project", unknown.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Backfill_WithoutAServer_FailingPartitions_PostTheOnFailureAlertEach()
    {
        using var hook = new WebhookListener();
        // A variable of this test's own: tests share the process environment.
        var variable = "TRIB_TEST_FAIL_URL_" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        Environment.SetEnvironmentVariable(variable, hook.Url);
        try
        {
            Assert.Equal(0, (await Trib.RunAsync("init", Project)).ExitCode);
            File.WriteAllText(Path.Combine(Project, "pipelines", "daily.yaml"), $$"""
                pipeline: daily
                partitions: { type: daily, start: 2025-01-01, timezone: UTC }
                on_failure: { webhook_url_env: {{variable}} }
                components:
                  - { id: boom, type: transform.sql, with: { sql: "SELECT error('boom ${partition.key}') AS v" } }
                """);

            var backfill = await Trib.RunAsync("backfill", "daily", "--from", "2025-01-01", "--to", "2025-01-02", "--project", Project);

            Assert.Equal(2, backfill.ExitCode);
            var texts = new List<string>();
            for (var i = 0; i < 2; i++)
                texts.Add(System.Text.Json.JsonDocument.Parse(await hook.NextAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken)).RootElement.GetProperty("text").GetString()!);
            Assert.Equal(["[2025-01-01]", "[2025-01-02]"], texts.Select(t => t.Contains("[2025-01-01]", StringComparison.Ordinal) ? "[2025-01-01]" : "[2025-01-02]").Order());
            Assert.All(texts, t => Assert.Contains(" of 'daily' [", t, StringComparison.Ordinal));
            Assert.All(texts, t => Assert.Contains("failed at step 'boom' (transform.sql)", t, StringComparison.Ordinal));
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }
}
