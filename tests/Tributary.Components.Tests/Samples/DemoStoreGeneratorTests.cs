using System.Globalization;
using Tributary.Components.Samples.DemoStore;
using Tributary.Testing;

namespace Tributary.Components.Tests.Samples;

public sealed class DemoStoreGeneratorTests
{
    private static string[] Files(string folder) =>
        Directory.GetFiles(folder, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(folder, f)).Order(StringComparer.Ordinal).ToArray();

    [Fact]
    public void Write_SameSeed_SameBytes_OtherSeed_OtherData()
    {
        using var a = new TempDirectory();
        using var b = new TempDirectory();
        using var c = new TempDirectory();
        DemoStoreGenerator.Write(a.Path, new DemoStoreOptions(Customers: 100, Days: 60, Seed: 9));
        DemoStoreGenerator.Write(b.Path, new DemoStoreOptions(Customers: 100, Days: 60, Seed: 9));
        DemoStoreGenerator.Write(c.Path, new DemoStoreOptions(Customers: 100, Days: 60, Seed: 10));

        Assert.Equal(Files(a.Path), Files(b.Path));
        foreach (var f in Files(a.Path)) Assert.Equal(File.ReadAllBytes(Path.Combine(a.Path, f)), File.ReadAllBytes(Path.Combine(b.Path, f)));
        Assert.NotEqual(File.ReadAllText(Path.Combine(a.Path, "shopify/orders_export.csv")), File.ReadAllText(Path.Combine(c.Path, "shopify/orders_export.csv")));
    }

    [Fact]
    public void Write_LaysOutEveryPlatformExportAndTheGroundTruth()
    {
        using var d = new TempDirectory();
        var summary = DemoStoreGenerator.Write(d.Path, new DemoStoreOptions(Customers: 600, Days: 120, Seed: 2));

        Assert.Equal(
        [
            "campaigns/sends.csv", "experiments/events.ndjson", "google_ads/campaign_report.csv", "ground_truth/campaign.csv", "ground_truth/campaign_rule.json", "ground_truth/channels.csv", "ground_truth/churn_behaviour.csv", "ground_truth/churn_rule.json", "ground_truth/consent.csv", "ground_truth/customers.csv", "ground_truth/experiments.csv", "ground_truth/fraud_labels.csv",
            "ground_truth/identities.csv", "ground_truth/population.json", "ground_truth/product_groups.csv", "ground_truth/prospects.csv", "hubspot/contacts.csv", "meta_ads/insights.csv",
            "segment/events.ndjson", "shopify/orders_export.csv", "shopify/products_export.csv", "stripe/charges.csv", "zendesk/tickets.csv",
        ], Files(d.Path));
        var truth = File.ReadAllLines(Path.Combine(d.Path, "ground_truth/customers.csv")).Skip(1).Select(l => l.Split(',')).ToList();
        Assert.Equal(600, truth.Count);
        var storeOrders = summary.Orders - summary.CampaignOrders;
        Assert.Equal(storeOrders, truth.Sum(f => int.Parse(f[10], CultureInfo.InvariantCulture)));
        var labels = File.ReadAllLines(Path.Combine(d.Path, "ground_truth/fraud_labels.csv")).Skip(1).Select(l => l.Split(',')[1]).ToHashSet();
        Assert.Contains("card_testing", labels);
        // Every ordering customer's orders are Order Completed events and Stripe charges too.
        var events = File.ReadLines(Path.Combine(d.Path, "segment/events.ndjson")).Count(l => l.Contains("\"Order Completed\"", StringComparison.Ordinal));
        Assert.True(events >= storeOrders, $"{events} Order Completed events for {storeOrders} orders");
        var charges = File.ReadLines(Path.Combine(d.Path, "stripe/charges.csv")).Count(l => l.Contains("Shopify order #", StringComparison.Ordinal));
        Assert.Equal(storeOrders, charges);
    }

