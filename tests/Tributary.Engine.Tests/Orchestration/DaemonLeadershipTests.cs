using Microsoft.Extensions.Logging.Testing;
using Tributary.Core.Pipelines;
using Tributary.Engine.Execution;
using Tributary.Engine.Orchestration;
using Tributary.Engine.Runs;
using Tributary.Engine.Tests.Runs;
using Tributary.Testing;

namespace Tributary.Engine.Tests.Orchestration;

/// <summary>
/// Two daemons (two 'trib serve' processes) on one PostgreSQL run store: one leads at a time, every queued run is
/// launched exactly once, and when the leader's connection drops the other takes over.
/// </summary>
public sealed class DaemonLeadershipTests(PostgresCluster postgres) : IAsyncDisposable
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private readonly List<IProjectRunStore> _stores = [];
    private readonly List<(int Daemon, string QueueId)> _launches = [];
    private string? _connectionString;

    public async ValueTask DisposeAsync()
    {
        foreach (var store in _stores) await store.DisposeAsync();
    }

    // A daemon on a store of its own (its own connections, as a separate process has) whose launcher records the run and succeeds.
    private async Task<(Daemon Daemon, IProjectRunStore Store)> DaemonAsync(int number)
    {
        var store = await PostgresRunStore.OpenAsync(_connectionString ??= await postgres.NewSchemaAsync(), Ct);
        _stores.Add(store);
        async Task<RunResult> Launch(QueuedRun q, CancellationToken ct)
        {
            lock (_launches) _launches.Add((number, q.QueueId));
            var id = $"run-{q.QueueId}";
            await store.CreateRunAsync(new RunRecord(id, q.Pipeline, RunStatus.Running, q.Trigger, null, DateTimeOffset.UnixEpoch, null, null, Environment.ProcessId), [], ct);
            await store.EndRunAsync(id, RunStatus.Succeeded, DateTimeOffset.UnixEpoch, null, ct);
            return new RunResult(id, RunStatus.Succeeded, [], null);
        }
        var logs = new FakeLogCollector();
        var daemon = new Daemon(_ => Task.FromResult<IReadOnlyList<PipelineSpec>>([]), store, store, new NoSensors(), Launch,
            new FailureAlerts(new TestHttpClients(), _ => null, new FakeLogger<FailureAlerts>(logs)),
            new DaemonOptions { MaxConcurrentRuns = 3 }, TimeProvider.System, new FakeLogger<Daemon>(logs));
        return (daemon, store);
    }

    private sealed class NoSensors : ISensorEvaluator
    {
        public Task<SensorOutcome> EvaluateAsync(SensorSpec sensor, string? cursor, DateTimeOffset now, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("no pipeline here has sensors");
    }

    // Both daemons tick at the same moment, round after round, until every queued run has finished.
    private static async Task TickTogetherUntilDrainedAsync(IProjectRunStore store, params Daemon[] daemons)
    {
        for (var round = 0; round < 200 && (await store.ListQueueAsync([QueueState.Queued, QueueState.Launched], Ct)).Count > 0; round++)
        {
            await Task.WhenAll(daemons.Select(d => d.TickAsync(Ct)));
            await Task.WhenAll(daemons.Select(d => d.WhenIdleAsync()));
        }
    }

    [Fact]
    public async Task TwoDaemonsRacing_OneLeadsAndEachQueuedRunIsLaunchedExactlyOnce()
    {
        var (a, store) = await DaemonAsync(1);
        var (b, _) = await DaemonAsync(2);
        var ids = new List<string>();
        for (var i = 0; i < 12; i++) ids.Add(await (i % 2 == 0 ? a : b).SubmitAsync($"p{i % 4}", null, new Dictionary<string, string>(), "api", 0, Ct));

        await TickTogetherUntilDrainedAsync(store, a, b);

        Assert.Equal(ids.Order(), _launches.Select(l => l.QueueId).Order());
        Assert.Single(_launches.Select(l => l.Daemon).Distinct());
        Assert.NotEqual(a.IsLeader, b.IsLeader);
        Assert.Equal(ids.Count, (await store.ListQueueAsync([QueueState.Done], Ct)).Count);
    }

    [Fact]
    public async Task LeadersConnectionDrops_TheOtherTakesOverAndLaunchesWhatIsQueuedOnce()
    {
        var (a, store) = await DaemonAsync(1);
        var (b, _) = await DaemonAsync(2);
        await a.TickAsync(Ct);
        await b.TickAsync(Ct);
        Assert.True(a.IsLeader);
        Assert.False(b.IsLeader);
        var before = await a.SubmitAsync("p", null, new Dictionary<string, string>(), "api", 0, Ct);
        await TickTogetherUntilDrainedAsync(store, a, b);

        await LeaderSessions.TerminateAsync(postgres, _connectionString!, Ct);
        var after = new List<string>();
        for (var i = 0; i < 4; i++) after.Add(await a.SubmitAsync($"p{i}", null, new Dictionary<string, string>(), "api", 0, Ct));
        await b.TickAsync(Ct);
        await TickTogetherUntilDrainedAsync(store, a, b);

        Assert.True(b.IsLeader);
        Assert.False(a.IsLeader);
        Assert.Equal([(1, before)], _launches.Where(l => l.QueueId == before));
        Assert.Equal(after.Order(), _launches.Where(l => l.Daemon == 2).Select(l => l.QueueId).Order());
        Assert.Equal(5, _launches.Count);
    }
}
