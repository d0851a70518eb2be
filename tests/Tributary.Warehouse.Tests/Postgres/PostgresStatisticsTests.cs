using Tributary.Core.Warehousing;
using Tributary.Testing;
using Tributary.Warehouse.Postgres;

namespace Tributary.Warehouse.Tests.Postgres;

/// <summary>
/// A step reads tables the step before it wrote moments ago, before autovacuum has seen them: without statistics the planner
/// took experiment.metrics' join for one row a key and ran it 110 s in nested loops instead of 1 s.
/// </summary>
public sealed class PostgresStatisticsTests(PostgresCluster postgres)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ReplaceTable_NewTable_LeavesPlannerStatisticsOfItsRows()
    {
        await using var warehouse = await PostgresWarehouse.OpenAsync(await postgres.NewSchemaAsync(), Ct);

        await warehouse.ReplaceTableAsync("exposures", (b, ct) => b.CreateAsSelectAsync("SELECT g AS unit, g % 7 AS variant FROM generate_series(1, 500) AS g", null, ct), Ct);

        Assert.Equal(500.0, await EstimatedRowsAsync(warehouse, "exposures"));
        Assert.Equal(7L, Convert.ToInt64(await warehouse.ScalarAsync(
            "SELECT CAST(n_distinct AS BIGINT) FROM pg_stats WHERE schemaname = current_schema() AND tablename = 'exposures' AND attname = 'variant'", null, Ct)));
    }

    [Fact]
    public async Task AppendAndPartition_ToExistingTables_UpdateTheirStatistics()
    {
        await using var warehouse = await PostgresWarehouse.OpenAsync(await postgres.NewSchemaAsync(), Ct);
        await warehouse.ReplaceTableAsync("events", (b, ct) => b.CreateAsSelectAsync("SELECT g AS id FROM generate_series(1, 10) AS g", null, ct), Ct);
        await warehouse.ReplacePartitionAsync("daily", "partition_key", "2025-01-01", (b, ct) => b.CreateAsSelectAsync("SELECT g AS id FROM generate_series(1, 10) AS g", null, ct), Ct);

        await warehouse.WriteTablesAsync([new TableWrite("events", TableWriteMode.Append,
            (b, ct) => b.CreateAsSelectAsync("SELECT g AS id FROM generate_series(11, 300) AS g", null, ct))], Ct);
        await warehouse.ReplacePartitionAsync("daily", "partition_key", "2025-01-02", (b, ct) => b.CreateAsSelectAsync("SELECT g AS id FROM generate_series(1, 290) AS g", null, ct), Ct);

        Assert.Equal(300.0, await EstimatedRowsAsync(warehouse, "events"));
        Assert.Equal(300.0, await EstimatedRowsAsync(warehouse, "daily"));
    }

    // reltuples is -1 for a table never analyzed or vacuumed; ANALYZE of a table this small counts every row.
    private static async Task<double> EstimatedRowsAsync(PostgresWarehouse warehouse, string table) =>
        Convert.ToDouble(await warehouse.ScalarAsync(
            "SELECT CAST(c.reltuples AS DOUBLE PRECISION) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = current_schema() AND c.relname = $1",
            [table], Ct), System.Globalization.CultureInfo.InvariantCulture);
}