    [Fact]
    public void Write_ChannelTruth_HasTheShapleySplitAndTheIncrementalConversions()
    {
        using var d = new TempDirectory();
        DemoStoreGenerator.Write(d.Path, new DemoStoreOptions(Customers: 600, Days: 120, Seed: 2));

        var lines = File.ReadAllLines(Path.Combine(d.Path, "ground_truth/channels.csv"));
        // The first seven columns are as before the incremental truth, so readers by position keep working.
        Assert.Equal("channel,exposure,incremental_effect,lateness,campaigns,true_conversions,true_share,incremental_conversions,incremental_share", lines[0]);
        var rows = lines.Skip(1).Select(l => l.Split(',')).ToList();
        Assert.Equal(DemoTruth.Channels.Select(c => c.Name), rows.Select(r => r[0]));
        double Sum(int column) => rows.Sum(r => double.Parse(r[column], CultureInfo.InvariantCulture));
        Assert.Equal(1.0, Sum(6), 1e-4);
        Assert.Equal(1.0, Sum(8), 1e-4);
        // A conversion is lost to a channel only when no other cause would have made it: fewer than are split.
        Assert.InRange(Sum(7), 1, Sum(5));
        Assert.All(rows, r => Assert.True(double.Parse(r[7], CultureInfo.InvariantCulture) > 0, r[0]));
    }

    [Fact]
    public void Write_ReportedOrders_AreTheDistinctOrdersOfTheShopifyExport()
    {
        using var d = new TempDirectory();
        var summary = DemoStoreGenerator.Write(d.Path, new DemoStoreOptions(Customers: 600, Seed: 2));

        var names = File.ReadLines(Path.Combine(d.Path, "shopify/orders_export.csv")).Skip(1).Select(l => l.Split(',')[0]).ToHashSet();
        Assert.True(summary.CampaignOrders > 0, "the demo campaign placed no orders; the count would not cover them");
        Assert.Equal(names.Count, summary.Orders);
    }

    [Fact]
    public void Write_StripeCharges_CarryBillingCountryAndIp_FraudFromTellingOrigins()
    {
        using var d = new TempDirectory();
        DemoStoreGenerator.Write(d.Path, new DemoStoreOptions(Customers: 3000, Days: 180, Seed: 6));

        var lines = File.ReadAllLines(Path.Combine(d.Path, "stripe/charges.csv"));
        var header = lines[0].Split(',');
        // The unified payments export's dispute columns come last, empty: the demo has no chargebacks.
        Assert.Equal(["Card Address Country", "ip_address (metadata)", "Disputed Amount", "Dispute Status", "Dispute Reason", "Dispute Date (UTC)"], header[^6..]);
        var charges = lines.Skip(1).Select(l => l.Split(',')).ToDictionary(f => f[0], f => (Customer: f[7], Card: f[12], Billing: f[^6], Ip: f[^5]));
        Assert.All(lines.Skip(1), l => Assert.EndsWith(",,,,", l, StringComparison.Ordinal));
        Assert.All(charges.Values, c => Assert.Matches("^[A-Z]{2}$", c.Billing));
        Assert.All(charges.Values, c => Assert.Matches(@"^\d+\.\d+\.\d+\.\d+$", c.Ip));
        var labels = File.ReadAllLines(Path.Combine(d.Path, "ground_truth/fraud_labels.csv")).Skip(1).Select(l => l.Split(',')).ToLookup(f => f[1], f => charges[f[0]]);
        // A card-testing burst comes from one address; a takeover from an address the customer's other charges never used.
        Assert.All(labels["card_testing"].GroupBy(c => c.Customer), burst => Assert.Single(burst.Select(c => c.Ip).Distinct()));
        var legitimate = charges.Values.Except(labels.SelectMany(g => g)).ToLookup(c => c.Customer, c => c.Ip);
        Assert.NotEmpty(labels["account_takeover"]);
        Assert.All(labels["account_takeover"], t => Assert.DoesNotContain(t.Ip, legitimate[t.Customer]));
        Assert.All(labels["account_takeover"], t => Assert.NotEqual(t.Card, t.Billing));
        // Most legitimate charges are billed in the card's country; some customers live abroad.
        var abroad = charges.Values.Except(labels.SelectMany(g => g)).Count(c => c.Card != c.Billing);
        Assert.InRange(abroad, 1, charges.Count / 8);
    }

