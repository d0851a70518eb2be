using System.Diagnostics;
using Tributary.Analytics.Classification;

namespace Tributary.Bench;

/// <summary>
/// The gradient-boosted classifier alone (churn, propensity and uplift all train it): rows of random features with a
/// known logistic truth, then training, scoring and scoring with contributions timed apart, with CPU seconds.
/// </summary>
internal static class ClassifierBench
{
    public static void Run(int rows, int features, int trees)
    {
        var random = new Random(7);
        var data = new List<float[]>(rows);
        var labels = new List<bool>(rows);
        for (var i = 0; i < rows; i++)
        {
            var r = new float[features];
            for (var j = 0; j < features; j++) r[j] = (float)random.NextDouble();
            data.Add(r);
            labels.Add(random.NextDouble() < 1 / (1 + Math.Exp(-(3 * r[0] - 2 * r[1] + r[2] * r[3] - 1))));
        }
        Time("train", () => BoostedClassifier.Train(data, labels, new BoostedClassifierOptions(Trees: trees)), out var model);
        Time("score", () => model.Score(data, contributions: false), out _);
        Time("score+contributions", () => model.Score(data, contributions: true), out _);
    }

    private static void Time<T>(string what, Func<T> work, out T result)
    {
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        result = work();
        Console.WriteLine($"{what,-22} {watch.Elapsed.TotalSeconds,7:0.00}s wall {(Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds,7:0.00}s cpu");
    }
}
