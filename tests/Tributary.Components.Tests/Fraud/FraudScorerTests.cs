using System.Globalization;
using Tributary.Components.Fraud;
using Tributary.Components.Samples.DemoStore;
using Tributary.Core.Loading;
using Tributary.Engine.Runs;
using Tributary.Testing;

namespace Tributary.Components.Tests.Fraud;

/// <summary>
/// The online scorer against the batch: the fraud_detection template on a small demo, then every transaction replayed in
/// time order through a scorer whose history starts empty, so each one's features come from the transactions that
/// arrived before it; features, scores and decisions must equal the batch's.
/// </summary>
public sealed class FraudScorerTests(PostgresCluster postgres)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static string Template => Path.Combine(RepositoryFiles.Templates, "fraud_detection.yaml");

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Replay_InTimeOrder_AgreesWithTheBatchFeaturesScoresAndDecisions(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        DemoStoreGenerator.Write(Path.Combine(h.Temp.Path, "data", "demo"), new DemoStoreOptions(Customers: 800, Days: 120, Seed: 5));
        var result = await h.RunFileAsync(Template);
        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        var loaded = new PipelineLoader(BuiltInComponents.CreateCatalog()).LoadFile(Template, new LoadOptions());
        var pipeline = loaded.Pipeline!;
        var featuresParameters = (TransactionFeaturesParameters)pipeline.Components.Single(c => c.Id == "transaction_features").Parameters;
        var transactions = new List<TransactionEvent>();
        await foreach (var t in FraudScorer.ReadTransactionsAsync(h.Warehouse, featuresParameters, "transactions", Ct)) transactions.Add(t);
        transactions = [.. transactions.OrderBy(t => t.At).ThenBy(t => t.Id, StringComparer.Ordinal)];
        Assert.True(transactions.Count > 1000, $"{transactions.Count} transactions");

        // Features: the replayed history gives each transaction the batch's features.
        var names = TransactionFeatures.FeatureNames;
        var batchFeatures = (await h.Warehouse.QueryAsync($"SELECT transaction_id, {string.Join(", ", names)} FROM transaction_features", null, 1_000_000, Ct)).Rows
            .ToDictionary(r => (string)r[0]!, r => r.Skip(1).Select(v => v is null ? (double?)null : Convert.ToDouble(v, CultureInfo.InvariantCulture)).ToArray());
        var history = new TransactionHistory(featuresParameters);
        var featureMismatches = new List<string>();
        foreach (var t in transactions)
        {
            var online = history.Features(t);
            history.Add(t);
            var batch = batchFeatures[t.Id];
            for (var j = 0; j < names.Length; j++)
                if (!Close(online[j], batch[j])) featureMismatches.Add($"{t.Id} {names[j]}: online {online[j]}, batch {batch[j]}");
        }
        Assert.True(featureMismatches.Count == 0, $"{featureMismatches.Count} feature values differ:\n{string.Join("\n", featureMismatches.Take(20))}");

        // Scores: a scorer with an empty history, fed in time order, scores and decides as analytics.risk_score did.
        var scorer = await FraudScorer.LoadAsync(h.Warehouse, pipeline, "risk_scores", rebuildHistory: false, Ct);
        var batchScores = (await h.Warehouse.QueryAsync("SELECT transaction_id, risk_score, decision, reasons, rule_part, anomaly_part FROM risk_scores", null, 1_000_000, Ct)).Rows
            .ToDictionary(r => (string)r[0]!, r => r);
        var scoreMismatches = new List<string>();
        foreach (var t in transactions)
        {
            var s = scorer.Score(t);
            var b = batchScores[t.Id];
            var reasons = s.Reasons.Count == 0 ? null : string.Join("; ", s.Reasons);
            if (Math.Abs(s.Score - Convert.ToDouble(b[1], CultureInfo.InvariantCulture)) > 1e-9 || s.Decision != (string)b[2]! || reasons != b[3] as string
                || !Close(s.RulePart, Convert.ToDouble(b[4], CultureInfo.InvariantCulture)) || !Close(s.AnomalyPart, b[5] is null ? null : Convert.ToDouble(b[5], CultureInfo.InvariantCulture)))
                scoreMismatches.Add($"{t.Id}: online {s.Score} {s.Decision} [{reasons}] rule {s.RulePart} anomaly {s.AnomalyPart}; batch {b[1]} {b[2]} [{b[3]}] rule {b[4]} anomaly {b[5]}");
        }
        Assert.True(scoreMismatches.Count == 0, $"{scoreMismatches.Count} of {transactions.Count} scores differ:\n{string.Join("\n", scoreMismatches.Take(20))}");
        Assert.Contains(batchScores.Values, r => (string)r[2]! != "allow");
        Assert.Equal(transactions.Count, scorer.Transactions);

        // A scorer rebuilt from the warehouse knows them all: scoring one again gives the same answer and does not count it twice.
        var rebuilt = await FraudScorer.LoadAsync(h.Warehouse, pipeline, "risk_scores", Ct);
        var flagged = transactions.First(t => (string)batchScores[t.Id][2]! != "allow");
        var again = rebuilt.Score(flagged);
        Assert.True(again.Known);
        Assert.Equal(Convert.ToDouble(batchScores[flagged.Id][1], CultureInfo.InvariantCulture), again.Score);
        Assert.Equal(transactions.Count, rebuilt.Transactions);
    }

    // Equal, or within rounding of the engine's running sums.
    private static bool Close(double? a, double? b) =>
        a is null ? b is null : b is not null && Math.Abs(a.Value - b.Value) <= 1e-9 * Math.Max(1, Math.Abs(b.Value));
}
