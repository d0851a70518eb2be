using System.Globalization;
using Tributary.Analytics.Classification;
using Tributary.Components.Samples.DemoStore;
using Tributary.Engine.Runs;
using Tributary.Testing;

namespace Tributary.Components.Tests.Propensity;

/// <summary>
/// The propensity_marketing template end to end on demo data, against the generator's ground truth: next-90-day purchases
/// for the propensity model, and each customer's true effect of a contact (ground_truth/campaign.csv) for the uplift model
/// and the audience. Developed on seed 7; seed 29 was never looked at while tuning.
/// </summary>
public sealed class PropensityMarketingTemplateTests(PostgresCluster postgres)
{
    private static string Template => Path.Combine(RepositoryFiles.Templates, "propensity_marketing.yaml");

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task PropensityMarketing_DemoStore_UpliftBeatsPropensityOnTheTruth(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        var folder = Path.Combine(h.Temp.Path, "data", "demo");
        var options = new DemoStoreOptions(Customers: 4000, Days: 365, Seed: 29);
        DemoStoreGenerator.Write(folder, options);
        var result = await h.RunFileAsync(Template);
        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        var emails = await EmailsAsync(h);
        string? Email<T>(string profile, Dictionary<string, T> truth) => emails.TryGetValue(profile, out var all) ? all.FirstOrDefault(truth.ContainsKey) : null;

        // Propensity against the generator's purchases in the 90 days after the cutoff, beside the recency-frequency baseline.
        var bought = Truth(folder, "customers.csv").Where(f => int.Parse(f[10], CultureInfo.InvariantCulture) > 0)
            .ToDictionary(f => f[1], f => int.Parse(f[12], CultureInfo.InvariantCulture) > 0);
        var scored = (await h.RowsAsync("SELECT customer_id, purchase_probability, baseline_probability FROM propensity_scores"))
            .Where(r => Email((string)r[0]!, bought) is not null).ToList();
        Assert.InRange(scored.Count, bought.Count * 0.95, bought.Count);
        var labels = scored.Select(r => bought[Email((string)r[0]!, bought)!]).ToArray();
        var auc = ClassifierMetrics.Auc(scored.Select(r => D(r[1])).ToArray(), labels);
        var baseline = ClassifierMetrics.Auc(scored.Select(r => D(r[2])).ToArray(), labels);

        // Uplift on the send's holdout: the X-learner's Qini beats a random ordering and the propensity ordering.
        var qini = (await h.RowsAsync("SELECT learner, value FROM uplift_scores__metrics WHERE metric = 'qini'")).ToDictionary(r => (string)r[0]!, r => D(r[1]));

        // At the same budget, the audience's true incremental conversions against the top-propensity audience's.
        var effect = Truth(folder, "campaign.csv").ToDictionary(f => f[1], f => double.Parse(f[8], CultureInfo.InvariantCulture));
        double TrueIncrement(IEnumerable<string> customers) => customers.Sum(c => Email(c, effect) is { } e ? effect[e] : 0);
        var audience = (await h.RowsAsync("SELECT customer_id FROM campaign_audience")).Select(r => (string)r[0]!).ToList();
        var top = (await h.RowsAsync("""
            SELECT m.customer_id FROM marketing_scores m WHERE m.customer_id NOT IN (SELECT customer_id FROM suppression_list)
            ORDER BY m.purchase_probability DESC, m.customer_id
            """)).Select(r => (string)r[0]!).Take(audience.Count).ToList();
        var (uplifted, topped) = (TrueIncrement(audience), TrueIncrement(top));
        TestContext.Current.SendDiagnosticMessage(
            $"{engine}: propensity AUC {auc:0.000} vs recency-frequency {baseline:0.000}; Qini x {qini["x"]:0.0000}, t {qini["t"]:0.0000}, class transformation {qini["class_transformation"]:0.0000}, propensity {qini["propensity"]:0.0000}, random {qini["random"]:0.0000}; " +
            $"{audience.Count} contacts: true incremental conversions {uplifted:0.0} vs top propensity {topped:0.0}");

        Assert.True(auc > 0.7 && auc >= baseline, $"propensity AUC {auc:0.000}, baseline {baseline:0.000}");
        Assert.True(qini["x"] > qini["random"] && qini["x"] > qini["propensity"], $"Qini x {qini["x"]:0.0000}, random {qini["random"]:0.0000}, propensity {qini["propensity"]:0.0000}");
        Assert.InRange(audience.Count, 50, 500);
        Assert.True(uplifted > 0 && uplifted >= 1.3 * Math.Max(0, topped), $"true incremental conversions {uplifted:0.0} vs top propensity {topped:0.0}");

        // The audience honours the rules and reaches the CRM table and the file; the card and the curves are there.
        Assert.Empty(await h.RowsAsync("SELECT * FROM campaign_audience WHERE uplift_group = 'do_not_disturb' OR expected_profit <= 0"));
        Assert.Empty(await h.RowsAsync("SELECT * FROM campaign_audience WHERE customer_id IN (SELECT customer_id FROM suppression_list)"));
        Assert.Equal(audience.Count, Convert.ToInt32((await h.RowsAsync("SELECT count(*) FROM crm_campaign_audience"))[0][0], CultureInfo.InvariantCulture));
        Assert.True(File.Exists(Path.Combine(h.Temp.Path, "out", "contacts", "campaign.csv")));
        // The audience with its contacts, as churn's: an email and a phone per contact where the identity graph has them.
        var contacts = await h.RowsAsync("SELECT count(*), count(email), count(phone) FROM campaign_contacts");
        Assert.Equal((long)audience.Count, Convert.ToInt64(contacts[0][0], CultureInfo.InvariantCulture));
        Assert.True(Convert.ToInt64(contacts[0][1], CultureInfo.InvariantCulture) > 0 && Convert.ToInt64(contacts[0][2], CultureInfo.InvariantCulture) > 0, "the audience's contacts have no email or no phone");
        Assert.Equal(5 * 101, (await h.RowsAsync("SELECT * FROM uplift_scores__qini")).Count);
        var groups = (await h.RowsAsync("SELECT uplift_group, count(*) FROM uplift_scores GROUP BY 1 ORDER BY 1")).Select(r => $"{r[0]} {r[1]}").ToList();
        TestContext.Current.SendDiagnosticMessage($"{engine}: groups {string.Join(", ", groups)}");
        Assert.All(groups, g => Assert.Contains(g.Split(' ')[0], (string[])["persuadable", "unproven", "sure_thing", "lost_cause", "do_not_disturb"]));
        Assert.Equal(20, (await h.RowsAsync("SELECT * FROM propensity_scores__gains")).Count);
        Assert.Equal(10, (await h.RowsAsync("SELECT DISTINCT segment FROM propensity_deciles")).Count);
        Assert.Equal(3, (await h.RowsAsync("SELECT strategy FROM campaign_audience__summary WHERE strategy IN ('uplift_targeted', 'top_propensity', 'everyone')")).Count);
        Assert.Empty(await h.RowsAsync("SELECT * FROM propensity_scores WHERE decile = 1 AND reason IS NULL"));
        await AssertHonestAgainstTruthAsync(h, folder);
    }

