using Tributary.Engine.Runs;

namespace Tributary.Engine.Tests.Runs;

// One run per pipeline and partition across processes (two stores on one place stand for two processes).
public abstract partial class RunStoreContractTests
{
    private static RunRecord Running(string id, string pipeline, int pid, string? partition = null, int minutes = 0) =>
        new(id, pipeline, RunStatus.Running, "cli", null, T0.AddMinutes(minutes), null, null, pid, partition);

    private static StepRecord[] Steps(string run) => [new(run, "a", "t", StepStatus.Pending, 0, null, null, null)];

    [Fact]
    public async Task TryCreateRun_LiveRunOfThePipelineInAnotherProcess_RefusesAndRecordsNothing()
    {
        var first = await StoreAsync();
        var second = await OpenAsync();
        Assert.Null(await first.TryCreateRunAsync(Running("r1", "customer_ltv", 111), Steps("r1"), _ => true, T0, Ct));

        var holder = await second.TryCreateRunAsync(Running("r2", "customer_ltv", 222, minutes: 1), Steps("r2"), _ => true, T0.AddMinutes(1), Ct);

        Assert.Equal(("r1", "customer_ltv", (string?)null, "cli", 111, T0), (holder!.RunId, holder.Pipeline, holder.Partition, holder.Trigger, holder.ProcessId, holder.StartedAt));
        Assert.Null(await second.GetRunAsync("r2", Ct));
        Assert.Empty(await second.GetStepsAsync("r2", Ct));
        Assert.Equal(RunStatus.Running, (await second.GetRunAsync("r1", Ct))!.Status);
    }

    [Fact]
    public async Task TryCreateRun_HolderProcessGone_FailsItAndRecordsTheNewRun()
    {
        var store = await StoreAsync();
        Assert.Null(await store.TryCreateRunAsync(Running("dead", "customer_ltv", 111), Steps("dead"), _ => true, T0, Ct));

        var holder = await store.TryCreateRunAsync(Running("r2", "customer_ltv", 222, minutes: 5), Steps("r2"), pid => pid != 111, T0.AddMinutes(5), Ct);

        Assert.Null(holder);
        var dead = await store.GetRunAsync("dead", Ct);
        Assert.Equal((RunStatus.Failed, T0.AddMinutes(5)), (dead!.Status, dead.EndedAt!.Value));
        Assert.Equal([StepStatus.Skipped], (await store.GetStepsAsync("dead", Ct)).Select(s => s.Status));
        Assert.Equal(RunStatus.Running, (await store.GetRunAsync("r2", Ct))!.Status);
    }

    [Fact]
    public async Task TryCreateRun_OtherPipelineOtherPartitionOrEndedRun_IsRecorded()
    {
        var store = await StoreAsync();
        Assert.Null(await store.TryCreateRunAsync(Running("whole", "daily", 111), [], _ => true, T0, Ct));
        Assert.Null(await store.TryCreateRunAsync(Running("jan1", "daily", 111, "2026-01-01"), [], _ => true, T0, Ct));
        Assert.Null(await store.TryCreateRunAsync(Running("jan2", "daily", 111, "2026-01-02"), [], _ => true, T0, Ct));
        Assert.Null(await store.TryCreateRunAsync(Running("other", "customer_ltv", 111), [], _ => true, T0, Ct));
        Assert.Equal("jan1", (await store.TryCreateRunAsync(Running("jan1b", "daily", 111, "2026-01-01"), [], _ => true, T0, Ct))?.RunId);

        await store.EndRunAsync("whole", RunStatus.Succeeded, T0.AddMinutes(1), null, Ct);

        Assert.Null(await store.TryCreateRunAsync(Running("whole2", "daily", 111, minutes: 2), [], _ => true, T0.AddMinutes(2), Ct));
    }

    [Fact]
    public async Task TryCreateRun_SeveralProcessesAtOnce_RecordsExactlyOne()
    {
        var stores = new List<IProjectRunStore> { await StoreAsync() };
        for (var i = 1; i < 6; i++) stores.Add(await OpenAsync());

        var holders = await Task.WhenAll(stores.Select((s, i) =>
            Task.Run(() => s.TryCreateRunAsync(Running($"r{i}", "customer_ltv", 100 + i), Steps($"r{i}"), _ => true, T0, Ct), Ct)));

        Assert.Single(holders, h => h is null);
        var winner = (await stores[0].ListRunsAsync(10, "customer_ltv", Ct)).Single();
        Assert.All(holders.OfType<LiveRun>(), h => Assert.Equal(winner.RunId, h.RunId));
    }
}
