using System.Diagnostics;
using System.Globalization;
using Tributary.Components.Experiments;
using Tributary.Core.Components;
using Tributary.Core.Projects;
using Tributary.Core.Warehousing;
using Tributary.Warehouse.DuckDb;

namespace Tributary.Bench;

/// <summary>
/// experiment.metrics at scale: generates exposures (3 variants) and metric events inside DuckDB, then times the
/// component computing 5 metrics' sufficient statistics, then analytics.experiment on them; exports both for
/// bench/peers/experiment.py, which recomputes the analysis with scipy.
/// </summary>
internal static class ExperimentBench
{
    public static async Task RunAsync(long events, long units, string output)
    {
        var work = Path.Combine(Path.GetTempPath(), "trib-bench-experiment-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(work);
        Directory.CreateDirectory(output);
        try
        {
            await using var wh = await DuckDbWarehouse.OpenAsync(Path.Combine(work, "w.duckdb"), CancellationToken.None);
            var watch = Stopwatch.StartNew();
            // Variant C lifts orders by 5%: units of C keep order events a little more often (hash-based, deterministic).
            await wh.ExecuteAsync($"""
                CREATE TABLE exposures AS
                SELECT 'bench' AS experiment, CASE i % 3 WHEN 0 THEN 'A' WHEN 1 THEN 'B' ELSE 'C' END AS variant, 'u' || i AS visitor_id,
                       TIMESTAMP '2025-01-01' + to_seconds(CAST(hash(i) % 2592000 AS BIGINT)) AS first_exposed_at
                FROM range({units}) t(i)
                """, null, CancellationToken.None);
            await wh.ExecuteAsync($"""
                CREATE TABLE metric_events AS
                SELECT 'u' || u AS visitor_id, TIMESTAMP '2024-12-01' + to_seconds(CAST(hash(i * 7) % 5184000 AS BIGINT)) AS occurred_at,
                       CASE i % 4 WHEN 0 THEN 'order' WHEN 1 THEN 'view' WHEN 2 THEN 'add' ELSE 'refund' END AS metric,
                       CAST(hash(i * 13) % 10000 AS DOUBLE) / 100 AS value
                FROM (SELECT i, hash(i) % {units} AS u FROM range({events}) t(i))
                WHERE i % 4 <> 0 OR u % 3 = 2 OR hash(i * 31) % 100 < 95
                """, null, CancellationToken.None);
            var rows = Convert.ToInt64(await wh.ScalarAsync("SELECT count(*) FROM metric_events", null, CancellationToken.None), CultureInfo.InvariantCulture);
            Console.Error.WriteLine($"generated {units:N0} exposures and {rows:N0} events in {watch.Elapsed.TotalSeconds:0.0}s");

            var metrics = new ExperimentMetricsParameters
            {
                Metrics = new Dictionary<string, string>
                {
                    ["conversion"] = "conversion:order", ["revenue"] = "sum:order", ["views"] = "count:view", ["adds"] = "count:add", ["revenue_per_view"] = "ratio:order/view",
                },
                WindowDays = 14, PreDays = 28,
            };
            watch.Restart();
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            await new ExperimentMetrics().MaterializeAsync(metrics, Context(wh, work, "stats", ["exposures", "metric_events"]), CancellationToken.None);
            var statsSeconds = watch.Elapsed.TotalSeconds;
            // DuckDB's threads are this process's: its CPU time is the query's work, whatever the machine's load.
            var statsCpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
            watch.Restart();
            var analysis = new ExperimentAnalysisParameters { Control = "A", PriorStdDev = 0 };
            var component = new ExperimentAnalysis();
            var plan = component.Plan(analysis, new PlanContext("results", []));
            var context = Context(wh, work, "results", ["stats"]) with { Outputs = plan.OutputsOf("results") };
            await component.MaterializeAsync(analysis, context, CancellationToken.None);
            var analysisSeconds = watch.Elapsed.TotalSeconds;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"events={rows} units={units} stats_seconds={statsSeconds:0.000} stats_cpu_seconds={statsCpu:0.000} analysis_seconds={analysisSeconds:0.000}"));
            await wh.ExportAsync("""
                SELECT experiment, variant, metric, kind, sum(units) AS units, sum(sum_y) AS sum_y, sum(sum_y2) AS sum_y2, sum(sum_x) AS sum_x, sum(sum_x2) AS sum_x2, sum(sum_xy) AS sum_xy
                FROM stats GROUP BY ALL ORDER BY metric, variant
                """, null, Path.Combine(output, "stats.csv"), FileFormat.Csv, CancellationToken.None);
            await wh.ExportAsync("SELECT variant, metric, rel_lift, rel_low, rel_high, p_value, seq_low, seq_high, chance_to_beat_control, risk_variant, variance_reduction, srm_p_value FROM results ORDER BY metric, variant",
                null, Path.Combine(output, "ours.csv"), FileFormat.Csv, CancellationToken.None);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static ComponentContext Context(DuckDbWarehouse wh, string work, string asset, IReadOnlyList<string> inputs) => new()
    {
        Asset = asset, Inputs = inputs, Warehouse = wh, Paths = new ProjectPaths(work), RunId = "bench", Time = TimeProvider.System, Log = m => Console.Error.WriteLine($"  {asset}: {m}"),
    };
}
