using Tributary.Core.Warehousing;
using Tributary.Testing;

[assembly: AssemblyFixture(typeof(PostgresCluster))]

namespace Tributary.Warehouse.Tests;

/// <summary>The IWarehouse contract, run identically on DuckDB and PostgreSQL.</summary>
public sealed class WarehouseContractTests(PostgresCluster postgres) : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private Task<IWarehouse> Open(string engine) => TestWarehouses.CreateAsync(engine, _temp, postgres);

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task ReplaceTable_Csv_LoadsWithInferredTypes(string engine)
    {
        await using var wh = await Open(engine);
        var csv = _temp.File("orders.csv", "order_id,email,amount,ordered_at\n1,a@x.com,10.5,2024-01-02 10:00:00\n2,b@x.com,3,2024-01-03 11:30:00\n");

        var rows = await wh.ReplaceTableAsync("orders", (b, ct) => b.LoadFilesAsync([csv], FileFormat.Csv, new FileReadOptions(), ct), Ct);

        Assert.Equal(2, rows);
        var schema = await wh.DescribeTableAsync("orders", Ct);
        Assert.Equal([DataKind.Integer, DataKind.Text, DataKind.Number, DataKind.Timestamp], schema!.Columns.Select(c => c.Kind));
        Assert.Equal(13.5, Convert.ToDouble(await wh.ScalarAsync("SELECT sum(amount) FROM orders", null, Ct)));
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task ReplaceTable_DeclaredColumns_KeepsAndCastsOnlyThose(string engine)
    {
        await using var wh = await Open(engine);
        var csv = _temp.File("o.csv", "id;amount;note\n7;1.25;x\n");
        var columns = new Dictionary<string, string> { ["amount"] = "DOUBLE", ["id"] = "VARCHAR" };

        await wh.ReplaceTableAsync("o", (b, ct) => b.LoadFilesAsync([csv], FileFormat.Csv, new FileReadOptions(";", columns), ct), Ct);

        var schema = await wh.DescribeTableAsync("o", Ct);
        Assert.Equal([("amount", DataKind.Number), ("id", DataKind.Text)], schema!.Columns.Select(c => (c.Name, c.Kind)));
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task ReplacePartition_ReplacesOnlyItsKeyAndAFailedBuildKeepsIt(string engine)
    {
        await using var wh = await Open(engine);
        Task<long> Write(string key, string sql) => wh.ReplacePartitionAsync("daily", "partition_key", key, (b, ct) => b.CreateAsSelectAsync(sql, null, ct), Ct);

        await Write("2025-01-01", "SELECT 1 AS v UNION ALL SELECT 2");
        await Write("2025-01-02", "SELECT 10 AS v");
        var rows = await Write("2025-01-01", "SELECT 5 AS v");
        await Assert.ThrowsAnyAsync<Exception>(() => wh.ReplacePartitionAsync("daily", "partition_key", "2025-01-02", async (b, ct) =>
        {
            await b.CreateAsSelectAsync("SELECT 99 AS v", null, ct);
            throw new InvalidOperationException("boom");
        }, Ct));

        Assert.Equal(1, rows);
        var result = await wh.QueryAsync("SELECT partition_key, v FROM daily ORDER BY partition_key, v", null, 10, Ct);
        Assert.Equal([("2025-01-01", 5L), ("2025-01-02", 10L)], result.Rows.Select(r => ((string)r[0]!, Convert.ToInt64(r[1]))));
        Assert.Equal(0L, Convert.ToInt64(await wh.ScalarAsync("SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() AND left(table_name, 14) = '__trib_staging'", null, Ct)));
        var changed = await Assert.ThrowsAsync<StatementRefusedException>(() => Write("2025-01-03", "SELECT 1 AS v, 2 AS w"));
        Assert.Equal("daily: this partition's columns (v, w) differ from the table's (v); a partitioned asset keeps one schema. Drop the table to rebuild every partition with the new one.",
            changed.Message);
    }

    // The table lost its key column to a write without a partition: the message says so, rather than listing equal columns.
    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task ReplacePartition_OfATableWrittenWhole_IsRefusedNamingTheMissingKeyColumnAndKeepsTheTable(string engine)
    {
        await using var wh = await Open(engine);
        await wh.ReplaceTableAsync("daily_orders", (b, ct) => b.CreateAsSelectAsync("SELECT DATE '2026-11-25' AS day, 's' AS s, 1 AS n", null, ct), Ct);

        var refused = await Assert.ThrowsAsync<StatementRefusedException>(() =>
            wh.ReplacePartitionAsync("daily_orders", "partition_key", "2026-12-01", (b, ct) => b.CreateAsSelectAsync("SELECT DATE '2026-12-01' AS day, 's' AS s, 2 AS n", null, ct), Ct));

        Assert.Equal("daily_orders: the table has no 'partition_key' column, so a partition cannot replace its rows: a run without a partition wrote it whole. " +
            "Drop the table and run its partitions again (trib backfill), or declare the partitions' time column ('column:') so that each partition replaces the rows of its window.",
            refused.Message);
        Assert.Equal(1L, Convert.ToInt64(await wh.ScalarAsync("SELECT n FROM daily_orders", null, Ct)));
        Assert.Equal(["day", "s", "n"], (await wh.DescribeTableAsync("daily_orders", Ct))!.Columns.Select(c => c.Name));
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task ReplacePartition_ConcurrentFirstWrites_AllLand(string engine)
    {
        await using var wh = await Open(engine);

        await Task.WhenAll(Enumerable.Range(1, 4).Select(i =>
            wh.ReplacePartitionAsync("t", "partition_key", $"k{i}", (b, ct) => b.CreateAsSelectAsync($"SELECT {i} AS v", null, ct), Ct)));

        var result = await wh.QueryAsync("SELECT partition_key FROM t ORDER BY 1", null, 10, Ct);
        Assert.Equal(["k1", "k2", "k3", "k4"], result.Rows.Select(r => (string)r[0]!));
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task ReplaceTable_BuildFails_KeepsPreviousVersionAndLeavesNoStaging(string engine)
    {
        await using var wh = await Open(engine);
        await wh.ReplaceTableAsync("t", (b, ct) => b.CreateAsSelectAsync("SELECT 1 AS v", null, ct), Ct);

        await Assert.ThrowsAnyAsync<Exception>(() => wh.ReplaceTableAsync("t", async (b, ct) =>
        {
            await b.CreateAsSelectAsync("SELECT 2 AS v", null, ct);
            throw new InvalidOperationException("boom");
        }, Ct));

        Assert.Equal(1L, Convert.ToInt64(await wh.ScalarAsync("SELECT v FROM t", null, Ct)));
        Assert.Equal(["t"], await wh.ListTablesAsync(Ct));
        Assert.Equal(0, await wh.DropAbandonedStagingAsync(Ct));
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task ReplaceTable_BuiltInKeyedPasses_GivesEveryRowOnceAndAFailedPassKeepsThePreviousVersion(string engine)
    {
        await using var wh = await Open(engine);
        await wh.ReplaceTableAsync("keys", (b, ct) => b.CreateAsSelectAsync(
            "SELECT 'k' || CAST(n % 37 AS VARCHAR) AS k, n FROM (SELECT CAST(g AS BIGINT) AS n FROM generate_series(1, 500) AS s(g)) x", null, ct), Ct);
        await wh.ReplaceTableAsync("t", (b, ct) => b.CreateAsSelectAsync("SELECT 'old' AS k, CAST(0 AS BIGINT) AS n, CAST(0 AS BIGINT) AS r", null, ct), Ct);
        var passes = KeyedPasses.Of(5);
        // A window partitioned by the key: whole within one pass, so the passes give what one statement would.
        var sql = $"SELECT k, n, row_number() OVER (PARTITION BY k ORDER BY n) AS r FROM keys WHERE {passes.Keeps(wh.Dialect, "k")}";

        await Assert.ThrowsAnyAsync<Exception>(() => wh.ReplaceTableAsync("t", async (b, ct) =>
        {
            await passes.BuildAsync(b, sql, ct);
            await b.InsertSelectAsync("SELECT 'x', CAST(1 AS BIGINT), CAST(1 AS BIGINT) FROM nonexistent_table", null, ct);
        }, Ct));
        Assert.Equal("old", await wh.ScalarAsync("SELECT k FROM t", null, Ct));

        var rows = await wh.ReplaceTableAsync("t", (b, ct) => passes.BuildAsync(b, sql, ct), Ct);
        Assert.Equal(500L, rows);
        var differing = await wh.ScalarAsync("""
            SELECT count(*) FROM t FULL JOIN (SELECT k, n, row_number() OVER (PARTITION BY k ORDER BY n) AS r FROM keys) one
                ON one.k = t.k AND one.n = t.n AND one.r = t.r
            WHERE one.k IS NULL OR t.k IS NULL
            """, null, Ct);
        Assert.Equal(0L, Convert.ToInt64(differing));
        Assert.Equal(["keys", "t"], await wh.ListTablesAsync(Ct));
    }

    // Passes split keys by the dialect's hash: every key (NULL too) in one bucket in range, and not all in one bucket.
    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task HashBucket_PutsEachKeyInOneBucketInRange(string engine)
    {
        await using var wh = await Open(engine);
        var bucket = wh.Dialect.HashBucket("k", wh.Dialect.Parameter(1));
        var result = await wh.QueryAsync($"""
            SELECT min(b), max(b), count(DISTINCT b), sum(CASE WHEN k IS NULL AND b BETWEEN 0 AND 6 THEN 1 ELSE 0 END)
            FROM (SELECT k, {bucket} AS b FROM (SELECT 'key' || CAST(g AS VARCHAR) AS k FROM generate_series(1, 1000) AS s(g) UNION ALL SELECT NULL) x) y
            """, [7L], 1, Ct);
        var row = result.Rows[0].Select(v => Convert.ToInt64(v)).ToList();
        Assert.Equal([0L, 6L, 7L, 1L], row);
    }

    // standardize.sessions carries a starting row's key through its sorts (max in a GROUP BY) and joins the table back on it.
    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task RowKey_FindsEachRowAgainThroughMaxAndAJoin(string engine)
    {
        await using var wh = await Open(engine);
        await wh.ReplaceTableAsync("rk", (b, ct) => b.CreateAsSelectAsync(
            "SELECT g % 3 AS grp, 'v' || CAST(g AS VARCHAR) AS v FROM generate_series(1, 30) AS s(g)", null, ct), Ct);
        var key = wh.Dialect.RowKey;
        var result = await wh.QueryAsync($"""
            SELECT m.grp, t.v
            FROM (SELECT grp, max(CASE WHEN v IN ('v3', 'v7', 'v11') THEN k END) AS k FROM (SELECT grp, v, {key} AS k FROM rk) x GROUP BY grp) m
            LEFT JOIN (SELECT {key} AS k, v FROM rk) t ON t.k = m.k
            ORDER BY m.grp
            """, null, 10, Ct);
        Assert.Equal(["0|v3", "1|v7", "2|v11"], result.Rows.Select(r => $"{Convert.ToInt64(r[0])}|{r[1]}").ToList());
    }

    [Fact]
    public async Task ReplaceTable_ConnectionDiesDuringTheBuild_ReportsWhyNotTheCleanupsError()
    {
        await using var wh = await Open("postgres");
        await wh.ReplaceTableAsync("t", (b, ct) => b.CreateAsSelectAsync("SELECT 1 AS v", null, ct), Ct);

        // The server ends this connection in the middle of the write, as a restart or an idle-session timeout would.
        var error = await Assert.ThrowsAnyAsync<Exception>(() => wh.ReplaceTableAsync("t",
            (b, ct) => b.CreateAsSelectAsync("SELECT pg_terminate_backend(pg_backend_pid()) AS killed", null, ct), Ct));

        Assert.Contains("terminating connection", error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(1L, Convert.ToInt64(await wh.ScalarAsync("SELECT v FROM t", null, Ct)));
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task ReplaceTable_Cancelled_KeepsPreviousVersion(string engine)
    {
        await using var wh = await Open(engine);
        await wh.ReplaceTableAsync("t", (b, ct) => b.CreateAsSelectAsync("SELECT 1 AS v", null, ct), Ct);
        using var cts = new CancellationTokenSource();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wh.ReplaceTableAsync("t", async (b, ct) =>
        {
            await b.CreateAsSelectAsync("SELECT 2 AS v", null, ct);
            await cts.CancelAsync();
            ct.ThrowIfCancellationRequested();
        }, cts.Token));

        Assert.Equal(1L, Convert.ToInt64(await wh.ScalarAsync("SELECT v FROM t", null, Ct)));
    }

    private static TableWrite Rows(string table, TableWriteMode mode, params object?[][] rows) =>
        new(table, mode, (b, ct) => b.CreateAndAppendAsync([("v", rows.Length > 0 && rows[0][0] is string ? DataKind.Text : DataKind.Integer)], rows, ct));

    private static async Task<List<object?>> ValuesAsync(IWarehouse wh, string table) =>
        (await wh.QueryAsync($"SELECT v FROM \"{table}\" ORDER BY v", null, 100, Ct)).Rows.Select(r => r[0] is long or int ? (object?)Convert.ToInt64(r[0]) : r[0]).ToList();

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task WriteTables_FailureBetweenTheWrites_LeavesEveryTableUnchanged(string engine)
    {
        await using var wh = await Open(engine);
        foreach (var table in new[] { "rows", "rejected", "files" })
            await wh.WriteTablesAsync([Rows(table, TableWriteMode.Replace, [1L])], Ct);

        // The third write fails inside the transaction, after the first two have been applied in it: text into a BIGINT column.
        await Assert.ThrowsAnyAsync<Exception>(() => wh.WriteTablesAsync(
            [Rows("rows", TableWriteMode.Append, [2L]), Rows("rejected", TableWriteMode.Replace, [2L]), Rows("files", TableWriteMode.Append, ["not a number"])], Ct));
        // The second build fails before anything commits.
        await Assert.ThrowsAnyAsync<InvalidOperationException>(() => wh.WriteTablesAsync(
        [
            Rows("rows", TableWriteMode.Append, [3L]),
            new TableWrite("rejected", TableWriteMode.Append, (_, _) => throw new InvalidOperationException("killed between the writes")),
            Rows("files", TableWriteMode.Append, [3L]),
        ], Ct));

        foreach (var table in new[] { "rows", "rejected", "files" })
            Assert.Equal([1L], await ValuesAsync(wh, table));
        Assert.Equal(["files", "rejected", "rows"], await wh.ListTablesAsync(Ct));
        Assert.Equal(0, await wh.DropAbandonedStagingAsync(Ct));
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task WriteTables_AppendSupersedingRows_DeletesThemWithTheAppendOrNotAtAll(string engine)
    {
        await using var wh = await Open(engine);
        (string, DataKind)[] columns = [("v", DataKind.Integer), ("file", DataKind.Text)];
        TableWrite Append(IReadOnlyList<string> superseded, params object?[][] rows) =>
            new("t", TableWriteMode.Append, (b, ct) => b.CreateAndAppendAsync(columns, rows, ct)) { Supersedes = new SupersededRows("file", superseded) };
        // Superseding rows of a table not written yet is nothing to delete.
        await wh.WriteTablesAsync([Append(["a.csv"], [1L, "a.csv"], [2L, "b.csv"], [3L, "c.csv"])], Ct);

        // A write failing later in the same transaction (text into a BIGINT column) keeps the superseded rows.
        await wh.WriteTablesAsync([Rows("u", TableWriteMode.Append, [1L])], Ct);
        await Assert.ThrowsAnyAsync<Exception>(() => wh.WriteTablesAsync([Append(["a.csv"], [9L, "a.csv"]), Rows("u", TableWriteMode.Append, ["not a number"])], Ct));
        Assert.Equal([1L, 2L, 3L], await ValuesAsync(wh, "t"));

        var after = await wh.WriteTablesAsync([Append(["a.csv", "c.csv", "a.csv"], [4L, "a.csv"])], Ct);

        Assert.Equal([2L], after);
        var rows = await wh.QueryAsync("SELECT v, file FROM t ORDER BY v", null, 10, Ct);
        Assert.Equal([(2L, "b.csv"), (4L, "a.csv")], rows.Rows.Select(r => (Convert.ToInt64(r[0]), (string)r[1]!)));
        await Assert.ThrowsAsync<ArgumentException>(() => wh.WriteTablesAsync([Append(["a.csv"]) with { Mode = TableWriteMode.Replace }], Ct));
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task WriteTables_AppendSupersedingEveryRow_ReplacesTheTableWithTheAppendOrNotAtAll(string engine)
    {
        await using var wh = await Open(engine);
        (string, DataKind)[] columns = [("v", DataKind.Integer), ("file", DataKind.Text)];
        TableWrite Append(params object?[][] rows) =>
            new("t", TableWriteMode.Append, (b, ct) => b.CreateAndAppendAsync(columns, rows, ct)) { Supersedes = SupersededRows.Everything };
        // Nothing to delete before the table exists.
        await wh.WriteTablesAsync([Append([1L, "a.csv"], [2L, "b.csv"])], Ct);

        // A write failing later in the same transaction keeps every row.
        await wh.WriteTablesAsync([Rows("u", TableWriteMode.Append, [1L])], Ct);
        await Assert.ThrowsAnyAsync<Exception>(() => wh.WriteTablesAsync([Append([9L, "c.csv"]), Rows("u", TableWriteMode.Append, ["not a number"])], Ct));
        Assert.Equal([1L, 2L], await ValuesAsync(wh, "t"));

        var after = await wh.WriteTablesAsync([Append([3L, "c.csv"])], Ct);

        Assert.Equal([1L], after);
        Assert.Equal([3L], await ValuesAsync(wh, "t"));
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Query_InsertUpdateDelete_CountsTheRowsChanged(string engine)
    {
        await using var wh = await Open(engine);
        await wh.WriteTablesAsync([Rows("t", TableWriteMode.Append, [1L], [2L], [3L])], Ct);

        var inserted = await wh.QueryAsync("INSERT INTO t VALUES (4), (5)", null, 10, Ct);
        var updated = await wh.QueryAsync("/* bump */ UPDATE t SET v = v + 10 WHERE v > 3", null, 10, Ct);
        var deleted = await wh.QueryAsync("-- trial rows\n delete FROM t WHERE v < 3", null, 10, Ct);
        var none = await wh.QueryAsync("DELETE FROM t WHERE v > 100", null, 10, Ct);
        var returning = await wh.QueryAsync("DELETE FROM t WHERE v = 15 RETURNING v", null, 10, Ct);
        var selected = await wh.QueryAsync("SELECT v FROM t", null, 10, Ct);

        Assert.Equal([2L, 2L, 2L, 0L], [inserted.RowsChanged, updated.RowsChanged, deleted.RowsChanged, none.RowsChanged]);
        Assert.Empty(deleted.Schema.Columns);
        Assert.Equal([15L], returning.Rows.Select(r => Convert.ToInt64(r[0])));
        Assert.Null(selected.RowsChanged);
        Assert.Equal([3L, 14L], await ValuesAsync(wh, "t"));
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Query_ChangeLedByWith_CountsTheRowsChangedAsTheEngineSays(string engine)
    {
        await using var wh = await Open(engine);
        await wh.WriteTablesAsync([Rows("t", TableWriteMode.Append, [1L], [2L], [3L])], Ct);

        var deleted = await wh.QueryAsync("WITH d AS (SELECT 1 AS v UNION ALL SELECT 2) DELETE FROM t WHERE v IN (SELECT v FROM d)", null, 10, Ct);
        var inserted = await wh.QueryAsync("WITH n AS (SELECT 7 AS v) INSERT INTO t SELECT v FROM n", null, 10, Ct);
        var returning = await wh.QueryAsync("WITH d AS (SELECT 7 AS v) DELETE FROM t WHERE v IN (SELECT v FROM d) RETURNING v", null, 10, Ct);
        var empty = await wh.QueryAsync("WITH x AS (SELECT 1 AS v) SELECT v FROM x WHERE v > 1", null, 10, Ct);

        Assert.Equal([2L, 1L], [deleted.RowsChanged, inserted.RowsChanged]);
        Assert.Empty(deleted.Schema.Columns);
        Assert.Null(returning.RowsChanged);
        Assert.Equal([7L], returning.Rows.Select(r => Convert.ToInt64(r[0])));
        Assert.Null(empty.RowsChanged);
        Assert.Equal(["v"], empty.Schema.Columns.Select(c => c.Name));
        Assert.Equal([3L], await ValuesAsync(wh, "t"));
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task WriteTables_Append_CreatesThenAppendsAndAddsNewColumns(string engine)
    {
        await using var wh = await Open(engine);

        var first = await wh.WriteTablesAsync([Rows("t", TableWriteMode.Append, [1L], [2L]), Rows("u", TableWriteMode.Append)], Ct);
        var second = await wh.WriteTablesAsync([Rows("t", TableWriteMode.Append, [3L]), Rows("u", TableWriteMode.Append, [7L])], Ct);
        var wider = await wh.WriteTablesAsync([new TableWrite("t", TableWriteMode.Append, (b, ct) => b.CreateAndAppendAsync([("v", DataKind.Integer), ("w", DataKind.Text)], [[4L, "new"]], ct))], Ct);

        Assert.Equal([2L, 0L, 3L, 1L, 4L], [.. first, .. second, .. wider]); // each table's rows after each call
        var rows = await wh.QueryAsync("SELECT v, w FROM t ORDER BY v", null, 10, Ct);
        Assert.Equal([(1L, null), (2L, null), (3L, null), (4L, "new")], rows.Rows.Select(r => (Convert.ToInt64(r[0]), (string?)r[1])));
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task WriteTables_AppendDirectly_WritesIntoAnExistingTableOfTheSameColumnsAndStagesOtherwise(string engine)
    {
        await using var wh = await Open(engine);
        var built = new List<string>();
        TableWrite Direct(string table, IReadOnlyList<(string, DataKind)> columns, params object?[][] rows) =>
            new(table, TableWriteMode.Append, async (b, ct) => { await b.CreateAndAppendAsync(columns, rows, ct); built.Add(b.QuotedName); }) { AppendDirectly = true };
        (string, DataKind)[] v = [("v", DataKind.Integer)];

        var created = await wh.WriteTablesAsync([Direct("t", v, [1L], [2L])], Ct);
        // The state table is built after the append, inside the same transaction, as the intake loader writes its sequence.
        var appended = await wh.WriteTablesAsync([Direct("t", v, [3L]), Rows("state", TableWriteMode.Replace, [3L])], Ct);
        var wider = await wh.WriteTablesAsync([Direct("t", [("v", DataKind.Integer), ("w", DataKind.Text)], [4L, "new"])], Ct);
        var again = await wh.WriteTablesAsync([Direct("t", [("v", DataKind.Integer), ("w", DataKind.Text)], [5L, "again"])], Ct);
        var otherKind = await wh.WriteTablesAsync([Direct("t", [("v", DataKind.Number), ("w", DataKind.Text)], [6.0, "as a number"])], Ct);

        // Missing table, new column, other kind: staged; same columns: the rows went into the table itself.
        Assert.Equal([false, true, false, true, false], built.Select(name => name == wh.Dialect.Quote("t")));
        Assert.Equal([2L, 3L, 1L, 4L, 5L, 6L], [.. created, .. appended, .. wider, .. again, .. otherKind]);
        var rows = await wh.QueryAsync("SELECT v, w FROM t ORDER BY v", null, 10, Ct);
        Assert.Equal([(1L, null), (2L, null), (3L, null), (4L, "new"), (5L, "again"), (6L, "as a number")], rows.Rows.Select(r => (Convert.ToInt64(r[0]), (string?)r[1])));
        Assert.Equal([3L], await ValuesAsync(wh, "state"));
        Assert.Equal(["state", "t"], await wh.ListTablesAsync(Ct));
        Assert.Equal(0, await wh.DropAbandonedStagingAsync(Ct));
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task WriteTables_AppendDirectly_FailingOrCancelled_LeavesEveryTableAsItWas(string engine)
    {
        await using var wh = await Open(engine);
        await wh.WriteTablesAsync([Rows("t", TableWriteMode.Append, [0L]), Rows("state", TableWriteMode.Replace, [0L])], Ct);
        TableWrite Direct(IEnumerable<object?[]> rows) =>
            new("t", TableWriteMode.Append, (b, ct) => b.CreateAndAppendAsync([("v", DataKind.Integer)], rows, ct)) { AppendDirectly = true };
        IEnumerable<object?[]> Many() => Enumerable.Range(1, 5_000).Select(i => new object?[] { (long)i });
        IEnumerable<object?[]> Failing()
        {
            for (var i = 1L; i <= 3_000; i++) yield return [i];
            throw new InvalidDataException("log broke");
        }
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        IEnumerable<object?[]> Cancelling()
        {
            for (var i = 1L; i <= 5_000; i++)
            {
                if (i == 4_000) cancel.Cancel();
                yield return [i];
            }
        }

        // The rows fail mid-stream; a later build fails after the append; a later write fails in the commit (text into a BIGINT); cancelled mid-stream.
        await Assert.ThrowsAsync<InvalidDataException>(() => wh.WriteTablesAsync([Direct(Failing()), Rows("state", TableWriteMode.Replace, [1L])], Ct));
        await Assert.ThrowsAsync<InvalidOperationException>(() => wh.WriteTablesAsync(
            [Direct(Many()), new TableWrite("state", TableWriteMode.Replace, (_, _) => throw new InvalidOperationException("killed between the writes"))], Ct));
        await Assert.ThrowsAnyAsync<Exception>(() => wh.WriteTablesAsync([Direct(Many()), Rows("state", TableWriteMode.Append, ["not a number"])], Ct));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wh.WriteTablesAsync([Direct(Cancelling())], cancel.Token));
        await Assert.ThrowsAsync<ArgumentException>(() => wh.WriteTablesAsync([Direct(Many()) with { Mode = TableWriteMode.Replace }], Ct));

        Assert.Equal([0L], await ValuesAsync(wh, "t"));
        Assert.Equal([0L], await ValuesAsync(wh, "state"));
        Assert.Equal(["state", "t"], await wh.ListTablesAsync(Ct));
        Assert.Equal(0, await wh.DropAbandonedStagingAsync(Ct));
        // The table's turn was given back: the next direct append goes through.
        Assert.Equal([5_001L], await wh.WriteTablesAsync([Direct(Many())], Ct));
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task WriteTables_AppendInParallel_WritesEveryStreamsRowsAndCommitsThemTogether(string engine)
    {
        await using var wh = await Open(engine);
        await wh.WriteTablesAsync([Rows("t", TableWriteMode.Append, [0L])], Ct);
        // Three streams of 5,000 rows each (more than one DuckDB chunk), and one empty.
        IEnumerable<object?[]> Stream(long first) => Enumerable.Range(0, 5_000).Select(i => new object?[] { first + i, $"s{first}" });
        IReadOnlyList<IEnumerable<object?[]>> streams = [Stream(1), Stream(5_001), [], Stream(10_001)];

        var counts = await wh.WriteTablesAsync([new TableWrite("t", TableWriteMode.Append,
            (b, ct) => b.CreateAndAppendInParallelAsync([("v", DataKind.Integer), ("w", DataKind.Text)], streams, ct))], Ct);

        Assert.Equal([15_001L], counts);
        var summary = await wh.QueryAsync("SELECT count(DISTINCT v), min(v), max(v), count(DISTINCT w), count(w) FROM t", null, 1, Ct);
        Assert.Equal([15_001L, 0L, 15_000L, 3L, 15_000L], summary.Rows[0].Select(v => Convert.ToInt64(v)));
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task WriteTables_AppendInParallel_OneStreamFailing_FailsWithItsErrorAndWritesNothing(string engine)
    {
        await using var wh = await Open(engine);
        await wh.WriteTablesAsync([Rows("t", TableWriteMode.Append, [0L])], Ct);
        IEnumerable<object?[]> Failing()
        {
            for (var i = 1L; i <= 3_000; i++) yield return [i];
            throw new InvalidDataException("stream broke");
        }
        IEnumerable<object?[]> Long() => Enumerable.Range(10_000, 50_000).Select(i => new object?[] { (long)i });

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => wh.WriteTablesAsync([new TableWrite("t", TableWriteMode.Append,
            (b, ct) => b.CreateAndAppendInParallelAsync([("v", DataKind.Integer)], [Long(), Failing()], ct))], Ct));

        Assert.Equal("stream broke", error.Message);
        Assert.Equal([0L], await ValuesAsync(wh, "t"));
        Assert.Equal(["t"], await wh.ListTablesAsync(Ct));
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task CreateAndAppend_EveryKindAndValueShape_OverSeveralChunks_IsStoredAsGiven(string engine)
    {
        await using var wh = await Open(engine);
        (string, DataKind)[] columns =
        [
            ("k", DataKind.Integer), ("i", DataKind.Integer), ("n", DataKind.Number), ("t", DataKind.Text), ("b", DataKind.Boolean), ("d", DataKind.Date), ("ts", DataKind.Timestamp),
        ];
        var start = new DateTime(2024, 2, 29, 23, 59, 58, 123, DateTimeKind.Unspecified);
        // 5,000 rows: more than two of DuckDB's 2,048-row vectors. Integers as int/long/decimal, numbers as double/int/decimal,
        // text short and long (past DuckDB's 12-byte inline strings, with multi-byte UTF-8), timestamps as DateTime and DateTimeOffset.
        object?[] Row(int k) => k % 7 == 6
            ? [(long)k, null, null, null, null, null, null]
            :
            [
                (long)k,
                (k % 3) switch { 0 => (object)k, 1 => (long)k, _ => (decimal)k },
                (k % 3) switch { 0 => (object)(k + 0.25), 1 => k, _ => k + 0.5m },
                k % 2 == 0 ? $"r{k}" : $"row {k}: naïve café ✓ — {new string('x', k % 40)}",
                k % 2 == 0,
                DateOnly.FromDateTime(start).AddDays(k),
                k % 2 == 0 ? start.AddSeconds(k) : (object)new DateTimeOffset(start.AddSeconds(k).AddHours(2), TimeSpan.FromHours(2)),
            ];
        var rows = Enumerable.Range(0, 5_000).Select(Row).ToList();

        var counts = await wh.WriteTablesAsync([new TableWrite("kinds", TableWriteMode.Replace, (b, ct) => b.CreateAndAppendAsync(columns, rows, ct))], Ct);

        Assert.Equal([5_000L], counts);
        var back = await wh.QueryAsync("SELECT i, n, t, b, d, ts FROM kinds ORDER BY k", null, 10_000, Ct);
        for (var k = 0; k < rows.Count; k++)
        {
            var got = back.Rows[k];
            if (k % 7 == 6)
            {
                Assert.All(got, Assert.Null);
                continue;
            }
            Assert.Equal((long)k, Convert.ToInt64(got[0]));
            Assert.Equal(Convert.ToDouble(rows[k][2]), Convert.ToDouble(got[1]));
            Assert.Equal(rows[k][3], got[2]);
            Assert.Equal(k % 2 == 0, got[3]);
            Assert.Equal(DateOnly.FromDateTime(start).AddDays(k), got[4] is DateTime day ? DateOnly.FromDateTime(day) : got[4]);
            Assert.Equal(start.AddSeconds(k), got[5]);
        }
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task CreateAndAppend_CancelledMidStream_ThrowsCancellationAndLeavesTheTableAsItWas(string engine)
    {
        await using var wh = await Open(engine);
        await wh.WriteTablesAsync([Rows("t", TableWriteMode.Append, [0L])], Ct);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        IEnumerable<object?[]> Cancelling()
        {
            for (var i = 1L; i <= 10_000; i++)
            {
                if (i == 4_000) cancel.Cancel();
                yield return [i];
            }
        }

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wh.WriteTablesAsync(
            [new TableWrite("t", TableWriteMode.Append, (b, ct) => b.CreateAndAppendAsync([("v", DataKind.Integer)], Cancelling(), ct))], cancel.Token));

        Assert.Equal([0L], await ValuesAsync(wh, "t"));
        Assert.Equal(["t"], await wh.ListTablesAsync(Ct));
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task WriteTables_AppendToAPartition_AddsToItsKeyOnly(string engine)
    {
        await using var wh = await Open(engine);
        TableWrite To(string key, long v) => Rows("p", TableWriteMode.Append, [v]) with { Partition = new TablePartition("partition_key", key) };

        var counts = new[] { await wh.WriteTablesAsync([To("k1", 1)], Ct), await wh.WriteTablesAsync([To("k2", 5)], Ct), await wh.WriteTablesAsync([To("k1", 2)], Ct) };

        Assert.Equal([1L, 1L, 2L], counts.Select(c => c[0]));
        var rows = await wh.QueryAsync("SELECT partition_key, v FROM p ORDER BY partition_key, v", null, 10, Ct);
        Assert.Equal([("k1", 1L), ("k1", 2L), ("k2", 5L)], rows.Rows.Select(r => ((string)r[0]!, Convert.ToInt64(r[1]))));
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Parameters_AreBoundNotSpliced(string engine)
    {
        await using var wh = await Open(engine);
        await wh.ReplaceTableAsync("people", (b, ct) => b.CreateAndAppendAsync(
            [("name", DataKind.Text), ("age", DataKind.Integer)], [["O'Brien", 40], ["x'; DROP TABLE people; --", 1], [null, null]], ct), Ct);

        var result = await wh.QueryAsync("SELECT name FROM people WHERE name = $1 OR age = $2 ORDER BY age", ["x'; DROP TABLE people; --", 40L], 10, Ct);

        Assert.Equal(["x'; DROP TABLE people; --", "O'Brien"], result.Rows.Select(r => (string?)r[0]));
        Assert.Equal(3L, Convert.ToInt64(await wh.ScalarAsync("SELECT count(*) FROM people", null, Ct)));
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Identifiers_AreQuoted(string engine)
    {
        await using var wh = await Open(engine);
        var name = "odd \"name\"; with spaces";
        await wh.ReplaceTableAsync(name, (b, ct) => b.CreateAsSelectAsync("SELECT 1 AS \"select\"", null, ct), Ct);

        Assert.Contains(name, await wh.ListTablesAsync(Ct));
        Assert.Equal("select", (await wh.DescribeTableAsync(name, Ct))!.Columns[0].Name);
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Export_ThenLoad_RoundTripsCsvParquetAndNdJson(string engine)
    {
        await using var wh = await Open(engine);
        await wh.ReplaceTableAsync("src", (b, ct) => b.CreateAndAppendAsync(
            [("id", DataKind.Integer), ("amount", DataKind.Number), ("day", DataKind.Date)],
            [[1, 2.5, new DateOnly(2024, 2, 29)], [2, null, new DateOnly(2024, 3, 1)]], ct), Ct);

        foreach (var (format, ext) in new[] { (FileFormat.Csv, "csv"), (FileFormat.Parquet, "parquet"), (FileFormat.NdJson, "ndjson") })
        {
            var path = Path.Combine(_temp.Path, "out." + ext);
            await wh.ExportAsync("SELECT * FROM src ORDER BY id", null, path, format, Ct);
            var rows = await wh.ReplaceTableAsync("back_" + ext, (b, ct) => b.LoadFilesAsync([path], format, new FileReadOptions(), ct), Ct);
            Assert.Equal(2, rows);
            var back = await wh.QueryAsync($"SELECT id, amount FROM \"back_{ext}\" ORDER BY id", null, 10, Ct);
            Assert.Equal(2.5, Convert.ToDouble(back.Rows[0][1]));
            Assert.Null(back.Rows[1][1]);
        }
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task DescribeTable_Missing_ReturnsNull(string engine)
    {
        await using var wh = await Open(engine);
        Assert.Null(await wh.DescribeTableAsync("nope", Ct));
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task DropAbandonedStaging_RemovesLeftoversOnly(string engine)
    {
        await using var wh = await Open(engine);
        await wh.ExecuteAsync($"CREATE TABLE \"{SqlWarehouse.StagingPrefix}orders_dead\" (x INTEGER)", null, Ct);
        await wh.ExecuteAsync("CREATE TABLE keep (x INTEGER)", null, Ct);

        Assert.Equal(1, await wh.DropAbandonedStagingAsync(Ct));
        Assert.Equal(["keep"], await wh.ListTablesAsync(Ct));
    }
}
