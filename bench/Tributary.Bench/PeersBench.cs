using System.Diagnostics;
using System.Globalization;
using MathNet.Numerics.Distributions;
using Tributary.Components;
using Tributary.Core.Loading;
using Tributary.Core.Warehousing;
using Tributary.Engine.Execution;
using Tributary.Engine.Runs;
using Tributary.Warehouse.DuckDb;

namespace Tributary.Bench;

/// <summary>
/// Ours against the Python peers (bench/peers/): writes the shared input files once, then runs one analytics
/// component on one of them in a fresh DuckDB (file load included, as the peers include read_csv) that stores its results
/// in the warehouse, as the peer writes its own once; a second process (peers-export, outside the timing) exports them as
/// CSV for bench/peers/compare.py. bench/analytics.sh drives both sides.
/// </summary>
internal static class PeersBench
{
    public static async Task WriteDataAsync(string folder, int paths, int links, int customers)
    {
        Directory.CreateDirectory(folder);
        await using var wh = await DuckDbWarehouse.OpenAsync(":memory:", CancellationToken.None);
        var watch = Stopwatch.StartNew();
        await wh.ReplaceTableAsync("touches", (b, ct) => b.CreateAndAppendAsync(
            [("path_id", DataKind.Text), ("position", DataKind.Integer), ("channel", DataKind.Text), ("campaign", DataKind.Text), ("converted", DataKind.Boolean),
             ("conversion_value", DataKind.Number), ("days_before_conversion", DataKind.Number), ("converted_at", DataKind.Timestamp)],
            AttributionBench.Touches(paths, new Random(11)), ct), CancellationToken.None);
        await wh.ExportAsync("SELECT * FROM touches ORDER BY path_id, position", null, Path.Combine(folder, "touches.csv"), FileFormat.Csv, CancellationToken.None);
        await wh.ExecuteAsync("DROP TABLE touches", null, CancellationToken.None);
        await wh.ReplaceTableAsync("records", (b, ct) => b.CreateAndAppendAsync(
            [("user_id", DataKind.Text), ("email", DataKind.Text), ("phone", DataKind.Text), ("anonymous_id", DataKind.Text)], IdentityRecords(links, new Random(3)), ct), CancellationToken.None);
        await wh.ExportAsync("SELECT * FROM records", null, Path.Combine(folder, "identity.csv"), FileFormat.Csv, CancellationToken.None);
        await wh.ExecuteAsync("DROP TABLE records", null, CancellationToken.None);
        await wh.ReplaceTableAsync("orders", (b, ct) => b.CreateAndAppendAsync(
            [("customer_id", DataKind.Integer), ("ordered_at", DataKind.Timestamp), ("amount", DataKind.Number)], ClvBench.Orders(customers, new Random(7)), ct), CancellationToken.None);
        await wh.ExportAsync("SELECT * FROM orders", null, Path.Combine(folder, "orders.csv"), FileFormat.Csv, CancellationToken.None);
        Console.Error.WriteLine($"wrote {paths:N0} paths, {links:N0} identity links, {customers:N0} customers to {folder} in {watch.Elapsed.TotalSeconds:0.0}s");
    }

    /// <summary>
    /// Loads <paramref name="workload"/>'s input file into the DuckDB file <paramref name="database"/> with the same step the
    /// end-to-end run uses, so a later <see cref="RunAsync"/> on it times the component alone, reading a warehouse table.
    /// </summary>
    public static async Task PrepareAsync(string workload, string folder, string database)
    {
        if (File.Exists(database)) File.Delete(database);
        await RunAsync(workload, folder, Path.GetDirectoryName(Path.GetFullPath(database))!, database, loadOnly: true);
        // DuckDB rewrites much of a freshly loaded table at the first checkpoint of each of the next two processes that write
        // to the file (at 1M paths 3.0 then 1.5 CPU s, nothing after; bench/README.md, stop 29): done here, once, as pandas'
        // --prepare writes its pickle once, so that no timed run pays for the load's storage, the first more than the others.
        for (var settle = 0; settle < 2; settle++)
        {
            await using var wh = await DuckDbWarehouse.OpenAsync(database, CancellationToken.None);
            await wh.ExecuteAsync("CREATE TABLE bench_settle AS SELECT 1 AS one", null, CancellationToken.None);
            await wh.ExecuteAsync("DROP TABLE bench_settle", null, CancellationToken.None);
        }
    }

