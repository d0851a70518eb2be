using Microsoft.Data.Sqlite;
using Tributary.Engine.Runs;
using Tributary.Testing;

namespace Tributary.Engine.Tests.Runs;

/// <summary>The run store contract on the SQLite file, and its reads on connections of their own.</summary>
public sealed class SqliteRunStoreTests : RunStoreContractTests
{
    private readonly TempDirectory _temp = new();
    private string Path => System.IO.Path.Combine(_temp.Path, "runs.db");

    protected override async Task<IProjectRunStore> OpenAtTheSamePlaceAsync() => await SqliteRunStore.OpenAsync(Path, Ct);

    protected override async Task CreateAtThePreviousSchemaVersionAsync()
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path, Pooling = false }.ToString());
        await connection.OpenAsync(Ct);
        var previous = SqliteRunStore.Migrations.Length - 1;
        foreach (var sql in SqliteRunStore.Migrations.Take(previous).Append($$"""
            PRAGMA user_version = {{previous}};
            INSERT INTO backfills VALUES ('old', 'daily', 'running', 2, '{}', '2026-01-01T12:00:00.0000000+00:00', NULL, NULL);
            INSERT INTO backfill_partitions VALUES ('old', '2026-01-01', 0, 'succeeded', 'r1'), ('old', '2026-01-02', 1, 'pending', NULL);
            INSERT INTO materializations (run_id, asset, at, row_count, columns_json, duration_ms, metadata_json, step, output, role)
                VALUES ('r1', 'orders', '2026-01-01T12:00:00.0000000+00:00', 10, '[["x","INTEGER"]]', 1000, '{}', 'orders', 'main', 'main');
            """))
        {
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            await command.ExecuteNonQueryAsync(Ct);
        }
    }

    [Fact]
    public async Task Open_SchemaNewerThanThisBuild_IsRefusedPlainlyAndTheFileLeftAsItWas()
    {
        await (await SqliteRunStore.OpenAsync(Path, Ct)).DisposeAsync();
        await using (var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path, Pooling = false }.ToString()))
        {
            await connection.OpenAsync(Ct);
            await using var command = connection.CreateCommand();
            command.CommandText = $"PRAGMA user_version = {SqliteRunStore.SchemaVersion + 1}";
            await command.ExecuteNonQueryAsync(Ct);
        }
        var before = await File.ReadAllBytesAsync(Path, Ct);

        var error = await Assert.ThrowsAsync<RunStoreTooNewException>(() => SqliteRunStore.OpenAsync(Path, Ct));

        Assert.Equal($"{Path}: this run store was upgraded by a newer Tributary (schema {SqliteRunStore.SchemaVersion + 1}, this version knows up to {SqliteRunStore.SchemaVersion}); upgrade trib",
            error.Message);
        Assert.Equal(before, await File.ReadAllBytesAsync(Path, Ct));
    }

    // Deleting rows alone left the file at its size: SQLite reuses free pages but never gives them back.
    [Fact]
    public async Task ReclaimSpace_AfterAPrune_GivesTheDeletedHistorysPagesBackToTheFileSystem()
    {
        var store = await StoreAsync();
        await FillWithOldRunsAsync(store);
        Assert.InRange(new FileInfo(Path).Length, 5_000_000, long.MaxValue);

        Assert.Equal(299, (await store.PruneAsync(new PruneCutoffs(T0.AddDays(1), null, null), dryRun: false, Ct)).Runs);
        var reclaimed = await store.ReclaimSpaceAsync(rewrite: false, Ct);

        Assert.InRange(reclaimed, 5_000_000, long.MaxValue);
        Assert.InRange(new FileInfo(Path).Length, 0, 500_000);
    }

    // A file created before incremental auto-vacuum: the hourly reclaim leaves it (a rewrite holds the write lock); 'trib
    // runs prune' rewrites it once, and from then on it reclaims in place.
    [Fact]
    public async Task ReclaimSpace_FileFromBeforeIncrementalVacuum_IsRewrittenOnlyWhenAsked()
    {
        await CreateAtThePreviousSchemaVersionAsync();
        var store = await StoreAsync();
        await FillWithOldRunsAsync(store);
        await store.PruneAsync(new PruneCutoffs(T0.AddDays(1), null, null), dryRun: false, Ct);

        Assert.Equal(0, await store.ReclaimSpaceAsync(rewrite: false, Ct));
        Assert.InRange(await store.ReclaimSpaceAsync(rewrite: true, Ct), 5_000_000, long.MaxValue);
        Assert.InRange(new FileInfo(Path).Length, 0, 500_000);
        await FillWithOldRunsAsync(store, "again");
        await store.PruneAsync(new PruneCutoffs(T0.AddDays(1), null, null), dryRun: false, Ct);
        Assert.InRange(await store.ReclaimSpaceAsync(rewrite: false, Ct), 5_000_000, long.MaxValue);
    }

    // 300 ended runs of one pipeline with 20 KB of log each: about 6 MB.
    private static async Task FillWithOldRunsAsync(IProjectRunStore store, string prefix = "r")
    {
        var line = new string('x', 4000);
        for (var i = 0; i < 300; i++)
        {
            await store.CreateRunAsync(new RunRecord($"{prefix}{i}", "p", RunStatus.Succeeded, "cli", null, T0.AddSeconds(i), T0.AddSeconds(i), null, 1), [], Ct);
            for (var e = 0; e < 5; e++) await store.AddEventAsync(new RunEvent($"{prefix}{i}", T0, RunEventKind.Log, null, line), Ct);
        }
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        _temp.Dispose();
    }

    [Fact]
    public async Task HoldLeadership_OneProcessOnTheFile_AlwaysLeads()
    {
        var store = await StoreAsync();

        Assert.True(await store.HoldLeadershipAsync(Ct));
        Assert.True(await (await OpenAsync()).HoldLeadershipAsync(Ct));
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
