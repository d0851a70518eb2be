using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using Tributary.Core.Projects;
using Tributary.Engine.Orchestration;
using Tributary.Engine.Runs;
using Tributary.Testing;

namespace Tributary.Engine.Tests.Orchestration;

/// <summary>The daemon's side of retention: a prune at start and every hour, and a log line saying what went.</summary>
public sealed class RetentionServiceTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 12, 5, 2, 0, 0, TimeSpan.Zero);
    private readonly TempDirectory _temp = new();
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _temp.Dispose();

    private static async Task EndedRunAsync(IProjectRunStore store, string id, DateTimeOffset at)
    {
        await store.CreateRunAsync(new RunRecord(id, "p", RunStatus.Running, "schedule", null, at, null, null, 1), [], Ct);
        await store.EndRunAsync(id, RunStatus.Succeeded, at, null, Ct);
    }

    private static async Task WaitForAsync(Func<Task<bool>> done)
    {
        for (var i = 0; i < 200 && !await done(); i++) await Task.Delay(25, Ct);
    }

    [Fact]
    public async Task Service_AtStartAndEachHour_PrunesByTheRetentionAndLogsIt()
    {
        await using var store = await SqliteRunStore.OpenAsync(Path.Combine(_temp.Path, "runs.db"), Ct);
        var clock = new FakeTimeProvider(Now);
        var logs = new FakeLogCollector();
        await EndedRunAsync(store, "old", Now.AddDays(-10));
        await EndedRunAsync(store, "hour-old", Now.AddHours(-1).AddMinutes(10));
        await EndedRunAsync(store, "latest", Now);
        using var service = new RetentionService(store, new RetentionSettings { Runs = TimeSpan.FromHours(1) }, clock, new FakeLogger<RetentionService>(logs));

        await service.StartAsync(Ct);
        await WaitForAsync(async () => await store.GetRunAsync("old", Ct) is null);
        var afterStart = (await store.ListRunsAsync(10, null, Ct)).Select(r => r.RunId).ToList();
        clock.Advance(TimeSpan.FromHours(1));
        await WaitForAsync(async () => await store.GetRunAsync("hour-old", Ct) is null);
        var afterAnHour = (await store.ListRunsAsync(10, null, Ct)).Select(r => r.RunId).ToList();
        await service.StopAsync(Ct);

        Assert.Equal(["latest", "hour-old"], afterStart);
        Assert.Equal(["latest"], afterAnHour);
        Assert.Equal(
            ["retention: deleted 1 run(s) with 0 event(s), 0 materialization(s) and 0 check result(s); 0 tick(s); 0 finished queue entries",
             "retention: deleted 1 run(s) with 0 event(s), 0 materialization(s) and 0 check result(s); 0 tick(s); 0 finished queue entries"],
            logs.GetSnapshot().Select(l => l.Message));
    }
}
