using System.Diagnostics;
using System.Globalization;
using Tributary.Components.Experiments;
using Tributary.Core.Components;
using Tributary.Core.Projects;
using Tributary.Core.Warehousing;
using Tributary.Warehouse.DuckDb;

namespace Tributary.Bench;

/// <summary>
/// experiment.metrics at scale: generates exposures (3 variants) and metric events inside DuckDB with SQL (range() and
/// hash-based randomness, integer unit ids), then times the component computing 5 metrics' sufficient statistics, then
/// analytics.experiment on them; exports both for bench/peers/experiment.py, which recomputes the analysis with scipy.
/// The true lift: variant C keeps every order event after exposure, A and B keep 20 of 21, so C's revenue and revenue per
/// view are 5% above A's and B's (their pre-exposure events and the other metrics are untouched).
/// TRIB_EXPERIMENT_DB names a database to keep (and reuse) the generated data in; TRIB_EXPERIMENT_EXPORT=1 also writes
/// exposures.csv and events.csv for the peer's own statistics. TRIB_EXPERIMENT_TEXT_IDS=1 gives units 32-character text ids
/// (the md5 of the integer) instead of BIGINT ones, as the product's exposures name a visitor by user_id or anonymous_id.
/// TRIB_EXPERIMENT_MEMORY_LIMIT sets DuckDB's memory_limit (default 4GB; the warehouse's default is 1GB); TRIB_EXPERIMENT_QUERY_LOG names
/// a folder for DuckDB's log of every statement the run sends.
/// </summary>
internal static class ExperimentBench
{
    public static async Task RunAsync(long events, long units, string output)
    {
        var work = Path.Combine(Path.GetTempPath(), "trib-bench-experiment-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(work);
        Directory.CreateDirectory(output);
        var database = Environment.GetEnvironmentVariable("TRIB_EXPERIMENT_DB") is { Length: > 0 } kept ? kept : Path.Combine(work, "w.duckdb");
        try
        {
            await using var wh = await DuckDbWarehouse.OpenAsync(database, CancellationToken.None);
            // Under a 1GB limit (the warehouse's default until stop 18; 900MB since) the 50M-event statistics spill ~2.5 GB of per-unit groups to '<database>.tmp'
            // and cost ~1.5x the CPU; with 4GB they stay in memory (2.7 GB peak RSS; bench/README.md, stop 17), as a project with
            // millions of units would set warehouse.memory_limit. TRIB_EXPERIMENT_MEMORY_LIMIT=1GB measures that limit.
            var memory = Environment.GetEnvironmentVariable("TRIB_EXPERIMENT_MEMORY_LIMIT") is { Length: > 0 } limit ? limit : "4GB";
            await wh.ExecuteAsync($"SET memory_limit = {wh.Dialect.Literal(memory)}", null, CancellationToken.None);
            // For profiling: every statement the run sends, logged as CSV under this folder (replay them with duckdb-sql and EXPLAIN ANALYZE).
            if (Environment.GetEnvironmentVariable("TRIB_EXPERIMENT_QUERY_LOG") is { Length: > 0 } log)
                await wh.ExecuteAsync($"CALL enable_logging('QueryLog', storage = 'file', storage_path = {wh.Dialect.Literal(log)})", null, CancellationToken.None);
            var watch = Stopwatch.StartNew();
            if (await wh.DescribeTableAsync("metric_events", CancellationToken.None) is null) await GenerateAsync(wh, events, units);
            var rows = Convert.ToInt64(await wh.ScalarAsync("SELECT count(*) FROM metric_events", null, CancellationToken.None), CultureInfo.InvariantCulture);
            units = Convert.ToInt64(await wh.ScalarAsync("SELECT count(*) FROM exposures", null, CancellationToken.None), CultureInfo.InvariantCulture);
            Console.Error.WriteLine($"{units:N0} exposures and {rows:N0} events ready in {watch.Elapsed.TotalSeconds:0.0}s");
            if (Environment.GetEnvironmentVariable("TRIB_EXPERIMENT_EXPORT") == "1")
            {
                await wh.ExportAsync("SELECT variant, visitor_id, first_exposed_at FROM exposures", null, Path.Combine(output, "exposures.csv"), FileFormat.Csv, CancellationToken.None);
                await wh.ExportAsync("SELECT visitor_id, occurred_at, metric, value FROM metric_events", null, Path.Combine(output, "events.csv"), FileFormat.Csv, CancellationToken.None);
            }

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
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"events={rows} units={units} memory_limit={memory} stats_seconds={statsSeconds:0.000} stats_cpu_seconds={statsCpu:0.000} analysis_seconds={analysisSeconds:0.000}"));
            var truth = await wh.QueryAsync("SELECT variant, metric, rel_lift, rel_low, rel_high FROM results WHERE metric IN ('revenue', 'revenue_per_view') ORDER BY metric, variant", null, 10, CancellationToken.None);
            foreach (var r in truth.Rows)
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {r[1]} {r[0]} vs A: lift {Convert.ToDouble(r[2], CultureInfo.InvariantCulture):P2} [{Convert.ToDouble(r[3], CultureInfo.InvariantCulture):P2}, {Convert.ToDouble(r[4], CultureInfo.InvariantCulture):P2}] (true: {((string?)r[0] == "C" ? "+5%" : "0%")})"));
            await wh.ExportAsync("""
                SELECT experiment, variant, metric, kind, sum(units) AS units, sum(sum_y) AS sum_y, sum(sum_y2) AS sum_y2, sum(sum_x) AS sum_x, sum(sum_x2) AS sum_x2, sum(sum_xy) AS sum_xy,
                       sum(sum_z) AS sum_z, sum(sum_z2) AS sum_z2, sum(sum_yz) AS sum_yz, sum(sum_xz) AS sum_xz, sum(sum_w) AS sum_w, sum(sum_w2) AS sum_w2, sum(sum_yw) AS sum_yw, sum(sum_xw) AS sum_xw, sum(sum_zw) AS sum_zw
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

    // Units' activity is skewed (an event's unit is uniform below a uniform bound), so a unit's pre- and post-exposure
    // counts correlate as in real traffic; exposure times are a function of the unit, so an event knows if it is post-exposure.
    private static async Task GenerateAsync(DuckDbWarehouse wh, long events, long units)
    {
        const string exposedAt = "TIMESTAMP '2025-01-01' + to_seconds(CAST(hash(u * 977) % 2592000 AS BIGINT))";
        // The canonical exposures key a visitor by text (coalesce(user_id, anonymous_id)); integer ids hash and compare cheaper.
        var unitId = Environment.GetEnvironmentVariable("TRIB_EXPERIMENT_TEXT_IDS") == "1" ? "md5(CAST(u AS VARCHAR))" : "u";
        await wh.ExecuteAsync($"""
            CREATE TABLE exposures AS
            SELECT 'bench' AS experiment, CASE u % 3 WHEN 0 THEN 'A' WHEN 1 THEN 'B' ELSE 'C' END AS variant, {unitId} AS visitor_id, {exposedAt} AS first_exposed_at
            FROM range({units}) t(u)
            """, null, CancellationToken.None);
        await wh.ExecuteAsync($"""
            CREATE TABLE metric_events AS
            SELECT {unitId} AS visitor_id, occurred_at, metric, value FROM (
                SELECT i, u, TIMESTAMP '2024-12-01' + to_seconds(CAST(hash(i * 7) % 5184000 AS BIGINT)) AS occurred_at,
                       CASE i % 4 WHEN 0 THEN 'order' WHEN 1 THEN 'view' WHEN 2 THEN 'add' ELSE 'refund' END AS metric,
                       CAST(hash(i * 13) % 10000 AS DOUBLE) / 100 AS value
                FROM (SELECT i, CAST(hash(i) % (1 + hash(i * 3) % {units}) AS BIGINT) AS u FROM range({events}) t(i)))
            WHERE metric <> 'order' OR u % 3 = 2 OR hash(i * 31) % 2100 < 2000 OR occurred_at < {exposedAt}
            """, null, CancellationToken.None);
        await wh.ExecuteAsync("CHECKPOINT", null, CancellationToken.None);
    }

    private static ComponentContext Context(DuckDbWarehouse wh, string work, string asset, IReadOnlyList<string> inputs) => new()
    {
        Asset = asset, Inputs = inputs, Warehouse = wh, Paths = new ProjectPaths(work), RunId = "bench", Time = TimeProvider.System, Log = m => Console.Error.WriteLine($"  {asset}: {m}"),
    };
}
