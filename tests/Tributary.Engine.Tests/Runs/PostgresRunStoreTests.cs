using Npgsql;
using Tributary.Engine.Orchestration;
using Tributary.Engine.Runs;
using Tributary.Testing;

namespace Tributary.Engine.Tests.Runs;

/// <summary>
/// The run store contract on PostgreSQL (a schema of its own per test), and what sharing it between processes needs:
/// migrations applied once however many open it at once, the queue claimed once, and one leader at a time.
/// </summary>
public sealed class PostgresRunStoreTests(PostgresCluster postgres) : RunStoreContractTests
{
    private string? _connectionString;

    protected override async Task<IProjectRunStore> OpenAtTheSamePlaceAsync() =>
        await PostgresRunStore.OpenAsync(_connectionString ??= await postgres.NewSchemaAsync(), Ct);

    protected override async Task CreateAtThePreviousSchemaVersionAsync()
    {
        await using var connection = new NpgsqlConnection(_connectionString ??= await postgres.NewSchemaAsync());
        await connection.OpenAsync(Ct);
        var statements = new List<string> { """CREATE TABLE "schema_migrations" ("version" integer PRIMARY KEY, "name" text NOT NULL, "applied_at" timestamptz NOT NULL DEFAULT now())""" };
        foreach (var (version, name, sql) in PostgresRunStore.Migrations.SkipLast(1))
            statements.AddRange([sql, $"""INSERT INTO "schema_migrations" ("version", "name") VALUES ({version}, '{name}')"""]);
        statements.Add("""
            INSERT INTO "backfills" ("backfill_id", "pipeline", "status", "concurrency", "params_json", "created_at") VALUES ('old', 'daily', 'running', 2, '{}', '2026-01-01T12:00:00Z');
            INSERT INTO "backfill_partitions" VALUES ('old', '2026-01-01', 0, 'succeeded', 'r1'), ('old', '2026-01-02', 1, 'pending', NULL);
            INSERT INTO "materializations" ("run_id", "asset", "at", "row_count", "columns_json", "duration_ms", "metadata_json", "step", "output", "role")
                VALUES ('r1', 'orders', '2026-01-01T12:00:00Z', 10, '[["x","INTEGER"]]', 1000, '{}', 'orders', 'main', 'main');
            """);
        foreach (var sql in statements)
        {
            await using var command = new NpgsqlCommand(sql, connection);
            await command.ExecuteNonQueryAsync(Ct);
        }
    }

