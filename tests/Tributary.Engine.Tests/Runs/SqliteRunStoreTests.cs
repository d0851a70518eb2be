using Microsoft.Data.Sqlite;
using Tributary.Engine.Runs;
using Tributary.Testing;

namespace Tributary.Engine.Tests.Runs;

/// <summary>The SQLite run store's reads: the latest materialization per asset, and reads on their own connections.</summary>
public sealed class SqliteRunStoreTests : IAsyncDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly TempDirectory _temp = new();
    private SqliteRunStore? _store;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private string Path => System.IO.Path.Combine(_temp.Path, "runs.db");

    public async ValueTask DisposeAsync()
    {
        if (_store is not null) await _store.DisposeAsync();
        _temp.Dispose();
    }

    private async Task<SqliteRunStore> StoreAsync() => _store ??= await SqliteRunStore.OpenAsync(Path, Ct);

    private static MaterializationRecord Materialization(string run, string asset, int minutes, long rows) =>
        new(run, asset, T0.AddMinutes(minutes), rows, [("x", "INTEGER")], TimeSpan.FromSeconds(1), "{}");

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
    public async Task Reads_ManyAtOnce_EachSeeEveryWriteThatReturned()
    {
        var store = await StoreAsync();
        for (var i = 0; i < 5; i++)
            await store.CreateRunAsync(new RunRecord($"r{i}", "p", RunStatus.Running, "cli", null, T0.AddMinutes(i), null, null, 1), [], Ct);
        await store.EndRunAsync("r4", RunStatus.Succeeded, T0.AddHours(1), null, Ct);

        // More reads at once than the store has read connections.
        var reads = await Task.WhenAll(Enumerable.Range(0, 40).Select(_ => store.ListRunsAsync(3, null, Ct)));

        Assert.All(reads, runs => Assert.Equal([("r4", RunStatus.Succeeded), ("r3", RunStatus.Running), ("r2", RunStatus.Running)], runs.Select(r => (r.RunId, r.Status))));
    }

    [Fact]
    public async Task ListRuns_AgainAfterAWriteHereOrInAnotherProcess_SeesIt()
    {
        var store = await StoreAsync();
        await store.CreateRunAsync(new RunRecord("r1", "p", RunStatus.Running, "cli", null, T0, null, null, 1), [], Ct);
        Assert.Equal([RunStatus.Running], (await store.ListRunsAsync(10, null, Ct)).Select(r => r.Status));
        Assert.Equal([RunStatus.Running], (await store.ListRunsAsync(10, null, Ct)).Select(r => r.Status));

        await store.EndRunAsync("r1", RunStatus.Succeeded, T0.AddMinutes(1), null, Ct);
        Assert.Equal([RunStatus.Succeeded], (await store.ListRunsAsync(10, null, Ct)).Select(r => r.Status));

        // Another process (trib runs opening the store, say) writes to the same file.
        await using (var other = await SqliteRunStore.OpenAsync(Path, Ct))
            await other.CreateRunAsync(new RunRecord("r2", "p", RunStatus.Running, "cli", null, T0.AddMinutes(2), null, null, 1), [], Ct);
        Assert.Equal(["r2", "r1"], (await store.ListRunsAsync(10, null, Ct)).Select(r => r.RunId));
        Assert.Empty(await store.ListRunsAsync(10, "other", Ct));
        Assert.Equal(["r2"], (await store.ListRunsAsync(1, "p", Ct)).Select(r => r.RunId));
    }

    [Fact]
    public async Task GetLatestMaterializations_AgainAfterAMaterialization_SeesIt()
    {
        var store = await StoreAsync();
        Assert.Empty(await store.GetLatestMaterializationsAsync(Ct));

        await store.AddMaterializationAsync(Materialization("r1", "orders", 0, 10), Ct);

        Assert.Equal(["orders"], (await store.GetLatestMaterializationsAsync(Ct)).Select(m => m.Asset));
    }

    [Fact]
    public async Task Read_WhileAnotherConnectionHoldsAWriteTransaction_SeesTheLastCommitWithoutWaiting()
    {
        var store = await StoreAsync();
        await store.CreateRunAsync(new RunRecord("r1", "p", RunStatus.Succeeded, "cli", null, T0, T0, null, 1), [], Ct);
        await using var other = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path, Pooling = false }.ToString());
        await other.OpenAsync(Ct);
        await using var transaction = (SqliteTransaction)await other.BeginTransactionAsync(Ct);
        await using (var insert = other.CreateCommand())
        {
            insert.CommandText = "INSERT INTO runs (run_id, pipeline, status, trigger, started_at, pid) VALUES ('r2', 'p', 'running', 'cli', '2026-01-02T00:00:00.0000000+00:00', 1)";
            await insert.ExecuteNonQueryAsync(Ct);
        }

        var runs = await store.ListRunsAsync(10, null, Ct);

        Assert.Equal(["r1"], runs.Select(r => r.RunId));
    }
}
