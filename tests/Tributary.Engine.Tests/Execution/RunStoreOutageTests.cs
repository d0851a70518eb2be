using Tributary.Engine.Execution;
using Tributary.Engine.Runs;
using Tributary.Testing;

namespace Tributary.Engine.Tests.Execution;

/// <summary>A run whose PostgreSQL run store goes down mid-step: it rides out a short outage, and ends failed, not crashed, after a long one.</summary>
public sealed class RunStoreOutageTests(PostgresCluster postgres)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Yaml(ProbeState probe) => $$"""
        pipeline: p
        components:
          - { id: slow, type: test.probe, with: { probe: {{probe.Id}}, await_release: true } }
          - { id: after, type: transform.sql, inputs: [slow], with: { sql: "SELECT v FROM slow" } }
        """;

    // The store goes down while 'slow' runs; 'slow' then ends, and its writes meet the outage.
    private async Task<(RunResult Result, IRunStore Store, DatabaseOutage Outage)> RunThroughOutageAsync(string engine, PostgresRunStoreOptions options, TimeSpan outage,
        TempDirectory temp)
    {
        var relay = DatabaseOutage.Before(await postgres.NewSchemaAsync());
        var store = await PostgresRunStore.OpenAsync(relay.ConnectionString, options, Ct);
        var warehouse = await TestWarehouses.CreateAsync(engine, temp, postgres);
        var probe = ProbeState.Create();
        var run = new RunExecutor(EngineHarness.Catalog, warehouse, store, new ExecutorOptions(), TimeProvider.System)
            .ExecuteAsync(EngineHarness.Pipeline(Yaml(probe)), new RunRequest { ProjectDirectory = temp.Path }, Ct);
        for (var i = 0; i < 500 && !probe.Log.Contains("slow#1 start"); i++) await Task.Delay(10, Ct);
        relay.Down();
        probe.Release.SetResult();
        if (outage != Timeout.InfiniteTimeSpan)
        {
            await Task.Delay(outage, Ct);
            relay.Up();
        }
        var result = await run.WaitAsync(TimeSpan.FromSeconds(60), Ct);
        await warehouse.DisposeAsync();
        return (result, store, relay);
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Execute_RunStoreDownForAFewSeconds_RidesItOutAndSucceeds(string engine)
    {
        using var temp = new TempDirectory();
        var (result, store, outage) = await RunThroughOutageAsync(engine, new PostgresRunStoreOptions(), TimeSpan.FromSeconds(3), temp);
        await using var _ = outage;
        await using var __ = store;

        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        Assert.Equal(RunStatus.Succeeded, (await store.GetRunAsync(result.RunId, Ct))!.Status);
        Assert.Equal([StepStatus.Succeeded, StepStatus.Succeeded], (await store.GetStepsAsync(result.RunId, Ct)).Select(s => s.Status));
        Assert.Contains(await store.GetEventsAsync(result.RunId, Ct), e => e.Kind == RunEventKind.RunEnded);
    }

    [Fact]
    public async Task Execute_RunStoreStaysDown_EndsFailedWithTheCauseInsteadOfThrowing()
    {
        using var temp = new TempDirectory();
        var (result, store, outage) = await RunThroughOutageAsync("duckdb", new PostgresRunStoreOptions { RetryFor = TimeSpan.FromSeconds(1) }, Timeout.InfiniteTimeSpan, temp);
        await using var _ = outage;
        await using var __ = store;

        Assert.Equal(RunStatus.Failed, result.Status);
        Assert.StartsWith("the run could not be recorded: the PostgreSQL run store could not be reached for 1s: ", result.Error);
        Assert.Equal([StepStatus.Failed, StepStatus.Skipped], result.Steps.Select(s => s.Status));
    }

    // An API read waited out the writes' 60 s of retries while the store was down; a read now fails at once (the API
    // answers 503 with Retry-After), and a write during the same outage still rides it out.
    [Fact]
    public async Task Read_WhileTheStoreIsDown_FailsAtOnce_AndAWriteStillRidesTheOutageOut()
    {
        await using var relay = DatabaseOutage.Before(await postgres.NewSchemaAsync());
        await using var store = await PostgresRunStore.OpenAsync(relay.ConnectionString, new PostgresRunStoreOptions(), Ct);
        await store.CreateRunAsync(new RunRecord("r1", "p", RunStatus.Running, "cli", null, DateTimeOffset.UtcNow, null, null, 1), [], Ct);
        relay.Down();

        var read = await Assert.ThrowsAsync<RunStoreUnavailableException>(() => store.ListRunsAsync(50, null, Ct).WaitAsync(TimeSpan.FromSeconds(20), Ct));
        var write = store.EndRunAsync("r1", RunStatus.Succeeded, DateTimeOffset.UtcNow, null, Ct);
        await Task.Delay(TimeSpan.FromSeconds(2), Ct);
        relay.Up();
        await write.WaitAsync(TimeSpan.FromSeconds(30), Ct);

        Assert.StartsWith("the PostgreSQL run store could not be reached: ", read.Message, StringComparison.Ordinal);
        Assert.Equal(RunStatus.Succeeded, (await store.GetRunAsync("r1", Ct))!.Status);
    }
}
