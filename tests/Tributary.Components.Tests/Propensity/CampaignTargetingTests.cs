using System.Globalization;
using Tributary.Engine.Runs;
using Tributary.Testing;

namespace Tributary.Components.Tests.Propensity;

public sealed class CampaignTargetingTests(PostgresCluster postgres)
{
    private static string Pipeline(string budget) => $$"""
        pipeline: p
        components:
          - { id: scores, type: source.csv, with: { path: scores.csv, columns: { customer_id: VARCHAR, uplift: DOUBLE, purchase_probability: DOUBLE, average_order_value: DOUBLE, uplift_group: VARCHAR } } }
          - { id: blocked, type: source.csv, with: { path: blocked.csv, columns: { customer_id: VARCHAR, reason: VARCHAR } } }
          - { id: sent, type: source.csv, with: { path: sent.csv, columns: { customer_id: VARCHAR, contacted_at: DATE } } }
          - id: audience
            type: activate.campaign_targeting
            inputs: [scores, blocked, sent]
            with: { {{budget}}, margin: 0.5, contact_cost: 1, default_order_value: 40, suppression: blocked, history: sent, max_contacts: 1, cap_days: 30, contact_day: 2025-07-01 }
        """;

    private static void Data(ComponentHarness h)
    {
        File.WriteAllLines(Path.Combine(h.Temp.Path, "scores.csv"),
        [
            "customer_id,uplift,purchase_probability,average_order_value,uplift_group",
            "a,0.30,0.10,20,persuadable",     // 0.3 x 0.5 x 20 - 1 = 2.0
            "b,0.10,0.20,100,persuadable",    // 0.1 x 0.5 x 100 - 1 = 4.0
            "c,0.20,0.30,,persuadable",       // order value 40: 0.2 x 0.5 x 40 - 1 = 3.0
            "d,0.01,0.95,100,sure_thing",     // 0.5 - 1 < 0: never
            "e,-0.20,0.90,100,do_not_disturb",
            "k,0.50,0.50,100,persuadable",    // suppressed
            "g,0.50,0.50,100,persuadable",    // contacted 10 days ago: capped
            "h,0.50,0.50,100,persuadable",    // contacted 40 days ago: free again
            "i,0.03,0.40,100,do_not_disturb", // profitable but in the do-not-disturb group
        ]);
        File.WriteAllLines(Path.Combine(h.Temp.Path, "blocked.csv"), ["customer_id,reason", "k,complained"]);
        File.WriteAllLines(Path.Combine(h.Temp.Path, "sent.csv"), ["customer_id,contacted_at", "g,2025-06-21", "h,2025-05-22"]);
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Targeting_HandScoredCustomers_TakesTheMostProfitableEligibleWithinTheBudget(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        Data(h);

        var result = await h.RunAsync(Pipeline("budget_count: 3"));
        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        // h: 0.5 x 0.5 x 100 - 1 = 24, then b (4.0), c (3.0); a (2.0) is over the budget.
        Assert.Equal(["h:24", "b:4", "c:3"], await AudienceAsync(h));
        var summary = (await h.RowsAsync("SELECT strategy, contacts, expected_incremental_conversions FROM audience__summary"))
            .ToDictionary(r => (string)r[0]!, r => (Convert.ToInt64(r[1], CultureInfo.InvariantCulture), r[2] is null ? double.NaN : Convert.ToDouble(r[2], CultureInfo.InvariantCulture)));
        Assert.Equal((3L, 0.8), (summary["uplift_targeted"].Item1, Math.Round(summary["uplift_targeted"].Item2, 9)));
        // Top propensity at the same size: d (0.95), e (0.90), h (0.50): 0.01 - 0.2 + 0.5.
        Assert.Equal((3L, 0.31), (summary["top_propensity"].Item1, Math.Round(summary["top_propensity"].Item2, 9)));
        Assert.Equal(7L, summary["everyone"].Item1);
        Assert.Equal(1L, summary["excluded_suppression"].Item1);
        Assert.Equal(1L, summary["excluded_frequency_cap"].Item1);
        Assert.Equal(2L, summary["excluded_do_not_disturb"].Item1);

        // A money budget of 4.5 at 1 a contact is 4 contacts; every profitable eligible customer fits.
        result = await h.RunAsync(Pipeline("budget_money: 4.5"));
        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        Assert.Equal(["h:24", "b:4", "c:3", "a:2"], await AudienceAsync(h));
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Targeting_ScoresWithHoldoutEvidence_ValuesTheAudienceByTheHoldoutWithItsInterval(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        File.WriteAllLines(Path.Combine(h.Temp.Path, "scores.csv"),
        [
            "customer_id,uplift,purchase_probability,average_order_value,uplift_group,holdout_uplift,holdout_uplift_se,holdout_bin,in_send,uplift_beats_random,holdout_uplift_centre",
            "a,0.30,0.10,20,persuadable,0.05,0.02,1,true,false,0.04",   // profit 0.3 x 0.5 x 20 - 1 = 2
            "b,0.10,0.20,100,persuadable,0.05,0.02,1,true,false,0.04",  // 4
            "c,0.20,0.30,40,lost_cause,0.01,0.03,0,false,false,0.005",  // 3; not in the send: the send's average
            "d,0.01,0.95,100,sure_thing,-0.02,0.04,2,true,false,-0.01", // never
        ]);
        string Pipeline(string with) => $$"""
            pipeline: p
            components:
              - { id: scores, type: source.csv, with: { path: scores.csv, columns: { customer_id: VARCHAR, uplift: DOUBLE, purchase_probability: DOUBLE, average_order_value: DOUBLE, uplift_group: VARCHAR, holdout_uplift: DOUBLE, holdout_uplift_se: DOUBLE, holdout_bin: INTEGER, in_send: BOOLEAN, uplift_beats_random: BOOLEAN, holdout_uplift_centre: DOUBLE } } }
              - { id: audience, type: activate.campaign_targeting, inputs: [scores], with: { budget_count: 3, margin: 0.5, contact_cost: 1{{with}} } }
            """;
        var result = await h.RunAsync(Pipeline(""));
        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        Assert.Equal(["b:4", "c:3", "a:2"], await AudienceAsync(h));
        var row = (await h.RowsAsync("""
            SELECT expected_incremental_conversions, holdout_incremental_conversions, holdout_conversions_low, holdout_conversions_high,
                   holdout_profit, holdout_profit_low, holdout_profit_high, outside_send
            FROM audience__summary WHERE strategy = 'uplift_targeted'
            """)).Single().Select(v => Convert.ToDouble(v, CultureInfo.InvariantCulture)).ToArray();
        // The model claims 0.6; the holdout says 0.05 + 0.05 (bin 1) + 0.01 (outside). The interval is centred at the
        // Agresti–Caffo centres, 0.04 + 0.04 + 0.005; the send's average contains the holdout, so its se is added
        // linearly: √((2·0.02)²) + 0.03 = 0.07, not √(0.04² + 0.03²) = 0.05 as if independent.
        Assert.Equal(0.6, row[0], 9);
        Assert.Equal(0.11, row[1], 9);
        Assert.Equal(0.085 - 1.96 * 0.07, row[2], 9);
        Assert.Equal(0.085 + 1.96 * 0.07, row[3], 9);
        // Profit: (10·0.05 + 50·0.05) + 20·0.01 − 3 contacts; centre (10 + 50)·0.04 + 20·0.005 − 3 = −0.5; se 60·0.02 + 20·0.03 = 1.8.
        Assert.Equal(0.2, row[4], 9);
        Assert.Equal(-0.5 - 1.96 * 1.8, row[5], 9);
        Assert.Equal(-0.5 + 1.96 * 1.8, row[6], 9);
        Assert.EndsWith("biased when purchase probability and uplift correlate within a bin",
            (string)(await h.RowsAsync("SELECT detail FROM audience__summary WHERE strategy = 'top_propensity'")).Single()[0]!);
        Assert.Equal(1, row[7]);
        Assert.Equal("the uplift model does not beat random targeting on the holdout; expected figures are not reliable",
            (await h.RowsAsync("SELECT detail FROM audience__summary WHERE strategy = 'uplift_signal'")).Single()[0]);
        Assert.Equal(["b:True", "c:False", "a:True"],
            (await h.RowsAsync("SELECT customer_id, in_send FROM audience ORDER BY rank")).Select(r => $"{r[0]}:{r[1]}").ToList());

        // Asked to, it contacts nobody rather than an audience no better supported than a random one.
        result = await h.RunAsync(Pipeline(", require_signal: true"));
        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        Assert.Empty(await AudienceAsync(h));
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Targeting_WithEvaluation_ValuesTheAudienceByTheSameRuleOnTheSendsHoldout(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        File.WriteAllLines(Path.Combine(h.Temp.Path, "scores.csv"),
        [
            "customer_id,uplift,purchase_probability,average_order_value,uplift_group,holdout_uplift,holdout_uplift_se,holdout_bin,in_send,uplift_beats_random,holdout_uplift_centre",
            "a,0.30,0.10,100,persuadable,0.50,0.05,1,true,true,0.50", // profit 14: chosen
            "b,0.20,0.20,100,persuadable,0.50,0.05,1,true,true,0.50", // 9: chosen
            "c,0.10,0.30,100,unproven,0.00,0.05,2,true,true,0.00",    // 4: over the budget
            "d,0.05,0.95,100,unproven,0.00,0.05,2,true,true,0.00",    // 1.5: over the budget
        ]);
        // The send's holdout as of the send. The rule took 2 of the 4 eligible customers of the send, so it takes the top half
        // of these 8 by expected profit, positive only, do-not-disturb left out: p1, p2, p4 and p5 (p3 is do_not_disturb).
        // Their bins would say +0.5 a customer; among them, treated convert 1 of 2 and control 1 of 2: no lift.
        File.WriteAllLines(Path.Combine(h.Temp.Path, "holdout.csv"),
        [
            "customer_id,treated,converted,uplift,average_order_value,uplift_group",
            "p1,true,true,0.40,100,persuadable",
            "p2,false,true,0.35,100,persuadable",
            "p3,true,false,0.90,100,do_not_disturb",
            "p4,true,false,0.30,100,persuadable",
            "p5,false,false,0.25,100,persuadable",
            "p6,true,true,0.01,100,lost_cause",
            "p7,false,false,0.01,100,lost_cause",
            "p8,true,true,-0.10,,unproven",
        ]);
        var result = await h.RunAsync("""
            pipeline: p
            components:
              - { id: scores, type: source.csv, with: { path: scores.csv, columns: { customer_id: VARCHAR, uplift: DOUBLE, purchase_probability: DOUBLE, average_order_value: DOUBLE, uplift_group: VARCHAR, holdout_uplift: DOUBLE, holdout_uplift_se: DOUBLE, holdout_bin: INTEGER, in_send: BOOLEAN, uplift_beats_random: BOOLEAN, holdout_uplift_centre: DOUBLE } } }
              - { id: send_holdout, type: source.csv, with: { path: holdout.csv, columns: { customer_id: VARCHAR, treated: BOOLEAN, converted: BOOLEAN, uplift: DOUBLE, average_order_value: DOUBLE, uplift_group: VARCHAR } } }
              - { id: audience, type: activate.campaign_targeting, inputs: [scores, send_holdout], with: { budget_count: 2, margin: 0.5, contact_cost: 1, evaluation: send_holdout } }
            """);
        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        Assert.Equal(["a:14", "b:9"], await AudienceAsync(h));
        var row = (await h.RowsAsync("""
            SELECT holdout_incremental_conversions, holdout_conversions_low, holdout_conversions_high, holdout_profit, outside_send, detail
            FROM audience__summary WHERE strategy = 'uplift_targeted'
            """)).Single();
        // 2 contacts × (1/2 − 1/2) = 0, not the bins' 2 × 0.5 = 1. Agresti–Caffo: p̃ = 2/4 each, se = √(2·0.25/4).
        Assert.Equal(0.0, Convert.ToDouble(row[0], CultureInfo.InvariantCulture), 9);
        Assert.Equal(-2 * 1.96 * Math.Sqrt(0.125), Convert.ToDouble(row[1], CultureInfo.InvariantCulture), 9);
        Assert.Equal(2 * 1.96 * Math.Sqrt(0.125), Convert.ToDouble(row[2], CultureInfo.InvariantCulture), 9);
        // Value: treated 50, 0 and control 50, 0 a customer (100 × margin 0.5): no lift, less 2 contacts.
        Assert.Equal(-2.0, Convert.ToDouble(row[3], CultureInfo.InvariantCulture), 9);
        Assert.Equal(0L, Convert.ToInt64(row[4], CultureInfo.InvariantCulture));
        Assert.Contains("4 of its 8 customers selected (2 treated, 2 control)", (string)row[5]!);
    }

    private static async Task<List<string>> AudienceAsync(ComponentHarness h) =>
        (await h.RowsAsync("SELECT customer_id, expected_profit FROM audience ORDER BY rank"))
            .Select(r => $"{r[0]}:{Math.Round(Convert.ToDouble(r[1], CultureInfo.InvariantCulture), 6).ToString(CultureInfo.InvariantCulture)}").ToList();
}
