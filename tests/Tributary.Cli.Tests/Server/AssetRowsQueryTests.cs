using Tributary.Core.Warehousing;
using Tributary.Server.Api;
using Tributary.Testing;
using Tributary.Warehouse;

namespace Tributary.Cli.Tests.Server;

/// <summary>An asset preview's page ordered and searched in SQL, on both engines: the order is the whole table's.</summary>
public sealed class AssetRowsQueryTests(PostgresCluster postgres) : IDisposable
{
    private readonly TempDirectory _temp = new();
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _temp.Dispose();

    private async Task<IWarehouse> OpenAsync(string engine)
    {
        var warehouse = await WarehouseFactory.OpenAsync(Path.Combine(_temp.Path, "w.duckdb"), engine == "postgres" ? await postgres.NewSchemaAsync() : null, Ct);
        await warehouse.ExecuteAsync("CREATE TABLE ltv (customer_id VARCHAR, email VARCHAR, clv DOUBLE PRECISION)", null, Ct);
        await warehouse.ExecuteAsync("""
            INSERT INTO ltv VALUES ('p_1', 'ann@x.com', 10), ('p_2', 'bob@y.com', NULL), ('p_3', 'cy_100%@x.com', 3539),
                                   ('p_4', NULL, 40), ('p_5', 'Dee@X.com', 40)
            """, null, Ct);
        return warehouse;
    }

    private static async Task<(string Ids, long Count)> PageAsync(IWarehouse warehouse, string? orderBy, string? direction, string? search, long offset = 0, int limit = 10,
        string? keyColumn = null, IReadOnlyList<string>? keys = null)
    {
        var schema = (await warehouse.DescribeTableAsync("ltv", Ct))!;
        var (query, error) = AssetRowsQuery.Build(warehouse.Dialect, "ltv", schema, orderBy, direction, search, offset, keyColumn, keys);
        Assert.True(query is not null, error);
        var rows = await warehouse.QueryAsync(query.Select, query.Parameters, limit, Ct);
        return (string.Join(" ", rows.Rows.Select(r => (string)r[0]!)), Convert.ToInt64(await warehouse.ScalarAsync(query.Count, query.Parameters, Ct)));
    }

    [Theory]
    [InlineData("duckdb")]
    [InlineData("postgres")]
    public async Task Build_OrderByDescending_OrdersTheWholeTable_NullsLast_TiesByTheFirstColumn(string engine)
    {
        await using var warehouse = await OpenAsync(engine);

        Assert.Equal(("p_3 p_4 p_5 p_1 p_2", 5L), await PageAsync(warehouse, "clv", "desc", null));
        Assert.Equal(("p_1 p_4 p_5 p_3 p_2", 5L), await PageAsync(warehouse, "clv", "ASC", null));
        // The second page of two continues the order of the whole table.
        Assert.Equal(("p_5 p_1", 5L), await PageAsync(warehouse, "clv", "desc", null, offset: 2, limit: 2));
    }

    [Theory]
    [InlineData("duckdb")]
    [InlineData("postgres")]
    public async Task Build_Search_MatchesTextColumnsWhateverTheCase_PercentAsTyped(string engine)
    {
        await using var warehouse = await OpenAsync(engine);

        Assert.Equal(("p_1 p_3 p_5", 3L), await PageAsync(warehouse, "customer_id", null, " X.COM "));
        Assert.Equal(("p_3", 1L), await PageAsync(warehouse, null, null, "_100%"));
        Assert.Equal(("", 0L), await PageAsync(warehouse, null, null, "nobody"));
    }

    [Theory]
    [InlineData("duckdb")]
    [InlineData("postgres")]
    public async Task Build_Keys_OnlyTheRowsWithThoseKeys_AKeyWithAQuoteIsAValue(string engine)
    {
        await using var warehouse = await OpenAsync(engine);

        Assert.Equal(("p_5 p_1", 2L), await PageAsync(warehouse, "clv", "desc", null, keyColumn: "customer_id", keys: ["p_1", "p_5", "p_9", "p_1' OR '1'='1"]));
        Assert.Equal(("", 0L), await PageAsync(warehouse, null, null, null, keyColumn: "customer_id", keys: []));
    }

    [Fact]
    public async Task Build_UnknownColumnOrDirection_IsRefusedNamingTheColumns()
    {
        await using var warehouse = await OpenAsync("duckdb");
        var schema = (await warehouse.DescribeTableAsync("ltv", Ct))!;

        Assert.Equal("table 'ltv' has no column 'clv\" DESC; DROP TABLE ltv; --'; its columns are customer_id, email, clv",
            AssetRowsQuery.Build(warehouse.Dialect, "ltv", schema, "clv\" DESC; DROP TABLE ltv; --", null, null, 0).Error);
        Assert.Equal("table 'ltv' has no column 'CLV'; its columns are customer_id, email, clv",
            AssetRowsQuery.Build(warehouse.Dialect, "ltv", schema, "CLV", null, null, 0).Error);
        Assert.Equal("direction must be asc or desc, got 'desc; --'", AssetRowsQuery.Build(warehouse.Dialect, "ltv", schema, "clv", "desc; --", null, 0).Error);
        Assert.Equal("table 'ltv' has no column 'id'; its columns are customer_id, email, clv", AssetRowsQuery.Build(warehouse.Dialect, "ltv", schema, null, null, null, 0, "id", ["p_1"]).Error);
        Assert.Equal("key needs key_column, the column that holds the keys", AssetRowsQuery.Build(warehouse.Dialect, "ltv", schema, null, null, null, 0, null, ["p_1"]).Error);
        Assert.Equal("search is 201 characters; at most 200", AssetRowsQuery.Build(warehouse.Dialect, "ltv", schema, null, null, new string('x', 201), 0).Error);
    }
}