    /// <summary>
    /// Exports the results that <see cref="RunAsync"/> stored (in <paramref name="database"/>, or the fresh warehouse it kept in
    /// <paramref name="output"/>, which is then deleted) as the CSV files bench/peers/compare.py reads. Run after the timed run,
    /// so ours is timed writing its results once, as the peer is.
    /// </summary>
    public static async Task ExportAsync(string workload, string output, string? database = null)
    {
        var file = database ?? Path.Combine(output, $"ours_{workload}.duckdb");
        var exports = workload switch
        {
            // The four tables of analytics.attribution (the per-conversion one as its row count: the bench's conversion_detail is []).
            "attribution" => new[]
            {
                ("", "SELECT model, channel, conversions, value, share, touches FROM attribution ORDER BY model, channel"),
                (".campaigns", "SELECT model, channel, campaign, conversions, value, share, touches FROM attribution__campaigns ORDER BY model, channel, campaign"),
                (".daily", "SELECT model, day, channel, campaign, conversions, value FROM attribution__daily ORDER BY model, day, channel, campaign"),
                (".conversions", "SELECT count(*) AS \"rows\" FROM attribution__conversions"),
            },
            "identity" => [("", "SELECT identifier_type, identifier_value, profile_id FROM identity")],
            "ltv" => [("", "SELECT customer_id, p_alive, expected_purchases, expected_order_value, clv, clv_low, clv_high FROM ltv"),
                      ("_model", "SELECT model, parameter, value FROM ltv__model")],
            _ => throw new ArgumentException($"unknown workload '{workload}': attribution, identity or ltv."),
        };
        await using (var wh = await DuckDbWarehouse.OpenAsync(file, CancellationToken.None))
        {
            var suffix = database is null ? "" : "-warehouse";
            // ours_<workload>[-warehouse]<table>.csv, as the peer names its files.
            foreach (var (table, sql) in exports)
                await wh.ExportAsync(sql, null, Path.Combine(output, $"ours_{workload}{suffix}{table}.csv"), FileFormat.Csv, CancellationToken.None);
        }
        if (database is null) DeleteDatabase(file);
    }

    private static void DeleteDatabase(string file)
    {
        File.Delete(file);
        File.Delete(file + ".wal");
    }

    private static string InputOf(string workload) => workload switch { "attribution" => "paths", "identity" => "records", _ => "orders" };

    // Records of what a person's events carry: one of user id, email, phone, device each time, some alone, some together,
    // so links come in stars of 2–4 identifiers; each identifier belongs to one person (the peers apply no caps).
    private static IEnumerable<object?[]> IdentityRecords(int links, Random random)
    {
        var written = 0;
        for (var p = 0; written < links; p++)
        {
            var devices = 1 + random.Next(3);
            for (var d = 0; d < devices && written < links; d++)
            {
                object?[] row = [random.NextDouble() < 0.7 ? $"u{p}" : null, random.NextDouble() < 0.5 ? $"person{p}@example.com" : null,
                    random.NextDouble() < 0.2 ? $"+1415{p:D7}" : null, $"anon-{p}-{d}"];
                if (row.Count(v => v is not null) < 2) row[1] = $"person{p}@example.com";
                written += row.Count(v => v is not null) - 1;
                yield return row;
            }
        }
    }

