using Tributary.Engine.Orchestration;
using Tributary.Engine.Runs;

namespace Tributary.Engine.Tests.Runs;

/// <summary>
/// What every run store does, run against each (SQLite and PostgreSQL): runs, steps, events, materializations, checks,
/// abandoned runs, cursors, ticks, the queue and backfills, and a second store on the same place seeing the first's writes.
/// </summary>
public abstract partial class RunStoreContractTests : IAsyncDisposable
{
    protected static readonly DateTimeOffset T0 = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly List<IProjectRunStore> _opened = [];
    private IProjectRunStore? _store;
    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Opens a store on this test's place (a file, a schema); the same place every call.</summary>
    protected abstract Task<IProjectRunStore> OpenAtTheSamePlaceAsync();

    protected async Task<IProjectRunStore> StoreAsync() => _store ??= await OpenAsync();

    protected async Task<IProjectRunStore> OpenAsync()
    {
        var store = await OpenAtTheSamePlaceAsync();
        _opened.Add(store);
        return store;
    }

    public virtual async ValueTask DisposeAsync()
    {
        foreach (var store in _opened) await store.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    private static MaterializationRecord Materialization(string run, string asset, int minutes, long rows) =>
        new(run, asset, T0.AddMinutes(minutes), rows, [("x", "INTEGER")], TimeSpan.FromSeconds(1), "{}");

    private static QueuedRun Queued(string id, string pipeline, int priority, int minutes, string? partition = null, string? backfill = null) =>
        new(id, pipeline, partition, "api", priority, new Dictionary<string, string> { ["k"] = "v" }, backfill, QueueState.Queued, null, T0.AddMinutes(minutes), 1, null);

    [Fact]
    public async Task GetLatestMaterializations_NoneRecorded_IsEmpty()
    {
        var store = await StoreAsync();

        Assert.Empty(await store.GetLatestMaterializationsAsync(Ct));
    }

    [Fact]
    public async Task GetLatestMaterializations_SeveralRunsPerAsset_IsTheNewestOfEachAssetByName()
    {
        var store = await StoreAsync();
        await store.AddMaterializationAsync(Materialization("r1", "orders", 0, 10), Ct);
        await store.AddMaterializationAsync(Materialization("r1", "customers", 1, 5), Ct);
        await store.AddMaterializationAsync(Materialization("r2", "orders", 2, 12), Ct);
        await store.AddMaterializationAsync(Materialization("r3", "orders", 3, 14), Ct);

        var latest = await store.GetLatestMaterializationsAsync(Ct);

        Assert.Equal([("customers", "r1", 5L), ("orders", "r3", 14L)], latest.Select(m => (m.Asset, m.RunId, m.RowCount)));
        Assert.Equal(T0.AddMinutes(3), latest[1].At);
    }

    [Fact]
    public async Task Materializations_WithDeclaredOutputs_RoundTripAndFilterByRunAndAsset()
    {
        var store = await StoreAsync();
        await store.AddMaterializationAsync(Materialization("r1", "orders", 0, 10) with
        {
            Step = "orders", Output = "main", Role = Core.Components.OutputRole.Detail, Fingerprint = new string('f', 64),
        }, Ct);
        await store.AddMaterializationAsync(Materialization("r2", "orders", 1, 11), Ct);
        await store.AddMaterializationAsync(Materialization("r2", "scores", 2, 3) with { Fingerprint = new string('b', 64) }, Ct);

        var orders = await store.GetMaterializationsAsync(null, "orders", Ct);
        var second = await store.GetMaterializationsAsync("r2", null, Ct);

        Assert.Equal(["r2", "r1"], orders.Select(m => m.RunId));
        Assert.Equal(("orders", "main", Core.Components.OutputRole.Detail), (orders[1].Step, orders[1].Output, orders[1].Role));
        Assert.Equal([("x", "INTEGER")], orders[1].Columns);
        Assert.Equal(TimeSpan.FromSeconds(1), orders[1].Duration);
        Assert.Equal(new string('f', 64), orders[1].Fingerprint);
        Assert.Equal([("orders", null), ("scores", new string('b', 64))], (await store.GetLatestMaterializationsAsync(Ct)).Select(m => (m.Asset, m.Fingerprint)));
        Assert.Null(orders[0].Step);
        Assert.Null(orders[0].Fingerprint);
        Assert.Equal(["scores", "orders"], second.Select(m => m.Asset));
    }

    [Fact]
    public async Task Reads_ManyAtOnce_EachSeeEveryWriteThatReturned()
    {
        var store = await StoreAsync();
        for (var i = 0; i < 5; i++)
            await store.CreateRunAsync(new RunRecord($"r{i}", "p", RunStatus.Running, "cli", null, T0.AddMinutes(i), null, null, 1), [], Ct);
        await store.EndRunAsync("r4", RunStatus.Succeeded, T0.AddHours(1), null, Ct);

        var reads = await Task.WhenAll(Enumerable.Range(0, 40).Select(_ => store.ListRunsAsync(3, null, Ct)));

        Assert.All(reads, runs => Assert.Equal([("r4", RunStatus.Succeeded), ("r3", RunStatus.Running), ("r2", RunStatus.Running)], runs.Select(r => (r.RunId, r.Status))));
    }

    [Fact]
    public async Task ListRuns_AgainAfterAWriteHereOrThroughAnotherStore_SeesIt()
    {
        var store = await StoreAsync();
        await store.CreateRunAsync(new RunRecord("r1", "p", RunStatus.Running, "cli", null, T0, null, null, 1), [], Ct);
        Assert.Equal([RunStatus.Running], (await store.ListRunsAsync(10, null, Ct)).Select(r => r.Status));

        await store.EndRunAsync("r1", RunStatus.Succeeded, T0.AddMinutes(1), null, Ct);
        Assert.Equal([RunStatus.Succeeded], (await store.ListRunsAsync(10, null, Ct)).Select(r => r.Status));

        // Another process (trib run beside trib serve, say) writes to the same store.
        var other = await OpenAsync();
        await other.CreateRunAsync(new RunRecord("r2", "p", RunStatus.Running, "cli", null, T0.AddMinutes(2), null, null, 1), [], Ct);
        Assert.Equal(["r2", "r1"], (await store.ListRunsAsync(10, null, Ct)).Select(r => r.RunId));
        Assert.Empty(await store.ListRunsAsync(10, "other", Ct));
        Assert.Equal(["r2"], (await store.ListRunsAsync(1, "p", Ct)).Select(r => r.RunId));
    }

    [Fact]
    public async Task Run_WithStepsEventsAndChecks_ReadsBackAsWritten()
    {
        var store = await StoreAsync();
        var run = new RunRecord("r1", "p", RunStatus.Running, "cli", "a+", T0, null, null, 42, "2026-01-01");
        await store.CreateRunAsync(run, [new StepRecord("r1", "a", "transform.sql", StepStatus.Pending, 0, null, null, null),
            new StepRecord("r1", "b", "source.csv", StepStatus.Pending, 0, null, null, null)], Ct);
        await store.UpdateStepAsync(new StepRecord("r1", "b", "source.csv", StepStatus.Failed, 2, T0, T0.AddSeconds(3), "boom"), Ct);
        await store.AddEventAsync(new RunEvent("r1", T0, RunEventKind.RunStarted, null, "started"), Ct);
        await store.AddEventAsync(new RunEvent("r1", T0.AddSeconds(1), RunEventKind.StepFailed, "b", "boom"), Ct);
        await store.AddEventAsync(new RunEvent("other", T0, RunEventKind.Log, null, "not this run"), Ct);
        await store.AddCheckAsync(new CheckRecord("r1", "a", "not_null", false, true, "2 nulls", T0.AddSeconds(2)), Ct);
        await store.EndRunAsync("r1", RunStatus.Failed, T0.AddMinutes(1), "step b failed", Ct);

        Assert.Equal(run with { Status = RunStatus.Failed, EndedAt = T0.AddMinutes(1), Error = "step b failed" }, await store.GetRunAsync("r1", Ct));
        Assert.Null(await store.GetRunAsync("missing", Ct));
        Assert.Equal([new StepRecord("r1", "a", "transform.sql", StepStatus.Pending, 0, null, null, null),
            new StepRecord("r1", "b", "source.csv", StepStatus.Failed, 2, T0, T0.AddSeconds(3), "boom")], await store.GetStepsAsync("r1", Ct));
        Assert.Equal([(1L, RunEventKind.RunStarted, (string?)null, "started"), (2L, RunEventKind.StepFailed, "b", "boom")],
            (await store.GetEventsAsync("r1", Ct)).Select(e => (e.Sequence, e.Kind, e.Asset, e.Message)));
        Assert.Equal([new CheckRecord("r1", "a", "not_null", false, true, "2 nulls", T0.AddSeconds(2))], await store.GetChecksAsync("r1", Ct));
    }

    [Fact]
    public async Task Run_WithParams_ReadsBackTheParamsAndARunWithoutAsNull()
    {
        var store = await StoreAsync();
        await store.CreateRunAsync(new RunRecord("r1", "p", RunStatus.Running, "api", null, T0, null, null, 1)
            { Params = new Dictionary<string, string> { ["n"] = "3", ["since"] = "2026-01-01" } }, [], Ct);
        await store.CreateRunAsync(new RunRecord("r2", "p", RunStatus.Running, "cli", null, T0.AddMinutes(1), null, null, 1), [], Ct);

        Assert.Equal(new Dictionary<string, string> { ["n"] = "3", ["since"] = "2026-01-01" }, (await store.GetRunAsync("r1", Ct))!.Params);
        Assert.Null((await store.GetRunAsync("r2", Ct))!.Params);
        Assert.Equal([null, "3"], (await store.ListRunsAsync(10, "p", Ct)).Select(r => r.Params?["n"]));
    }

    [Fact]
    public async Task RunAndQueuedRun_FullRefresh_ReadBackAndOthersAreNot()
    {
        var store = await StoreAsync();
        await store.CreateRunAsync(new RunRecord("r1", "p", RunStatus.Running, "cli", null, T0, null, null, 1) { FullRefresh = true }, [], Ct);
        await store.CreateRunAsync(new RunRecord("r2", "p", RunStatus.Running, "cli", null, T0.AddMinutes(1), null, null, 1), [], Ct);
        await store.EnqueueAsync(Queued("q1", "p", 0, 0) with { FullRefresh = true }, Ct);
        await store.EnqueueAsync(Queued("q2", "p", 0, 1), Ct);

        Assert.Equal([false, true], (await store.ListRunsAsync(10, "p", Ct)).Select(r => r.FullRefresh));
        Assert.True((await store.GetRunAsync("r1", Ct))!.FullRefresh);
        Assert.Equal([("q1", true), ("q2", false)],
            (await store.ListQueueAsync([QueueState.Queued], Ct)).Select(q => (q.QueueId, q.FullRefresh)).OrderBy(q => q.QueueId));
    }

    [Fact]
    public async Task Step_WithPeakMemory_ReadsBackTheBytesAndAnUnmeasuredStepAsNull()
    {
        var store = await StoreAsync();
        await store.CreateRunAsync(new RunRecord("m", "p", RunStatus.Running, "cli", null, T0, null, null, 42),
            [new StepRecord("m", "a", "t", StepStatus.Pending, 0, null, null, null), new StepRecord("m", "b", "t", StepStatus.Pending, 0, null, null, null)], Ct);
        var measured = new StepRecord("m", "a", "t", StepStatus.Succeeded, 1, T0, T0.AddSeconds(1), null) { PeakRssBytes = 3L << 32 };

        await store.UpdateStepAsync(measured, Ct);

        var steps = await store.GetStepsAsync("m", Ct);
        Assert.Equal(3L << 32, steps[0].PeakRssBytes);
        Assert.Equal(measured, steps[0]);
        Assert.Null(steps[1].PeakRssBytes);
    }

    [Fact]
    public async Task FailAbandonedRuns_ProcessGone_FailsTheRunAndItsUnfinishedSteps()
    {
        var store = await StoreAsync();
        await store.CreateRunAsync(new RunRecord("dead", "p", RunStatus.Running, "cli", null, T0, null, null, 111), [
            new StepRecord("dead", "a", "t", StepStatus.Pending, 0, null, null, null), new StepRecord("dead", "b", "t", StepStatus.Pending, 0, null, null, null)], Ct);
        await store.UpdateStepAsync(new StepRecord("dead", "a", "t", StepStatus.Running, 1, T0, null, null), Ct);
        await store.CreateRunAsync(new RunRecord("alive", "p", RunStatus.Running, "cli", null, T0, null, null, 222), [], Ct);

        var failed = await store.FailAbandonedRunsAsync(pid => pid == 222, T0.AddHours(1), Ct);

        Assert.Equal(["dead"], failed);
        Assert.Equal((RunStatus.Failed, T0.AddHours(1)), (await store.GetRunAsync("dead", Ct)) is { } r ? (r.Status, r.EndedAt!.Value) : default);
        Assert.Equal([StepStatus.Failed, StepStatus.Skipped], (await store.GetStepsAsync("dead", Ct)).Select(s => s.Status));
        Assert.Equal(RunStatus.Running, (await store.GetRunAsync("alive", Ct))!.Status);
    }

    [Fact]
    public async Task FailUnfinishedRun_TwoStoresCloseTheSameRun_OnlyTheFirstEndsIt()
    {
        var first = await StoreAsync();
        var second = await OpenAsync();
        await first.CreateRunAsync(new RunRecord("r", "p", RunStatus.Running, "cli", null, T0, null, null, 111), [
            new StepRecord("r", "a", "t", StepStatus.Pending, 0, null, null, null), new StepRecord("r", "b", "t", StepStatus.Pending, 0, null, null, null)], Ct);
        await first.UpdateStepAsync(new StepRecord("r", "a", "t", StepStatus.Running, 1, T0, null, null), Ct);

        var ended = await first.FailUnfinishedRunAsync("r", "gone", "step gone", T0.AddHours(1), Ct);
        var again = await second.FailUnfinishedRunAsync("r", "gone twice", "step gone twice", T0.AddHours(2), Ct);

        Assert.Equal((true, false), (ended, again));
        Assert.Equal((RunStatus.Failed, "gone", T0.AddHours(1)), (await second.GetRunAsync("r", Ct)) is { } r ? (r.Status, r.Error, r.EndedAt!.Value) : default);
        Assert.Equal([(StepStatus.Failed, "step gone"), (StepStatus.Skipped, null)], (await second.GetStepsAsync("r", Ct)).Select(s => (s.Status, s.Error)));
    }

    [Fact]
    public async Task FailAbandonedRuns_RunEndedMeanwhile_IsNotReturned()
    {
        var store = await StoreAsync();
        await store.CreateRunAsync(new RunRecord("dead", "p", RunStatus.Running, "cli", null, T0, null, null, 111), [], Ct);
        Assert.True(await (await OpenAsync()).FailUnfinishedRunAsync("dead", "closed elsewhere", "x", T0, Ct));

        Assert.Empty(await store.FailAbandonedRunsAsync(_ => false, T0.AddHours(1), Ct));
        Assert.Equal("closed elsewhere", (await store.GetRunAsync("dead", Ct))!.Error);
    }

    [Fact]
    public async Task Cursors_SetTwice_KeepTheLastValue()
    {
        var store = await StoreAsync();
        Assert.Null(await store.GetCursorAsync("schedule:p", Ct));

        await store.SetCursorAsync("schedule:p", "one", T0, Ct);
        await store.SetCursorAsync("schedule:p", "two", T0.AddMinutes(1), Ct);

        Assert.Equal("two", await store.GetCursorAsync("schedule:p", Ct));
    }

    [Fact]
    public async Task Ticks_ListedNewestFirstAndByPipeline()
    {
        var store = await StoreAsync();
        await store.AddTickAsync(new TickRecord(0, "schedule", "p", "schedule", T0, TickStatus.Requested, "tick", "q1"), Ct);
        await store.AddTickAsync(new TickRecord(0, "sensor:x#1", "other", "sensor:x#1", T0.AddMinutes(1), TickStatus.Skipped, "nothing new", null), Ct);
        await store.AddTickAsync(new TickRecord(0, "schedule", "p", "schedule", T0.AddMinutes(2), TickStatus.Failed, "boom", null), Ct);

        var all = await store.ListTicksAsync(null, 2, Ct);
        var p = await store.ListTicksAsync("p", 10, Ct);

        Assert.Equal([TickStatus.Failed, TickStatus.Skipped], all.Select(t => t.Status));
        Assert.Equal([(TickStatus.Failed, (string?)null, T0.AddMinutes(2)), (TickStatus.Requested, "q1", T0)], p.Select(t => (t.Status, t.QueueId, t.At)));
    }

    [Fact]
    public async Task Queue_ListedByPriorityThenAgeAndFilteredByState()
    {
        var store = await StoreAsync();
        await store.EnqueueAsync(Queued("q1", "p", 0, 0), Ct);
        await store.EnqueueAsync(Queued("q2", "p", 10, 5, "2026-01-01"), Ct);
        await store.EnqueueAsync(Queued("q3", "p", 0, -1), Ct);
        await store.UpdateQueueAsync("q3", QueueState.Launched, "run-3", Ct);
        await store.UpdateQueueAsync("q3", QueueState.Done, null, Ct);

        Assert.Equal(["q2", "q1"], (await store.ListQueueAsync([QueueState.Queued], Ct)).Select(q => q.QueueId));
        Assert.Equal(["q2", "q3", "q1"], (await store.ListQueueAsync([QueueState.Queued, QueueState.Done], Ct)).Select(q => q.QueueId));
        var done = Assert.Single(await store.ListQueueAsync([QueueState.Done], Ct));
        var expected = Queued("q3", "p", 0, -1) with { State = QueueState.Done, RunId = "run-3" };
        Assert.Equal(expected, done with { Params = expected.Params });
        Assert.Equal(expected.Params, done.Params);
    }

    [Fact]
    public async Task ClaimQueued_OnlyAQueuedEntry_AndOnlyOnce()
    {
        var store = await StoreAsync();
        await store.EnqueueAsync(Queued("q1", "p", 0, 0), Ct);
        await store.EnqueueAsync(Queued("q2", "p", 0, 0), Ct);
        await store.UpdateQueueAsync("q2", QueueState.Cancelled, null, Ct);

        Assert.True(await store.ClaimQueuedAsync("q1", Ct));
        Assert.False(await store.ClaimQueuedAsync("q1", Ct));
        Assert.False(await store.ClaimQueuedAsync("q2", Ct));
        Assert.False(await store.ClaimQueuedAsync("missing", Ct));
        Assert.Equal(["q1"], (await store.ListQueueAsync([QueueState.Launched], Ct)).Select(q => q.QueueId));
    }

    [Fact]
    public async Task Backfills_PartitionsInOrderAndStatesAsSet()
    {
        var store = await StoreAsync();
        var backfill = new BackfillRecord("b1", "p", BackfillStatus.Running, 2, new Dictionary<string, string>(), T0, null);
        await store.CreateBackfillAsync(backfill, ["2026-01-03", "2026-01-01", "2026-01-02"], Ct);
        await store.CreateBackfillAsync(backfill with { BackfillId = "b2", CreatedAt = T0.AddDays(1) }, ["x"], Ct);
        await store.SetBackfillPartitionAsync("b1", "2026-01-01", PartitionRunStatus.Running, "run-1", Ct);
        await store.SetBackfillPartitionAsync("b1", "2026-01-01", PartitionRunStatus.Succeeded, null, Ct);
        await store.SetBackfillStatusAsync("b2", BackfillStatus.Cancelled, T0.AddDays(2), Ct);

        Assert.Equal([new BackfillPartition("2026-01-03", PartitionRunStatus.Pending, null), new BackfillPartition("2026-01-01", PartitionRunStatus.Succeeded, "run-1"),
            new BackfillPartition("2026-01-02", PartitionRunStatus.Pending, null)], await store.GetBackfillPartitionsAsync("b1", Ct));
        Assert.Equal(["b2", "b1"], (await store.ListBackfillsAsync(Ct)).Select(b => b.BackfillId));
        Assert.Equal((BackfillStatus.Cancelled, (DateTimeOffset?)T0.AddDays(2)), (await store.GetBackfillAsync("b2", Ct)) is { } b2 ? (b2.Status, b2.EndedAt) : default);
        Assert.Equal((2, T0), (await store.GetBackfillAsync("b1", Ct)) is { } b1 ? (b1.Concurrency, b1.CreatedAt) : default);
        Assert.Null(await store.GetBackfillAsync("missing", Ct));
    }

    [Fact]
    public async Task Backfills_OfAGroup_KeepTheirGroup()
    {
        var store = await StoreAsync();
        await store.CreateBackfillAsync(new BackfillRecord("g1", "p", BackfillStatus.Running, 3, new Dictionary<string, string>(), T0, null, "intake"), ["2026-01-01T00:00"], Ct);
        await store.CreateBackfillAsync(new BackfillRecord("w1", "p", BackfillStatus.Running, 3, new Dictionary<string, string>(), T0.AddDays(1), null), ["2026-01-01"], Ct);

        Assert.Equal("intake", (await store.GetBackfillAsync("g1", Ct))!.Group);
        Assert.Null((await store.GetBackfillAsync("w1", Ct))!.Group);
        Assert.Equal([null, "intake"], (await (await OpenAsync()).ListBackfillsAsync(Ct)).Select(b => b.Group));
    }

    /// <summary>
    /// Creates the store at this test's place at the schema version before this build's (without materialization
    /// fingerprints), holding backfill 'old' of pipeline 'daily' with partitions 2026-01-01 (succeeded, run r1) and
    /// 2026-01-02 (pending), and run r1's materialization of 'orders' (at T0, 10 rows).
    /// </summary>
    protected abstract Task CreateAtThePreviousSchemaVersionAsync();

    [Fact]
    public async Task Open_AStoreOfThePreviousSchemaVersion_UpgradesItKeepingItsBackfillsAndMaterializationsAndWorks()
    {
        await CreateAtThePreviousSchemaVersionAsync();

        var store = await StoreAsync();

        var old = await store.GetBackfillAsync("old", Ct);
        Assert.Equal(("daily", BackfillStatus.Running, 2, T0, (string?)null), (old!.Pipeline, old.Status, old.Concurrency, old.CreatedAt, old.Group));
        Assert.Equal([new BackfillPartition("2026-01-01", PartitionRunStatus.Succeeded, "r1"), new BackfillPartition("2026-01-02", PartitionRunStatus.Pending, null)],
            await store.GetBackfillPartitionsAsync("old", Ct));
        await store.SetBackfillPartitionAsync("old", "2026-01-02", PartitionRunStatus.Succeeded, "r2", Ct);
        await store.SetBackfillStatusAsync("old", BackfillStatus.Succeeded, T0.AddHours(1), Ct);
        await store.CreateBackfillAsync(new BackfillRecord("new", "hours", BackfillStatus.Running, 2, new Dictionary<string, string>(), T0.AddDays(1), null, "intake"),
            ["2026-01-01T00:00", "2026-01-01T01:00"], Ct);
        var again = await OpenAsync();
        Assert.Equal([("new", "intake", BackfillStatus.Running), ("old", null, BackfillStatus.Succeeded)],
            (await again.ListBackfillsAsync(Ct)).Select(b => (b.BackfillId, b.Group, b.Status)));
        Assert.Equal(2, (await again.GetBackfillPartitionsAsync("new", Ct)).Count);
        var kept = Assert.Single(await again.GetMaterializationsAsync("r1", "orders", Ct));
        Assert.Equal((T0, 10L, (string?)null), (kept.At, kept.RowCount, kept.Fingerprint));
        await again.AddMaterializationAsync(Materialization("r2", "orders", 1, 11) with { Fingerprint = new string('a', 64) }, Ct);
        Assert.Equal([new string('a', 64), null], (await again.GetMaterializationsAsync(null, "orders", Ct)).Select(m => m.Fingerprint));
    }
}
