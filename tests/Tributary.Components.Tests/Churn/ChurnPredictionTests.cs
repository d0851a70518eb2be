using System.Globalization;
using Tributary.Components.Churn;
using Tributary.Components.Features;
using Tributary.Engine.Execution;
using Tributary.Engine.Runs;
using Tributary.Testing;

namespace Tributary.Components.Tests.Churn;

/// <summary>Risk bands of <c>analytics.churn</c> on constructed probabilities, and what its trees and reasons read of a snapshot row.</summary>
public sealed class ChurnPredictionTests(PostgresCluster postgres)
{
    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Materialize_HoldoutOfChurnedCustomersOnly_WritesScoresAndSaysTheModelCardCannotMeasureThem(string engine)
    {
        // A small store: 60 customers who ordered twice before the training snapshot; some of those outside the holdout order
        // again, so the model has both outcomes, while every customer of the holdout churned (as in a reviewer's 84-customer store).
        var customers = Enumerable.Range(0, 60).Select(i => $"c{i:00}").ToList();
        var (_, holdout) = ChurnPrediction.Folds(customers, new ChurnParameters());
        var held = holdout.Select(i => customers[i]).ToHashSet();
        var orders = new List<string> { "customer_id,ordered_at,amount,discount,refunded" };
        for (var i = 0; i < customers.Count; i++)
        {
            orders.Add($"{customers[i]},2024-06-{1 + i % 28:00} 10:00:00,{40 + i},0,0");
            orders.Add($"{customers[i]},2025-01-{1 + i % 28:00} 10:00:00,{50 + i},0,0");
            if (!held.Contains(customers[i]) && i % 2 == 0) orders.Add($"{customers[i]},2025-05-{1 + i % 28:00} 10:00:00,{60 + i},0,0");
        }
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        File.WriteAllLines(Path.Combine(h.Temp.Path, "orders.csv"), orders);

        var result = await h.RunAsync("""
            pipeline: p
            components:
              - { id: orders, type: source.csv, with: { path: orders.csv, columns: { customer_id: VARCHAR, ordered_at: TIMESTAMP, amount: DOUBLE, discount: DOUBLE, refunded: DOUBLE } } }
              - { id: snapshot, type: features.customer_snapshot, inputs: [orders], with: { tables: { orders: orders }, as_of: 2025-07-01, past_snapshots_days: [90] } }
              - { id: churn, type: analytics.churn, inputs: [snapshot, orders] }
              - { id: alerts, type: alert.churn, inputs: [churn] }
            """);

        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        Assert.Equal(60L, Convert.ToInt64((await h.RowsAsync("SELECT count(*) FROM churn"))[0][0], CultureInfo.InvariantCulture));
        var expected = $"the holdout has only churned customers ({held.Count}): AUC, PR-AUC and lift are undefined, so the model card cannot measure the model; " +
            $"{held.Count} held-out customers (holdout_share 0.2 of 60 labelled) are too few to measure it. " +
            "The scores are written, but nothing shows they rank customers better than the baselines: load more history, or raise holdout_share.";
        var warning = Assert.Single(await h.Store.GetChecksAsync(result.RunId, CancellationToken.None), c => c.Asset == "churn");
        Assert.Equal((RunExecutor.WarningCheck, false, expected), (warning.Check, warning.Passed, warning.Detail));
        // NULL in the model card (the web UI shows a dash), never NaN, which no JSON reader of the table can take.
        Assert.Equal([null, null, null],
            (await h.RowsAsync("SELECT value FROM churn__metrics WHERE model = 'model' AND metric IN ('auc', 'pr_auc', 'lift_top_10pct')")).Select(r => r[0]));
        Assert.Equal(expected, (await h.RowsAsync("SELECT detail FROM churn__metrics WHERE model = 'data' AND metric = 'holdout_note'"))[0][0]);
        var metadata = Assert.Single(await h.Store.GetMaterializationsAsync(result.RunId, "churn", CancellationToken.None), m => m.Output == "main").MetadataJson;
        Assert.Contains("\"auc\":null,", metadata, StringComparison.Ordinal);
    }

    // A store where most customers churn, as the demo (about 69%): 72% of them at 0.6 or more.
    private static double[] MostlyChurning() => Enumerable.Range(0, 100).Select(i => i < 72 ? 0.6 + 0.39 * i / 71.0 : 0.59 * (i - 72) / 27.0).ToArray();

