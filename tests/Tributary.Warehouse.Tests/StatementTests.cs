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
