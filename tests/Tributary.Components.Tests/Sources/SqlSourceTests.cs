using Tributary.Core.Warehousing;
using Tributary.Engine.Runs;
using Tributary.Testing;
using Tributary.Warehouse.DuckDb;

namespace Tributary.Components.Tests.Sources;

public sealed class SqlSourceTests(PostgresCluster postgres)
{
    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task SqlSource_FromPostgres_CopiesTheQueryResult(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        var source = await postgres.NewSchemaAsync();
        await using (var wh = await Tributary.Warehouse.Postgres.PostgresWarehouse.OpenAsync(source, TestContext.Current.CancellationToken))
            await wh.ReplaceTableAsync("crm_contacts", (b, ct) => b.CreateAndAppendAsync(
                [("email", DataKind.Text), ("score", DataKind.Integer)], [["a@x.com", 3], ["b@x.com", 9]], ct), TestContext.Current.CancellationToken);

        var result = await h.RunAsync("""
            pipeline: p
            components:
              - id: contacts
                type: source.sql
                with: { connection_env: CRM_DB, query: "SELECT email, score FROM crm_contacts WHERE score > 5" }
            """, name => name == "CRM_DB" ? source : null);

        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        var row = Assert.Single(await h.RowsAsync("SELECT email, score FROM contacts"));
        Assert.Equal(("b@x.com", 9L), ((string)row[0]!, Convert.ToInt64(row[1])));
    }

    [Fact]
    public async Task SqlSource_FromDuckDbFile_CopiesTheQueryResult()
    {
        await using var h = await ComponentHarness.CreateAsync("duckdb", postgres);
        var file = Path.Combine(h.Temp.Path, "legacy.duckdb");
        await using (var legacy = await DuckDbWarehouse.OpenAsync(file, TestContext.Current.CancellationToken))
            await legacy.ExecuteAsync("CREATE TABLE sales AS SELECT range AS id FROM range(5)", null, TestContext.Current.CancellationToken);
        var result = await h.RunAsync("""
            pipeline: p
            components:
              - { id: sales, type: source.sql, with: { engine: duckdb, connection_env: LEGACY_DUCKDB, query: SELECT id FROM sales } }
            """, name => name == "LEGACY_DUCKDB" ? file : null);

        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        Assert.Equal(5, (await h.RowsAsync("SELECT * FROM sales")).Count);
    }

    [Fact]
    public async Task SqlSource_EnvNotSet_FailsSayingWhichVariable()
    {
        await using var h = await ComponentHarness.CreateAsync("duckdb", postgres);
        var result = await h.RunAsync("""
            pipeline: p
            components:
              - { id: sales, type: source.sql, with: { connection_env: TRIB_TEST_SURELY_UNSET_DB, query: SELECT 1 } }
            """);

        Assert.Equal("sales (source.sql) failed: environment variable 'TRIB_TEST_SURELY_UNSET_DB' is not set; it must hold the source's connection string.", result.Error);
    }
}
