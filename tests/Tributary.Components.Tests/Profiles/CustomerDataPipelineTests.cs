using System.Globalization;
using Tributary.Components.Samples.DemoStore;
using Tributary.Engine.Runs;
using Tributary.Testing;

namespace Tributary.Components.Tests.Profiles;

/// <summary>Every source, standardizer, identity and Customer 360 on demo data, on both engines.</summary>
public sealed class CustomerDataPipelineTests(PostgresCluster postgres)
{
    private static string Pipeline => Path.Combine(RepositoryFiles.Templates, "examples", "customer_data.yaml");

    private static long Long(object? value) => Convert.ToInt64(value, CultureInfo.InvariantCulture);

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task CustomerData_DemoStore_BuildsConsistentCanonicalTablesAndIsIdempotent(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        var demo = Path.Combine(h.Temp.Path, "data", "demo");
        DemoStoreGenerator.Write(demo, new DemoStoreOptions(Customers: 300, Days: 180, Seed: 21));

        var first = await h.RunFileAsync(Pipeline);
        Assert.True(first.Status == RunStatus.Succeeded, first.Error);
        var orders = Long((await h.RowsAsync("SELECT count(*) FROM orders"))[0][0]);

        // The same exports delivered again under new names add no rows.
        File.Copy(Path.Combine(demo, "shopify", "orders_export.csv"), Path.Combine(demo, "shopify", "orders_export_again.csv"));
        File.Copy(Path.Combine(demo, "segment", "events.ndjson"), Path.Combine(demo, "segment", "events_again.ndjson"));
        var second = await h.RunFileAsync(Pipeline, new Dictionary<string, string>());
        Assert.True(second.Status == RunStatus.Succeeded, second.Error);
        Assert.Equal(orders, Long((await h.RowsAsync("SELECT count(*) FROM orders"))[0][0]));

        var rawMessages = File.ReadLines(Path.Combine(demo, "segment", "events.ndjson")).Select(l => l.Split("\"messageId\":\"", 2)[1].Split('"', 2)[0]).Distinct().Count();
        Assert.Equal(rawMessages, Long((await h.RowsAsync("SELECT count(*) FROM events"))[0][0]));

        var channels = (await h.RowsAsync("SELECT DISTINCT channel FROM touchpoints")).Select(r => (string)r[0]!).ToHashSet();
        Assert.Superset(DemoTruth.Channels.Select(c => c.Name).ToHashSet(), channels);
        Assert.Equal(DemoTruth.Channels.Count, channels.Count);

        var google = File.ReadLines(Path.Combine(demo, "google_ads", "campaign_report.csv")).Skip(3).Sum(l => double.Parse(l.Split(',')[5], CultureInfo.InvariantCulture));
        var meta = File.ReadLines(Path.Combine(demo, "meta_ads", "insights.csv")).Skip(1).Sum(l => double.Parse(l.Split(',')[4], CultureInfo.InvariantCulture));
        var spend = (await h.RowsAsync("SELECT platform, sum(spend) FROM ad_spend GROUP BY platform")).ToDictionary(r => (string)r[0]!, r => Convert.ToDouble(r[1], CultureInfo.InvariantCulture));
        Assert.Equal(google, spend["google_ads"], 1e-6);
        Assert.Equal(meta, spend["meta_ads"], 1e-6);

        var variants = (await h.RowsAsync("SELECT variant, count(*) FROM experiment_exposures GROUP BY variant")).ToDictionary(r => (string)r[0]!, r => Long(r[1]));
        Assert.True(variants["A"] > 30 && variants["B"] > 30);

        // Every SKU sold is in the product catalog.
        Assert.Empty(await h.RowsAsync("SELECT DISTINCT sku FROM order_items WHERE sku NOT IN (SELECT sku FROM products)"));
        Assert.Equal(40L, Long((await h.RowsAsync("SELECT count(*) FROM products"))[0][0]));

        var c360 = await h.RowsAsync("SELECT count(*), count(DISTINCT profile_id), sum(orders), sum(support_tickets) FROM customer_360");
        Assert.Equal(c360[0][0], c360[0][1]);
        Assert.Equal(Long((await h.RowsAsync("SELECT count(*) FROM orders WHERE NOT is_cancelled"))[0][0]), Long(c360[0][2]));
        Assert.Equal(Long((await h.RowsAsync("SELECT count(*) FROM support_tickets"))[0][0]), Long(c360[0][3]));
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Sessions_SplitAfterThirtyMinutesAndClassifyTheLandingChannel(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        static string Page(string id, string time, string url, string? referrer = null, string? medium = null, string? source = null)
        {
            var page = new System.Text.Json.Nodes.JsonObject { ["url"] = url };
            if (referrer is not null) page["referrer"] = referrer;
            var context = new System.Text.Json.Nodes.JsonObject { ["page"] = page };
            if (medium is not null) context["campaign"] = new System.Text.Json.Nodes.JsonObject { ["source"] = source, ["medium"] = medium };
            return new System.Text.Json.Nodes.JsonObject
            {
                ["type"] = "page", ["messageId"] = id, ["anonymousId"] = "a1", ["timestamp"] = $"2025-03-01T{time}:00Z", ["context"] = context,
            }.ToJsonString();
        }
        h.Temp.File("events/e.ndjson", string.Join("\n",
            Page("m1", "10:00", "https://shop.example.com/?gclid=abc"),
            Page("m2", "10:20", "https://shop.example.com/p/1"),
            Page("m3", "10:55", "https://shop.example.com/", "https://www.google.com/"),
            Page("m4", "12:00", "https://shop.example.com/", null, "email", "newsletter"),
            Page("m5", "14:00", "https://shop.example.com/?fbclid=x"),
            Page("m6", "16:00", "https://shop.example.com/", "https://partner.example/post"),
            Page("m7", "18:00", "https://shop.example.com/"),
            Page("m8", "20:00", "https://shop.example.com/", null, "cpc", "facebook")));

        var result = await h.RunAsync("""
            pipeline: p
            components:
              - { id: raw, type: source.segment_events, with: { path: events } }
              - { id: events, type: standardize.events, inputs: [raw] }
              - { id: sessions, type: standardize.sessions, inputs: [events] }
            """);

        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        var sessions = (await h.RowsAsync("SELECT events, channel FROM sessions ORDER BY started_at")).Select(r => (Long(r[0]), (string)r[1]!)).ToList();
        Assert.Equal([(2L, "paid_search"), (1L, "organic_search"), (1L, "email"), (1L, "paid_social"), (1L, "referral"), (1L, "direct"), (1L, "paid_social")], sessions);
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Events_RetriedMessageIds_KeepTheFirstReceivedCopyAndEveryUniqueEvent(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        static string Track(string id, string name, string received) =>
            $$"""{"type":"track","messageId":"{{id}}","anonymousId":"a1","event":"{{name}}","timestamp":"2025-03-01T10:00:00Z","receivedAt":"2025-03-01T{{received}}:00Z"}""";
        h.Temp.File("events/e.ndjson", string.Join("\n",
            Track("m1", "Late copy", "10:09"), Track("m2", "Only", "10:01"), Track("m1", "First copy", "10:02"), Track("m3", "Tie first", "10:05"),
            Track("m3", "Tie second", "10:05"), Track("m1", "Later copy", "10:07")));

        var result = await h.RunAsync("""
            pipeline: p
            components:
              - { id: raw, type: source.segment_events, with: { path: events } }
              - { id: events, type: standardize.events, inputs: [raw] }
            """);

        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        // Equal receipt times fall back to the file's line order.
        Assert.Equal([("m1", "First copy"), ("m2", "Only"), ("m3", "Tie first")],
            (await h.RowsAsync("SELECT event_id, event FROM events ORDER BY event_id")).Select(r => ((string)r[0]!, (string)r[1]!)));
    }
}
