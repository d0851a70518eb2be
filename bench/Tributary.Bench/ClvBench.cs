using System.Diagnostics;
using System.Globalization;
using MathNet.Numerics.Distributions;
using Tributary.Analytics.Clv;
using Tributary.Components;
using Tributary.Core.Loading;
using Tributary.Core.Warehousing;
using Tributary.Engine.Execution;
using Tributary.Engine.Runs;
using Tributary.Warehouse.DuckDb;

namespace Tributary.Bench;

/// <summary>CLV model speed: fits on CDNOW, and analytics.ltv (fit + scoring) on a generated store of N customers.</summary>
internal static class ClvBench
{
    public static void Cdnow(string folder)
    {
        var rows = File.ReadAllLines(Path.Combine(folder, "cdnow_customers_summary_with_transactions.csv")).Skip(1)
            .Select(l => l.Split(',').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray()).ToList();
        var data = new RfmSummary(rows.Select(r => r[1]).ToArray(), rows.Select(r => r[2]).ToArray(), rows.Select(r => r[3]).ToArray());
        var (x, z) = (rows.Select(r => r[1]).ToArray(), rows.Select(r => r[4]).ToArray());
        Time("bgnbd fit (CDNOW, 2,357 customers)", () => BgNbd.Fit(data).Estimate.LogLikelihood);
        Time("pareto_nbd fit (CDNOW)", () => ParetoNbd.Fit(data).Estimate.LogLikelihood);
        Time("gamma_gamma fit (CDNOW, 946 repeat buyers)", () => GammaGamma.Fit(x, z).Estimate.LogLikelihood);
    }

    private static void Time(string what, Func<double> work)
    {
        work(); // warm-up: JIT and caches
        var watch = Stopwatch.StartNew();
        const int runs = 5;
        double ll = 0;
        for (var i = 0; i < runs; i++) ll = work();
        Console.WriteLine($"{what}: {watch.Elapsed.TotalMilliseconds / runs:0.0} ms per fit (LL {ll:0.0})");
    }

