using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Tributary.Core.Warehousing;
using Tributary.Server.Contracts;
using Tributary.Testing;

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
        var view = mine.Single(t => t.Name == "named_people");
        Assert.True(view.IsView);
        Assert.Null(view.Rows);
        var orders = Assert.Single(catalog.Tables, t => t.Schema == extra);
        Assert.Equal(("orders", 1L), (orders.Name, orders.Rows));
        Assert.DoesNotContain(catalog.Tables, t => t.Schema is "information_schema" or "pg_catalog" || t.Name.StartsWith("_tributary_", StringComparison.Ordinal));
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
