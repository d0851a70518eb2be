using Tributary.Core.Warehousing;
using Tributary.Testing;
using Tributary.Warehouse.DuckDb;
using Tributary.Warehouse.Postgres;

namespace Tributary.Warehouse.Tests;

/// <summary>
/// The dialect's engine-specific SQL and the portable values, run identically on DuckDB and PostgreSQL: each piece a
/// component builds through <see cref="SqlBuilder"/> gives the same answer on both, and a value of one kind arrives as
/// one .NET type whatever the engine's client returns.
/// </summary>
public sealed class DialectTests(PostgresCluster postgres) : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private Task<IWarehouse> Open(string engine) => TestWarehouses.CreateAsync(engine, _temp, postgres);

    [Fact]
    public async Task ByteOrder_InADatabaseSortingByEnUs_OrdersIdsAsDuckDbDoes()
    {
        await using var duck = await Open("duckdb");
        await using var pg = await PostgresWarehouse.OpenAsync(await postgres.NewDatabaseAsync("en-US"), Ct);
        string[] ids = ["B", "a_3", "A2", "a-1", "b", "Ä1", "a"];

        async Task<string> Sorted(IWarehouse w, Func<string, string> key)
        {
            await w.ReplaceTableAsync("ids", (b, ct) => b.CreateAndAppendAsync([("id", DataKind.Text)], ids.Select(i => new object?[] { i }), ct), Ct);
            var rows = await w.QueryAsync($"SELECT id, row_number() OVER (ORDER BY {key("id")}) AS n FROM ids ORDER BY {key("id")}", null, 100, Ct);
            Assert.Equal(Enumerable.Range(1, ids.Length).Select(n => (object)(long)n), rows.Rows.Select(r => r[1]));
            return string.Join(" ", rows.Rows.Select(r => r[0]));
        }

        // The database's own order is not DuckDB's: the case this guards against.
        Assert.Equal("a a_3 a-1 Ä1 A2 b B", await Sorted(pg, c => c));
        Assert.Equal("A2 B a a-1 a_3 b Ä1", await Sorted(duck, duck.Dialect.ByteOrder));
        Assert.Equal("A2 B a a-1 a_3 b Ä1", await Sorted(pg, pg.Dialect.ByteOrder));
        Assert.Equal(string.Join(" ", ids.Order(StringComparer.Ordinal)), await Sorted(pg, pg.Dialect.ByteOrder));
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Values_OfEachKind_ArriveAsOnePortableType(string engine)
    {
        await using var wh = await Open(engine);
        await wh.ExecuteAsync("""
            CREATE TABLE t AS SELECT CAST('2025-03-04' AS DATE) AS d, CAST('2025-03-04 05:06:07' AS TIMESTAMP) AS ts, CAST(12.50 AS DECIMAL(10, 2)) AS m,
                CAST(7 AS INTEGER) AS i, CAST(8 AS SMALLINT) AS s, CAST(9 AS BIGINT) AS b, TRUE AS flag, CAST(1.5 AS REAL) AS f
            """, null, Ct);

        var row = (await wh.QueryAsync("SELECT d, ts, m, i, s, b, flag, f, sum(b) OVER () AS total, count(*) OVER () AS n FROM t", null, 10, Ct)).Rows[0];

        Assert.Equal(new DateOnly(2025, 3, 4), row[0]);
        Assert.Equal(new DateTime(2025, 3, 4, 5, 6, 7), row[1]);
        Assert.Equal(12.5, row[2]);
        Assert.Equal(7L, row[3]);
        Assert.Equal(8L, row[4]);
        Assert.Equal(9L, row[5]);
        Assert.Equal(true, row[6]);
        Assert.Equal(1.5, row[7]);
        // A sum of BIGINT is HUGEINT in DuckDB and NUMERIC in PostgreSQL: a number either way, never a BigInteger or decimal.
        Assert.Equal(9.0, Convert.ToDouble(row[8], System.Globalization.CultureInfo.InvariantCulture));
        Assert.IsNotType<decimal>(row[8]);
        Assert.IsNotType<System.Numerics.BigInteger>(row[8]);
        Assert.Equal(1L, row[9]);
        // Scalars and streams take the same road.
        Assert.Equal(new DateOnly(2025, 3, 4), await wh.ScalarAsync("SELECT d FROM t", null, Ct));
        Assert.Equal(12.5, await wh.ScalarAsync("SELECT m FROM t", null, Ct));
        await foreach (var r in wh.StreamAsync("SELECT d, i FROM t", null, Ct))
            Assert.Equal([new DateOnly(2025, 3, 4), 7L], r);
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task StreamRecords_ColumnsCastInTheSql_ReadAsTypedFieldsRowByRow(string engine)
    {
        await using var wh = await Open(engine);
        var (bigint, real) = (wh.Dialect.TypeName(DataKind.Integer), wh.Dialect.TypeName(DataKind.Number));
        var rows = new List<(long, double?, string)>();
        await foreach (var r in wh.StreamRecordsAsync($"""
            SELECT CAST(n AS {bigint}), CAST(CASE WHEN n = 2 THEN NULL ELSE n * 1.5 END AS {real}), CAST(n AS VARCHAR)
            FROM (VALUES (1), (2), (3)) AS v(n) ORDER BY 1
            """, null, Ct))
            rows.Add((r.GetInt64(0), r.IsDBNull(1) ? null : r.GetDouble(1), r.GetString(2)));

        Assert.Equal([(1L, 1.5, "1"), (2L, null, "2"), (3L, 4.5, "3")], rows);
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task SqlBuilder_EachEngineSpecificPiece_GivesTheSameAnswerOnEveryEngine(string engine)
    {
        await using var wh = await Open(engine);
        var q = new SqlBuilder(wh.Dialect);
        var day = q.Bind("2025-03-04", DataKind.Date);
        var at = q.Bind(new DateTime(2025, 3, 4, 10, 0, 0), DataKind.Timestamp);
        var sql = $"""
            SELECT {q.AddDays(day, "1")} AS next_day,
                   {q.DaysBetween(day, q.AddDays(day, "30"))} AS days,
                   {at} - {q.Interval(TimeSpan.FromMinutes(30))} AS half_hour_before,
                   {at} + {q.Interval(TimeSpan.FromDays(2))} AS two_days_after,
                   {q.RegexReplaceAll(q.Bind("+1 (555) 010-2030"), "[^0-9]", "")} AS digits,
                   {q.RegexReplaceAll(q.Bind(@"a\b\c"), @"\\", "/")} AS slashes,
                   {q.DateTrunc(DateUnit.Month, day)} AS month_start,
                   {q.DateTrunc(DateUnit.Week, day)} AS week_start,
                   {q.DateTrunc(DateUnit.Hour, at)} AS hour_start,
                   (SELECT {q.StringAgg("x", ", ", "x DESC")} FROM (SELECT 'a' AS x UNION ALL SELECT 'c' UNION ALL SELECT 'b') AS letters) AS joined,
                   {q.Bind(3L, DataKind.Integer)} + 1 AS four,
                   {q.Cast(q.Bind("12"), DataKind.Number)} / 8 AS ratio
            """;

        var row = (await wh.QueryAsync(sql, q.Parameters, 1, Ct)).Rows[0];

        Assert.Equal(new DateOnly(2025, 3, 5), row[0]);
        Assert.Equal(30L, row[1]);
        Assert.Equal(new DateTime(2025, 3, 4, 9, 30, 0), row[2]);
        Assert.Equal(new DateTime(2025, 3, 6, 10, 0, 0), row[3]);
        Assert.Equal("15550102030", row[4]);
        Assert.Equal("a/b/c", row[5]);
        Assert.Equal(new DateTime(2025, 3, 1), row[6]);
        Assert.Equal(new DateTime(2025, 3, 3), row[7]);
        Assert.Equal(new DateTime(2025, 3, 4, 10, 0, 0), row[8]);
        Assert.Equal("c, b, a", row[9]);
        Assert.Equal(4L, row[10]);
        Assert.Equal(1.5, row[11]);
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task IntegerSum_PastTwoToThe53_IsExactWhereAFloatingPointSumWouldRound(string engine)
    {
        await using var wh = await Open(engine);
        var q = new SqlBuilder(wh.Dialect);
        // 2^53 + 1 rounds back to 2^53 in floating point, so adding the ones to 2^53 one by one would give 2^53; the
        // integer sum gives 2^53 + 2, which a double holds exactly.
        var sql = $"SELECT {q.IntegerSum("v")} AS total FROM (VALUES (CAST(9007199254740992 AS BIGINT)), (CAST(1 AS BIGINT)), (CAST(1 AS BIGINT))) AS t(v)";

        var total = (await wh.QueryAsync(sql, q.Parameters, 1, Ct)).Rows[0][0];

        Assert.Equal(9007199254740994.0, total);
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task FixedPointSum_OfValuesFarApartInMagnitude_IsExactWhereAFloatingPointSumLosesTheSmallOnes(string engine)
    {
        await using var wh = await Open(engine);
        var q = new SqlBuilder(wh.Dialect);
        // 1e20 + 0.75 rounds back to 1e20 in floating point (its last place is 16384), so a sum in row order gives 0 or 0.75
        // depending on where the small values meet the large ones; the fixed-point parts give 1.5 in every order. -2.25
        // checks a negative low part, 3e9 a value with both parts.
        var sql = $"""
            SELECT {q.FixedPointSum("v")} AS total
            FROM (VALUES (CAST(1e20 AS {wh.Dialect.TypeName(DataKind.Number)})), (0.75), (-1e20), (0.75), (3000000000.5), (-3000000000.5), (2.25), (-2.25), (1e20), (-1e20)) AS t(v)
            """;

        var total = (await wh.QueryAsync(sql, q.Parameters, 1, Ct)).Rows[0][0];

        Assert.Equal(1.5, total);
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task FixedPointSum_OfValuesWithAFraction_IsWithinTwoToTheMinus44PerValue(string engine)
    {
        await using var wh = await Open(engine);
        var q = new SqlBuilder(wh.Dialect);
        // 1000 values 0.001 · i + 1/3 (not multiples of 2^-43): each low part is rounded, the sum stays within 1000 · 2^-44.
        var number = wh.Dialect.TypeName(DataKind.Number);
        var sql = $"SELECT {q.FixedPointSum($"CAST(i AS {number}) / 1000 + CAST(1 AS {number}) / 3")} AS total FROM generate_series(1, 1000) AS t(i)";

        var total = Convert.ToDouble((await wh.QueryAsync(sql, q.Parameters, 1, Ct)).Rows[0][0], System.Globalization.CultureInfo.InvariantCulture);

        Assert.Equal(500.5 + 1000.0 / 3, total, 1000 * Math.Pow(2, -44) + 1e-12);
    }

    [Fact]
    public async Task FixedPointSum_OnDuckDb_KeepsMultiplesOfTwoToTheMinus44Exactly()
    {
        await using var wh = await Open("duckdb");
        var q = new SqlBuilder(wh.Dialect);
        // DuckDB sums one HUGEINT in units of 2^-44 (its dialect's WideIntegerType): 2^-44 is kept whole, where the two
        // BIGINT parts (the low one in units of 2^-43) rounded it to 0 or 2^-43.
        var sql = $"SELECT {q.FixedPointSum("CAST(1 AS DOUBLE) / 17592186044416")} AS total FROM generate_series(1, 1000) AS t(i)";

        var total = (await wh.QueryAsync(sql, q.Parameters, 1, Ct)).Rows[0][0];

        Assert.Equal(1000 * Math.Pow(2, -44), total);
    }

    [Fact]
    public void Interval_IsSpelledInTheLargestExactUnit()
    {
        var dialect = new DuckDbDialect();
        Assert.Equal("INTERVAL '30 minutes'", dialect.Interval(TimeSpan.FromMinutes(30)));
        Assert.Equal("INTERVAL '7 days'", dialect.Interval(TimeSpan.FromDays(7)));
        Assert.Equal("INTERVAL '90 seconds'", dialect.Interval(TimeSpan.FromSeconds(90)));
        Assert.Equal("INTERVAL '1500 milliseconds'", dialect.Interval(TimeSpan.FromMilliseconds(1500)));
        Assert.Throws<ArgumentException>(() => _ = dialect.Interval(TimeSpan.FromTicks(5)));
    }

    [Fact]
    public void SqlBuilder_NumbersItsPlaceholdersInBindingOrder()
    {
        var q = new SqlBuilder(new PostgresDialect());

        Assert.Equal("$1", q.Bind("a"));
        Assert.Equal("CAST($2 AS DOUBLE PRECISION)", q.Bind(1.5, DataKind.Number));
        Assert.Equal("CAST($3 AS TEXT), CAST($4 AS TEXT)", q.BindList(["x", "y"], DataKind.Text));
        Assert.Equal(["a", 1.5, "x", "y"], q.Parameters);
    }

    // Pairs of journey.conversion_paths ids found at 100k demo customers with one DuckDB hash (its string hash combines
    // 8-byte chunks): 9,643 of 1,398,279 paths shared a hash with another, so the attribution read fell back to its slower path.
    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task TextHash_IdsBuiltFromCounters_HashApart(string engine)
    {
        await using var wh = await Open(engine);
        string[] ids = ["p_000003317#nc14", "p_000008317#nc19", "p_000003907#nc15", "p_000008907#nc18", "p_000002817#nc19", "p_000005817#nc14", "p_000048376#nc10", "p_000043376#nc15"];
        var q = new SqlBuilder(wh.Dialect);
        var hash = wh.Dialect.TextHash("id");
        Assert.NotNull(hash);
        var rows = (await wh.QueryAsync($"SELECT id, {hash} FROM (VALUES {string.Join(", ", ids.Select(id => $"({q.Bind(id, DataKind.Text)})"))}) AS v(id)", q.Parameters, 100, Ct)).Rows;

        Assert.Equal(ids.Length, rows.Count);
        Assert.All(rows, r => Assert.IsType<long>(r[1]));
        Assert.Equal(ids.Length, rows.Select(r => (long)r[1]!).Distinct().Count());
        // Equal texts hash equal (the read relies on it).
        var one = new SqlBuilder(wh.Dialect);
        Assert.Equal(rows[0][1], await wh.ScalarAsync($"SELECT {wh.Dialect.TextHash(one.Bind(ids[0], DataKind.Text))}", one.Parameters, Ct));
    }

    // The attribution read numbers touches' (channel, campaign) pairs by this hash: pairs that join to the same text
    // ('ab' + 'c', 'a' + 'bc') hash apart, equal pairs equal; PostgreSQL has none (its read joins the pairs instead).
    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task TextPairHash_PairsThatJoinAlike_HashApart_OnDuckDbOnly(string engine)
    {
        await using var wh = await Open(engine);
        var hash = wh.Dialect.TextPairHash("a", "b");
        if (engine != "duckdb")
        {
            Assert.Null(hash);
            return;
        }
        Assert.NotNull(hash);
        var rows = (await wh.QueryAsync($"SELECT {hash} FROM (VALUES ('ab', 'c'), ('a', 'bc'), ('abc', ''), ('', 'abc'), ('ab', 'c')) AS v(a, b)", null, 10, Ct)).Rows;
        Assert.All(rows, r => Assert.IsType<long>(r[0]));
        Assert.Equal(4, rows.Take(4).Select(r => (long)r[0]!).Distinct().Count());
        Assert.Equal(rows[0][0], rows[4][0]);
    }

    // The attribution read on DuckDB takes a filtering scan's rows in stored order (several row groups, both threads).
    [Fact]
    public async Task ScansInStoredOrder_OnDuckDb_AFilteringScanReturnsTheStoredOrder()
    {
        await using var wh = await Open("duckdb");
        Assert.True(wh.Dialect.ScansInStoredOrder);
        await wh.ExecuteAsync("CREATE TABLE t AS SELECT (i * 7919) % 1000003 AS k, i FROM range(600000) r(i)", null, Ct);
        var previous = -1L;
        var ordered = true;
        await foreach (var b in wh.ReadColumnsAsync("SELECT i, k FROM t WHERE k % 3 <> 0", null, [DataKind.Integer, DataKind.Integer], Ct))
            foreach (var i in b.Values<long>(0))
                (ordered, previous) = (ordered && i > previous, i);
        Assert.True(ordered);
        Assert.True(previous > 500000);
    }

    // Left rows at 10 (a right row ties: it counts), 25 (the nearest later is 30, not 40) and 50 (none: NULLs, row kept).
    [Fact]
    public async Task NearestAtOrAfterJoin_OnDuckDb_PairsEachRowWithTheEarliestAtOrAfter_AndPostgresHasNone()
    {
        await using var wh = await Open("duckdb");
        var join = wh.Dialect.NearestAtOrAfterJoin("(VALUES (1, 10), (1, 40), (1, 30), (2, 5))", "b(k, t)", "b.k = a.k", "b.t", "a.t");
        Assert.NotNull(join);
        var rows = (await wh.QueryAsync(
            $"SELECT a.t, b.t FROM (VALUES (1, 10), (1, 25), (1, 50), (2, 10)) a(k, t) {join} ORDER BY a.k, a.t",
            null, 10, Ct)).Rows;
        Assert.Equal([[10L, 10L], [25L, 30L], [50L, null], [10L, null]], rows.Select(r => r.Select(v => v is null ? null : (object?)Convert.ToInt64(v, System.Globalization.CultureInfo.InvariantCulture)).ToArray()).ToArray());
        Assert.Null(new PostgresDialect().NearestAtOrAfterJoin("r", "b", "b.k = a.k", "b.t", "a.t"));
    }
}
