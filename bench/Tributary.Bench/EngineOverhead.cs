using System.Diagnostics;
using Tributary.Components;
using Tributary.Core.Loading;
using Tributary.Engine.Execution;
using Tributary.Engine.Runs;
using Tributary.Warehouse.DuckDb;

namespace Tributary.Bench;

/// <summary>
/// Wall time of a 3-step pipeline over N rows through the engine (plan, staging + swap, run store, metadata)
/// against the same three statements run directly on DuckDB. Alternating runs; medians reported.
/// </summary>
internal static class EngineOverhead
{
    private static string Steps(long rows) => $$"""
        pipeline: overhead
        components:
          - id: events
            type: transform.sql
            with: { sql: "SELECT range AS id, range % 100000 AS customer_id, ((range * 7919) % 10000) / 100.0 AS amount FROM range({{rows}})" }
          - id: per_customer
            type: transform.sql
            inputs: [events]
            with: { sql: "SELECT customer_id, count(*) AS orders, sum(amount) AS revenue FROM events GROUP BY customer_id" }
          - id: top
            type: transform.sql
            inputs: [per_customer]
            with: { sql: "SELECT * FROM per_customer ORDER BY revenue DESC LIMIT 1000" }
        """;

    public static async Task RunAsync(long rows, int repeat)
    {
        var folder = Path.Combine(Path.GetTempPath(), "trib-bench-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        try
        {
            var catalog = BuiltInComponents.CreateCatalog();
            var pipeline = new PipelineLoader(catalog).Load(Steps(rows), "overhead.yaml").GetPipelineOrThrow();
            var direct = new List<double>();
            var engine = new List<double>();
            for (var i = 0; i < repeat; i++)
            {
                await using (var wh = await DuckDbWarehouse.OpenAsync(Path.Combine(folder, $"direct{i}.duckdb"), CancellationToken.None))
                {
                    var watch = Stopwatch.StartNew();
                    await wh.ExecuteAsync($"CREATE OR REPLACE TABLE events AS SELECT range AS id, range % 100000 AS customer_id, ((range * 7919) % 10000) / 100.0 AS amount FROM range({rows})", null, CancellationToken.None);
                    await wh.ExecuteAsync("CREATE OR REPLACE TABLE per_customer AS SELECT customer_id, count(*) AS orders, sum(amount) AS revenue FROM events GROUP BY customer_id", null, CancellationToken.None);
                    await wh.ExecuteAsync("CREATE OR REPLACE TABLE top AS SELECT * FROM per_customer ORDER BY revenue DESC LIMIT 1000", null, CancellationToken.None);
                    direct.Add(watch.Elapsed.TotalSeconds);
                }
                await using (var wh = await DuckDbWarehouse.OpenAsync(Path.Combine(folder, $"engine{i}.duckdb"), CancellationToken.None))
                await using (var store = await SqliteRunStore.OpenAsync(Path.Combine(folder, $"runs{i}.db"), CancellationToken.None))
                {
                    var watch = Stopwatch.StartNew();
                    var result = await new RunExecutor(catalog, wh, store, new ExecutorOptions(), TimeProvider.System)
                        .ExecuteAsync(pipeline, new RunRequest { ProjectDirectory = folder }, CancellationToken.None);
                    engine.Add(watch.Elapsed.TotalSeconds);
                    if (result.Status != RunStatus.Succeeded) throw new InvalidOperationException(result.Error);
                }
                Console.Error.WriteLine($"run {i + 1}/{repeat}: direct {direct[^1]:0.000}s, engine {engine[^1]:0.000}s");
            }
            var d = Median(direct);
            var e = Median(engine);
            Console.WriteLine($"engine-overhead rows={rows:N0} repeat={repeat}: direct median {d:0.000}s, engine median {e:0.000}s, overhead {e - d:0.000}s = {(e - d) / e * 100:0.0}% of wall time");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
