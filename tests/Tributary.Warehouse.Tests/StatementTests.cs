using System.Globalization;
using Tributary.Core.Warehousing;
using Tributary.Testing;

namespace Tributary.Warehouse.Tests;

/// <summary>Every command the warehouse sends is one statement, judged by the engine's parser; bound text acts as a literal.</summary>
public sealed class StatementTests(PostgresCluster postgres) : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task AnyCommand_HoldingSeveralStatements_IsRefusedAndRunsNone(string engine)
    {
        await using var wh = await TestWarehouses.CreateAsync(engine, _temp, postgres);
        await wh.ExecuteAsync("CREATE TABLE orders AS SELECT 1 AS id", null, Ct);

        // Without parameters too: Npgsql would otherwise split the text at ';' itself.
        var execute = await Assert.ThrowsAsync<InvalidOperationException>(() => wh.ExecuteAsync("DELETE FROM orders; DROP TABLE orders", null, Ct));
        var query = await Assert.ThrowsAsync<InvalidOperationException>(() => wh.QueryAsync("SELECT 1; DROP TABLE orders", null, 10, Ct));
        var build = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            wh.ReplaceTableAsync("t", (b, ct) => b.CreateAsSelectAsync("SELECT $1 AS a; DROP TABLE orders", ["x"], ct), Ct));

        var expected = engine == "duckdb" ? "the SQL holds 2 statements; " : "the SQL holds more than one statement; ";
        Assert.All([execute, query, build], e => Assert.StartsWith(expected, e.Message, StringComparison.Ordinal));
        Assert.Equal(1L, Convert.ToInt64(await wh.ScalarAsync("SELECT count(*) FROM orders", null, Ct)));
    }

    // The executor does not retry a step that failed so: the same statement would fail the same way after every delay.
    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task IsStatementError_ParseNameAndTypeErrors_AreTold_DataAndDuplicateErrorsAreNot(string engine)
    {
        await using var wh = await TestWarehouses.CreateAsync(engine, _temp, postgres);
        await wh.ExecuteAsync("CREATE TABLE orders AS SELECT 1 AS id, 'x' AS code", null, Ct);
        async Task<Exception> Failure(string sql) => await Assert.ThrowsAnyAsync<Exception>(() => wh.QueryAsync(sql, null, 10, Ct));
        async Task<Exception> StreamedFailure(string sql) => await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await foreach (var _ in wh.ReadColumnsAsync(sql, null, [DataKind.Integer], Ct)) { }
        });

        Exception[] statementErrors =
        [
            await Failure("SELEC id FROM orders"),
            await Failure("SELECT refund_amount FROM orders"),
            await Failure("SELECT id FROM order_lines"),
            await Failure("SELECT no_such_function(id) FROM orders"),
            await StreamedFailure("SELECT CAST(refund_amount AS BIGINT) FROM orders"),
        ];
        Exception[] others =
        [
            await Failure("SELECT CAST(code AS INTEGER) FROM orders"),
            await Assert.ThrowsAnyAsync<Exception>(() => wh.ExecuteAsync("CREATE TABLE orders (id INTEGER)", null, Ct)),
            new InvalidOperationException("Binder Error: only the words of one"),
        ];

        Assert.All(statementErrors, e => Assert.True(wh.IsStatementError(e), e.ToString()));
        Assert.True(wh.IsStatementError(new InvalidOperationException("a component's own message", statementErrors[1])));
        Assert.All(others, e => Assert.False(wh.IsStatementError(e), e.ToString()));
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task BoundText_TakesTheTypeOfWhereItIsUsed(string engine)
    {
        await using var wh = await TestWarehouses.CreateAsync(engine, _temp, postgres);

        var day = await wh.ScalarAsync("SELECT count(*) FROM (SELECT DATE '2024-03-01' AS d) AS x WHERE d = $1", ["2024-03-01"], Ct);
        var text = await wh.ScalarAsync("SELECT $1 || 'b'", ["a"], Ct);

        Assert.Equal((1L, "ab"), (Convert.ToInt64(day), (string)text!));
    }

    // DuckDB guesses a placeholder's type from where it first stands (here ELSE 1: INTEGER) and DuckDB.NET converted the
    // value to it, so 1.09 arrived as 1 in every use of $1; PostgreSQL is sent each value's own type.
    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task BoundNumber_KeepsItsTypeWhereverItStands(string engine)
    {
        await using var wh = await TestWarehouses.CreateAsync(engine, _temp, postgres);

        var result = await wh.QueryAsync("""
            SELECT CASE WHEN 1 = 1 THEN $1 ELSE 1 END AS v, $1 AS bare, 10 * $1 AS times, coalesce($1, 0) AS co,
                   (SELECT count(*) FROM (VALUES (1), (2)) AS t(x) WHERE x = $1) AS equal_to_an_integer, 2 > $1 AS above
            """, [1.09], 10, Ct);

        var row = Assert.Single(result.Rows);
        Assert.Equal((1.09, 1.09, 10.9, 1.09), (Number(row[0]), Number(row[1]), Math.Round(Number(row[2]), 12), Number(row[3])));
        Assert.Equal((0L, true), (Convert.ToInt64(row[4], CultureInfo.InvariantCulture), row[5]));
        Assert.All(result.Schema.Columns.Take(4), c => Assert.Equal(DataKind.Number, c.Kind));
    }

    // DuckDB's grammar takes a bare placeholder or a parenthesized expression after INTERVAL, not a function call: the
    // typed cast of a bound number stays in parentheses (PostgreSQL has no INTERVAL $1 DAY form to test).
    [Fact]
    public async Task BoundNumber_InDuckDbsIntervalPlaceholderForm_StillParses()
    {
        await using var wh = await TestWarehouses.CreateAsync("duckdb", _temp, postgres);

        var result = await wh.QueryAsync("SELECT CAST(CAST(DATE '2025-01-01' + INTERVAL $1 DAY AS DATE) AS VARCHAR) AS d, -$2 AS negated, $1::INTEGER AS recast", [3L, 1.5], 10, Ct);

        var row = Assert.Single(result.Rows);
        Assert.Equal(("2025-01-04", -1.5, 3), ((string)row[0]!, Number(row[1]), Convert.ToInt32(row[2], CultureInfo.InvariantCulture)));
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task BoundValues_OfEachType_KeepTheirValueBesideAnotherType(string engine)
    {
        await using var wh = await TestWarehouses.CreateAsync(engine, _temp, postgres);

        // $1: past INTEGER's range; $2: a boolean; $3: NULL, which takes the type beside it; $4: a whole number beside a
        // real one; $5, $6: a date and a timestamp beside their kind; $7: text beside a date.
        var row = Assert.Single((await wh.QueryAsync("""
            SELECT CASE WHEN 1 = 1 THEN $1 ELSE 1 END, CASE WHEN 1 = 1 THEN $2 ELSE false END, coalesce($3, 2.5),
                   CASE WHEN 1 = 1 THEN $4 ELSE 0.5 END, CASE WHEN 1 = 1 THEN $5 ELSE DATE '2020-01-01' END,
                   CASE WHEN 1 = 1 THEN $6 ELSE TIMESTAMP '2020-01-01 00:00:00' END, CASE WHEN 1 = 1 THEN $7 ELSE DATE '2020-01-01' END
            """, [5_000_000_000L, true, null, 3L, new DateOnly(2024, 3, 1), new DateTime(2024, 3, 1, 10, 30, 0), "2024-03-02"], 10, Ct)).Rows);

        Assert.Equal((5_000_000_000L, true, 2.5, 3.0), (Convert.ToInt64(row[0], CultureInfo.InvariantCulture), row[1], Number(row[2]), Number(row[3])));
        Assert.Equal(new DateOnly(2024, 3, 1), Day(row[4]));
        Assert.Equal(new DateTime(2024, 3, 1, 10, 30, 0), Convert.ToDateTime(row[5], CultureInfo.InvariantCulture));
        Assert.Equal(new DateOnly(2024, 3, 2), Day(row[6]));
    }

    private static double Number(object? value) => Convert.ToDouble(value, CultureInfo.InvariantCulture);

    private static DateOnly Day(object? value) => value is DateOnly d ? d : DateOnly.FromDateTime(Convert.ToDateTime(value, CultureInfo.InvariantCulture));

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Literal_HoldsAnyTextExactly(string engine)
    {
        await using var wh = await TestWarehouses.CreateAsync(engine, _temp, postgres);
        const string text = @"it's a\b \' ''; DROP TABLE x; --";

        Assert.Equal(text, await wh.ScalarAsync($"SELECT {wh.Dialect.Literal(text)}", null, Ct));
    }
}