    // Seed 42 is the reviewer's; seed 1234 was never run while the rule replay was developed (on seed 29). At 4,000
    // customers seed 1234 has a confidently negative holdout bin, which labelled its whole bin do_not_disturb (605, 184 truly).
    [Theory]
    [InlineData(42, 2000)]
    [InlineData(1234, 2000)]
    [InlineData(1234, 4000)]
    public async Task PropensityMarketing_DemoStoreOtherSeeds_ValuesTheAudienceByTheHoldoutAndLabelsOnlyConfidentHarm(int seed, int customers)
    {
        await using var h = await ComponentHarness.CreateAsync("duckdb", postgres);
        var folder = Path.Combine(h.Temp.Path, "data", "demo");
        DemoStoreGenerator.Write(folder, new DemoStoreOptions(Customers: customers, Days: 365, Seed: seed));
        var result = await h.RunFileAsync(Template);
        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        await AssertHonestAgainstTruthAsync(h, folder);
    }

    // The audience's figures and the do-not-disturb label against each customer's true effect of a contact at the cutoff.
    private static async Task AssertHonestAgainstTruthAsync(ComponentHarness h, string folder)
    {
        var emails = await EmailsAsync(h);
        var truth = Truth(folder, "campaign.csv").ToDictionary(f => f[1], f => (Segment: f[3], Effect: double.Parse(f[8], CultureInfo.InvariantCulture)));
        (string Segment, double Effect)? Of(string profile) => emails.TryGetValue(profile, out var all) && all.FirstOrDefault(truth.ContainsKey) is { } e ? truth[e] : null;

        // do_not_disturb only where the holdout is sure: no more often than the truth has it, and at least half right.
        // Both hold trivially when nobody is labelled (seeds 29 and 42); the diagnostic line says how many were.
        var groups = (await h.RowsAsync("SELECT customer_id, uplift_group FROM uplift_scores")).Select(r => (Truth: Of((string)r[0]!), Group: (string)r[1]!)).Where(r => r.Truth is not null).ToList();
        var labelled = groups.Count(g => g.Group == "do_not_disturb");
        var harmed = groups.Count(g => g.Truth!.Value.Segment == "do_not_disturb");
        var right = groups.Count(g => g.Group == "do_not_disturb" && g.Truth!.Value.Segment == "do_not_disturb");

        // A group agrees with the estimate and its band: past min_effect (0.02, the bands' threshold) is never "unmoved".
        Assert.Empty(await h.RowsAsync("SELECT * FROM uplift_scores WHERE abs(uplift) >= 0.02 AND uplift_group IN ('sure_thing', 'lost_cause')"));
        Assert.Empty(await h.RowsAsync("""
            SELECT * FROM uplift_bands b JOIN uplift_scores u ON u.customer_id = b.customer_id
            WHERE b.segment = 'persuade' AND u.uplift_group NOT IN ('persuadable', 'unproven')
            """));

        // The summary's holdout interval, the rule replayed on the send's holdout per contact times the audience's size, holds
        // the audience's true increment per contact times its size. The truth covers only customers of the send, so a missing
        // truth is not counted as 0: those outside it are taken to respond like the covered ones, as the estimate takes them.
        var s = (await h.RowsAsync("""
            SELECT expected_incremental_conversions, holdout_incremental_conversions, holdout_conversions_low, holdout_conversions_high, outside_send
            FROM campaign_audience__summary WHERE strategy = 'uplift_targeted'
            """)).Single().Select(D).ToArray();
        var audience = (await h.RowsAsync("SELECT customer_id, in_send FROM campaign_audience")).Select(r => (Id: (string)r[0]!, InSend: r[1] is true)).ToList();
        Assert.Equal(audience.Count(a => !a.InSend), s[4]);
        var inSend = audience.Where(a => a.InSend).ToList();
        var known = inSend.Where(a => Of(a.Id) is not null).ToList();
        Assert.NotEmpty(known);
        Assert.True(known.Count >= 0.95 * inSend.Count, $"the truth covers {known.Count} of the audience's {inSend.Count} customers in the send");
        var covered = known.Sum(a => Of(a.Id)!.Value.Effect);
        var scaled = covered / known.Count * audience.Count;
        // The old valuation, each chosen customer at their holdout bin's uplift, for comparison only.
        var bins = (await h.RowsAsync("SELECT holdout_uplift FROM campaign_audience")).Sum(r => D(r[0]));
        TestContext.Current.SendDiagnosticMessage($"do_not_disturb {labelled} labelled ({right} rightly), {harmed} truly, of {groups.Count}; {audience.Count} contacts: true {scaled:0.0} per-contact scaled " +
            $"(covered {covered:0.0} over {known.Count} of {inSend.Count} in the send), rule on the holdout {s[1]:0.0} [{s[2]:0.0}, {s[3]:0.0}], bins {bins:0.0}, claim {s[0]:0.0}, outside the send {s[4]}");
        Assert.InRange(scaled, s[2], s[3]);
        Assert.True(harmed > 0, "the truth has no do_not_disturb customer to label");
        Assert.True(labelled <= harmed, $"{labelled} labelled do_not_disturb against {harmed} truly so of {groups.Count}");
        Assert.True(right * 2 >= labelled, $"{right} of {labelled} labelled do_not_disturb truly are");

        // Customers outside the send carry the send's average, and the summary says whether the model beats random.
        var average = D((await h.RowsAsync("SELECT value FROM uplift_scores__metrics WHERE learner = 'data' AND metric = 'send_uplift'")).Single()[0]);
        Assert.All(await h.RowsAsync("SELECT uplift FROM uplift_scores WHERE NOT in_send"), r => Assert.Equal(average, D(r[0]), 9));
        var beats = D((await h.RowsAsync("SELECT value FROM uplift_scores__metrics WHERE learner = 'data' AND metric = 'uplift_beats_random'")).Single()[0]) == 1;
        Assert.Equal(beats ? 1L : 0L, Convert.ToInt64((await h.RowsAsync("SELECT contacts FROM campaign_audience__summary WHERE strategy = 'uplift_signal'")).Single()[0], CultureInfo.InvariantCulture));
    }

    private static IEnumerable<string[]> Truth(string folder, string file) =>
        File.ReadAllLines(Path.Combine(folder, "ground_truth", file)).Skip(1).Select(l => l.Split(','));

    // Each profile's emails (a profile may hold messy variants; the clean one is the truth's key).
    private static async Task<Dictionary<string, string[]>> EmailsAsync(ComponentHarness h) =>
        (await h.RowsAsync("SELECT profile_id, identifier_value FROM identity_graph WHERE identifier_type = 'email' ORDER BY 1, 2"))
            .GroupBy(r => (string)r[0]!).ToDictionary(g => g.Key, g => g.Select(r => (string)r[1]!).ToArray());

    private static double D(object? value) => Convert.ToDouble(value, CultureInfo.InvariantCulture);
}
