using Microsoft.Extensions.Logging.Testing;
using Tributary.Core.Pipelines;
using Tributary.Engine.Execution;
using Tributary.Engine.Orchestration;
using Tributary.Engine.Runs;
using Tributary.Testing;

namespace Tributary.Engine.Tests.Orchestration;

/// <summary>A daemon on the PostgreSQL run store while the database is down: unhealthy, and the same leader after.</summary>
public sealed class DaemonOutageTests(PostgresCluster postgres)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private sealed class NoSensors : ISensorEvaluator
    {
        public Task<SensorOutcome> EvaluateAsync(SensorSpec sensor, string? cursor, DateTimeOffset now, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("no pipeline here has sensors");
    }

    [Fact]
    public async Task Tick_DatabaseUnreachable_HealthFailsAndTheSameDaemonLeadsOnAfterWithoutRecoveringItsOwnRuns()
    {
        await using var outage = DatabaseOutage.Before(await postgres.NewSchemaAsync());
        await using var store = await PostgresRunStore.OpenAsync(outage.ConnectionString, Ct);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var launched = 0;
        async Task<RunResult> Launch(QueuedRun q, CancellationToken ct)
        {
            Interlocked.Increment(ref launched);
            await release.Task.WaitAsync(ct);
            return new RunResult("r", RunStatus.Succeeded, [], null);
        }
        var logs = new FakeLogCollector();
        var daemon = new Daemon(_ => Task.FromResult<IReadOnlyList<PipelineSpec>>([]), store, store, new NoSensors(), Launch,
            new FailureAlerts(new TestHttpClients(), _ => null, new FakeLogger<FailureAlerts>(logs)), new DaemonOptions(), TimeProvider.System, new FakeLogger<Daemon>(logs));
        await daemon.SubmitAsync("p", null, new Dictionary<string, string>(), "api", 0, Ct);
        await daemon.TickAsync(Ct);
        Assert.True(daemon.IsLeader);
        // Launched runs start on the thread pool.
        for (var i = 0; i < 500 && Volatile.Read(ref launched) == 0; i++) await Task.Delay(10, Ct);
        Assert.Equal(1, launched);

        outage.Down();
        var e = await Assert.ThrowsAsync<RunStoreUnavailableException>(() => daemon.TickAsync(Ct));
        Assert.True(daemon.Health.Failing);
        Assert.Equal(e.Message, daemon.Health.Error);
        outage.Up();
        await daemon.TickAsync(Ct);

        Assert.False(daemon.Health.Failing);
        Assert.True(daemon.IsLeader);
        // Its run went on: not stopped as if deposed, nor requeued as if its process had died.
        Assert.Empty(await store.ListQueueAsync([QueueState.Queued], Ct));
        Assert.Single(await store.ListQueueAsync([QueueState.Launched], Ct));
        Assert.DoesNotContain(logs.GetSnapshot(), l => l.Message.Contains("lead", StringComparison.Ordinal));
        release.SetResult();
        await daemon.WhenIdleAsync();
        Assert.Single(await store.ListQueueAsync([QueueState.Done], Ct));
    }
}
