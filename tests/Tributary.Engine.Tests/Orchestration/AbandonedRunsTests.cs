using System.Text.Json;
using Microsoft.Extensions.Logging.Testing;
using Tributary.Core.Pipelines;
using Tributary.Engine.Orchestration;
using Tributary.Engine.Runs;
using Tributary.Testing;

namespace Tributary.Engine.Tests.Orchestration;

/// <summary>Crash recovery alerts: a run whose process died is marked failed and alerted for once, by whichever process marks it.</summary>
public sealed class AbandonedRunsTests(PostgresCluster postgres) : IAsyncDisposable
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly TempDirectory _temp = new();
    private readonly List<IProjectRunStore> _stores = [];

    private static readonly PipelineSpec Pipeline = EngineHarness.Pipeline("""
        pipeline: ops
        on_failure: { webhook_url_env: OPS_HOOK }
        components:
          - { id: slow, type: transform.sql, with: { sql: SELECT 1 AS v } }
          - { id: after, type: transform.sql, inputs: [slow], with: { sql: SELECT v FROM slow } }
        """);

    public async ValueTask DisposeAsync()
    {
        foreach (var store in _stores) await store.DisposeAsync();
        _temp.Dispose();
    }

    // Two stores on one place, as two processes opening the project at once have.
    private async Task<(IProjectRunStore, IProjectRunStore)> TwoStoresAsync(string engine)
    {
        var file = Path.Combine(_temp.Path, "runs.db");
        var schema = engine == "postgres" ? await postgres.NewSchemaAsync() : null;
        async Task<IProjectRunStore> Open() => schema is null ? await SqliteRunStore.OpenAsync(file, Ct) : await PostgresRunStore.OpenAsync(schema, Ct);
        var first = await Open();
        var second = await Open();
        _stores.AddRange([first, second]);
        return (first, second);
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task FailAndAlert_TwoProcessesRecoverTheSameDeadRun_OneAlertNamingTheCause(string engine)
    {
        var (first, second) = await TwoStoresAsync(engine);
        await first.CreateRunAsync(new RunRecord("dead", "ops", RunStatus.Running, "cli", null, T0, null, null, 999_999), [
            new StepRecord("dead", "slow", "transform.sql", StepStatus.Pending, 0, null, null, null),
            new StepRecord("dead", "after", "transform.sql", StepStatus.Pending, 0, null, null, null)], Ct);
        await first.UpdateStepAsync(new StepRecord("dead", "slow", "transform.sql", StepStatus.Running, 1, T0, null, null), Ct);
        using var hook = new WebhookListener();
        var log = new FakeLogger<FailureAlerts>();
        var alerts = new FailureAlerts(new TestHttpClients(), name => name == "OPS_HOOK" ? hook.Url : null, log);

        var marked = await Task.WhenAll(new[] { first, second }.Select(store =>
            AbandonedRuns.FailAndAlertAsync(store, pid => pid != 999_999, run => run.Pipeline == "ops" ? Pipeline : null, alerts, T0.AddMinutes(5), Ct)));

        Assert.Equal(["dead"], marked.SelectMany(m => m));
        const string text = "Tributary: run dead of 'ops' failed: the process running it stopped: killed or crashed (running: 'slow'); tables kept their previous version";
        Assert.Equal(text, JsonDocument.Parse(await hook.NextAsync(TimeSpan.FromSeconds(10), Ct)).RootElement.GetProperty("text").GetString());
        await Task.Delay(200, Ct);
        Assert.Empty(hook.Received());
        Assert.Equal([text], log.Collector.GetSnapshot().Select(r => r.Message));
        Assert.Equal(RunStatus.Failed, (await second.GetRunAsync("dead", Ct))!.Status);
    }

    [Fact]
    public async Task FailAndAlert_PipelineNoLongerLoads_MarksTheRunAndSendsNothing()
    {
        var (store, _) = await TwoStoresAsync("sqlite");
        await store.CreateRunAsync(new RunRecord("dead", "gone", RunStatus.Running, "cli", null, T0, null, null, 999_999), [], Ct);
        var log = new FakeLogger<FailureAlerts>();

        var marked = await AbandonedRuns.FailAndAlertAsync(store, _ => false, _ => null, new FailureAlerts(new TestHttpClients(), _ => null, log), T0, Ct);

        Assert.Equal(["dead"], marked);
        Assert.Empty(log.Collector.GetSnapshot());
    }
}
