using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Tributary.Cli.Projects;
using Tributary.Engine.Orchestration;
using Tributary.Server.Contracts;
using Tributary.Testing;

namespace Tributary.Cli.Tests.Server;

/// <summary>
/// <c>POST /api/runs</c> (the designer's Run button) of a partitioned pipeline: refused without a partition, as <c>trib run</c> is;
/// <c>/api/queue</c> says why a queued run waits, and <c>/api/pipelines</c> each pipeline's last run.
/// </summary>
public sealed class RunsApiTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private string Project => Path.Combine(_temp.Path, "project");
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Submit_WithoutPartition_OfAPartitionedPipeline_IsABadRequestNamingThePartitionToPass()
    {
        Assert.Equal(0, (await Trib.RunAsync("init", Project)).ExitCode);
        File.WriteAllText(Path.Combine(Project, "pipelines", "orch.yaml"), """
            pipeline: orch
            partitions: { type: static, keys: [north, south] }
            components:
              - { id: regions, type: transform.sql, with: { sql: "SELECT '${partition.key}' AS region" } }
            """);
        await using var served = await InProcessServer.StartAsync(Project, Ct);
        var http = served.Http;

        var whole = await http.PostAsJsonAsync("/api/runs", new RunSubmission("orch"), ApiJson.Options, Ct);
        var south = await http.PostAsJsonAsync("/api/runs", new RunSubmission("orch", "south"), ApiJson.Options, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, whole.StatusCode);
        Assert.Equal("pipeline 'orch' is partitioned (static), so a run needs a partition: without one it would replace every partition of its assets with one partition's rows. " +
            "Pass a partition (--partition KEY, one of north, south), or backfill a range: trib backfill orch --from north --to south.",
            (await whole.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.Accepted, south.StatusCode);
    }

    [Fact]
    public async Task Submit_FullRefresh_IsQueuedAsAFullRefresh()
    {
        Assert.Equal(0, (await Trib.RunAsync("init", Project)).ExitCode);
        File.WriteAllText(Path.Combine(Project, "pipelines", "p.yaml"), """
            pipeline: p
            components:
              - { id: one, type: transform.sql, with: { sql: "SELECT 1 AS v" } }
            """);
        await using var served = await InProcessServer.StartAsync(Project, Ct);
        var http = served.Http;

        var refresh = await (await http.PostAsJsonAsync("/api/runs", new RunSubmission("p", FullRefresh: true), ApiJson.Options, Ct)).Content.ReadFromJsonAsync<RunQueued>(ApiJson.Options, Ct);
        var plain = await (await http.PostAsJsonAsync("/api/runs", new RunSubmission("p"), ApiJson.Options, Ct)).Content.ReadFromJsonAsync<RunQueued>(ApiJson.Options, Ct);

        Assert.True((await http.GetFromJsonAsync<QueuedRunView>($"/api/queue/{refresh!.QueueId}", ApiJson.Options, Ct))!.FullRefresh);
        Assert.False((await http.GetFromJsonAsync<QueuedRunView>($"/api/queue/{plain!.QueueId}", ApiJson.Options, Ct))!.FullRefresh);
    }

    [Fact]
    public async Task Submit_WithATrigger_RecordsCliAndRefusesTheDaemonsOwn()
    {
        Assert.Equal(0, (await Trib.RunAsync("init", Project)).ExitCode);
        File.WriteAllText(Path.Combine(Project, "pipelines", "hello.yaml"), "pipeline: hello\ncomponents:\n  - { id: greeting, type: transform.sql, with: { sql: \"SELECT 'hi' AS word\" } }\n");
        await using var served = await InProcessServer.StartAsync(Project, Ct, token: "t");
        served.Http.DefaultRequestHeaders.Add("Authorization", "Bearer t");

        var schedule = await served.Http.PostAsJsonAsync("/api/runs", new RunSubmission("hello", Trigger: "schedule"), ApiJson.Options, Ct);
        var cli = await served.Http.PostAsJsonAsync("/api/runs", new RunSubmission("hello", Trigger: "cli"), ApiJson.Options, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, schedule.StatusCode);
        Assert.Equal("trigger 'schedule' is not one a caller may give: use api or cli (default api)",
            (await schedule.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.Accepted, cli.StatusCode);
        var queued = (await cli.Content.ReadFromJsonAsync<RunQueued>(ApiJson.Options, Ct))!;
        Assert.Equal("cli", Assert.Single(await served.Server.Services.GetRequiredService<IOrchestrationStore>()
            .ListQueueAsync([QueueState.Queued, QueueState.Launched, QueueState.Done], Ct), q => q.QueueId == queued.QueueId).Trigger);
    }

    // trib run warns of an unset variable before a local run; a run the server starts (the Run button, a schedule, a trib run
    // handed over) has no console, so the warning goes into its log, from the server's environment, which is the run's.
    [Fact]
    public async Task Submit_APipelineNamingAVariableTheServerLacks_TheRunsLogWarnsAtItsLine()
    {
        var variable = "TRIB_TEST_SERVER_UNSET_" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        Assert.Equal(0, (await Trib.RunAsync("init", Project)).ExitCode);
        File.WriteAllText(Path.Combine(Project, "pipelines", "quiet.yaml"), $$"""
            pipeline: quiet
            on_failure: { webhook_url_env: {{variable}} }
            components:
              - { id: ok, type: transform.sql, with: { sql: SELECT 1 AS v } }
            """);
        await using var served = await InProcessServer.StartAsync(Project, Ct);
        served.SendWriteSecret();

        var queued = (await (await served.Http.PostAsJsonAsync("/api/runs", new RunSubmission("quiet"), ApiJson.Options, Ct)).Content.ReadFromJsonAsync<RunQueued>(ApiJson.Options, Ct))!;
        QueuedRunView entry;
        while ((entry = (await served.Http.GetFromJsonAsync<QueuedRunView>($"/api/queue/{queued.QueueId}", ApiJson.Options, Ct))!).State is not QueueState.Done)
            await Task.Delay(100, Ct);
        var shown = await Trib.RunAsync("runs", "show", entry.RunId!, "--format", "json", "--project", Project);

        Assert.True(shown.ExitCode == 0, shown.Error);
        var events = JsonDocument.Parse(shown.Out).RootElement.GetProperty("events").EnumerateArray()
            .Select(e => (Kind: e.GetProperty("kind").GetString(), Message: e.GetProperty("message").GetString()!)).ToList();
        Assert.Equal("RunStarted", events[0].Kind);
        Assert.Equal(("Log", $"pipelines/quiet.yaml:2:32: warning TRIB0301: on_failure's webhook_url_env names environment variable '{variable}', which is not set here: "
            + $"a failed run would send no alert. Set {variable} to the webhook URL where runs happen (trib serve's environment, or the shell of trib run)."), events[1]);
    }

    // The two views of one run: the API had no warnings (only its event stream did), trib runs show's json no selection or params.
    [Fact]
    public async Task Get_ALocalRunOfAPartitionWithWarnings_SaysWhatTribRunsShowJsonSays()
    {
        var variable = "TRIB_TEST_SHOWN_UNSET_" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        Assert.Equal(0, (await Trib.RunAsync("init", Project)).ExitCode);
        File.WriteAllText(Path.Combine(Project, "pipelines", "regional.yaml"), $$"""
            pipeline: regional
            on_failure: { webhook_url_env: {{variable}} }
            params:
              n: { type: integer, default: 1 }
            partitions: { type: static, keys: [north, south] }
            components:
              - { id: regions, type: transform.sql, with: { sql: "SELECT '${partition.key}' AS region, ${param.n} AS n" } }
              - { id: totals, type: transform.sql, inputs: [regions], with: { sql: "SELECT count(*) AS c FROM regions" } }
            """);
        var run = await Trib.RunAsync("run", "regional", "--partition", "south", "--select", "regions", "--param", "n=2", "--full-refresh", "--project", Project);
        Assert.True(run.ExitCode == 0, run.Error);
        var runId = JsonDocument.Parse((await Trib.RunAsync("runs", "--format", "json", "--project", Project)).Out).RootElement[0].GetProperty("run_id").GetString()!;
        var cli = JsonDocument.Parse((await Trib.RunAsync("runs", "show", runId, "--format", "json", "--project", Project)).Out).RootElement;
        await using var served = await InProcessServer.StartAsync(Project, Ct);

        var api = (await served.Http.GetFromJsonAsync<RunDetail>($"/api/runs/{runId}", ApiJson.Options, Ct))!;

        var warning = $"pipelines/regional.yaml:2:32: warning TRIB0301: on_failure's webhook_url_env names environment variable '{variable}', which is not set here: "
            + $"a failed run would send no alert. Set {variable} to the webhook URL where runs happen (trib serve's environment, or the shell of trib run).";
        Assert.Equal(("south", "cli", true, "regions", "2"), (api.Run.Partition, api.Run.Trigger, api.Run.FullRefresh, api.Run.Selection, api.Run.Params!["n"]));
        Assert.Equal([warning], api.Warnings);
        Assert.Equal(("south", "cli", true, "regions", "2"), (cli.GetProperty("partition").GetString(), cli.GetProperty("trigger").GetString(),
            cli.GetProperty("full_refresh").GetBoolean(), cli.GetProperty("selection").GetString(), cli.GetProperty("params").GetProperty("n").GetString()));
        Assert.Equal([warning], cli.GetProperty("warnings").EnumerateArray().Select(w => w.GetString()));
        Assert.Equal(["regions"], api.Steps.Select(s => s.Asset));
        Assert.Equal(["regions"], cli.GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("asset").GetString()));
    }

    [Fact]
    public async Task Queue_ARunHeldByAnotherProcess_SaysWhatItWaitsFor_AsTribRunsDoes()
    {
        Assert.Equal(0, (await Trib.RunAsync("init", Project)).ExitCode);
        File.WriteAllText(Path.Combine(Project, "pipelines", "hello.yaml"), "pipeline: hello\ncomponents:\n  - { id: greeting, type: transform.sql, with: { sql: \"SELECT 'hi' AS word\" } }\n");
        // Another live process's run of hello (this test process stands for it) holds the pipeline.
        var since = DateTimeOffset.Parse("2026-12-05T01:30:00Z", System.Globalization.CultureInfo.InvariantCulture);
        await using (var session = ProjectSession.Open(Project, TimeProvider.System))
        {
            var store = await session.StoreAsync(Ct);
            await store.CreateRunAsync(new Engine.Runs.RunRecord("holder", "hello", Engine.Runs.RunStatus.Running, "cli", null, since, null, null, Environment.ProcessId, null), [], Ct);
        }
        await using var served = await InProcessServer.StartAsync(Project, Ct);
        served.SendWriteSecret();
        var queued = (await (await served.Http.PostAsJsonAsync("/api/runs", new RunSubmission("hello"), ApiJson.Options, Ct)).Content.ReadFromJsonAsync<RunQueued>(ApiJson.Options, Ct))!;

        // The daemon tries it at its ticks and puts it back: read until it is back in the queue.
        QueuedRunView? view = null;
        for (var i = 0; i < 100 && view?.Waits is null; i++, await Task.Delay(100, Ct))
            view = await served.Http.GetFromJsonAsync<QueuedRunView>($"/api/queue/{queued.QueueId}", ApiJson.Options, Ct);

        const string Why = "waits for run holder (trigger cli, running since 2026-12-05 01:30:00Z): one run of a pipeline (or partition) at a time; it starts when that run ends";
        Assert.Equal((QueueState.Queued, Why), (view!.State, view.Waits));
        Assert.Equal(Why, Assert.Single((await served.Http.GetFromJsonAsync<List<QueuedRunView>>("/api/queue", ApiJson.Options, Ct))!).Waits);
    }

    [Fact]
    public async Task Pipelines_EachWithItsNewestRun_AndNoneForOneNeverRun()
    {
        Assert.Equal(0, (await Trib.RunAsync("init", Project)).ExitCode);
        File.WriteAllText(Path.Combine(Project, "pipelines", "hello.yaml"), "pipeline: hello\ncomponents:\n  - { id: greeting, type: transform.sql, with: { sql: \"SELECT 'hi' AS word\" } }\n");
        File.WriteAllText(Path.Combine(Project, "pipelines", "broken.yaml"), "pipeline: broken\ncomponents:\n  - { id: bad, type: transform.sql, with: { sql: \"SELECT nope FROM nowhere\" } }\n");
        File.WriteAllText(Path.Combine(Project, "pipelines", "idle.yaml"), "pipeline: idle\ncomponents:\n  - { id: one, type: transform.sql, with: { sql: \"SELECT 1 AS v\" } }\n");
        Assert.Equal(0, (await Trib.RunAsync("run", "hello", "--project", Project)).ExitCode);
        Assert.Equal(2, (await Trib.RunAsync("run", "broken", "--project", Project)).ExitCode);
        Assert.Equal(0, (await Trib.RunAsync("run", "hello", "--full-refresh", "--project", Project)).ExitCode);
        await using var served = await InProcessServer.StartAsync(Project, Ct);

        var pipelines = (await served.Http.GetFromJsonAsync<List<PipelineSummary>>("/api/pipelines", ApiJson.Options, Ct))!.ToDictionary(p => p.Name);
        var runs = (await served.Http.GetFromJsonAsync<List<RunView>>("/api/runs", ApiJson.Options, Ct))!;

        Assert.Equal(runs.First(r => r.Pipeline == "hello").RunId, pipelines["hello"].LastRun!.RunId);
        Assert.True(pipelines["hello"].LastRun!.FullRefresh);
        Assert.Equal(Engine.Runs.RunStatus.Failed, pipelines["broken"].LastRun!.Status);
        Assert.Null(pipelines["idle"].LastRun);
    }
}