    [Fact]
    public void Write_Clean_HasCanonicalEmailsAndNoBots()
    {
        using var d = new TempDirectory();
        DemoStoreGenerator.Write(d.Path, new DemoStoreOptions(Customers: 200, Days: 90, Seed: 4, Mess: false));

        var emails = File.ReadLines(Path.Combine(d.Path, "shopify/orders_export.csv")).Skip(1).Select(l => l.Split(',')[1]).Where(e => e.Length > 0).ToList();
        Assert.All(emails, e => Assert.Equal(e.Trim().ToLowerInvariant(), e));
        Assert.DoesNotContain(File.ReadLines(Path.Combine(d.Path, "segment/events.ndjson")), l => l.Contains("Googlebot", StringComparison.Ordinal) || l.Contains("kiosk", StringComparison.Ordinal));
    }

    [Fact]
    public void Write_BrowsingBeforeComingOrders_IsTheSameAtTheCutoffAsAtAnyEarlierDate()
    {
        // Journeys (campaign landings) precede every purchase by days. The share of the next 90 days' buyers who landed in the
        // 14 days before a date must not depend on whether the date is the cutoff: the first purchase after the cutoff has its
        // lead-up before it too. Without it the share at the cutoff was 0.15 against 0.49 ninety days earlier (seed 41).
        using var d = new TempDirectory();
        var options = new DemoStoreOptions(Customers: 4000, Days: 365, Seed: 41, Mess: false, Behaviour: false);
        DemoStoreGenerator.Write(d.Path, options);

        var cutoff = options.Cutoff.ToDateTime(TimeOnly.MinValue);
        var earlier = cutoff.AddDays(-90);
        var truth = File.ReadAllLines(Path.Combine(d.Path, "ground_truth/customers.csv")).Skip(1).Select(l => l.Split(',')).ToList();
        var personByEmail = truth.ToDictionary(f => f[1], f => int.Parse(f[0], CultureInfo.InvariantCulture));
        var orders = File.ReadLines(Path.Combine(d.Path, "shopify/orders_export.csv")).Skip(1).Select(l => l.Split(','))
            .Where(f => f[1].Length > 0 && !f[0].StartsWith("#C", StringComparison.Ordinal))
            .Select(f => (Person: personByEmail[f[1]], At: DateTime.Parse(f[13][..19], CultureInfo.InvariantCulture)))
            .ToLookup(o => o.Person, o => o.At);
        var landings = File.ReadLines(Path.Combine(d.Path, "segment/events.ndjson")).Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement)
            .Where(e => e.TryGetProperty("name", out var n) && n.GetString() == "Landing" && e.TryGetProperty("userId", out _))
            .ToLookup(e => Convert.ToInt32(e.GetProperty("userId").GetString()![2..], 16), e => e.GetProperty("timestamp").GetDateTime());
        double Share(DateTime date, IReadOnlyCollection<int> buyers) =>
            buyers.Count(p => landings[p].Any(t => t >= date.AddDays(-14) && t < date)) / (double)buyers.Count;

        var buyersAfterEarlier = orders.Where(g => g.Any(t => t < earlier) && g.Any(t => t >= earlier && t < cutoff)).Select(g => g.Key).ToList();
        var buyersAfterCutoff = truth.Where(f => int.Parse(f[12], CultureInfo.InvariantCulture) > 0).Select(f => int.Parse(f[0], CultureInfo.InvariantCulture)).ToList();
        var atEarlier = Share(earlier, buyersAfterEarlier);
        var atCutoff = Share(cutoff, buyersAfterCutoff);
        Assert.True(buyersAfterEarlier.Count > 500 && buyersAfterCutoff.Count > 500);
        Assert.True(Math.Abs(atCutoff - atEarlier) < 0.06, $"landed in the 14 days before: {atEarlier:0.000} of {buyersAfterEarlier.Count} buyers 90 days before the cutoff, {atCutoff:0.000} of {buyersAfterCutoff.Count} at the cutoff");
        // Nothing is written at or after the cutoff.
        Assert.All(landings.SelectMany(g => g), t => Assert.True(t < cutoff, $"{t:o}"));
    }

    [Fact]
    public void Options_OutOfRange_SayWhichFlag()
    {
        var e = Assert.Throws<ArgumentException>(() => new DemoStoreOptions(Customers: 2_000_000).Validate());
        Assert.Equal("--customers must be between 10 and 1,000,000, got 2000000.", e.Message);
    }
}
