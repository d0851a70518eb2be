using System.Globalization;
using Tributary.Components.Samples.DemoStore;
using Tributary.Engine.Runs;
using Tributary.Testing;

namespace Tributary.Components.Tests.Attribution;

/// <summary>The marketing_attribution template end to end on demo data, on both engines, checked against the generator's truth.</summary>
public sealed class MarketingAttributionTemplateTests(PostgresCluster postgres)
{
    private static string Template => Path.Combine(RepositoryFiles.Templates, "marketing_attribution.yaml");

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task MarketingAttribution_DemoStore_DataDrivenModelsFindTheTrueChannelOrder(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        var data = Path.Combine(h.Temp.Path, "data", "demo");
        DemoStoreGenerator.Write(data, new DemoStoreOptions(Customers: 2000, Days: 365, Seed: 7));

        var result = await h.RunFileAsync(Template);

        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        Assert.All(result.Steps, s => Assert.Equal(StepStatus.Succeeded, s.Status));

        // Two truths: each converting journey's conversion split by the Shapley value of the generator's noisy-OR over the
        // channels it touched (true_share), and the conversions lost without each channel (incremental_share, no Shapley
        // value in it). Models are compared on the same footing: shares among the channels (direct is no channel).
        var truthFile = File.ReadAllLines(Path.Combine(data, "ground_truth", "channels.csv")).Skip(1).Select(l => l.Split(',')).ToList();
        var truth = truthFile.ToDictionary(f => f[0], f => double.Parse(f[6], CultureInfo.InvariantCulture));
        var incremental = truthFile.ToDictionary(f => f[0], f => double.Parse(f[8], CultureInfo.InvariantCulture));
        var credit = (await h.RowsAsync("SELECT model, channel, conversions FROM attribution WHERE channel <> 'direct'"))
            .GroupBy(r => (string)r[0]!)
            .ToDictionary(g => g.Key, g => Normalize(g.ToDictionary(r => (string)r[1]!, r => Convert.ToDouble(r[2], CultureInfo.InvariantCulture))));
        var trueOrder = truth.OrderByDescending(t => t.Value).Select(t => t.Key).ToList();
        foreach (var model in new[] { "markov_1", "shapley" })
        {
            Assert.Equal(trueOrder, credit[model].OrderByDescending(c => c.Value).Select(c => c.Key));
            Assert.True(Distance(credit[model], truth) < Distance(credit["last_touch"], truth),
                $"{model}: L1 {Distance(credit[model], truth):0.000} vs last touch {Distance(credit["last_touch"], truth):0.000}");
        }
        // Last touch flatters the channels that sit just before checkout (affiliate cashback, remarketing).
        Assert.NotEqual(trueOrder, credit["last_touch"].OrderByDescending(c => c.Value).Select(c => c.Key));
        // The conversion-rate Shapley value estimates the Shapley truth itself: close to it by construction.
        Assert.True(Distance(credit["shapley"], truth) < 0.1, $"shapley L1 {Distance(credit["shapley"], truth):0.000}");
        // Against the counterfactual truth, which no model computes by definition, it still comes closest of all the models
        // (L1 0.096 here; linear and shapley_simplified 0.31, markov_1 0.43, last touch 0.54), and markov_1 beats last touch.
        Assert.Equal(incremental.OrderByDescending(t => t.Value).Select(t => t.Key), trueOrder);
        var closest = credit.MinBy(c => Distance(c.Value, incremental));
        Assert.True(closest.Key == "shapley", string.Join(", ", credit.Select(c => $"{c.Key} {Distance(c.Value, incremental):0.000}")));
        Assert.True(Distance(credit["markov_1"], incremental) < Distance(credit["last_touch"], incremental));

        // Every dollar of the ad reports lands on a known channel and campaign.
        var spend = Convert.ToDouble((await h.RowsAsync("SELECT sum(spend) FROM ad_spend"))[0][0], CultureInfo.InvariantCulture);
        var performance = await h.RowsAsync("SELECT sum(spend), sum(CASE WHEN channel = 'unattributed' THEN spend ELSE 0 END), count(roas_rating) FROM campaign_performance");
        Assert.Equal(spend, Convert.ToDouble(performance[0][0], CultureInfo.InvariantCulture), 1e-6 * spend);
        Assert.Equal(0.0, Convert.ToDouble(performance[0][1], CultureInfo.InvariantCulture));
        Assert.True(Convert.ToInt64(performance[0][2], CultureInfo.InvariantCulture) > 0);

        // The budget plan spends the same daily budget over the paid channels, for no less expected revenue.
        var plan = await h.RowsAsync("SELECT channel, recommended_spend, current_spend FROM budget_plan ORDER BY channel");
        Assert.Equal(["display", "paid_search", "paid_social"], plan.Select(r => (string)r[0]!));
        var summary = (await h.RowsAsync("SELECT daily_budget, current_response, expected_response FROM budget_plan__summary"))[0].Select(v => Convert.ToDouble(v, CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(summary[0], plan.Sum(r => Convert.ToDouble(r[1], CultureInfo.InvariantCulture)), 1e-6 * summary[0]);
        Assert.Equal(summary[0], plan.Sum(r => Convert.ToDouble(r[2], CultureInfo.InvariantCulture)), 1e-6 * summary[0]);
        Assert.True(summary[2] >= summary[1] * 0.999, $"expected {summary[2]} vs current {summary[1]}");

        // Every fitted curve stays in a sane range: carryover and shape within their bounds, half saturation within the
        // channel's observed daily spend, the ceiling within reach of the observed response; a warning marks weak evidence.
        var curves = await h.RowsAsync("""
            SELECT p.channel, p.theta, p.beta, p.shape, p.half_saturation_spend, p.weak_evidence, p.warning, s.max_spend, s.max_revenue
            FROM budget_plan p JOIN (SELECT channel, max(spend) AS max_spend, max(revenue) AS max_revenue FROM (
                SELECT channel, CAST(day AS DATE) AS d, sum(spend) AS spend, sum(revenue) AS revenue FROM campaign_performance WHERE day IS NOT NULL GROUP BY 1, 2) t GROUP BY 1) s
              ON s.channel = p.channel
            """);
        Assert.Equal(3, curves.Count);
        foreach (var c in curves)
        {
            double D(int i) => Convert.ToDouble(c[i], CultureInfo.InvariantCulture);
            Assert.InRange(D(1), 0, 0.9);
            Assert.InRange(D(3), 0.5, 3);
            Assert.InRange(D(4), 0, D(7) * 1.0001);
            Assert.True(D(2) < 100 * Math.Max(D(8), 1), $"{c[0]}: beta {D(2)}");
            Assert.Equal(c[6] is not null, (bool)c[5]!);
        }
    }

    // A Meta account billed in GBP: its spend is converted at gbp_usd before ROAS and CPA compare it with USD revenue.
    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task MarketingAttribution_MetaSpendInGbp_IsConvertedToTheRevenuesCurrency(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        var data = Path.Combine(h.Temp.Path, "data", "demo");
        DemoStoreGenerator.Write(data, new DemoStoreOptions(Customers: 300, Days: 120, Seed: 3));
        var insights = Path.Combine(data, "meta_ads", "insights.csv");
        File.WriteAllText(insights, File.ReadAllText(insights).Replace("Amount spent (USD)", "Amount spent (GBP)", StringComparison.Ordinal));

        var result = await h.RunFileAsync(Template);

        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        var meta = await h.RowsAsync("SELECT DISTINCT currency FROM ad_spend WHERE platform = 'meta_ads'");
        Assert.Equal("GBP", Assert.Single(meta)[0]);
        var spend = (await h.RowsAsync("SELECT campaign, sum(spend) FROM ad_spend GROUP BY campaign")).ToDictionary(r => (string)r[0]!, r => Convert.ToDouble(r[1], CultureInfo.InvariantCulture));
        var gbp = (await h.RowsAsync("SELECT DISTINCT campaign FROM ad_spend WHERE platform = 'meta_ads'")).Select(r => (string)r[0]!).ToHashSet();
        var performance = await h.RowsAsync("SELECT campaign, sum(spend) FROM campaign_performance WHERE spend > 0 GROUP BY campaign");
        Assert.Equal(spend.Keys.Order(), performance.Select(r => (string)r[0]!).Order());
        Assert.All(performance, r => Assert.Equal(spend[(string)r[0]!] * (gbp.Contains((string)r[0]!) ? 1.27 : 1), Convert.ToDouble(r[1], CultureInfo.InvariantCulture), 0.01));
    }

    private static Dictionary<string, double> Normalize(Dictionary<string, double> credit)
    {
        var total = credit.Values.Sum();
        return credit.ToDictionary(c => c.Key, c => c.Value / total);
    }

    private static double Distance(Dictionary<string, double> shares, Dictionary<string, double> truth) =>
        truth.Keys.Sum(c => Math.Abs(shares.GetValueOrDefault(c) - truth[c]));
}
