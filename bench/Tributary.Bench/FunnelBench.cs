using System.Diagnostics;
using System.Globalization;
using Tributary.Components;
using Tributary.Core.Loading;
using Tributary.Core.Warehousing;
using Tributary.Engine.Execution;
using Tributary.Engine.Runs;
using Tributary.Warehouse.DuckDb;

namespace Tributary.Bench;

/// <summary>
/// analytics.funnel on generated events: a 5-step ordered funnel, 7-day window, per user, broken down by country.
/// The events are generated inside DuckDB by the pipeline's first step (no file), so 50M events fit this machine;
/// bench/funnel.sh runs it and the pandas peer (bench/peers/funnel.py) on the same events written as CSV.
/// </summary>
internal static class FunnelBench
{
    internal static readonly string[] Steps = ["Product Viewed", "Product Added", "Checkout Started", "Payment Entered", "Order Completed"];

    /// <summary>
    /// The SQL of <paramref name="events"/> events of events/50 users (integer ids) over 90 days: each a funnel step or one
    /// of five other events, steps rarer the deeper they are; a user's country is fixed. Deterministic (hashes of the row number).
    /// </summary>
    private static string EventsSql(ISqlDialect d, long events)
    {
        var users = Math.Max(1, events / 50).ToString(CultureInfo.InvariantCulture);
        // Cumulative shares (per mille) of the 10 event names; the last five are not funnel steps.
        var names = string.Join(", ", Steps.Concat(["Page Viewed", "Search", "Wishlist", "Review Read", "Email Opened"]).Select(d.Literal));
        return $"""
            SELECT i AS event_id, u AS user_id,
                   [{names}][CASE WHEN r < 300 THEN 1 WHEN r < 450 THEN 2 WHEN r < 530 THEN 3 WHEN r < 580 THEN 4 WHEN r < 620 THEN 5
                                ELSE 6 + CAST(r % 5 AS INTEGER) END] AS event,
                   TIMESTAMP '2025-01-01' + to_seconds(CAST(hash(i * 7 + 3) % 7776000 AS BIGINT)) AS occurred_at,
                   ['US', 'DE', 'GB', 'FR', 'JP'][1 + CAST(hash(u * 13 + 5) % 5 AS INTEGER)] AS country
            FROM (SELECT i, CAST(hash(i * 11 + 1) % {users} AS BIGINT) AS u, hash(i * 17 + 2) % 1000 AS r FROM range({events.ToString(CultureInfo.InvariantCulture)}) t(i))
            """;
    }

    /// <summary>
    /// Generates the events and runs the funnel in a fresh DuckDB under <paramref name="output"/>; prints the generation's
    /// and the funnel's wall and CPU seconds (this process, DuckDB's threads included), exports the step counts, and
    /// writes the events as CSV to <paramref name="csv"/> (untimed) when given, for the peer.
    /// </summary>
    public static async Task RunAsync(long events, string output, string? csv)
    {
        Directory.CreateDirectory(output);
        var work = Path.Combine(output, "work-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(work);
        try
        {
            await using var wh = await DuckDbWarehouse.OpenAsync(Path.Combine(work, "w.duckdb"), CancellationToken.None);
            // A 1GB limit (the warehouse's default until stop 18; 900MB since) would make a 50M-event funnel spill; a bound still keeps the run off the machine's RAM.
            var memory = Environment.GetEnvironmentVariable("FUNNEL_MEMORY_LIMIT") ?? "6GB";
            await wh.ExecuteAsync($"SET memory_limit = {wh.Dialect.Literal(memory)}", null, CancellationToken.None);
            // For profiling: every statement the run sends, logged as CSV under this folder (replay them with duckdb-sql and EXPLAIN ANALYZE).
            if (Environment.GetEnvironmentVariable("FUNNEL_QUERY_LOG") is { Length: > 0 } log)
                await wh.ExecuteAsync($"CALL enable_logging('QueryLog', storage = 'file', storage_path = {wh.Dialect.Literal(log)})", null, CancellationToken.None);
            var yaml = $$"""
                pipeline: funnel_bench
                components:
                  - { id: events, type: transform.sql, with: { sql: {{System.Text.Json.JsonSerializer.Serialize(EventsSql(wh.Dialect, events))}} } }
                  - id: funnel
                    type: analytics.funnel
                    inputs: [events]
                    with: { steps: [{{string.Join(", ", Steps)}}], window: 7d, unit_column: user_id, breakdown: country }
                """;
            var pipeline = new PipelineLoader(BuiltInComponents.CreateCatalog()).Load(yaml, "funnel.yaml").GetPipelineOrThrow();
            await using var store = await SqliteRunStore.OpenAsync(Path.Combine(work, "runs.db"), CancellationToken.None);
            var process = Process.GetCurrentProcess();
            var watch = Stopwatch.StartNew();
            var cpu = process.TotalProcessorTime;
            (TimeSpan Wall, TimeSpan Cpu)? funnelStart = null;
            void Observe(RunEvent e)
            {
                if (e.Kind == RunEventKind.StepStarted && e.Asset == "funnel") { process.Refresh(); funnelStart = (watch.Elapsed, process.TotalProcessorTime); }
                Console.Error.WriteLine($"  {e.At:HH:mm:ss.f} {e.Asset}: {e.Message}");
            }
            var result = await new RunExecutor(BuiltInComponents.CreateCatalog(), wh, store, new ExecutorOptions(), TimeProvider.System)
                .ExecuteAsync(pipeline, new RunRequest { ProjectDirectory = work, Observer = Observe }, CancellationToken.None);
            process.Refresh();
            var (wall, used) = (watch.Elapsed, process.TotalProcessorTime);
            if (result.Status != RunStatus.Succeeded || funnelStart is not { } start) throw new InvalidOperationException(result.Error);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"generate_seconds={start.Wall.TotalSeconds:0.000}\ngenerate_cpu={(start.Cpu - cpu).TotalSeconds:0.000}\nseconds={(wall - start.Wall).TotalSeconds:0.000}\ncpu={(used - start.Cpu).TotalSeconds:0.000}"));
            await wh.ExportAsync("SELECT breakdown, step, units FROM funnel ORDER BY breakdown, step", null, Path.Combine(output, "ours_funnel.csv"), FileFormat.Csv, CancellationToken.None);
            if (csv is not null)
                await wh.ExportAsync("SELECT user_id, event, occurred_at, country FROM events", null, csv, FileFormat.Csv, CancellationToken.None);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }
}
