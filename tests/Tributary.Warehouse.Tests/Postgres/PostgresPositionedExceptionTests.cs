using System.Data.Common;
using Tributary.Core.Warehousing;
using Tributary.Testing;
using Tributary.Warehouse.Postgres;

namespace Tributary.Warehouse.Tests.Postgres;

/// <summary>PostgreSQL's error position in a query the warehouse wraps (<c>CREATE TABLE ... AS</c>) is told in the caller's query, as psql shows it.</summary>
public sealed class PostgresPositionedExceptionTests(PostgresCluster postgres)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<DbException> BuildFailureAsync(string sql, bool append = false)
    {
        await using var wh = await PostgresWarehouse.OpenAsync(await postgres.NewSchemaAsync(), Ct);
        await wh.ExecuteAsync("CREATE TABLE t AS SELECT 1 AS v", null, Ct);
        return await Assert.ThrowsAnyAsync<DbException>(() => wh.ReplaceTableAsync("x", async (b, ct) =>
        {
            if (append) await b.CreateAsSelectAsync("SELECT 1 AS v", null, ct);
            await (append ? b.InsertSelectAsync(sql, null, ct) : b.CreateAsSelectAsync(sql, null, ct));
        }, Ct));
    }

    [Fact]
    public async Task CreateAsSelect_UnknownColumnOnTheSecondLine_PointsAtItInTheCallersQuery()
    {
        var e = await BuildFailureAsync("SELECT v,\n  nope\nFROM t");

        Assert.Equal("42703: column \"nope\" does not exist\n\nLINE 2:   nope\n          ^", e.Message);
        Assert.Equal("42703", e.SqlState);
        await using var wh = await PostgresWarehouse.OpenAsync(await postgres.NewSchemaAsync(), Ct);
        Assert.True(wh.IsStatementError(e));
    }

    // PostgreSQL counts characters, not UTF-16 units; a tab before the error stays a tab under it.
    [Fact]
    public async Task CreateAsSelect_AfterCharactersOutsideTheBmpAndATab_CountsCharacters()
    {
        var e = await BuildFailureAsync("SELECT 'é€😀' AS s,\n\tnope FROM t");

        Assert.Equal("42703: column \"nope\" does not exist\n\nLINE 2: \tnope FROM t\n        \t^", e.Message);
    }

    [Fact]
    public async Task CreateAsSelect_SyntaxErrorAtTheEnd_PointsPastTheLastCharacter()
    {
        var e = await BuildFailureAsync("SELECT v FROM");

        Assert.Equal("42601: syntax error at end of input\n\nLINE 1: SELECT v FROM\n                     ^", e.Message);
    }

    [Fact]
    public async Task InsertSelect_UnknownColumn_PointsAtItInTheCallersQuery()
    {
        var e = await BuildFailureAsync("SELECT nope FROM t", append: true);

        Assert.Equal("42703: column \"nope\" does not exist\n\nLINE 1: SELECT nope FROM t\n               ^", e.Message);
    }
}
