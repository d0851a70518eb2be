using System.Globalization;
using Tributary.Analytics.Classification;
using Tributary.Components.Samples.DemoStore;
using Tributary.Engine.Runs;
using Tributary.Testing;

namespace Tributary.Components.Tests.Churn;

/// <summary>
/// The churn_prevention template end to end on demo data, against the generator's 90-day churn labels. Developed on
/// seeds 5, 7, 23 and 41 (41 confirmed the previous version); after the generator stopped leaking (the first purchase after
/// the cutoff now has its lead-up browsing before it), seed 59, never used before, confirms with the issue's own goals as
/// the bounds, fixed before it was run.
/// </summary>
public sealed class ChurnPreventionTemplateTests(PostgresCluster postgres)
{
    private static string Template => Path.Combine(RepositoryFiles.Templates, "churn_prevention.yaml");

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task ChurnPrevention_DemoStoreWithBehaviour_BeatsBothBaselinesAndIsCalibrated(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        var truth = await RunAsync(h, new DemoStoreOptions(Customers: 4000, Days: 365, Seed: ConfirmationSeed));

        var (model, bgnbd, recency, ece) = Measure(truth);
        TestContext.Current.SendDiagnosticMessage($"behaviour: AUC model {model:0.000}, BG/NBD {bgnbd:0.000}, recency {recency:0.000}; ECE {ece:0.000}; {Bins(truth)}");
        Assert.True(model >= bgnbd + 0.02, $"AUC model {model:0.000} vs BG/NBD 1 - P(alive) {bgnbd:0.000}");
        Assert.True(model >= recency + 0.02, $"AUC model {model:0.000} vs recency rule {recency:0.000}");
        // Calibration against the generator's future labels: the goal, ECE under 0.05. (The model card's holdout ECE is
        // guarded more loosely: it is measured on a fifth of the training snapshot, a few hundred customers here.)
        var holdoutEce = Convert.ToDouble((await h.RowsAsync("SELECT value FROM churn_scores__metrics WHERE model = 'model' AND metric = 'ece'"))[0][0], CultureInfo.InvariantCulture);
        Assert.True(ece < 0.05, $"ECE on the ground truth {ece:0.000} (holdout {holdoutEce:0.000}): {Bins(truth)}");
        Assert.True(holdoutEce < 0.08, $"holdout ECE {holdoutEce:0.000}");

        // Reasons are sentences, alerts carry a playbook action, go out once per customer, and reach the CRM table and the files.
        Assert.Empty(await h.RowsAsync("SELECT * FROM churn_scores WHERE risk_band = 'high' AND reason IS NULL"));
        Assert.NotEmpty(await h.RowsAsync("SELECT * FROM churn_scores WHERE reason_code = 'recency' AND reason LIKE 'no order in % days%'"));
        var alerts = await h.RowsAsync("SELECT customer_id, action FROM churn_alerts");
        Assert.InRange(alerts.Count, 1, 500);
        Assert.All(alerts, a => Assert.False(string.IsNullOrEmpty((string?)a[1])));
        Assert.Equal(alerts.Count, Convert.ToInt32((await h.RowsAsync("SELECT count(*) FROM crm_churn_alerts"))[0][0], CultureInfo.InvariantCulture));
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(h.Temp.Path, "out", "contacts"), "churn_*.csv"));
        var card = (await h.RowsAsync("SELECT model, metric FROM churn_scores__metrics WHERE value IS NOT NULL")).Select(r => $"{r[0]}.{r[1]}").ToHashSet();
        Assert.Empty(new[] { "model.auc", "model.pr_auc", "model.brier", "model.ece", "model.lift_top_10pct", "bgnbd.auc", "bgnbd_no_order.auc", "recency_rule.auc" }.Except(card));
        Assert.Equal(40, (await h.RowsAsync("SELECT * FROM churn_scores__calibration")).Count);
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task ChurnPrevention_PureBgNbdStore_DoesNotLoseToBgNbd(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        var truth = await RunAsync(h, new DemoStoreOptions(Customers: 4000, Days: 365, Seed: ConfirmationSeed, Behaviour: false));

        var (model, bgnbd, _, ece) = Measure(truth);
        TestContext.Current.SendDiagnosticMessage($"pure BG/NBD store: AUC model {model:0.000}, BG/NBD {bgnbd:0.000}; ECE {ece:0.000}; {Bins(truth)}");
        // The goal: within 0.01 AUC of BG/NBD, where BG/NBD is the true model of purchase timing. (The journeys that lead
        // up to a purchase are observable too, so the model may rank better; it must not rank worse.)
        Assert.True(model >= bgnbd - 0.01, $"AUC model {model:0.000} vs BG/NBD {bgnbd:0.000}");
        // Not a goal of the issue on this store; a guard that calibration holds where there is no behaviour signal either.
        Assert.True(ece < 0.08, $"ECE {ece:0.000}: {Bins(truth)}");
        var calibration = (await h.RowsAsync("SELECT detail FROM churn_scores__metrics WHERE model = 'data' AND metric = 'calibration'"))[0][0] as string;
        Assert.Matches("^(stacked|baseline alone): cross-validated log loss", calibration);
    }

    // Both templates in one project, as users copy them: churn's run leaves the customer_ltv template's table as that template
    // wrote it (its model, its intervals), so the LTV dashboard and the customer profile do not change with whichever ran last.
    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task ChurnPrevention_AfterCustomerLtv_LeavesTheLtvTemplatesTableAsItWrote(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        DemoStoreGenerator.Write(Path.Combine(h.Temp.Path, "data", "demo"), new DemoStoreOptions(Customers: 1000, Days: 365, Seed: 3));
        const string ltvTable = "SELECT count(*), count(clv_low), sum(clv) FROM customer_ltv";
        var ltv = await h.RunFileAsync(Path.Combine(RepositoryFiles.Templates, "customer_ltv.yaml"));
        Assert.True(ltv.Status == RunStatus.Succeeded, ltv.Error);
        var before = await h.RowsAsync(ltvTable);
        Assert.True(Convert.ToInt64(before[0][1], CultureInfo.InvariantCulture) > 0, "the customer_ltv template writes intervals");

        var churn = await h.RunFileAsync(Template);

        Assert.True(churn.Status == RunStatus.Succeeded, churn.Error);
        Assert.Equal(before, await h.RowsAsync(ltvTable));
        Assert.NotEmpty(await h.RowsAsync("SELECT customer_id FROM churn_ltv WHERE clv IS NOT NULL"));
    }

    // Never used while developing; run once to confirm.
    private const int ConfirmationSeed = 59;

    private static async Task<List<(double Probability, double PAlive, double Recency, double NoOrder, bool Churned)>> RunAsync(ComponentHarness h, DemoStoreOptions options)
    {
        var folder = Path.Combine(h.Temp.Path, "data", "demo");
        DemoStoreGenerator.Write(folder, options);
        var result = await h.RunFileAsync(Template);
        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        Assert.Equal(options.Cutoff, (await h.RowsAsync("SELECT max(as_of) FROM churn_scores"))[0][0]);

        // Ground truth by person; each person's profile found through their email.
        var churned = File.ReadAllLines(Path.Combine(folder, "ground_truth", "customers.csv")).Skip(1).Select(l => l.Split(','))
            .Where(f => int.Parse(f[10], CultureInfo.InvariantCulture) > 0).ToDictionary(f => f[1], f => bool.Parse(f[13]));
        var scores = await h.RowsAsync("""
            SELECT g.identifier_value, s.churn_probability, s.p_alive, s.recency_rule_score, s.bgnbd_churn_probability
            FROM churn_scores s JOIN identity_graph g ON g.profile_id = s.customer_id AND g.identifier_type = 'email'
            """);
        var joined = scores.Where(r => churned.ContainsKey((string)r[0]!))
            .GroupBy(r => (string)r[0]!).Select(g => g.First())
            .Select(r => (D(r[1]), D(r[2]), D(r[3]), D(r[4]), churned[(string)r[0]!])).ToList();
        Assert.InRange(joined.Count, churned.Count * 0.95, churned.Count);
        return joined;
    }

    private static (double Model, double BgNbd, double Recency, double Ece) Measure(List<(double Probability, double PAlive, double Recency, double NoOrder, bool Churned)> rows)
    {
        var labels = rows.Select(r => r.Churned).ToArray();
        // The stronger BG/NBD score: 1 − P(alive) as the issue names it, or its P(no order in the window), the truth in the pure store.
        var bgnbd = Math.Max(ClassifierMetrics.Auc(rows.Select(r => 1 - r.PAlive).ToArray(), labels), ClassifierMetrics.Auc(rows.Select(r => r.NoOrder).ToArray(), labels));
        return (ClassifierMetrics.Auc(rows.Select(r => r.Probability).ToArray(), labels), bgnbd,
            ClassifierMetrics.Auc(rows.Select(r => r.Recency).ToArray(), labels), ClassifierMetrics.ExpectedCalibrationError(rows.Select(r => r.Probability).ToArray(), labels));
    }

    private static string Bins(List<(double Probability, double PAlive, double Recency, double NoOrder, bool Churned)> rows) =>
        string.Join(" ", ClassifierMetrics.Calibration(rows.Select(r => r.Probability).ToArray(), rows.Select(r => r.Churned).ToArray())
            .Select(b => $"{b.Predicted:0.00}/{b.Observed:0.00}"));

    private static double D(object? value) => Convert.ToDouble(value, CultureInfo.InvariantCulture);
}
