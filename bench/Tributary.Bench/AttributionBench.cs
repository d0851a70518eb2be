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

/// <summary>analytics.attribution with every model over N generated paths of about ten touches each, on DuckDB.</summary>
internal static class AttributionBench
{
    private static readonly string[] Models =
        ["first_touch", "last_touch", "last_non_direct", "linear", "time_decay", "position_based", "w_shaped", "markov_1", "markov_2", "markov_3", "shapley", "shapley_simplified"];

    public static async Task RunAsync(int paths)
    {
        var folder = Path.Combine(Path.GetTempPath(), "trib-bench-attribution-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        try
        {
            await using var wh = await DuckDbWarehouse.OpenAsync(Path.Combine(folder, "w.duckdb"), CancellationToken.None);
            var watch = Stopwatch.StartNew();
            var touches = await wh.ReplaceTableAsync("paths_raw", (b, ct) => b.CreateAndAppendAsync(
                [("path_id", DataKind.Text), ("position", DataKind.Integer), ("channel", DataKind.Text), ("campaign", DataKind.Text), ("converted", DataKind.Boolean),
                 ("conversion_value", DataKind.Number), ("days_before_conversion", DataKind.Number), ("converted_at", DataKind.Timestamp)],
                Touches(paths, new Random(11)), ct), CancellationToken.None);
            Console.Error.WriteLine($"generated {paths:N0} paths, {touches:N0} touches in {watch.Elapsed.TotalSeconds:0.0}s");

            var pipeline = new PipelineLoader(BuiltInComponents.CreateCatalog()).Load($$"""
                pipeline: attribution_bench
                components:
                  - { id: paths, type: transform.sql, with: { sql: SELECT * FROM paths_raw } }
                  - { id: attribution, type: analytics.attribution, inputs: [paths], with: { models: [{{string.Join(", ", Models)}}] } }
                """, "attribution.yaml").GetPipelineOrThrow();
            await using var store = await SqliteRunStore.OpenAsync(Path.Combine(folder, "runs.db"), CancellationToken.None);
            watch.Restart();
            var result = await new RunExecutor(BuiltInComponents.CreateCatalog(), wh, store, new ExecutorOptions(), TimeProvider.System)
                .ExecuteAsync(pipeline, new RunRequest { ProjectDirectory = folder, Observer = e => { if (e.Asset == "attribution") Console.Error.WriteLine($"  {e.At:HH:mm:ss.f} {e.Message}"); } }, CancellationToken.None);
            if (result.Status != RunStatus.Succeeded) throw new InvalidOperationException(result.Error);
            var step = result.Steps.Single(s => s.Asset == "attribution");
            var conversions = await wh.QueryAsync("SELECT count(*) FROM attribution__conversions", null, 1, CancellationToken.None);
            Console.WriteLine($"analytics.attribution, {Models.Length} models, {paths:N0} paths / {touches:N0} touches: {(step.EndedAt!.Value - step.StartedAt!.Value).TotalSeconds:0.0}s for the step " +
                $"(read, channel and campaign level, {conversions.Rows[0][0]:N0} per-conversion rows written)");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>
    /// The attribution step alone over a kept warehouse (its <c>touches</c> table loaded from the CSV on first use), the
    /// models of bench/analytics.sh: for profiling the step without reloading the file each time.
    /// </summary>
    public static async Task StepAsync(string database, string csv)
    {
        await using var wh = await DuckDbWarehouse.OpenAsync(database, CancellationToken.None);
        if (!(await wh.ListTablesAsync(CancellationToken.None)).Contains("touches"))
            await wh.ReplaceTableAsync("touches", (b, ct) => b.CreateAsSelectAsync($"SELECT * FROM read_csv({wh.Dialect.Literal(Path.GetFullPath(csv))})", null, ct), CancellationToken.None);
        var pipeline = new PipelineLoader(BuiltInComponents.CreateCatalog()).Load("""
            pipeline: attribution_step
            components:
              - { id: paths, type: transform.sql, with: { sql: SELECT * FROM touches } }
              - { id: attribution, type: analytics.attribution, inputs: [paths], with: { models: [first_touch, last_touch, linear, time_decay, position_based, markov_1, shapley], conversion_detail: [] } }
            """, "attribution.yaml").GetPipelineOrThrow();
        var folder = Path.Combine(Path.GetTempPath(), "trib-bench-attribution-step-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        try
        {
            await using var store = await SqliteRunStore.OpenAsync(Path.Combine(folder, "runs.db"), CancellationToken.None);
            TimeSpan? cpu = null;
            var result = await new RunExecutor(BuiltInComponents.CreateCatalog(), wh, store, new ExecutorOptions(), TimeProvider.System)
                .ExecuteAsync(pipeline, new RunRequest
                {
                    ProjectDirectory = folder,
                    Observer = e =>
                    {
                        if (e.Asset == "attribution") cpu ??= Process.GetCurrentProcess().TotalProcessorTime;
                        Console.Error.WriteLine($"  {e.At:HH:mm:ss.f} {e.Asset}: {e.Message}");
                    },
                }, CancellationToken.None);
            if (result.Status != RunStatus.Succeeded) throw new InvalidOperationException(result.Error);
            Console.WriteLine($"attribution step CPU {(Process.GetCurrentProcess().TotalProcessorTime - cpu!.Value).TotalSeconds:0.00}s");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    // 12 channels with 1–3 campaigns, 1 + Poisson(9) touches per path, conversion by a noisy-OR of the channels touched.
    internal static IEnumerable<object?[]> Touches(int paths, Random random)
    {
        var channels = Enumerable.Range(0, 12).Select(i => (Name: $"channel_{i:00}", Weight: 1.0 / (i + 2), Effect: 0.01 + 0.008 * (11 - i), Campaigns: 1 + i % 3)).ToArray();
        var total = channels.Sum(c => c.Weight);
        var start = new DateTime(2025, 1, 1, 0, 0, 0, DateTimeKind.Unspecified);
        for (var p = 0; p < paths; p++)
        {
            var n = 1 + Poisson.Sample(random, 9);
            var picks = new (int Channel, int Campaign)[n];
            var touched = new bool[channels.Length];
            for (var k = 0; k < n; k++)
            {
                var u = random.NextDouble() * total;
                var c = 0;
                while (u > channels[c].Weight && c < channels.Length - 1) u -= channels[c++].Weight;
                picks[k] = (c, random.Next(channels[c].Campaigns));
                touched[c] = true;
            }
            var stay = 0.98;
            for (var c = 0; c < channels.Length; c++) if (touched[c]) stay *= 1 - channels[c].Effect;
            var converted = random.NextDouble() < 1 - stay;
            var at = start.AddMinutes(random.Next(0, 525_600));
            for (var k = 0; k < n; k++)
                yield return [$"p{p:0000000}", (long)(k + 1), channels[picks[k].Channel].Name, $"campaign_{picks[k].Channel:00}_{picks[k].Campaign}", converted,
                    converted ? 40.0 : 0.0, converted ? (double)(n - k) : null, converted ? at : null];
        }
    }
}
