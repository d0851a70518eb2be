using System.Globalization;
using System.Text.Json;
using Tributary.Testing;

namespace Tributary.Cli.Tests.Commands;

public sealed class RunCommandTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private string OrchProject => Path.Combine(_temp.Path, "orch");
    private string AlertProject => Path.Combine(_temp.Path, "alerting");
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _temp.Dispose();

    // The reviewer's repro: a plain run of a partitioned pipeline used the first partition's window and replaced every partition.
    [Fact]
    public async Task Run_WithoutPartition_OfAPartitionedPipeline_IsRefusedAndLeavesEveryPartition()
    {
        Assert.Equal(0, (await Trib.RunAsync("init", OrchProject)).ExitCode);
        File.WriteAllText(Path.Combine(OrchProject, "pipelines", "orch.yaml"), """
            pipeline: orch
            partitions: { type: daily, start: 2026-11-25 }
            components:
              - { id: daily_orders, type: transform.sql, with: { sql: "SELECT CAST(${partition.start} AS TIMESTAMP) AS day, 's' AS s, 1 AS n" } }
            """);
        Assert.Equal(0, (await Trib.RunAsync("backfill", "orch", "--from", "2026-11-25", "--to", "2026-12-02", "--project", OrchProject)).ExitCode);
        var latest = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(-1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

        var whole = await Trib.RunAsync("run", "orch", "--project", OrchProject);
        var partition = await Trib.RunAsync("run", "orch", "--partition", "2026-12-01", "--project", OrchProject);

        Assert.Equal(1, whole.ExitCode);
        Assert.Contains("pipeline 'orch' is partitioned (daily), so a run needs a partition: without one it would replace every partition of its assets with one partition's rows. " +
            $"Pass a partition (--partition {latest}, the latest complete one), or backfill a range: trib backfill orch --from 2026-11-25 --to {latest}.", whole.Error, StringComparison.Ordinal);
        Assert.True(partition.ExitCode == 0, partition.Error);
        var rows = await Trib.RunAsync("query", "SELECT count(*) AS n, count(DISTINCT partition_key) AS partitions FROM daily_orders", "--project", OrchProject, "--format", "csv");
        Assert.Equal("n,partitions\n8,8\n", rows.Out.ReplaceLineEndings("\n"));
    }


    [Fact]
    public async Task Run_WithoutAServer_FailingStep_PostsTheOnFailureAlert()
    {
        using var hook = new WebhookListener();
        // A variable of this test's own: tests share the process environment.
        var variable = "TRIB_TEST_FAIL_URL_" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        Environment.SetEnvironmentVariable(variable, hook.Url);
        try
        {
            Assert.Equal(0, (await Trib.RunAsync("init", AlertProject)).ExitCode);
            File.WriteAllText(Path.Combine(AlertProject, "pipelines", "failer.yaml"), $$"""
                pipeline: failer
                on_failure: { webhook_url_env: {{variable}} }
                components:
                  - { id: ok, type: transform.sql, with: { sql: SELECT 1 AS v } }
                  - { id: boom, type: transform.sql, inputs: [ok], with: { sql: "SELECT error('boom') AS v FROM ok" } }
                """);

            var failed = await Trib.RunAsync("run", "failer", "--project", AlertProject);
            var succeeded = await Trib.RunAsync("run", "failer", "--select", "ok", "--project", AlertProject);

            Assert.Equal(2, failed.ExitCode);
            var text = JsonDocument.Parse(await hook.NextAsync(TimeSpan.FromSeconds(10), Ct)).RootElement.GetProperty("text").GetString()!;
            Assert.StartsWith("Tributary: run ", text, StringComparison.Ordinal);
            Assert.Contains(" of 'failer' failed at step 'boom' (transform.sql): ", text, StringComparison.Ordinal);
            Assert.Equal(0, succeeded.ExitCode);
            Assert.Empty(hook.Received());
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    // The reviewer's repro: a run killed mid-step was marked failed by the next command, without its alert.
    [Fact]
    public async Task Runs_AfterARunWhoseProcessWasKilled_MarksItFailedAndPostsTheAlertOnce()
    {
        using var hook = new WebhookListener();
        var variable = "TRIB_TEST_KILLED_URL_" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        Environment.SetEnvironmentVariable(variable, hook.Url);
        try
        {
            Assert.Equal(0, (await Trib.RunAsync("init", AlertProject)).ExitCode);
            File.WriteAllText(Path.Combine(AlertProject, "pipelines", "ops_test.yaml"), $$"""
                pipeline: ops_test
                on_failure: { webhook_url_env: {{variable}} }
                components:
                  - { id: ops_slow, type: transform.sql, with: { sql: SELECT 1 AS v } }
                """);
            // What a process killed during ops_slow leaves behind: its run and step still "running", under a pid that is gone.
            await using (var store = await Tributary.Engine.Runs.SqliteRunStore.OpenAsync(Path.Combine(AlertProject, ".tributary", "runs.db"), Ct))
            {
                await store.CreateRunAsync(new("killed", "ops_test", Tributary.Engine.Runs.RunStatus.Running, "cli", null, DateTimeOffset.UtcNow, null, null, 999_999),
                    [new("killed", "ops_slow", "transform.sql", Tributary.Engine.Runs.StepStatus.Pending, 0, null, null, null)], Ct);
                await store.UpdateStepAsync(new("killed", "ops_slow", "transform.sql", Tributary.Engine.Runs.StepStatus.Running, 1, DateTimeOffset.UtcNow, null, null), Ct);
            }

            var first = await Trib.RunAsync("runs", "--project", AlertProject);
            var second = await Trib.RunAsync("runs", "--project", AlertProject);

            Assert.True(first.ExitCode == 0, first.Error);
            Assert.Equal(0, second.ExitCode);
            Assert.Equal("Tributary: run killed of 'ops_test' failed: the process running it stopped: killed or crashed (running: 'ops_slow'); tables kept their previous version",
                JsonDocument.Parse(await hook.NextAsync(TimeSpan.FromSeconds(10), Ct)).RootElement.GetProperty("text").GetString());
            await Task.Delay(200, Ct);
            Assert.Empty(hook.Received());
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }
}