    private async Task<List<(int Version, string Name)>> AppliedMigrationsAsync()
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand("""SELECT "version", "name" FROM "schema_migrations" ORDER BY "version" """, connection);
        await using var reader = await command.ExecuteReaderAsync(Ct);
        var applied = new List<(int, string)>();
        while (await reader.ReadAsync(Ct)) applied.Add((reader.GetInt32(0), reader.GetString(1)));
        return applied;
    }

    [Fact]
    public async Task Open_Again_AppliesNoMigrationTwiceAndKeepsTheData()
    {
        var first = await StoreAsync();
        await first.SetCursorAsync("c", "kept", T0, Ct);
        var applied = await AppliedMigrationsAsync();

        var second = await OpenAsync();

        Assert.Equal(PostgresRunStore.Migrations.Select(m => (m.Version, m.Name)), await AppliedMigrationsAsync());
        Assert.Equal(applied, await AppliedMigrationsAsync());
        Assert.Equal([1, 2, 3, 4, 5, 6, 7, 8, 9], applied.Select(a => a.Version));
        Assert.Equal("kept", await second.GetCursorAsync("c", Ct));
    }

    [Fact]
    public async Task Open_ManyProcessesAtOnceOnAnEmptySchema_EachMigrationAppliedOnce()
    {
        _connectionString = await postgres.NewSchemaAsync();

        var stores = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => OpenAsync()));

        Assert.Equal(PostgresRunStore.Migrations.Select(m => (m.Version, m.Name)), await AppliedMigrationsAsync());
        await stores[0].SetCursorAsync("c", "v", T0, Ct);
        Assert.All(await Task.WhenAll(stores.Select(s => s.GetCursorAsync("c", Ct))), v => Assert.Equal("v", v));
    }

    [Fact]
    public async Task Open_SchemaNewerThanThisBuild_IsRefused()
    {
        await StoreAsync();
        await using (var connection = new NpgsqlConnection(_connectionString))
        {
            await connection.OpenAsync(Ct);
            await using var command = new NpgsqlCommand("""INSERT INTO "schema_migrations" ("version", "name") VALUES (99, '099_future.sql')""", connection);
            await command.ExecuteNonQueryAsync(Ct);
        }

        var error = await Assert.ThrowsAsync<RunStoreTooNewException>(OpenAsync);

        var schema = new NpgsqlConnectionStringBuilder(_connectionString).SearchPath;
        Assert.Equal($"PostgreSQL run store (database {new NpgsqlConnectionStringBuilder(_connectionString).Database}, schema {schema}): this run store was upgraded by a newer Tributary "
            + $"(schema 99, this version knows up to {PostgresRunStore.Migrations.Count}); upgrade trib", error.Message);
        Assert.Equal(99, (await AppliedMigrationsAsync()).Max(m => m.Version));
    }

    [Fact]
    public async Task ClaimQueued_ThreeStoresRacingForEveryEntry_EachEntryClaimedExactlyOnce()
    {
        var stores = new[] { await StoreAsync(), await OpenAsync(), await OpenAsync() };
        var ids = Enumerable.Range(0, 60).Select(i => $"q{i:00}").ToList();
        foreach (var id in ids)
            await stores[0].EnqueueAsync(new QueuedRun(id, "p", null, "api", 0, new Dictionary<string, string>(), null, QueueState.Queued, null, T0, 1), Ct);

        // Every store tries every entry at once.
        var claims = await Task.WhenAll(stores.SelectMany((s, n) => ids.Select(async id => (Id: id, Store: n, Won: await s.ClaimQueuedAsync(id, Ct)))));

        Assert.All(claims.GroupBy(c => c.Id), g => Assert.Single(g, c => c.Won));
        Assert.Equal(ids, (await stores[1].ListQueueAsync([QueueState.Launched], Ct)).Select(q => q.QueueId).Order());
    }

    [Fact]
    public async Task HoldLeadership_TwoStores_OneLeadsUntilItCloses()
    {
        var first = await StoreAsync();
        var second = await OpenAsync();

        Assert.True(await first.HoldLeadershipAsync(Ct));
        Assert.False(await second.HoldLeadershipAsync(Ct));
        Assert.True(await first.HoldLeadershipAsync(Ct));
        Assert.False(await second.HoldLeadershipAsync(Ct));

        await first.DisposeAsync();

        Assert.True(await second.HoldLeadershipAsync(Ct));
    }

    [Fact]
    public async Task HoldLeadership_OtherSchemaOnTheSameDatabase_LeadsOnItsOwn()
    {
        var here = await StoreAsync();
        await using var elsewhere = await PostgresRunStore.OpenAsync(await postgres.NewSchemaAsync(), Ct);

        Assert.True(await here.HoldLeadershipAsync(Ct));
        Assert.True(await elsewhere.HoldLeadershipAsync(Ct));
    }

    [Fact]
    public async Task HoldLeadership_LeadersConnectionDrops_AnotherTakesOverAndTheOldOneFollows()
    {
        var first = await StoreAsync();
        var second = await OpenAsync();
        Assert.True(await first.HoldLeadershipAsync(Ct));
        Assert.False(await second.HoldLeadershipAsync(Ct));

        await LeaderSessions.TerminateAsync(postgres, _connectionString!, Ct);

        Assert.True(await second.HoldLeadershipAsync(Ct));
        Assert.False(await first.HoldLeadershipAsync(Ct));
        Assert.True(await second.HoldLeadershipAsync(Ct));
    }

    private static RunEvent Event(string message) => new("r", T0, RunEventKind.Log, null, message);

    // pg_terminate_backend is what a database restart or failover does to a client's open sessions: 57P01 on their next use.
    private async Task TerminateSessionsAsync(string applicationName)
    {
        await using var connection = new NpgsqlConnection(postgres.ConnectionString);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand("SELECT count(*) FILTER (WHERE pg_terminate_backend(pid, 10000)) FROM pg_stat_activity WHERE application_name = @a", connection);
        command.Parameters.AddWithValue("a", applicationName);
        Assert.True((long)(await command.ExecuteScalarAsync(Ct))! > 0);
    }

    [Fact]
    public async Task Write_TheDatabaseEndedThePoolsSessions_IsRetriedOnNewOnes()
    {
        var name = "t-" + Guid.NewGuid().ToString("N")[..8];
        _connectionString = await postgres.NewSchemaAsync() + $";Application Name={name}";
        var store = await StoreAsync();
        await store.AddEventAsync(Event("before"), Ct);

        await TerminateSessionsAsync(name);
        await store.AddEventAsync(Event("after"), Ct);

        Assert.Equal(["before", "after"], (await store.GetEventsAsync("r", Ct)).Select(e => e.Message));
    }

    [Fact]
    public async Task Write_DuringAShortOutage_WaitsForTheDatabaseAndSucceeds()
    {
        await using var outage = DatabaseOutage.Before(await postgres.NewSchemaAsync());
        await using var store = await PostgresRunStore.OpenAsync(outage.ConnectionString, Ct);
        await store.AddEventAsync(Event("before"), Ct);

        outage.Down();
        var write = store.AddEventAsync(Event("during"), Ct);
        await Task.Delay(TimeSpan.FromSeconds(2), Ct);
        Assert.False(write.IsCompleted);
        outage.Up();
        await write;

        Assert.Equal(["before", "during"], (await store.GetEventsAsync("r", Ct)).Select(e => e.Message));
    }

    [Fact]
    public async Task Write_TheDatabaseStaysDown_FailsAsUnavailableOnceTheRetriesAreSpent()
    {
        await using var outage = DatabaseOutage.Before(await postgres.NewSchemaAsync());
        await using var store = await PostgresRunStore.OpenAsync(outage.ConnectionString, new PostgresRunStoreOptions { RetryFor = TimeSpan.FromSeconds(1) }, Ct);

        outage.Down();
        var e = await Assert.ThrowsAsync<RunStoreUnavailableException>(() => store.AddEventAsync(Event("lost"), Ct));

        Assert.StartsWith("the PostgreSQL run store could not be reached for 1s: ", e.Message);
        Assert.True(PostgresRunStore.IsTransient(e.InnerException!));
    }

    [Fact]
    public async Task HoldLeadership_TheDatabaseIsUnreachable_FailsAndTheSameStoreLeadsAgainAfter()
    {
        await using var outage = DatabaseOutage.Before(await postgres.NewSchemaAsync());
        await using var store = await PostgresRunStore.OpenAsync(outage.ConnectionString, Ct);
        Assert.True(await store.HoldLeadershipAsync(Ct));

        outage.Down();
        await Assert.ThrowsAsync<RunStoreUnavailableException>(() => store.HoldLeadershipAsync(Ct));
        outage.Up();

        Assert.True(await store.HoldLeadershipAsync(Ct));
    }
}