    [Fact]
    public void Bands_ByDefault_RankTheTopDecileHighAndTheNextTwoMedium()
    {
        var bands = ChurnPrediction.Bands(new ChurnParameters(), MostlyChurning());

        Assert.Equal(10, bands.Count(b => b == "high"));
        Assert.Equal(20, bands.Count(b => b == "medium"));
        Assert.Equal(70, bands.Count(b => b == "low"));
        var p = MostlyChurning();
        Assert.True(p.Where((_, i) => bands[i] == "high").Min() > p.Where((_, i) => bands[i] == "medium").Max());
    }

    [Fact]
    public void Bands_ByProbability_CutAtHighRiskAndMediumRisk()
    {
        var bands = ChurnPrediction.Bands(new ChurnParameters { RiskBands = ChurnRiskBands.Probability }, MostlyChurning());

        Assert.Equal(72, bands.Count(b => b == "high"));
    }

    [Fact]
    public void Bands_TiesAtTheCut_ShareTheHigherBand()
    {
        double[] p = [0.9, 0.8, 0.8, 0.8, 0.5, 0.4, 0.3, 0.2, 0.1, 0.05];

        var bands = ChurnPrediction.Bands(new ChurnParameters { HighRiskShare = 0.2, MediumRiskShare = 0.3 }, p);

        Assert.Equal(["high", "high", "high", "high", "medium", "low", "low", "low", "low", "low"], bands);
    }

    [Fact]
    public void Bands_NoCustomersOrZeroShares_AreEmptyOrLow()
    {
        Assert.Empty(ChurnPrediction.Bands(new ChurnParameters(), []));
        Assert.Equal(["low", "low"], ChurnPrediction.Bands(new ChurnParameters { HighRiskShare = 0, MediumRiskShare = 0 }, [0.9, 0.1]));
        Assert.Equal(["high"], ChurnPrediction.Bands(new ChurnParameters(), [0.3]));
    }

    // A one-time buyer 120 days ago who never visited and has no ticket: no inter-purchase time, recency ratio, days since
    // a visit or open ticket's age (NULL in the snapshot); one order in the 90 days before the last 90 and none since, a
    // real orders trend of -1.
    private static object?[] OneTimeBuyer()
    {
        var values = new Dictionary<string, object?>
        {
            ["tenure_days"] = 120L, ["orders"] = 1L, ["recency_days"] = 120L, ["revenue"] = 50.0, ["average_order_value"] = 50.0,
            ["orders_prior_90d"] = 1L, ["orders_trend"] = -1L, ["revenue_prior_90d"] = 50.0, ["mean_interpurchase_days"] = null,
            ["recency_ratio"] = null, ["discount_share"] = 0.0, ["days_since_last_session"] = null, ["oldest_open_ticket_days"] = null,
        };
        return [(object?)"c1", .. CustomerSnapshot.Columns.Skip(2).Select(c => values.TryGetValue(c.Name, out var v) ? v : 0L)];
    }

    private static int At(string feature) => Array.IndexOf(ChurnPrediction.Features, feature);

    [Fact]
    public void FeatureRow_NullInTheSnapshot_IsNaNForTheTrees_WhileARealMinusOneStays()
    {
        var row = ChurnPrediction.FeatureRow(OneTimeBuyer());

        Assert.Equal(ChurnPrediction.Features.Length, row.Length);
        Assert.All(new[] { "mean_interpurchase_days", "recency_ratio", "days_since_last_session", "oldest_open_ticket_days" },
            f => Assert.True(float.IsNaN(row[At(f)]), $"{f} = {row[At(f)]}, not missing"));
        Assert.Equal(-1f, row[At("orders_trend")]);
        Assert.Equal(0f, row[At("sessions_trend")]);
    }

    [Fact]
    public void FeatureValue_ReadsMissingAsNaN_AndEveryRealValueAsItIs()
    {
        var row = ChurnPrediction.FeatureRow(OneTimeBuyer());
        row[At("revenue_90d")] = -1; // missing is NaN, never a value of -1, whatever the feature

        Assert.True(double.IsNaN(ChurnPrediction.FeatureValue(row, "mean_interpurchase_days")));
        Assert.Equal(-1, ChurnPrediction.FeatureValue(row, "orders_trend"));
        Assert.Equal(-1, ChurnPrediction.FeatureValue(row, "revenue_90d"));
        // The reasons tell the one-time buyer's story from the missing gap, as the sentence for a first and only order.
        var contributions = new float[ChurnPrediction.Features.Length];
        contributions[At("recency_days")] = 0.5f;
        var reasons = ChurnReasons.Explain(ChurnPrediction.Features, contributions, f => ChurnPrediction.FeatureValue(row, f), required: true);
        Assert.Equal([("recency", "no order in 120 days since the first and only one")], reasons);
    }
}
