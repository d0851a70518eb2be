using System.Diagnostics;
using System.Globalization;
using System.Text;
using Tributary.Analytics.Classification;
using Tributary.Analytics.Fraud;
using Tributary.Components;
using Tributary.Core.Loading;
using Tributary.Engine.Execution;
using Tributary.Engine.Runs;
using Tributary.Warehouse.DuckDb;

namespace Tributary.Bench;

/// <summary>
/// Isolation Forest on generated transactions with planted anomalies. bench/fraud.sh writes the CSV once
/// (<see cref="WriteData"/>), then runs ours (<see cref="RunAsync"/>) and the scikit-learn peer (bench/peers/isolation_forest.py)
/// back to back on it: 100 trees, ψ = 256, fit and score every row, AUC against the planted labels.
/// </summary>
internal static class FraudBench
{
    internal static readonly string[] Features =
        ["amount", "amount_z", "count_1h", "count_24h", "cards_per_email_24h", "decline_ratio_24h", "hour", "account_age_days"];

    /// <summary>
    /// <paramref name="rows"/> transactions with 8 features and a label: ordinary ones, and 0.5% planted anomalies of three
    /// kinds (card testing: bursts of small declined charges; account takeover: a new device at night with many cards;
    /// amount outliers). The kinds overlap the ordinary range in some features, so neither forest scores them perfectly.
    /// </summary>
    public static void WriteData(string path, int rows, int seed = 7)
    {
        var random = new Random(seed);
        using var writer = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 20);
        writer.Write("transaction_id,");
        writer.Write(string.Join(",", Features));
        writer.Write(",is_anomaly\n");
        var line = new StringBuilder();
        for (var i = 0; i < rows; i++)
        {
            double amount = Math.Exp(3.6 + 0.9 * Gaussian(random)), z = Gaussian(random), c1 = Poisson(random, 0.6), c24 = c1 + Poisson(random, 2.5);
            double cards = 1 + (random.NextDouble() < 0.05 ? 1 : 0), decline = random.NextDouble() < 0.9 ? 0 : random.NextDouble() * 0.5;
            double hour = (14 + 4.5 * Gaussian(random) + 24) % 24, age = Math.Exp(5.5 + 1.2 * Gaussian(random));
            var label = 0;
            var u = random.NextDouble();
            if (u < 0.002)
            {
                // Card testing: many small charges in an hour, mostly declined.
                (amount, z, c1, c24, decline, label) = (1 + random.NextDouble() * 4, -1.5 + 0.5 * Gaussian(random), 8 + Poisson(random, 10), 20 + Poisson(random, 15), 0.4 + 0.5 * random.NextDouble(), 1);
            }
            else if (u < 0.0035)
            {
                // Account takeover: young session, night, several cards on one email.
                (cards, hour, age, z, label) = (3 + Poisson(random, 2), 1 + 4 * random.NextDouble(), 1 + 20 * random.NextDouble(), 1.5 + Gaussian(random), 1);
            }
            else if (u < 0.005)
            {
                // Amount outlier against the customer's own history.
                (amount, z, label) = (amount * (8 + 20 * random.NextDouble()), 4 + 2 * random.NextDouble(), 1);
            }
            line.Clear();
            line.Append(CultureInfo.InvariantCulture, $"t{i},{amount:0.00},{z:0.000},{c1},{c24},{cards},{decline:0.000},{hour:0.00},{age:0.0},{label}\n");
            writer.Write(line);
        }
    }

    /// <summary>
    /// Reads the CSV (untimed), then fits and scores the standard and the extended forest in memory, and runs the
    /// analytics.isolation_forest component on the same rows in a fresh DuckDB (the CSV loaded first, untimed). Prints each
    /// part's wall and CPU seconds (this process, every thread) and AUC; <c>seconds=</c> and <c>model_cpu_seconds=</c> are the
    /// standard forest's fit + score, the peer's like for like.
    /// </summary>
    public static async Task RunAsync(string csv, string output)
    {
        Directory.CreateDirectory(output);
        var (values, labels) = Read(csv);
        var rows = labels.Length;
        Console.WriteLine($"rows={rows} features={Features.Length} anomalies={labels.Count(l => l)}");
        foreach (var method in new[] { IsolationMethod.IsolationForest, IsolationMethod.Extended })
        {
            var name = method == IsolationMethod.IsolationForest ? "isolation_forest" : "extended";
            var (cpu, wall) = (Process.GetCurrentProcess().TotalProcessorTime, Stopwatch.StartNew());
            var model = IsolationForest.Fit(values, Features.Length, new IsolationForestOptions { Method = method, Trees = 100, SampleSize = 256, Seed = 42 });
            var fit = wall.Elapsed.TotalSeconds;
            var scores = model.Score(values);
            var (w, c) = (wall.Elapsed.TotalSeconds, (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds);
            var auc = ClassifierMetrics.Auc(scores, labels);
            Console.WriteLine(FormattableString.Invariant($"{name}: fit {fit:0.000} s, fit+score wall {w:0.000} s, CPU {c:0.000} s, AUC {auc:0.0000}"));
            if (method == IsolationMethod.IsolationForest)
                Console.WriteLine(FormattableString.Invariant($"seconds={w:0.000}\nmodel_cpu_seconds={c:0.000}\nauc={auc:0.00000}"));
            else
                Console.WriteLine(FormattableString.Invariant($"extended_seconds={w:0.000}\nextended_cpu_seconds={c:0.000}\nextended_auc={auc:0.00000}"));
        }
        await ComponentAsync(csv, output, labels.Length).ConfigureAwait(false);
    }

    private static async Task ComponentAsync(string csv, string output, int rows)
    {
        var work = Path.Combine(output, "work-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(work);
        try
        {
            await using var wh = await DuckDbWarehouse.OpenAsync(Path.Combine(work, "w.duckdb"), CancellationToken.None);
            await wh.ExecuteAsync("SET memory_limit = '3GB'", null, CancellationToken.None);
            var load = $"CREATE TABLE tx AS SELECT * FROM read_csv({wh.Dialect.Literal(Path.GetFullPath(csv))}, header = true)";
            await wh.ExecuteAsync(load, null, CancellationToken.None);
            var yaml = $$"""
                pipeline: fraud_bench
                components:
                  - { id: scored, type: transform.sql, with: { sql: "SELECT * FROM tx" } }
                  - id: anomalies
                    type: analytics.isolation_forest
                    inputs: [scored]
                    with: { id_columns: [transaction_id], features: [{{string.Join(", ", Features)}}], method: isolation_forest }
                """;
            var loaded = new PipelineLoader(BuiltInComponents.CreateCatalog()).Load(yaml, "fraud_bench.yaml", new LoadOptions());
            if (!loaded.Succeeded) throw new InvalidOperationException(string.Join("\n", loaded.Diagnostics));
            await using var store = await SqliteRunStore.OpenAsync(Path.Combine(work, "runs.db"), CancellationToken.None);
            var executor = new RunExecutor(BuiltInComponents.CreateCatalog(), wh, store, new ExecutorOptions(), TimeProvider.System);
            var (cpu, wall) = (Process.GetCurrentProcess().TotalProcessorTime, Stopwatch.StartNew());
            var result = await executor.ExecuteAsync(loaded.Pipeline!, new RunRequest { ProjectDirectory = work }, CancellationToken.None);
            var (w, c) = (wall.Elapsed.TotalSeconds, (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds);
            if (result.Status != RunStatus.Succeeded) throw new InvalidOperationException(result.Error);
            // Mann–Whitney AUC from the ranks (rank 1 = most anomalous).
            var auc = await wh.ScalarAsync("""
                WITH j AS (SELECT t.is_anomaly = 1 AS pos, a.anomaly_rank AS r FROM anomalies a JOIN tx t USING (transaction_id)),
                     s AS (SELECT count(*) AS n, count(*) FILTER (WHERE pos) AS p, sum(r) FILTER (WHERE pos) AS rp FROM j)
                SELECT (p * (n + 1) - rp - p * (p + 1) / 2.0) / (p * (n - p)) FROM s
                """, null, CancellationToken.None);
            Console.WriteLine(FormattableString.Invariant($"component analytics.isolation_forest (DuckDB, reading {rows:N0} rows and writing the scores): wall {w:0.000} s, CPU {c:0.000} s, AUC by rank {Convert.ToDouble(auc, CultureInfo.InvariantCulture):0.0000}"));
            Console.WriteLine(FormattableString.Invariant($"step_cpu_seconds={c:0.000}"));
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static (double[] Values, bool[] Labels) Read(string csv)
    {
        var values = new List<double>();
        var labels = new List<bool>();
        foreach (var line in File.ReadLines(csv).Skip(1))
        {
            var fields = line.Split(',');
            for (var j = 1; j <= Features.Length; j++) values.Add(double.Parse(fields[j], CultureInfo.InvariantCulture));
            labels.Add(fields[^1] == "1");
        }
        return (values.ToArray(), labels.ToArray());
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    // Knuth's product method; fine for the small means used here.
    private static int Poisson(Random random, double mean)
    {
        var (limit, k, p) = (Math.Exp(-mean), 0, random.NextDouble());
        while (p > limit) { k++; p *= random.NextDouble(); }
        return k;
    }
}
