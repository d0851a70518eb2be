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

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Literal_HoldsAnyTextExactly(string engine)
    {
        await using var wh = await TestWarehouses.CreateAsync(engine, _temp, postgres);
        const string text = @"it's a\b \' ''; DROP TABLE x; --";

        Assert.Equal(text, await wh.ScalarAsync($"SELECT {wh.Dialect.Literal(text)}", null, Ct));
    }
}
