using Microsoft.Extensions.Logging.Testing;
using Tributary.Core.Pipelines;
using Tributary.Engine.Execution;
using Tributary.Engine.Orchestration;
using Tributary.Engine.Runs;
using Tributary.Testing;

namespace Tributary.Engine.Tests.Orchestration;

/// <summary>The daemon as a hosted service: it stops within the host's stop token, and a failed tick is logged whole.</summary>
public sealed class DaemonServiceTests(PostgresCluster postgres)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Daemon Daemon(EngineHarness h, Func<CancellationToken, Task<IReadOnlyList<PipelineSpec>>> pipelines, RunLauncher launch, FakeLogCollector logs)
    {
        var store = (SqliteRunStore)h.Store;
        return new Daemon(pipelines, store, store, new SensorEvaluator(h.Warehouse, store, h.Temp.Path), launch,
            new FailureAlerts(new TestHttpClients(), _ => null, new FakeLogger<FailureAlerts>(logs)),
            new DaemonOptions { TickInterval = TimeSpan.FromMilliseconds(50) }, TimeProvider.System, new FakeLogger<Daemon>(logs));
    }

    [Fact]
    public async Task Stop_WithARunInFlight_CancelsItQueuesItAgainAndCompletesWithinTheStopToken()
    {
        await using var h = await EngineHarness.CreateAsync("duckdb", postgres);
        var store = (SqliteRunStore)h.Store;
        var pipeline = EngineHarness.Pipeline("pipeline: slow\ncomponents:\n  - { id: a, type: transform.sql, with: { sql: SELECT 1 AS v } }");
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        async Task<RunResult> Launch(QueuedRun q, CancellationToken ct)
        {
            await store.CreateRunAsync(new RunRecord("r1", q.Pipeline, RunStatus.Running, q.Trigger, null, DateTimeOffset.UtcNow, null, null, Environment.ProcessId), [], CancellationToken.None);
            started.SetResult();
            try
            {
                await Task.Delay(Timeout.Infinite, ct);
            }
            catch (OperationCanceledException)
            {
            }
            await store.EndRunAsync("r1", RunStatus.Cancelled, DateTimeOffset.UtcNow, "cancelled", CancellationToken.None);
            return new RunResult("r1", RunStatus.Cancelled, [], "cancelled");
        }
        var daemon = Daemon(h, _ => Task.FromResult<IReadOnlyList<PipelineSpec>>([pipeline]), Launch, new FakeLogCollector());
        var queueId = await daemon.SubmitAsync("slow", null, new Dictionary<string, string>(), "api", 0, Ct);
        using var service = new DaemonService(daemon);

        await service.StartAsync(Ct);
        await started.Task.WaitAsync(Ct);
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await service.StopAsync(stop.Token);

        // Stopped because the daemon finished, not because the host gave up waiting for it.
        Assert.True(service.ExecuteTask!.IsCompletedSuccessfully);
        Assert.False(stop.IsCancellationRequested);
        var queued = Assert.Single(await store.ListQueueAsync([QueueState.Queued], Ct));
        Assert.Equal((queueId, "r1"), (queued.QueueId, queued.RunId));
        Assert.Empty(await store.ListQueueAsync([QueueState.Launched], Ct));
    }

    [Fact]
    public async Task Tick_ThatThrows_IsLoggedWithTheWholeExceptionAndTheLoopGoesOn()
    {
        await using var h = await EngineHarness.CreateAsync("duckdb", postgres);
        var failure = new InvalidOperationException("the pipelines could not be listed", new IOException("disk gone"));
        var calls = 0;
        var failedTwice = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Task<IReadOnlyList<PipelineSpec>> Pipelines(CancellationToken ct)
        {
            // The first call is recovery at start; every tick after it fails.
            var call = Interlocked.Increment(ref calls);
            if (call == 1) return Task.FromResult<IReadOnlyList<PipelineSpec>>([]);
            if (call == 3) failedTwice.TrySetResult();
            throw failure;
        }
        var logs = new FakeLogCollector();
        using var service = new DaemonService(Daemon(h, Pipelines, (_, _) => throw new InvalidOperationException("nothing is queued"), logs));

        await service.StartAsync(Ct);
        await failedTwice.Task.WaitAsync(Ct);
        await service.StopAsync(Ct);

        var record = logs.GetSnapshot().First(r => r.Message == "daemon tick failed");
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Error, record.Level);
        Assert.Same(failure, record.Exception);
        Assert.True(service.ExecuteTask!.IsCompletedSuccessfully);
    }
}
