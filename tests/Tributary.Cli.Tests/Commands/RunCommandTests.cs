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

    // The reviewer's repro: a source pointed at a trial folder, then at the real one, kept the trial rows, and a DELETE by hand left the ledger claiming the files.
    [Fact]
    public async Task Run_FullRefresh_UnloadsTheTrialRowsAndLoadsWhatIsAtThePathNow()
    {
        var project = Path.Combine(_temp.Path, "refresh");
        Assert.Equal(0, (await Trib.RunAsync("init", project)).ExitCode);
        const string header = "id,Created date (UTC),Amount,Currency\n";
        Directory.CreateDirectory(Path.Combine(project, "data", "trial"));
        Directory.CreateDirectory(Path.Combine(project, "data", "stripe"));
        File.WriteAllText(Path.Combine(project, "data", "trial", "t.csv"), header + "ch_trial,2025-01-01 10:00:00,1.00,usd\n");
        File.WriteAllText(Path.Combine(project, "data", "stripe", "a.csv"), header + "ch_1,2025-01-01 10:00:00,1.00,usd\nch_2,2025-01-02 10:00:00,2.00,usd\n");
        void Point(string path) => File.WriteAllText(Path.Combine(project, "pipelines", "charges.yaml"), $$"""
            pipeline: charges
            components:
              - { id: charges, type: source.stripe_charges, with: { path: {{path}} } }
              - { id: totals, type: transform.sql, inputs: [charges], with: { sql: "SELECT count(*) AS n FROM charges" } }
            """);
        async Task<string> ChargesAsync() => (await Trib.RunAsync("query", "SELECT charge_id FROM charges ORDER BY 1", "--project", project, "--format", "csv")).Out.ReplaceLineEndings("\n");
        Point("data/trial");
        Assert.Equal(0, (await Trib.RunAsync("run", "charges", "--project", project)).ExitCode);
        Point("data/stripe");
        Assert.Equal(0, (await Trib.RunAsync("run", "charges", "--project", project)).ExitCode);
        Assert.Equal("charge_id\nch_1\nch_2\nch_trial\n", await ChargesAsync());

        var deleted = await Trib.RunAsync("query", "DELETE FROM charges WHERE charge_id = 'ch_1'", "--project", project, "--format", "csv");
        var again = await Trib.RunAsync("run", "charges", "--project", project);

        Assert.Equal("rows_changed\n1\n", deleted.Out.ReplaceLineEndings("\n"));
        Assert.Contains("1 row(s) changed", deleted.Error, StringComparison.Ordinal);
        Assert.Equal(0, again.ExitCode);
        Assert.Equal("charge_id\nch_2\nch_trial\n", await ChargesAsync()); // the ledger still claims a.csv

        var refreshed = await Trib.RunAsync("run", "charges", "--select", "charges", "--full-refresh", "--project", project);

        Assert.True(refreshed.ExitCode == 0, refreshed.Error);
        Assert.Equal("charge_id\nch_1\nch_2\n", await ChargesAsync());
        Assert.Equal("file\n" + Path.Combine("data", "stripe", "a.csv") + "\n",
            (await Trib.RunAsync("query", "SELECT file FROM charges__files", "--project", project, "--format", "csv")).Out.ReplaceLineEndings("\n"));
        var runId = (await Trib.RunAsync("runs", "--project", project, "--format", "csv")).Out.Split('\n')[1].Split(',')[0];
        var shown = await Trib.RunAsync("runs", "show", runId, "--project", project, "--format", "json");
        Assert.True(JsonDocument.Parse(shown.Out).RootElement.GetProperty("full_refresh").GetBoolean());
        Assert.Contains($"run {runId} of charges (full refresh): succeeded", shown.Error, StringComparison.Ordinal);
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

    // The missing variable was found only when a run failed, and the failure went unreported.
    [Fact]
    public async Task Run_OnFailureVariableNotSet_WarnsBeforeTheRunAndValidateWarnsAtTheKey()
    {
        var variable = "TRIB_TEST_UNSET_URL_" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        var project = AlertProject + "-unset";
        Assert.Equal(0, (await Trib.RunAsync("init", project)).ExitCode);
        File.WriteAllText(Path.Combine(project, "pipelines", "quiet.yaml"), $$"""
            pipeline: quiet
            on_failure: { webhook_url_env: {{variable}} }
            components:
              - { id: ok, type: transform.sql, with: { sql: SELECT 1 AS v } }
            """);

        var run = await Trib.RunAsync("run", "quiet", "--project", project);
        var validate = await Trib.RunAsync("validate", "--project", project);

        Assert.Equal(0, run.ExitCode);
        // One wording, trib validate's, at the key: the run said it a second time in words of its own.
        Assert.Single(run.ErrorLines, l => l.Contains("on_failure", StringComparison.Ordinal));
        Assert.Contains($"pipelines/quiet.yaml:2:32: warning TRIB0301: on_failure's webhook_url_env names environment variable '{variable}', which is not set here: "
            + $"a failed run would send no alert. Set {variable} to the webhook URL where runs happen (trib serve's environment, or the shell of trib run).", run.ErrorLines);
        Assert.Equal(0, validate.ExitCode);
        Assert.Contains($"quiet.yaml:2:32: warning TRIB0301: on_failure's webhook_url_env names environment variable '{variable}', which is not set here", validate.Error, StringComparison.Ordinal);
    }

    // A project whose pipeline 'hook' names one unset environment variable twice, in on_failure (hook.yaml:2:32) and as the
    // webhook step's url_env (hook.yaml:5:75): two load warnings.
    private async Task<(string Project, string Variable)> HookProjectAsync(string name)
    {
        var variable = "TRIB_TEST_UNSET_" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        var project = Path.Combine(_temp.Path, name);
        Assert.Equal(0, (await Trib.RunAsync("init", project)).ExitCode);
        File.WriteAllText(Path.Combine(project, "pipelines", "hook.yaml"), $$"""
            pipeline: hook
            on_failure: { webhook_url_env: {{variable}} }
            components:
              - { id: people, type: transform.sql, with: { sql: "SELECT 'c1' AS customer_id" } }
              - { id: crm, type: activate.webhook, inputs: [people], with: { url_env: {{variable}}, consent: ignore } }
            """);
        return (project, variable);
    }

    // A local run said the load's warnings on the terminal only; its record (trib runs show, the run's page) lacked them, unlike
    // a run the server starts.
    [Fact]
    public async Task Run_WithoutAServer_UnsetVariables_OpensTheRunsLogWithTheLoadsWarningsAtTheirLines()
    {
        var (project, variable) = await HookProjectAsync("warned");
        var onFailure = $"pipelines/hook.yaml:2:32: warning TRIB0301: on_failure's webhook_url_env names environment variable '{variable}', which is not set here: "
            + $"a failed run would send no alert. Set {variable} to the webhook URL where runs happen (trib serve's environment, or the shell of trib run).";
        var step = $"pipelines/hook.yaml:5:75: warning TRIB0301: 'url_env' of component 'crm' (activate.webhook) names environment variable '{variable}', which is not set here: "
            + $"the step would fail when it runs. Set {variable} where runs happen (trib serve's environment, or the shell of trib run).";

        var run = await Trib.RunAsync("run", "hook", "--project", project);
        var runId = JsonDocument.Parse((await Trib.RunAsync("runs", "--format", "json", "--project", project)).Out).RootElement[0].GetProperty("run_id").GetString()!;
        var json = await Trib.RunAsync("runs", "show", runId, "--format", "json", "--project", project);
        var table = await Trib.RunAsync("runs", "show", runId, "--project", project);

        Assert.True(run.ExitCode == 2, run.Error);
        // Said once on the terminal: the run's log lines, as a run without a terminal prints them.
        Assert.Single(run.ErrorLines, l => l.EndsWith(step, StringComparison.Ordinal));
        var events = JsonDocument.Parse(json.Out).RootElement.GetProperty("events").EnumerateArray()
            .Select(e => (Kind: e.GetProperty("kind").GetString(), Asset: e.GetProperty("asset").GetString(), Message: e.GetProperty("message").GetString()!)).ToList();
        Assert.Equal("RunStarted", events[0].Kind);
        Assert.Equal([("Log", null, onFailure), ("Log", null, step)], events.Skip(1).Take(2));
        Assert.Equal([onFailure, step], table.ErrorLines.Where(l => l.Contains("warning TRIB0301", StringComparison.Ordinal)).Select(l => l[(l.IndexOf("pipelines/", StringComparison.Ordinal))..]));
    }

    // A run refused before it starts (the pipeline runs in another live process) printed its error without the load's warnings,
    // which its log would have opened with.
    [Fact]
    public async Task Run_WithoutAServer_ThatCannotStart_PrintsTheLoadsWarningsOnceBeforeItsError()
    {
        var (project, variable) = await HookProjectAsync("refused");
        using var other = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("sleep", "300") { UseShellExecute = false })!;
        try
        {
            await using (var store = await Tributary.Engine.Runs.SqliteRunStore.OpenAsync(Path.Combine(project, ".tributary", "runs.db"), Ct))
                await store.CreateRunAsync(new("r-other", "hook", Tributary.Engine.Runs.RunStatus.Running, "cli", null, DateTimeOffset.UtcNow, null, null, other.Id), [], Ct);

            var refused = await Trib.RunAsync("run", "hook", "--project", project);

            Assert.Equal(1, refused.ExitCode);
            var lines = refused.ErrorLines.ToList();
            var onFailure = lines.FindIndex(l => l == $"pipelines/hook.yaml:2:32: warning TRIB0301: on_failure's webhook_url_env names environment variable '{variable}', which is not set here: "
                + $"a failed run would send no alert. Set {variable} to the webhook URL where runs happen (trib serve's environment, or the shell of trib run).");
            var step = lines.FindIndex(l => l == $"pipelines/hook.yaml:5:75: warning TRIB0301: 'url_env' of component 'crm' (activate.webhook) names environment variable '{variable}', which is not set here: "
                + $"the step would fail when it runs. Set {variable} where runs happen (trib serve's environment, or the shell of trib run).");
            var error = lines.FindIndex(l => l.StartsWith("error: pipeline 'hook' is already running: run r-other", StringComparison.Ordinal));
            Assert.True(onFailure >= 0 && step > onFailure && error > step, refused.Error);
            Assert.Equal(2, lines.Count(l => l.Contains("TRIB0301", StringComparison.Ordinal)));
        }
        finally
        {
            other.Kill();
            await other.WaitForExitAsync(Ct);
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
