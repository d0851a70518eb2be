using Tributary.Engine.Runs;
using Tributary.Testing;
using Tributary.Warehouse.DuckDb;

namespace Tributary.Components.Tests.Sources;

/// <summary>Sources read only inside the project and allowed_paths, links followed.</summary>
public sealed class SourcePathTests(PostgresCluster postgres)
{
    private const string Refusal = "Use a path inside the project, or list its folder under allowed_paths: in tributary.yaml.";

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task CsvSource_AbsolutePathOutsideTheProject_IsRefused(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        using var outside = new TempDirectory();
        var secret = outside.File("secret.csv", "a\n1\n");

        var result = await h.RunAsync(Csv(secret));

        Assert.Equal(RunStatus.Failed, result.Status);
        Assert.Equal($"orders (source.csv) failed: path '{secret}' resolves to '{secret}', outside the project folder '{h.Temp.Path}'. {Refusal}", result.Error);
    }

    [Fact]
    public async Task CsvSource_FileLinkedFromInsideTheProject_IsRefused()
    {
        await using var h = await ComponentHarness.CreateAsync("duckdb", postgres);
        using var outside = new TempDirectory();
        var secret = outside.File("secret.csv", "a\n1\n");
        Directory.CreateDirectory(Path.Combine(h.Temp.Path, "data"));
        File.CreateSymbolicLink(Path.Combine(h.Temp.Path, "data", "orders.csv"), secret);

        var result = await h.RunAsync(Csv("data/orders.csv"));

        Assert.Equal(RunStatus.Failed, result.Status);
        Assert.Equal($"orders (source.csv) failed: path 'data/orders.csv' resolves to '{Path.Combine(h.Temp.Path, "data", "orders.csv")}' (through a symbolic link, to '{secret}'), "
            + $"outside the project folder '{h.Temp.Path}'. {Refusal}", result.Error);
    }

    [Fact]
    public async Task PlatformSource_FolderHoldingALinkToAFileOutside_IsRefused()
    {
        await using var h = await ComponentHarness.CreateAsync("duckdb", postgres);
        using var outside = new TempDirectory();
        var secret = outside.File("orders_export.csv", "Name,Email\n#1001,a@x.com\n");
        Directory.CreateDirectory(Path.Combine(h.Temp.Path, "data", "shopify"));
        File.CreateSymbolicLink(Path.Combine(h.Temp.Path, "data", "shopify", "orders_export.csv"), secret);

        var result = await h.RunAsync("""
            pipeline: p
            components:
              - { id: shopify_orders, type: source.shopify_orders, with: { path: data/shopify } }
            """);

        Assert.Equal(RunStatus.Failed, result.Status);
        Assert.Contains($"(through a symbolic link, to '{secret}')", result.Error, StringComparison.Ordinal);
        Assert.Null(await h.Warehouse.DescribeTableAsync("shopify_orders", TestContext.Current.CancellationToken));
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task CsvSource_FolderListedInAllowedPaths_IsRead(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        using var outside = new TempDirectory();
        outside.File("orders.csv", "a\n1\n2\n");

        var result = await h.RunAsync(Csv(Path.Combine(outside.Path, "orders.csv")), allowedPaths: [outside.Path]);

        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        Assert.Equal(2, (await h.RowsAsync("SELECT * FROM orders")).Count);
    }

    [Fact]
    public async Task SqlSource_DuckDbFileOutsideTheProject_IsRefused()
    {
        await using var h = await ComponentHarness.CreateAsync("duckdb", postgres);
        using var outside = new TempDirectory();
        var file = Path.Combine(outside.Path, "legacy.duckdb");

        var result = await h.RunAsync("""
            pipeline: p
            components:
              - { id: sales, type: source.sql, with: { engine: duckdb, connection_env: LEGACY_DUCKDB, query: SELECT 1 AS id } }
            """, name => name == "LEGACY_DUCKDB" ? file : null);

        Assert.Equal(RunStatus.Failed, result.Status);
        // The path came from the environment, so the run's error masks it (docs/security.md, masking).
        Assert.Equal($"sales (source.sql) failed: path '<env LEGACY_DUCKDB>' resolves to '<env LEGACY_DUCKDB>', outside the project folder '{h.Temp.Path}'. {Refusal}", result.Error);
        Assert.False(File.Exists(file));
    }

    [Fact]
    public async Task SqlSource_DuckDbQueryReadingAFileOutsideTheProject_IsRefusedByDuckDb()
    {
        await using var h = await ComponentHarness.CreateAsync("duckdb", postgres);
        using var outside = new TempDirectory();
        var secret = outside.File("secret.csv", "a\n1\n");
        var file = Path.Combine(h.Temp.Path, "legacy.duckdb");
        await using (var legacy = await DuckDbWarehouse.OpenAsync(file, TestContext.Current.CancellationToken))
            await legacy.ExecuteAsync("CREATE TABLE sales AS SELECT 1 AS id", null, TestContext.Current.CancellationToken);

        var result = await h.RunAsync($$"""
            pipeline: p
            components:
              - { id: sales, type: source.sql, with: { engine: duckdb, connection_env: LEGACY_DUCKDB, query: "SELECT * FROM read_csv('{{secret}}')" } }
            """, name => name == "LEGACY_DUCKDB" ? file : null);

        Assert.Equal(RunStatus.Failed, result.Status);
        Assert.Contains($"Permission Error: Cannot access file \"{secret}\" - file system operations are disabled by configuration", result.Error, StringComparison.Ordinal);
    }

    private static string Csv(string path) => $$"""
        pipeline: p
        components:
          - { id: orders, type: source.csv, with: { path: "{{path}}" } }
        """;
}
