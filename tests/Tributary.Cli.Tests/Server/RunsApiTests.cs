using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Tributary.Cli.Hosting;
using Tributary.Cli.Output;
using Tributary.Cli.Projects;
using Tributary.Engine.Orchestration;
using Tributary.Server;
using Tributary.Server.Contracts;
using Tributary.Testing;

namespace Tributary.Cli.Tests.Server;

/// <summary><c>POST /api/runs</c> (the designer's Run button) of a partitioned pipeline: refused without a partition, as <c>trib run</c> is.</summary>
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
        var cli = new CliContext(TextWriter.Null, TextWriter.Null, TimeProvider.System);
        await using var session = ProjectSession.Open(Project, cli.Time);
        var compose = await TributaryHost.ComposeAsync(cli, session, new DaemonScope(new DaemonOptions()), LogFormat.Text, Ct);
        await using var server = TributaryServer.Create(new ServerOptions { Port = 0 }, compose);
        await server.StartAsync(Ct);
        using var http = new HttpClient { BaseAddress = server.Address };

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
        var cli = new CliContext(TextWriter.Null, TextWriter.Null, TimeProvider.System);
        await using var session = ProjectSession.Open(Project, cli.Time);
        var compose = await TributaryHost.ComposeAsync(cli, session, new DaemonScope(new DaemonOptions()), LogFormat.Text, Ct);
        await using var server = TributaryServer.Create(new ServerOptions { Port = 0 }, compose);
        await server.StartAsync(Ct);
        using var http = new HttpClient { BaseAddress = server.Address };

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
}
