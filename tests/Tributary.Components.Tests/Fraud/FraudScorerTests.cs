using System.Globalization;
using Tributary.Components.Fraud;
using Tributary.Components.Samples.DemoStore;
using Tributary.Core.Loading;
using Tributary.Core.Warehousing;
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
        var batchScores = await AssertReplayAgreesAsync(h, pipeline, transactions);
        Assert.Contains(batchScores.Values, r => (string)r[2]! != "allow");

        // A scorer rebuilt from the warehouse knows them all: scoring one again gives the same answer and does not count it twice.
        var rebuilt = await FraudScorer.LoadAsync(h.Warehouse, pipeline, "risk_scores", Ct);
        var flagged = transactions.First(t => (string)batchScores[t.Id][2]! != "allow");
        var again = rebuilt.Score(flagged);
        Assert.True(again.Known);
        Assert.Equal(Convert.ToDouble(batchScores[flagged.Id][1], CultureInfo.InvariantCulture), again.Score);
        Assert.Equal(transactions.Count, rebuilt.Transactions);
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Replay_WithATrainedSupervisedModel_AgreesWithTheBatchScores(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        var demo = Path.Combine(h.Temp.Path, "data", "demo");
        DemoStoreGenerator.Write(demo, new DemoStoreOptions(Customers: 800, Days: 120, Seed: 5));
        // Analyst labels before the run: the known fraud, and every tenth other charge as legitimate.
        var fraud = File.ReadLines(Path.Combine(demo, "ground_truth", "fraud_labels.csv")).Skip(1).Select(l => l.Split(',')[0]).ToHashSet(StringComparer.Ordinal);
        var charges = File.ReadLines(Path.Combine(demo, "stripe", "charges.csv")).Skip(1).Select(l => l.Split(',')[0]).ToList();
        var labelled = charges.Where((id, i) => fraud.Contains(id) || i % 10 == 0)
            .Select(id => new object?[] { id, fraud.Contains(id) ? "fraud" : "legitimate", "analyst", new DateTime(2026, 12, 1) }).ToList();
        Assert.True(fraud.Count >= 20, $"{fraud.Count} fraud labels");
        await h.Warehouse.WriteTablesAsync([new TableWrite("fraud_feedback", TableWriteMode.Replace, (t, ct) => t.CreateAndAppendAsync(
            [("transaction_id", DataKind.Text), ("label", DataKind.Text), ("labelled_by", DataKind.Text), ("labelled_at", DataKind.Timestamp)], labelled, ct))], Ct);
        var result = await h.RunFileAsync(Template, new Dictionary<string, string> { ["min_labels"] = "20" });
        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        Assert.Equal(1.0, Convert.ToDouble((await h.RowsAsync("SELECT value FROM fraud_model__metrics WHERE metric = 'trained'"))[0][0], CultureInfo.InvariantCulture));
        Assert.NotEmpty(await h.RowsAsync("SELECT part FROM fraud_model__model"));

        var loaded = new PipelineLoader(BuiltInComponents.CreateCatalog()).LoadFile(Template, new LoadOptions { ParamOverrides = new Dictionary<string, string> { ["min_labels"] = "20" } });
        var pipeline = loaded.Pipeline!;
        var featuresParameters = (TransactionFeaturesParameters)pipeline.Components.Single(c => c.Id == "transaction_features").Parameters;
        var transactions = new List<TransactionEvent>();
        await foreach (var t in FraudScorer.ReadTransactionsAsync(h.Warehouse, featuresParameters, "transactions", Ct)) transactions.Add(t);
        transactions = [.. transactions.OrderBy(t => t.At).ThenBy(t => t.Id, StringComparer.Ordinal)];
        var batchScores = await AssertReplayAgreesAsync(h, pipeline, transactions);
        // The model took part: every transaction has its probability, and some reasons come from it.
        Assert.All(batchScores.Values, r => Assert.NotNull(r[6]));
        Assert.Contains(batchScores.Values, r => r[3] is string reasons && reasons.Contains("model: ", StringComparison.Ordinal));
    }

    // Replays the transactions in time order through a scorer with an empty history; every score, decision, reason and part
    // must equal the batch's. Returns the batch's rows by transaction id.
    private static async Task<Dictionary<string, object?[]>> AssertReplayAgreesAsync(ComponentHarness h, Core.Pipelines.PipelineSpec pipeline, List<TransactionEvent> transactions)
    {
        var scorer = await FraudScorer.LoadAsync(h.Warehouse, pipeline, "risk_scores", rebuildHistory: false, Ct);
        var batchScores = (await h.Warehouse.QueryAsync("SELECT transaction_id, risk_score, decision, reasons, rule_part, anomaly_part, model_part FROM risk_scores", null, 1_000_000, Ct)).Rows
            .ToDictionary(r => (string)r[0]!, r => r);
        double? D(object? v) => v is null ? null : Convert.ToDouble(v, CultureInfo.InvariantCulture);
        var scoreMismatches = new List<string>();
        foreach (var t in transactions)
        {
            var s = scorer.Score(t);
            var b = batchScores[t.Id];
            var reasons = s.Reasons.Count == 0 ? null : string.Join("; ", s.Reasons);
            if (Math.Abs(s.Score - Convert.ToDouble(b[1], CultureInfo.InvariantCulture)) > 1e-9 || s.Decision != (string)b[2]! || reasons != b[3] as string
                || !Close(s.RulePart, D(b[4])) || !Close(s.AnomalyPart, D(b[5])) || !Close(s.ModelPart, D(b[6])))
                scoreMismatches.Add($"{t.Id}: online {s.Score} {s.Decision} [{reasons}] rule {s.RulePart} anomaly {s.AnomalyPart} model {s.ModelPart}; batch {b[1]} {b[2]} [{b[3]}] rule {b[4]} anomaly {b[5]} model {b[6]}");
        }
        Assert.True(scoreMismatches.Count == 0, $"{scoreMismatches.Count} of {transactions.Count} scores differ:\n{string.Join("\n", scoreMismatches.Take(20))}");
        Assert.Equal(transactions.Count, scorer.Transactions);
        return batchScores;
    }

    // Equal, or within rounding of the engine's running sums.
    private static bool Close(double? a, double? b) =>
        a is null ? b is null : b is not null && Math.Abs(a.Value - b.Value) <= 1e-9 * Math.Max(1, Math.Abs(b.Value));
}
