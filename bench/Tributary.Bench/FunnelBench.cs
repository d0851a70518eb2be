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
/// analytics.funnel against the pandas peer (bench/peers/funnel.py) on one generated event file: a 5-step ordered funnel,
/// 7-day window, per user, broken down by country. bench/funnel.sh drives both sides.
/// </summary>
internal static class FunnelBench
{
    internal static readonly string[] Steps = ["Product Viewed", "Product Added", "Checkout Started", "Payment Entered", "Order Completed"];

    /// <summary>
    /// Writes <paramref name="events"/> events of events/50 users over 90 days: each a funnel step or one of five other
    /// events, steps rarer the deeper they are; a user's country is fixed. Deterministic (hashes of the row number).
    /// </summary>
    public static async Task WriteDataAsync(string folder, long events)
    {
        Directory.CreateDirectory(folder);
        await using var wh = await DuckDbWarehouse.OpenAsync(":memory:", CancellationToken.None);
        var watch = Stopwatch.StartNew();
        var users = Math.Max(1, events / 50);
        var path = wh.Dialect.Literal(Path.GetFullPath(Path.Combine(folder, "events.csv")));
        // Cumulative shares (per mille) of the 10 event names; the last five are not funnel steps.
        var names = string.Join(", ", Steps.Concat(["Page Viewed", "Search", "Wishlist", "Review Read", "Email Opened"]).Select(wh.Dialect.Literal));
        await wh.ExecuteAsync($"""
            COPY (
                SELECT 'e' || i AS event_id, 'u' || u AS user_id,
                       [{names}][CASE WHEN r < 300 THEN 1 WHEN r < 450 THEN 2 WHEN r < 530 THEN 3 WHEN r < 580 THEN 4 WHEN r < 620 THEN 5
                                    ELSE 6 + CAST(r % 5 AS INTEGER) END] AS event,
                       TIMESTAMP '2025-01-01' + to_seconds(CAST(hash(i * 7 + 3) % 7776000 AS BIGINT)) AS occurred_at,
                       ['US', 'DE', 'GB', 'FR', 'JP'][1 + CAST(hash(u * 13 + 5) % 5 AS INTEGER)] AS country
                FROM (SELECT i, hash(i * 11 + 1) % {users.ToString(CultureInfo.InvariantCulture)} AS u, hash(i * 17 + 2) % 1000 AS r
                      FROM range({events.ToString(CultureInfo.InvariantCulture)}) t(i))
            ) TO {path} (HEADER, DELIMITER ',')
            """, null, CancellationToken.None);
        Console.Error.WriteLine($"wrote {events:N0} events of {users:N0} users to {folder} in {watch.Elapsed.TotalSeconds:0.0}s");
    }

    /// <summary>Loads the file into a fresh DuckDB and runs the funnel; prints seconds= and exports the step counts.</summary>
    public static async Task RunAsync(string folder, string output)
    {
        var work = Path.Combine(Path.GetTempPath(), "trib-bench-funnel-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(work);
        try
        {
            await using var wh = await DuckDbWarehouse.OpenAsync(Path.Combine(work, "w.duckdb"), CancellationToken.None);
            var file = wh.Dialect.Literal(Path.GetFullPath(Path.Combine(folder, "events.csv")));
            var yaml = $$"""
                pipeline: funnel_bench
                components:
                  - { id: events, type: transform.sql, with: { sql: "SELECT * FROM read_csv({{file}}, types = {'occurred_at': 'TIMESTAMP'})" } }
                  - id: funnel
                    type: analytics.funnel
                    inputs: [events]
                    with: { steps: [{{string.Join(", ", Steps)}}], window: 7d, unit_column: user_id, breakdown: country }
                """;
            var pipeline = new PipelineLoader(BuiltInComponents.CreateCatalog()).Load(yaml, "funnel.yaml").GetPipelineOrThrow();
            await using var store = await SqliteRunStore.OpenAsync(Path.Combine(work, "runs.db"), CancellationToken.None);
            var watch = Stopwatch.StartNew();
            var result = await new RunExecutor(BuiltInComponents.CreateCatalog(), wh, store, new ExecutorOptions(), TimeProvider.System)
                .ExecuteAsync(pipeline, new RunRequest { ProjectDirectory = work, Observer = e => Console.Error.WriteLine($"  {e.At:HH:mm:ss.f} {e.Asset}: {e.Message}") }, CancellationToken.None);
            var seconds = watch.Elapsed.TotalSeconds;
            if (result.Status != RunStatus.Succeeded) throw new InvalidOperationException(result.Error);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"seconds={seconds:0.000}"));
            Directory.CreateDirectory(output);
            await wh.ExportAsync("SELECT breakdown, step, units FROM funnel ORDER BY breakdown, step", null, Path.Combine(output, "ours_funnel.csv"), FileFormat.Csv, CancellationToken.None);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }
}
