using Tributary.Core.Warehousing;
using Tributary.Testing;

namespace Tributary.Warehouse.Tests;

/// <summary>
/// <see cref="IWarehouse.ReadColumnsAsync"/> run identically on DuckDB (its Arrow export) and PostgreSQL (the data reader):
/// every kind, NULLs, an empty result, results over several batches, narrower types widened, bound values.
/// </summary>
public sealed class ColumnReadTests(PostgresCluster postgres) : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private Task<IWarehouse> Open(string engine) => TestWarehouses.CreateAsync(engine, _temp, postgres);

    private static readonly DataKind[] EveryKind = [DataKind.Integer, DataKind.Number, DataKind.Boolean, DataKind.Date, DataKind.Timestamp, DataKind.Text];

    // A step's read must stop when its run is cancelled (trib serve stopping): DuckDB's Arrow export ran the whole query on the
    // caller's thread without watching the token, so a slow read held the run "running" past the server's stop.
    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task ReadColumns_CancelledDuringASlowQuery_InterruptsItAndThrowsOperationCanceled(string engine)
    {
        await using var wh = await Open(engine);
        var slow = engine == "duckdb"
            ? "SELECT count(*) FROM range(100000000) a, range(100000000) b"
            : "SELECT count(*) FROM generate_series(1, 100000000) a, generate_series(1, 100000000) b";
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var watch = System.Diagnostics.Stopwatch.StartNew();

        // On a thread of its own: before the fix the first batch never came back, and the call did not return at all.
        var read = Task.Run(async () =>
        {
            await foreach (var _ in wh.ReadColumnsAsync(slow, null, [DataKind.Integer], cancel.Token)) { }
        }, Ct);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => read.WaitAsync(TimeSpan.FromSeconds(20), Ct));
        Assert.Equal(1L, Convert.ToInt64(await wh.ScalarAsync("SELECT 1", null, Ct)));
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task ReadColumns_EveryKind_ValuesAndNullsAsTyped(string engine)
    {
        await using var wh = await Open(engine);
        var rows = new List<(long, double, bool, DateOnly, DateTime, string?, bool[])>();
        await foreach (var b in wh.ReadColumnsAsync("""
            SELECT CAST(i AS BIGINT), CAST(x AS DOUBLE PRECISION), flag, CAST(d AS DATE), CAST(ts AS TIMESTAMP), CAST(s AS VARCHAR)
            FROM (VALUES (1, 1.5, TRUE, '2025-03-04', '2025-03-04 05:06:07.123456', 'a'),
                         (NULL, NULL, NULL, NULL, NULL, NULL),
                         (-3, -0.25, FALSE, '1969-12-31', '1969-12-31 23:59:59', 'é, "x"')) AS v(i, x, flag, d, ts, s)
            ORDER BY i NULLS LAST
            """, null, EveryKind, Ct))
            for (var r = 0; r < b.Count; r++)
                rows.Add((b.Values<long>(0)[r], b.Values<double>(1)[r], b.Values<bool>(2)[r], b.Values<DateOnly>(3)[r], b.Values<DateTime>(4)[r], b.Values<string>(5)[r],
                    Enumerable.Range(0, EveryKind.Length).Select(c => b.IsNull(c, r)).ToArray()));

        Assert.Equal(3, rows.Count);
        Assert.Equal((-3L, -0.25, false, new DateOnly(1969, 12, 31), new DateTime(1969, 12, 31, 23, 59, 59), "é, \"x\""), (rows[0].Item1, rows[0].Item2, rows[0].Item3, rows[0].Item4, rows[0].Item5, rows[0].Item6));
        Assert.Equal((1L, 1.5, true, new DateOnly(2025, 3, 4), new DateTime(2025, 3, 4, 5, 6, 7).AddTicks(1_234_560), "a"), (rows[1].Item1, rows[1].Item2, rows[1].Item3, rows[1].Item4, rows[1].Item5, rows[1].Item6));
        Assert.All(rows.Take(2), r => Assert.DoesNotContain(true, r.Item7));
        // A NULL reads as the type's default and is told apart by IsNull.
        Assert.Equal((0L, 0.0, false, default(DateOnly), default(DateTime), (string?)null), (rows[2].Item1, rows[2].Item2, rows[2].Item3, rows[2].Item4, rows[2].Item5, rows[2].Item6));
        Assert.All(rows[2].Item7, Assert.True);
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task ReadColumns_EmptyResult_NoRows(string engine)
    {
        await using var wh = await Open(engine);
        var rows = 0;
        await foreach (var b in wh.ReadColumnsAsync("SELECT CAST(1 AS BIGINT), CAST('x' AS VARCHAR) WHERE 1 = 0", null, [DataKind.Integer, DataKind.Text], Ct))
            rows += b.Count;

        Assert.Equal(0, rows);
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task ReadColumns_ManyBatches_EveryRowOnceInOrderWithItsNulls(string engine)
    {
        await using var wh = await Open(engine);
        const int n = 20_001;
        var q = new SqlBuilder(wh.Dialect);
        var limit = q.Bind((long)n, DataKind.Integer);
        var (batches, next) = (0, 1L);
        await foreach (var b in wh.ReadColumnsAsync($"""
            SELECT CAST(g AS INTEGER), CASE WHEN g % 7 = 0 THEN NULL ELSE CAST(g AS REAL) / 2 END, CASE WHEN g % 5 = 0 THEN NULL ELSE CAST(g AS VARCHAR) END
            FROM generate_series(1, {limit}) AS s(g) ORDER BY s.g
            """, q.Parameters, [DataKind.Integer, DataKind.Number, DataKind.Text], Ct))
        {
            batches++;
            Assert.Equal(b.Values<long>(0).Length, b.Count);
            for (var r = 0; r < b.Count; r++, next++)
            {
                Assert.Equal(next, b.Values<long>(0)[r]);
                Assert.Equal(next % 7 == 0, b.IsNull(1, r));
                Assert.Equal(next % 7 == 0 ? 0 : next / 2.0, b.Values<double>(1)[r]);
                Assert.Equal(next % 5 == 0, b.IsNull(2, r));
                Assert.Equal(next % 5 == 0 ? null : next.ToString(System.Globalization.CultureInfo.InvariantCulture), b.Values<string>(2)[r]);
            }
        }

        Assert.Equal(n + 1, next);
        Assert.True(batches > 1, $"{batches} batch(es) for {n} rows");
    }

    // Booleans and timestamps over many batches, with and without NULLs in a batch: each row's own value (booleans are
    // read from their bits, timestamps of a batch without NULLs without asking each row).
    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task ReadColumns_BooleansAndTimestampsOverManyBatches_EachRowsValue(string engine)
    {
        await using var wh = await Open(engine);
        const int n = 10_007;
        var q = new SqlBuilder(wh.Dialect);
        var limit = q.Bind((long)n, DataKind.Integer);
        var next = 1L;
        await foreach (var b in wh.ReadColumnsAsync($"""
            SELECT CAST(g AS INTEGER), g % 3 = 0, CASE WHEN g % 11 = 0 THEN NULL ELSE g % 2 = 0 END,
                CAST(TIMESTAMP '2025-01-01 00:00:00' + g * INTERVAL '1 minute' AS TIMESTAMP),
                CASE WHEN g > 5000 AND g % 13 = 0 THEN NULL ELSE CAST(TIMESTAMP '2025-01-01 00:00:00' + g * INTERVAL '1 second' AS TIMESTAMP) END
            FROM generate_series(1, {limit}) AS s(g) ORDER BY s.g
            """, q.Parameters, [DataKind.Integer, DataKind.Boolean, DataKind.Boolean, DataKind.Timestamp, DataKind.Timestamp], Ct))
            for (var r = 0; r < b.Count; r++, next++)
            {
                Assert.Equal(next, b.Values<long>(0)[r]);
                Assert.Equal(next % 3 == 0, b.Values<bool>(1)[r]);
                Assert.Equal(next % 11 == 0, b.IsNull(2, r));
                Assert.Equal(next % 11 != 0 && next % 2 == 0, b.Values<bool>(2)[r]);
                Assert.Equal(new DateTime(2025, 1, 1).AddMinutes(next), b.Values<DateTime>(3)[r]);
                var stampNull = next > 5000 && next % 13 == 0;
                Assert.Equal(stampNull, b.IsNull(4, r));
                Assert.Equal(stampNull ? default : new DateTime(2025, 1, 1).AddSeconds(next), b.Values<DateTime>(4)[r]);
            }

        Assert.Equal(n + 1, next);
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task ReadColumns_KindsNotMatchingTheColumns_Refused(string engine)
    {
        await using var wh = await Open(engine);

        await Assert.ThrowsAsync<ArgumentException>(async () =>
        {
            await foreach (var _ in wh.ReadColumnsAsync("SELECT CAST(1 AS BIGINT), CAST(2 AS BIGINT)", null, [DataKind.Integer], Ct)) { }
        });
        var batch = new ColumnBatch([DataKind.Integer], 1);
        Assert.Throws<InvalidCastException>(() => batch.Values<double>(0).Length);
    }
}