    /// <summary>
    /// Runs <paramref name="workload"/>. With a <paramref name="database"/> (made by <see cref="PrepareAsync"/>) its input
    /// is already in the warehouse, as in a pipeline, and only the component runs; without one, a fresh warehouse loads the
    /// file first. <paramref name="loadOnly"/> runs only the input's load step (used by <see cref="PrepareAsync"/>).
    /// </summary>
    public static async Task RunAsync(string workload, string folder, string output, string? database = null, bool loadOnly = false)
    {
        var work = Path.Combine(Path.GetTempPath(), "trib-bench-peers-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(work);
        try
        {
            // The fresh warehouse is kept in the output folder for peers-export.
            var file = database ?? Path.Combine(Directory.CreateDirectory(output).FullName, $"ours_{workload}.duckdb");
            if (database is null) DeleteDatabase(file);
            // As 'trib run' does (ProjectSession.BeginOpening): the warehouse and the run store open while the pipeline loads.
            var warehouseOpening = Task.Run(() => DuckDbWarehouse.OpenAsync(file, CancellationToken.None));
            var storeOpening = Task.Run(() => SqliteRunStore.OpenAsync(Path.Combine(work, "runs.db"), CancellationToken.None));
            await using var opened = new Opened(warehouseOpening, storeOpening);
            var dialect = new DuckDbDialect();
            string File(string name) => dialect.Literal(Path.GetFullPath(Path.Combine(folder, name)));
            var components = workload switch
            {
                "attribution" => $$"""
                      - { id: paths, type: transform.sql, with: { sql: "SELECT * FROM read_csv({{File("touches.csv")}})" } }
                      - id: attribution
                        type: analytics.attribution
                        inputs: [paths]
                        with: { models: [first_touch, last_touch, linear, time_decay, position_based, markov_1, shapley], conversion_detail: [] }
                    """,
                "identity" => $$"""
                      - { id: records, type: transform.sql, with: { sql: "SELECT * FROM read_csv({{File("identity.csv")}}, all_varchar = true)" } }
                      - { id: identity, type: identity.resolve, inputs: [records], with: { identifiers: { records: "user_id, email, phone, anonymous_id" } } }
                    """,
                // The peer fits, scores and draws the parameter interval; the per-customer prediction interval (clv_p05/p95,
                // stop 27) has no counterpart there, so it is off here and the ratio compares the same work.
                "ltv" => $$"""
                      - { id: orders, type: transform.sql, with: { sql: "SELECT * FROM read_csv({{File("orders.csv")}})" } }
                      - { id: ltv, type: analytics.ltv, inputs: [orders], with: { model: bgnbd, time_unit: week, calibration_end: 2025-12-31, prediction_draws: 0 } }
                    """,
                _ => throw new ArgumentException($"unknown workload '{workload}': attribution, identity or ltv."),
            };
            // One catalog for the loader and the executor: making it reflects over every component's parameters.
            var catalog = BuiltInComponents.CreateCatalog();
            var pipeline = new PipelineLoader(catalog).Load($"pipeline: peers\ncomponents:\n{components}", "peers.yaml").GetPipelineOrThrow();
            var wh = await warehouseOpening;
            var store = await storeOpening;
            var watch = Stopwatch.StartNew();
            // The process's CPU seconds when the workload's own step starts: what it spends beyond loading the file.
            TimeSpan? stepStart = null;
            var result = await new RunExecutor(catalog, wh, store, new ExecutorOptions(), TimeProvider.System)
                .ExecuteAsync(pipeline, new RunRequest
                {
                    // In a prepared warehouse the input table is there: only the workload's own step runs.
                    Selection = loadOnly ? InputOf(workload) : database is null ? null : workload,
                    ProjectDirectory = work,
                    Observer = e =>
                    {
                        if (e.Asset == workload) stepStart ??= Process.GetCurrentProcess().TotalProcessorTime;
                        Console.Error.WriteLine($"  {e.At:HH:mm:ss.f} cpu {Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds:0.0}s {e.Asset}: {e.Message}");
                    },
                }, CancellationToken.None);
            var seconds = watch.Elapsed.TotalSeconds;
            var stepCpu = Process.GetCurrentProcess().TotalProcessorTime - (stepStart ?? TimeSpan.Zero);
            if (result.Status != RunStatus.Succeeded) throw new InvalidOperationException(result.Error);
            if (loadOnly) return;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"seconds={seconds:0.000}"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"step_cpu_seconds={stepCpu.TotalSeconds:0.000}"));
            Console.Error.WriteLine($"  cpu {Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds:0.0}s at the end of the run, before the warehouse closes");
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    // Closes the run store, then the warehouse, once their openings have ended, whether or not the run got to use them.
    private sealed class Opened(Task<DuckDbWarehouse> warehouse, Task<SqliteRunStore> store) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await ((Task)store).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            if (store.IsCompletedSuccessfully) await store.Result.DisposeAsync();
            await ((Task)warehouse).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            if (warehouse.IsCompletedSuccessfully) await warehouse.Result.DisposeAsync();
        }
    }
}
