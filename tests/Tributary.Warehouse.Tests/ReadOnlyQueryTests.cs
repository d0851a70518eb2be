using Tributary.Core.Warehousing;
using Tributary.Testing;

namespace Tributary.Warehouse.Tests;

/// <summary><see cref="IWarehouse.QueryReadOnlyAsync"/>: the engine decides what may run, and nothing a refused statement did is kept.</summary>
public sealed class ReadOnlyQueryTests(PostgresCluster postgres) : IDisposable
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<IWarehouse> OpenWithTableAsync(string engine)
    {
        var wh = await TestWarehouses.CreateAsync(engine, _temp, postgres);
        await wh.ExecuteAsync("CREATE TABLE t AS SELECT 1 AS v UNION ALL SELECT 2", null, Ct);
        await wh.ExecuteAsync("CREATE SEQUENCE s", null, Ct);
        return wh;
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task QueryReadOnly_StatementsThatChangeSomething_AreRefusedAndChangeNothing(string engine)
    {
        await using var wh = await OpenWithTableAsync(engine);
        string[] both =
        [
            "DELETE FROM t", "WITH d AS (SELECT 1 AS v) DELETE FROM t WHERE v IN (SELECT v FROM d)", "INSERT INTO t VALUES (3)", "UPDATE t SET v = 9",
            "CREATE TABLE u (a INTEGER)", "CREATE TABLE u AS SELECT * FROM t", "DROP TABLE t", "ALTER TABLE t ADD COLUMN w INTEGER", "EXPLAIN ANALYZE DELETE FROM t",
            "SELECT nextval('s')",
        ];
        string[] duckDb =
        [
            "ATTACH ':memory:' AS m", $"COPY t TO '{Path.Combine(_temp.Path, "t.csv")}'", "INSTALL json", "LOAD json", "SET threads = 1", "SET VARIABLE x = 1",
            "PRAGMA enable_profiling", "CALL pragma_table_info('t')", "CHECKPOINT", "EXPLAIN SELECT 1", "BEGIN TRANSACTION",
        ];
        var refused = new List<string>();
        foreach (var sql in engine == "duckdb" ? [.. both, .. duckDb] : both)
        {
            try
            {
                await wh.QueryReadOnlyAsync(sql, 10, Minute, Ct);
            }
            catch (StatementNotReadOnlyException e)
            {
                refused.Add(sql);
                Assert.False(string.IsNullOrWhiteSpace(e.Message));
            }
        }

        Assert.Equal(engine == "duckdb" ? [.. both, .. duckDb] : both, refused);
        Assert.Equal([1L, 2L], (await wh.QueryAsync("SELECT v FROM t ORDER BY v", null, 10, Ct)).Rows.Select(r => Convert.ToInt64(r[0])));
        Assert.Null(await wh.DescribeTableAsync("u", Ct));
        Assert.False(File.Exists(Path.Combine(_temp.Path, "t.csv")));
        Assert.Equal(1L, Convert.ToInt64(await wh.ScalarAsync("SELECT nextval('s')", null, Ct)));
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task QueryReadOnly_ADeleteOnDuckDb_SaysWhatItIs_AndPostgreSqlGivesItsOwnReason(string engine)
    {
        await using var wh = await OpenWithTableAsync(engine);

        var e = await Assert.ThrowsAsync<StatementNotReadOnlyException>(() => wh.QueryReadOnlyAsync("WITH d AS (SELECT 1 AS v) DELETE FROM t", 10, Minute, Ct));

        Assert.Equal(engine == "duckdb" ? "it is a DELETE statement" : "25006: cannot execute DELETE in a read-only transaction", e.Message);
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task QueryReadOnly_Reads_RunAndAreCappedAtMaxRows(string engine)
    {
        await using var wh = await OpenWithTableAsync(engine);
        string[] reads = engine == "duckdb"
            ? ["SELECT v FROM t", "WITH x AS (SELECT v FROM t) SELECT * FROM x", "FROM t", "DESCRIBE t", "SHOW TABLES", "SUMMARIZE t", "PRAGMA table_info('t')", "VALUES (1)"]
            : ["SELECT v FROM t", "WITH x AS (SELECT v FROM t) SELECT * FROM x", "EXPLAIN SELECT * FROM t", "EXPLAIN ANALYZE SELECT * FROM t", "SHOW work_mem", "VALUES (1)"];

        foreach (var sql in reads)
        {
            var result = await wh.QueryReadOnlyAsync(sql, 10, Minute, Ct);
            Assert.True(result.Rows.Count > 0, sql);
            Assert.Null(result.RowsChanged);
        }
        var capped = await wh.QueryReadOnlyAsync(engine == "duckdb" ? "SELECT * FROM range(1000000)" : "SELECT * FROM generate_series(1, 1000000)", 3, Minute, Ct);
        Assert.Equal(3, capped.Rows.Count);
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task QueryReadOnly_PastTheTimeout_IsStopped(string engine)
    {
        await using var wh = await OpenWithTableAsync(engine);
        var slow = engine == "duckdb"
            ? "SELECT sum(hash(a.range * b.range)) FROM range(1000000) a, range(1000000) b"
            : "SELECT pg_sleep(60)";
        var started = System.Diagnostics.Stopwatch.StartNew();

        var e = await Assert.ThrowsAsync<TimeoutException>(() => wh.QueryReadOnlyAsync(slow, 10, TimeSpan.FromMilliseconds(500), Ct));

        Assert.Equal("the query ran longer than 0.5 s and was stopped", e.Message);
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(30), $"{started.Elapsed}");
        Assert.Equal(2L, Convert.ToInt64(await wh.ScalarAsync("SELECT count(*) FROM t", null, Ct)));
    }

    // The statement runs inside the read-only transaction: it can end it, but not make it writable.
    [Fact]
    public async Task QueryReadOnly_OnPostgreSql_TransactionControlCannotLiftReadOnly()
    {
        await using var wh = await OpenWithTableAsync("postgres");

        var readWrite = await Assert.ThrowsAnyAsync<System.Data.Common.DbException>(() => wh.QueryReadOnlyAsync("SET TRANSACTION READ WRITE", 10, Minute, Ct));
        var begin = await Assert.ThrowsAnyAsync<System.Data.Common.DbException>(() => wh.QueryReadOnlyAsync("BEGIN READ WRITE", 10, Minute, Ct));
        await wh.QueryReadOnlyAsync("COMMIT", 10, Minute, Ct);
        await Assert.ThrowsAsync<StatementNotReadOnlyException>(() => wh.QueryReadOnlyAsync("DELETE FROM t", 10, Minute, Ct));

        Assert.Equal(("25001", "25001"), (readWrite.SqlState, begin.SqlState));
        Assert.Equal(2L, Convert.ToInt64(await wh.ScalarAsync("SELECT count(*) FROM t", null, Ct)));
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task QueryReadOnly_SeveralStatements_AreRefusedAndRunNone(string engine)
    {
        await using var wh = await OpenWithTableAsync(engine);

        await Assert.ThrowsAsync<InvalidOperationException>(() => wh.QueryReadOnlyAsync("SELECT 1; DROP TABLE t", 10, Minute, Ct));

        Assert.Equal(2L, Convert.ToInt64(await wh.ScalarAsync("SELECT count(*) FROM t", null, Ct)));
    }
}