    public static async Task StoreAsync(int customers, string model)
    {
        var folder = Path.Combine(Path.GetTempPath(), "trib-bench-clv-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        try
        {
            await using var wh = await DuckDbWarehouse.OpenAsync(Path.Combine(folder, "w.duckdb"), CancellationToken.None);
            var watch = Stopwatch.StartNew();
            var orders = await wh.ReplaceTableAsync("orders_raw", (b, ct) => b.CreateAndAppendAsync(
                [("customer_id", DataKind.Integer), ("ordered_at", DataKind.Timestamp), ("amount", DataKind.Number)], Orders(customers, new Random(7)), ct), CancellationToken.None);
            Console.Error.WriteLine($"generated {orders:N0} orders for {customers:N0} customers in {watch.Elapsed.TotalSeconds:0.0}s");

            var pipeline = new PipelineLoader(BuiltInComponents.CreateCatalog()).Load($$"""
                pipeline: clv_bench
                components:
                  - { id: orders, type: transform.sql, with: { sql: SELECT * FROM orders_raw } }
                  - { id: ltv, type: analytics.ltv, inputs: [orders], with: { model: {{model}}, time_unit: week, calibration_end: 2025-12-31 } }
                """, "clv.yaml").GetPipelineOrThrow();
            await using var store = await SqliteRunStore.OpenAsync(Path.Combine(folder, "runs.db"), CancellationToken.None);
            watch.Restart();
            var result = await new RunExecutor(BuiltInComponents.CreateCatalog(), wh, store, new ExecutorOptions(), TimeProvider.System)
                .ExecuteAsync(pipeline, new RunRequest { ProjectDirectory = folder, Observer = e => { if (e.Asset == "ltv") Console.Error.WriteLine($"  {e.At:HH:mm:ss.f} {e.Message}"); } }, CancellationToken.None);
            if (result.Status != RunStatus.Succeeded) throw new InvalidOperationException(result.Error);
            var step = result.Steps.Single(s => s.Asset == "ltv");
            var ltvSeconds = (step.EndedAt!.Value - step.StartedAt!.Value).TotalSeconds;
            var model1 = await wh.QueryAsync("SELECT model, parameter, value FROM ltv__model WHERE parameter IN ('r','alpha','a','b','s','beta','p','q','gamma')", null, 20, CancellationToken.None);
            Console.WriteLine($"analytics.ltv {model} on {customers:N0} customers ({orders:N0} orders): {ltvSeconds:0.00}s for the step (summary SQL, fits, scoring with a 50-draw interval, writes); run {watch.Elapsed.TotalSeconds:0.00}s");
            Console.WriteLine("  fitted: " + string.Join(", ", model1.Rows.Select(r => $"{r[1]}={Convert.ToDouble(r[2], CultureInfo.InvariantCulture):0.###}")));
            Console.WriteLine("  truth:  r=0.25, alpha=30 (days) = 4.286 (weeks), a=0.8, b=2.5, p=6, q=4, gamma=15");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>
    /// The BG/NBD fit alone on simulated weekly histories of each size (no warehouse): distinct (x, t_x, T) rows, then the
    /// process's CPU seconds and wall seconds of the fit as the component makes it (BFGS with the analytic gradient on the
    /// distinct rows) and of Nelder-Mead on the value alone (how it was fitted before), best of three each.
    /// </summary>
    public static void Fits(IReadOnlyList<int> sizes)
    {
        foreach (var customers in sizes)
        {
            var data = WeeklyHistories(customers);
            var (distinct, _) = data.Compress();
            Console.WriteLine($"{customers:N0} customers: {distinct.Count:N0} distinct (x, t_x, T) histories");
            double[] start = [1, 1, 1, 1];
            var evaluations = 0;
            Measure("  BFGS, analytic gradient", () =>
            {
                var fit = BgNbd.Fit(distinct);
                return $"{fit.Estimate.Iterations} iterations, LL {fit.Estimate.LogLikelihood:0.0}, r={fit.Parameters.R:0.####} alpha={fit.Parameters.Alpha:0.####} a={fit.Parameters.A:0.####} b={fit.Parameters.B:0.####}";
            });
            Measure("  Nelder-Mead, value only", () =>
            {
                evaluations = 0;
                var fit = Tributary.Analytics.Fitting.MaximumLikelihood.Maximize(q => { evaluations++; return BgNbd.LogLikelihood(new BgNbdParameters(q[0], q[1], q[2], q[3]), distinct); }, start);
                return $"{fit.Iterations} iterations, {evaluations} evaluations, LL {fit.LogLikelihood:0.0}, r={fit.Parameters[0]:0.####} alpha={fit.Parameters[1]:0.####} a={fit.Parameters[2]:0.####} b={fit.Parameters[3]:0.####}";
            });
        }
    }

    private static void Measure(string what, Func<string> fit)
    {
        fit(); // JIT and caches
        var (bestCpu, bestWall, result) = (double.MaxValue, double.MaxValue, "");
        for (var run = 0; run < 3; run++)
        {
            using var process = Process.GetCurrentProcess();
            var cpu = process.TotalProcessorTime;
            var watch = Stopwatch.StartNew();
            result = fit();
            var wall = watch.Elapsed.TotalSeconds;
            process.Refresh();
            (bestCpu, bestWall) = (Math.Min(bestCpu, (process.TotalProcessorTime - cpu).TotalSeconds), Math.Min(bestWall, wall));
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{what}: {bestCpu:0.000} CPU s, {bestWall:0.000} s wall (best of 3); {result}"));
    }

    // What PurchaseHistory makes of Orders(customers): same-day orders merged, calibration through 2025-12-31, in weeks.
    private static RfmSummary WeeklyHistories(int customers)
    {
        var end = new DateOnly(2025, 12, 31).DayNumber;
        var days = new SortedSet<int>();
        var (x, tx, t) = (new List<double>(), new List<double>(), new List<double>());
        long current = -1;
        void Flush()
        {
            if (days.Count == 0) return;
            x.Add(days.Count - 1);
            tx.Add((days.Max - days.Min) / 7.0);
            t.Add(Math.Max(end - days.Min, 1) / 7.0);
            days.Clear();
        }
        foreach (var row in Orders(customers, new Random(7)))
        {
            var customer = Convert.ToInt64(row[0], CultureInfo.InvariantCulture);
            if (customer != current) Flush();
            current = customer;
            var day = DateOnly.FromDateTime((DateTime)row[1]!).DayNumber;
            if (day <= end) days.Add(day);
        }
        Flush();
        return new RfmSummary(x.ToArray(), tx.ToArray(), t.ToArray());
    }

    // BG/NBD in days (r = 0.25, α = 30, a = 0.8, b = 2.5); spend gamma(p = 6, ν) with ν ~ gamma(q = 4, γ = 15); first purchases over 2025.
    internal static IEnumerable<object?[]> Orders(int customers, Random random)
    {
        var start = new DateTime(2025, 1, 1, 0, 0, 0, DateTimeKind.Unspecified);
        for (var c = 0; c < customers; c++)
        {
            var first = random.Next(0, 365);
            var age = 365 - first;
            var rate = Gamma.Sample(random, 0.25, 30);
            var dropout = Beta.Sample(random, 0.8, 2.5);
            var scale = Gamma.Sample(random, 4, 15);
            var firstAt = start.AddDays(first).AddHours(10);
            yield return [c, firstAt, Gamma.Sample(random, 6, scale)];
            double clock = 0;
            while (true)
            {
                clock += Exponential.Sample(random, rate);
                if (clock > age - 1) break; // calibration ends with day 364
                yield return [c, firstAt.AddDays(clock), Gamma.Sample(random, 6, scale)];
                if (random.NextDouble() < dropout) break;
            }
        }
    }
}
