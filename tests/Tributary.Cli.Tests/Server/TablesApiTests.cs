using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Tributary.Core.Warehousing;
using Tributary.Server.Api;
using Tributary.Server.Contracts;
using Tributary.Testing;
using Tributary.Warehouse.DuckDb;
using Tributary.Warehouse.Postgres;

namespace Tributary.Cli.Tests.Server;

/// <summary><c>GET /api/tables</c>: the warehouse's tables and views by schema with columns and row counts, on both engines, for the Explore page.</summary>
public sealed class TablesApiTests(PostgresCluster postgres) : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly string _variable = "TRIB_TEST_TABLES_" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
    private string Project => Path.Combine(_temp.Path, "project");
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        Environment.SetEnvironmentVariable(_variable, null);
        _temp.Dispose();
    }

    private async Task InitAsync(string engine)
    {
        Assert.Equal(0, (await Trib.RunAsync("init", Project)).ExitCode);
        if (engine != "postgres") return;
        var settings = Path.Combine(Project, "tributary.yaml");
        ProjectSettingsFile.UsePostgresWarehouse(settings, _variable);
        Environment.SetEnvironmentVariable(_variable, await postgres.NewSchemaAsync());
    }

    private async Task QueryAsync(string sql)
    {
        var result = await Trib.RunAsync("query", sql, "--project", Project);
        Assert.True(result.ExitCode == 0, $"{sql}: {result.Error}");
    }

    [Theory]
    [InlineData("duckdb")]
    [InlineData("postgres")]
    public async Task Tables_ListsTablesAndViewsBySchema_WithColumnTypesAndExactRowCounts(string engine)
    {
        await InitAsync(engine);
        // A second schema, unique on the shared test cluster; a name that needs quoting, and a view, whose rows are not counted.
        var extra = "extra_" + Guid.NewGuid().ToString("N")[..8];
        await QueryAsync("CREATE TABLE people AS SELECT 1 AS id, 'Ada' AS name UNION ALL SELECT 2, 'Grace' UNION ALL SELECT 3, NULL");
        await QueryAsync("CREATE TABLE \"odd \"\"name\"\" t\" (amount DECIMAL(18,2), paid_at TIMESTAMP)");
        await QueryAsync("CREATE VIEW named_people AS SELECT name FROM people WHERE name IS NOT NULL");
        await QueryAsync($"CREATE SCHEMA {extra}");
        await QueryAsync($"CREATE TABLE {extra}.orders AS SELECT 7 AS order_id");
        await using var served = await InProcessServer.StartAsync(Project, Ct);

        using var response = await served.Http.GetAsync("/api/tables", Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {text}");
        var catalog = JsonSerializer.Deserialize<WarehouseCatalogView>(text, ApiJson.Options)!;

        Assert.Equal(engine, catalog.Engine);
        var mine = catalog.Tables.Where(t => t.Schema == catalog.CurrentSchema).ToList();
        Assert.Equal(["named_people", "odd \"name\" t", "people"], mine.Select(t => t.Name));
        var people = mine.Single(t => t.Name == "people");
        Assert.False(people.IsView);
        Assert.Equal(3, people.Rows);
        Assert.Equal([("id", DataKind.Integer), ("name", DataKind.Text)], people.Columns.Select(c => (c.Name, c.Type)));
        Assert.Equal(engine == "duckdb" ? ["INTEGER", "VARCHAR"] : ["integer", "text"], people.Columns.Select(c => c.SqlType));
        var odd = mine.Single(t => t.Name == "odd \"name\" t");
        Assert.Equal(0, odd.Rows);
        Assert.Equal([DataKind.Number, DataKind.Timestamp], odd.Columns.Select(c => c.Type));
        // A decimal's precision and scale say what it holds: PostgreSQL's information_schema gives them apart from "numeric".
        Assert.Equal(engine == "duckdb" ? ["DECIMAL(18,2)", "TIMESTAMP"] : ["numeric(18,2)", "timestamp without time zone"], odd.Columns.Select(c => c.SqlType));
        Assert.DoesNotContain(catalog.Tables, t => t.RowsEstimated);
        var view = mine.Single(t => t.Name == "named_people");
        Assert.True(view.IsView);
        Assert.Null(view.Rows);
        var orders = Assert.Single(catalog.Tables, t => t.Schema == extra);
        Assert.Equal(("orders", 1L), (orders.Name, orders.Rows));
        Assert.DoesNotContain(catalog.Tables, t => t.Schema is "information_schema" or "pg_catalog" || t.Name.StartsWith("_tributary_", StringComparison.Ordinal));
    }

    // Counting a billion PostgreSQL rows takes longer than the server allows, so a table the planner estimates above the
    // threshold gives that estimate, marked; the threshold is lowered here rather than a million rows written.
    [Fact]
    public async Task Tables_OnPostgres_ATableEstimatedAboveTheThreshold_GivesThePlannersEstimateMarked_OthersAreCounted()
    {
        await using var warehouse = await PostgresWarehouse.OpenAsync(await postgres.NewSchemaAsync(), Ct);
        await warehouse.ExecuteAsync("CREATE TABLE big (id integer)", null, Ct);
        await warehouse.ExecuteAsync("INSERT INTO big SELECT i FROM generate_series(1, 2000) AS g(i)", null, Ct);
        await warehouse.ExecuteAsync("ANALYZE big", null, Ct);
        // Five rows since the ANALYZE (too few for autovacuum to analyze again): a count says 2005, the estimate 2000.
        await warehouse.ExecuteAsync("INSERT INTO big SELECT i FROM generate_series(2001, 2005) AS g(i)", null, Ct);
        await warehouse.ExecuteAsync("CREATE TABLE small (id integer)", null, Ct);
        await warehouse.ExecuteAsync("INSERT INTO small SELECT i FROM generate_series(1, 3) AS g(i)", null, Ct);
        await warehouse.ExecuteAsync("ANALYZE small", null, Ct);

        var catalog = await TablesApi.ReadAsync(warehouse, estimateAbove: 1000, Ct);

        var mine = catalog.Tables.Where(t => t.Schema == catalog.CurrentSchema).ToDictionary(t => t.Name, t => (t.Rows, t.RowsEstimated));
        Assert.Equal((2000L, true), mine["big"]);
        Assert.Equal((3L, false), mine["small"]);
        // At the real threshold every one of them is counted.
        var counted = (await TablesApi.ReadAsync(warehouse, TablesApi.EstimateAbove, Ct)).Tables.Single(t => t.Schema == catalog.CurrentSchema && t.Name == "big");
        Assert.Equal((2005L, false), (counted.Rows, counted.RowsEstimated));
    }

    // A table never analyzed has no planner estimate (reltuples -1): a huge one is estimated from its size and its columns'
    // widths rather than scanned, and one whose size says it is small is counted.
    [Fact]
    public async Task Tables_OnPostgres_ANeverAnalyzedTable_IsEstimatedFromItsSizeWhenThatIsAboveTheThreshold()
    {
        await using var warehouse = await PostgresWarehouse.OpenAsync(await postgres.NewSchemaAsync(), Ct);
        // Autovacuum off for them, so that it cannot analyze them while the test runs.
        await warehouse.ExecuteAsync("CREATE TABLE fresh WITH (autovacuum_enabled = false) AS SELECT CAST(i AS integer) AS id FROM generate_series(1, 20000) AS g(i)", null, Ct);
        await warehouse.ExecuteAsync("CREATE TABLE few WITH (autovacuum_enabled = false) AS SELECT CAST(i AS integer) AS id FROM generate_series(1, 20) AS g(i)", null, Ct);
        Assert.Equal(-1.0, Convert.ToDouble(await warehouse.ScalarAsync("SELECT reltuples FROM pg_class WHERE oid = 'fresh'::regclass", null, Ct), System.Globalization.CultureInfo.InvariantCulture));

        var catalog = await TablesApi.ReadAsync(warehouse, estimateAbove: 1000, Ct);

        var mine = catalog.Tables.Where(t => t.Schema == catalog.CurrentSchema).ToDictionary(t => t.Name, t => (t.Rows, t.RowsEstimated));
        // 226 integer rows fill a page; 89 pages hold the 20,000.
        Assert.True(mine["fresh"].RowsEstimated);
        Assert.InRange(mine["fresh"].Rows!.Value, 19_000L, 21_000L);
        Assert.Equal((20L, false), mine["few"]);
    }

    // DuckDB counts cheaply, so it always counts, at any threshold; its estimated_size would still include the deleted rows.
    [Fact]
    public async Task Tables_OnDuckDb_CountsEveryTableExactly_WhateverTheThreshold()
    {
        await using var warehouse = await DuckDbWarehouse.OpenAsync(Path.Combine(_temp.Path, "w.duckdb"), Ct);
        await warehouse.ExecuteAsync("CREATE TABLE big AS SELECT i AS id FROM range(55) AS r(i)", null, Ct);
        await warehouse.ExecuteAsync("DELETE FROM big WHERE id < 5", null, Ct);

        var big = Assert.Single((await TablesApi.ReadAsync(warehouse, estimateAbove: 10, Ct)).Tables);

        Assert.Equal(("big", 50L, false), (big.Name, big.Rows, big.RowsEstimated));
    }

    [Fact]
    public async Task Tables_WithAToken_RequireIt_AndAnotherHostOrSiteGetsNothing()
    {
        await InitAsync("duckdb");
        await QueryAsync("CREATE TABLE people AS SELECT 1 AS id");
        await using var served = await InProcessServer.StartAsync(Project, Ct, token: "tables-test-token");
        var http = served.Http;
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("/api/tables", Ct)).StatusCode);

        http.DefaultRequestHeaders.Add("Authorization", "Bearer tables-test-token");
        Assert.Equal("people", Assert.Single((await http.GetFromJsonAsync<WarehouseCatalogView>("/api/tables", ApiJson.Options, Ct))!.Tables).Name);
        // Another site's page gets no CORS grant to read it; another host name (DNS rebinding) is refused.
        using var crossSite = new HttpRequestMessage(HttpMethod.Get, "/api/tables") { Headers = { { "Origin", "http://evil.example" }, { "Sec-Fetch-Site", "cross-site" } } };
        Assert.False((await http.SendAsync(crossSite, Ct)).Headers.Contains("Access-Control-Allow-Origin"));
        using var rebound = new HttpRequestMessage(HttpMethod.Get, "/api/tables") { Headers = { Host = $"evil.example:{served.Server.Address.Port}" } };
        Assert.Equal(HttpStatusCode.BadRequest, (await http.SendAsync(rebound, Ct)).StatusCode);
    }
}
