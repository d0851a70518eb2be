using System.Globalization;
using Tributary.Components.Samples.DemoStore;
using Tributary.Engine.Runs;
using Tributary.Testing;

namespace Tributary.Components.Tests.Fraud;

/// <summary>
/// The fraud_detection template end to end on demo data, against the generator's fraud labels. Developed on seed 11;
/// the confirmation seed, run once after the bounds were fixed, is 47 (29 confirmed the earlier template and was seen since).
/// The per-type goal was developed on 11 and 47 and confirmed once on 83 (see docs/fraud.md).
/// </summary>
public sealed class FraudDetectionTemplateTests(PostgresCluster postgres)
{
    private static string Template => Path.Combine(RepositoryFiles.Templates, "fraud_detection.yaml");
    private const int DevelopmentSeed = 11;
    private const int ConfirmationSeed = 47;

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task FraudDetection_DevelopmentSeed_MeetsTheGoals(string engine) => await GoalsAsync(engine, DevelopmentSeed);

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task FraudDetection_ConfirmationSeed_MeetsTheGoals(string engine) => await GoalsAsync(engine, ConfirmationSeed);

    private async Task GoalsAsync(string engine, int seed)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        DemoStoreGenerator.Write(Path.Combine(h.Temp.Path, "data", "demo"), new DemoStoreOptions(Customers: 3000, Days: 365, Seed: seed));
        var result = await h.RunFileAsync(Template);
        Assert.True(result.Status == RunStatus.Succeeded, result.Error);

        var evaluation = (await h.RowsAsync("SELECT fraud_type, score, positives, pr_auc, recall_at_alert_rate, alert_recall_at_alert_rate FROM risk_scores__evaluation ORDER BY fraud_type, score"))
            .ToDictionary(r => ((string)r[0]!, (string)r[1]!), r => (Positives: Convert.ToInt64(r[2], CultureInfo.InvariantCulture),
                PrAuc: Convert.ToDouble(r[3], CultureInfo.InvariantCulture), Recall: Convert.ToDouble(r[4], CultureInfo.InvariantCulture),
                AlertRecall: Convert.ToDouble(r[5], CultureInfo.InvariantCulture)));
        var total = Convert.ToInt64((await h.RowsAsync("SELECT count(*) FROM risk_scores"))[0][0], CultureInfo.InvariantCulture);
        var table = $"seed {seed}, {engine}, {total} transactions:\n" + string.Join("\n", evaluation.Select(e =>
            $"{e.Key.Item1,-18} {e.Key.Item2,-16} n+ {e.Value.Positives,5}  PR-AUC {e.Value.PrAuc:0.0000}  recall@1% {e.Value.Recall:0.000} (alerts {e.Value.AlertRecall:0.000})"));
        TestContext.Current.SendDiagnosticMessage(table);
        // Card testing is 1.5% of the demo's transactions, so flagging 1% of transactions can reach at most two thirds of it;
        // the goal is met with 1% as many deduplicated alerts (a burst is one alert), see docs/fraud.md.
        Assert.True(evaluation[("card_testing", "combined")].AlertRecall >= 0.9, $"card testing recall at 1% alerts: {evaluation[("card_testing", "combined")].AlertRecall:0.000}\n{table}");
        var parts = evaluation.Keys.Where(k => k.Item1 == "all" && k.Item2 != "combined").Select(k => k.Item2).ToList();
        Assert.True(parts.Count >= 2, $"the combined score has {parts.Count} part(s)\n{table}");
        // The issue's goal, per fraud type and over all fraud: the combined PR-AUC above each part's. Where a part already
        // ranks every positive of a type above every legitimate transaction (PR-AUC 1) nothing can be above it, and the
        // combination must equal it: keep that part's strength. A weighted mean of the raw parts did not (seed 11: amount
        // outliers 0.799 against the forest's 1.000); each part's evidence against its own distribution does, see docs/fraud.md.
        var types = evaluation.Keys.Select(k => k.Item1).Distinct().ToList();
        Assert.Contains("all", types);
        Assert.True(types.Count >= 4, $"fraud types: {string.Join(", ", types)}\n{table}");
        foreach (var type in types)
        {
            var combined = evaluation[(type, "combined")].PrAuc;
            var best = parts.Max(part => evaluation[(type, part)].PrAuc);
            if (best >= 1 - 1e-9) Assert.True(combined >= 1 - 1e-9, $"{type}: combined PR-AUC {combined:0.0000}, a part's is {best:0.0000}\n{table}");
            else
                foreach (var part in parts)
                    Assert.True(combined > evaluation[(type, part)].PrAuc, $"{type}: combined PR-AUC {combined:0.0000} vs {part} {evaluation[(type, part)].PrAuc:0.0000}\n{table}");
        }

        // Every transaction is scored once with a decision; reasons where rules fired; alerts are deduplicated and reach the queue.
        Assert.Empty(await h.RowsAsync("SELECT * FROM risk_scores WHERE decision NOT IN ('allow', 'review', 'block')"));
        Assert.Empty(await h.RowsAsync("SELECT * FROM risk_scores r JOIN fraud_rules f ON f.transaction_id = r.transaction_id WHERE f.rule_score > 0 AND r.reasons IS NULL"));
        var alerts = Convert.ToInt64((await h.RowsAsync("SELECT count(*) FROM fraud_alerts"))[0][0], CultureInfo.InvariantCulture);
        var flagged = Convert.ToInt64((await h.RowsAsync("SELECT count(*) FROM risk_scores WHERE decision <> 'allow'"))[0][0], CultureInfo.InvariantCulture);
        Assert.InRange(alerts, 1, flagged);
        Assert.Equal(alerts, Convert.ToInt64((await h.RowsAsync("SELECT count(*) FROM fraud_alert_queue"))[0][0], CultureInfo.InvariantCulture));
        Assert.Equal(flagged, Convert.ToInt64((await h.RowsAsync("SELECT sum(transactions) FROM fraud_alerts"))[0][0], CultureInfo.InvariantCulture));
        var model = (await h.RowsAsync("SELECT detail FROM fraud_model__metrics WHERE metric = 'trained'"))[0][0] as string;
        Assert.StartsWith("not trained: 0 labelled", model, StringComparison.Ordinal);
    }
}
