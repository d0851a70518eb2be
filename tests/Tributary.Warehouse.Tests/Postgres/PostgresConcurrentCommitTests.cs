using Tributary.Testing;
using Tributary.Warehouse.Postgres;

namespace Tributary.Warehouse.Tests.Postgres;

/// <summary>
/// Workers of a cluster are separate processes, each with its own warehouse: their first commits to one partitioned table
/// must not both create it.
/// </summary>
public sealed class PostgresConcurrentCommitTests(PostgresCluster postgres)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ReplacePartition_FirstWritesFromSeparateWarehouses_AllLand()
    {
        var schema = await postgres.NewSchemaAsync();
        const int writers = 8;
        var warehouses = new List<PostgresWarehouse>();
        try
        {
            for (var i = 0; i < writers; i++) warehouses.Add(await PostgresWarehouse.OpenAsync(schema, Ct));
            // Several rounds of fresh tables: one round's writers racing to create the table is what went wrong (42P07).
            for (var round = 0; round < 5; round++)
            {
                var table = $"daily_{round}";
                using var start = new SemaphoreSlim(0, writers);
                var writes = warehouses.Select((wh, i) => Task.Run(async () =>
                {
                    await start.WaitAsync(Ct);
                    return await wh.ReplacePartitionAsync(table, "partition_key", $"k{i}", (b, ct) => b.CreateAsSelectAsync($"SELECT {i} AS v", null, ct), Ct);
                }, Ct)).ToList();
                start.Release(writers);
                Assert.All(await Task.WhenAll(writes), rows => Assert.Equal(1, rows));

                var result = await warehouses[0].QueryAsync($"SELECT partition_key, v FROM {table} ORDER BY v", null, 100, Ct);
                Assert.Equal(Enumerable.Range(0, writers).Select(i => $"k{i}"), result.Rows.Select(r => (string)r[0]!));
            }
        }
        finally
        {
            foreach (var wh in warehouses) await wh.DisposeAsync();
        }
    }
}
