using Tributary.Core.Warehousing;
using Tributary.Warehouse.DuckDb;
using Tributary.Warehouse.Postgres;

namespace Tributary.Testing;

/// <summary>A fresh warehouse per test on either engine, so every engine test runs on both.</summary>
public static class TestWarehouses
{
    /// <summary>Theory data: the engine names.</summary>
    public static TheoryDataOfEngines Engines => new();

    public static async Task<IWarehouse> CreateAsync(string engine, TempDirectory temp, PostgresCluster postgres) => engine switch
    {
        "duckdb" => await DuckDbWarehouse.OpenAsync(Path.Combine(temp.Path, ".tributary", "warehouse.duckdb"), CancellationToken.None),
        "postgres" => await PostgresWarehouse.OpenAsync(await postgres.NewSchemaAsync(), CancellationToken.None),
        _ => throw new ArgumentOutOfRangeException(nameof(engine)),
    };
}

/// <summary>["duckdb", "postgres"] as xunit theory data.</summary>
public sealed class TheoryDataOfEngines : Xunit.TheoryData<string>
{
    public TheoryDataOfEngines()
    {
        Add("duckdb");
        Add("postgres");
    }
}
