using Tributary.Engine.Orchestration;
using Tributary.Engine.Runs;

namespace Tributary.Engine.Tests.Runs;

// Retention: old history goes; what lineage, freshness, partition status and the daemon still read stays.
public abstract partial class RunStoreContractTests
{
    private async Task<IProjectRunStore> HistoryAsync()
    {
        var store = await StoreAsync();
        async Task RunAsync(string id, string pipeline, int minutes, RunStatus status)
        {
            await store.CreateRunAsync(new RunRecord(id, pipeline, RunStatus.Running, "schedule", null, T0.AddMinutes(minutes), null, null, 111),
                [new StepRecord(id, "orders", "t", StepStatus.Pending, 0, null, null, null)], Ct);
            await store.AddEventAsync(new RunEvent(id, T0.AddMinutes(minutes), RunEventKind.RunStarted, null, "started"), Ct);
            if (status != RunStatus.Running) await store.EndRunAsync(id, status, T0.AddMinutes(minutes + 1), null, Ct);
        }
        await RunAsync("a", "p", 0, RunStatus.Succeeded);
        await store.AddMaterializationAsync(Materialization("a", "orders", 0, 10), Ct);
        await store.AddCheckAsync(new CheckRecord("a", "orders", "not_null", true, true, "", T0), Ct);
        await RunAsync("b", "p", 1, RunStatus.Failed);
        await RunAsync("c", "p", 2, RunStatus.Failed);
        await store.AddMaterializationAsync(Materialization("c", "customers", 2, 5), Ct);
        await RunAsync("live", "p", 3, RunStatus.Running);
        await RunAsync("q", "other", 4, RunStatus.Failed);
        await RunAsync("new", "p", 100 * 24 * 60, RunStatus.Succeeded);
        await store.AddMaterializationAsync(Materialization("new", "orders", 100 * 24 * 60, 12), Ct);
        await store.AddTickAsync(new TickRecord(0, "sensor", "p", "s", T0, TickStatus.Skipped, "nothing new", null), Ct);
        await store.AddTickAsync(new TickRecord(0, "sensor", "p", "s", T0, TickStatus.Requested, "new file", "q1"), Ct);
        await store.AddTickAsync(new TickRecord(0, "sensor", "p", "s", T0.AddDays(100), TickStatus.Skipped, "nothing new", null), Ct);
        await store.EnqueueAsync(Queued("q1", "p", 0, 0) with { State = QueueState.Done, RunId = "a" }, Ct);
        await store.EnqueueAsync(Queued("q2", "p", 0, 0), Ct);
        await store.SetCursorAsync("sensor:p:s", "cursor", T0, Ct);
        return store;
    }

    private static readonly PruneCutoffs FiftyDays = new(T0.AddDays(50), T0.AddMinutes(-1), T0.AddDays(50));

    [Fact]
    public async Task Prune_OldEndedRuns_DeletesThemWithTheirHistoryAndKeepsLiveLatestAndLatestMaterializations()
    {
        var store = await HistoryAsync();

        var result = await store.PruneAsync(FiftyDays, dryRun: false, Ct);

        Assert.Equal(new PruneResult(Runs: 2, Events: 2, Materializations: 1, Checks: 1, Ticks: 1, QueueEntries: 1), result);
        Assert.Equal(["c", "live", "new", "q"], (await store.ListRunsAsync(100, null, Ct)).Select(r => r.RunId).Order(StringComparer.Ordinal));
        Assert.Empty(await store.GetStepsAsync("a", Ct));
        Assert.Empty(await store.GetEventsAsync("b", Ct));
        Assert.Single(await store.GetEventsAsync("c", Ct));
        Assert.Equal([("customers", "c"), ("orders", "new")], (await store.GetLatestMaterializationsAsync(Ct)).Select(m => (m.Asset, m.RunId)));
        Assert.Equal([TickStatus.Skipped, TickStatus.Requested], (await store.ListTicksAsync(null, 10, Ct)).Select(t => t.Status));
        Assert.Equal(["q2"], (await store.ListQueueAsync([QueueState.Queued, QueueState.Done], Ct)).Select(q => q.QueueId));
        Assert.Equal("cursor", await store.GetCursorAsync("sensor:p:s", Ct));
    }

    [Fact]
    public async Task Prune_DryRun_CountsTheSameAndDeletesNothing()
    {
        var store = await HistoryAsync();

        var result = await store.PruneAsync(FiftyDays, dryRun: true, Ct);

        Assert.Equal(new PruneResult(2, 2, 1, 1, 1, 1), result);
        Assert.Equal(6, (await store.ListRunsAsync(100, null, Ct)).Count);
        Assert.Equal(3, (await store.ListTicksAsync(null, 10, Ct)).Count);
        Assert.Equal(new PruneResult(2, 2, 1, 1, 1, 1), await store.PruneAsync(FiftyDays, dryRun: false, Ct));
    }

    [Fact]
    public async Task Prune_KeptForever_DeletesNothing()
    {
        var store = await HistoryAsync();

        Assert.Equal(new PruneResult(0, 0, 0, 0, 0, 0), await store.PruneAsync(new PruneCutoffs(null, null, null), dryRun: false, Ct));
    }
}
