using System.Globalization;
using System.Text.Json;
using Tributary.Components.Samples.DemoStore;
using Tributary.Engine.Runs;
using Tributary.Testing;

namespace Tributary.Components.Tests.Funnels;

/// <summary>The customer_journey template end to end on demo data, on both engines, against funnels counted from the generated files.</summary>
public sealed class CustomerJourneyTemplateTests(PostgresCluster postgres)
{
    private static string Template => Path.Combine(RepositoryFiles.Templates, "customer_journey.yaml");

    private static readonly string[] Steps = ["Product Viewed", "Product Added", "Checkout Started", "Order Completed"];

    // Seed 7 was used while building; seed 11 only to confirm.
    [Theory]
    [InlineData("duckdb", 7)]
    [InlineData("postgres", 7)]
    [InlineData("duckdb", 11)]
    [InlineData("postgres", 11)]
    public async Task CustomerJourney_DemoStore_FunnelMatchesTheEventFiles(string engine, int seed)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        var data = Path.Combine(h.Temp.Path, "data", "demo");
        DemoStoreGenerator.Write(data, new DemoStoreOptions(Customers: 600, Days: 180, Seed: seed));

        var result = await h.RunFileAsync(Template);

        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        Assert.All(result.Steps, s => Assert.Equal(StepStatus.Succeeded, s.Status));
        var truth = CountFunnel(Path.Combine(data, "segment", "events.ndjson"), TimeSpan.FromMinutes(30), TimeSpan.FromHours(1));
        var funnel = (await h.RowsAsync("SELECT breakdown, step, units FROM shopping_funnel ORDER BY breakdown, step"))
            .Select(r => ((string)r[0]!, Convert.ToInt32(r[1], CultureInfo.InvariantCulture), Convert.ToInt64(r[2], CultureInfo.InvariantCulture))).ToList();
        Assert.Equal(truth.OrderBy(t => t.Key.Device, StringComparer.Ordinal).ThenBy(t => t.Key.Step).Select(t => (t.Key.Device, t.Key.Step, t.Value)), funnel);
        // Every completed order in the stream was reached through the funnel: the demo writes it in the session that viewed the product.
        var orders = File.ReadLines(Path.Combine(data, "shopify", "orders_export.csv")).Skip(1).Select(l => l.Split(',')[0]).Where(n => n.StartsWith('#')).Distinct().Count();
        Assert.InRange(funnel.Single(f => f.Item1 == "(all)" && f.Item2 == 4).Item3, orders * 0.98, orders);

        // The Sankey starts at the product view and the biggest first move is to add to cart.
        var first = await h.RowsAsync("SELECT target, units FROM journey_paths WHERE depth = 1 AND source = 'Product Viewed' ORDER BY units DESC");
        Assert.Equal("Product Added", first[0][0]);
        var retention = await h.RowsAsync("SELECT count(*), min(retention), max(retention) FROM retention WHERE period > 0");
        Assert.True(Convert.ToInt64(retention[0][0], CultureInfo.InvariantCulture) > 0);
        Assert.InRange(Convert.ToDouble(retention[0][2], CultureInfo.InvariantCulture), 0, 1);
        var top = await h.RowsAsync("SELECT kind, step FROM conversion_opportunities WHERE rank = 1");
        Assert.Equal("drop_off", top[0][0]);
    }

    // A plain re-count: events deduplicated by messageId, sessions of a visitor split at gaps over 30 minutes, and in each
    // session every Product Viewed an entry that takes each next step's earliest later event within the window.
    private static Dictionary<(string Device, int Step), long> CountFunnel(string path, TimeSpan gap, TimeSpan window)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var events = new List<(string Visitor, DateTime At, string Id, string? Name, string Device)>();
        foreach (var line in File.ReadLines(path))
        {
            using var doc = JsonDocument.Parse(line);
            var e = doc.RootElement;
            var id = e.GetProperty("messageId").GetString()!;
            if (!seen.Add(id)) continue;
            var visitor = e.TryGetProperty("anonymousId", out var a) ? a.GetString() : e.TryGetProperty("userId", out var u) ? u.GetString() : null;
            if (visitor is null) continue;
            var name = e.TryGetProperty("event", out var n) ? n.GetString() : e.TryGetProperty("name", out var pn) ? pn.GetString() : null;
            var agent = e.TryGetProperty("context", out var c) && c.TryGetProperty("userAgent", out var ua) ? ua.GetString() ?? "" : "";
            var device = agent.Contains("iPhone", StringComparison.Ordinal) || agent.Contains("Android", StringComparison.Ordinal) ? "mobile" : "desktop";
            events.Add((visitor, DateTime.Parse(e.GetProperty("timestamp").GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal), id, name, device));
        }
        var counts = new Dictionary<(string, int), long>();
        foreach (var visit in events.GroupBy(e => e.Visitor, StringComparer.Ordinal))
        {
            var ordered = visit.OrderBy(e => e.At).ThenBy(e => e.Id, StringComparer.Ordinal).ToList();
            var session = new List<(string Visitor, DateTime At, string Id, string? Name, string Device)>();
            for (var i = 0; i <= ordered.Count; i++)
            {
                if (i == ordered.Count || (session.Count > 0 && ordered[i].At - session[^1].At > gap))
                {
                    Score(session, window, counts);
                    session.Clear();
                }
                if (i < ordered.Count) session.Add(ordered[i]);
            }
        }
        return counts;
    }

    private static void Score(List<(string Visitor, DateTime At, string Id, string? Name, string Device)> session, TimeSpan window, Dictionary<(string, int), long> counts)
    {
        var best = 0;
        string? device = null;
        for (var entry = 0; entry < session.Count; entry++)
        {
            if (session[entry].Name != Steps[0]) continue;
            var (reached, at, used) = (1, session[entry].At, new HashSet<int> { entry });
            for (var step = 1; step < Steps.Length; step++)
            {
                var next = Enumerable.Range(0, session.Count).Where(j => !used.Contains(j) && session[j].Name == Steps[step] && session[j].At >= at && session[j].At <= session[entry].At + window)
                    .DefaultIfEmpty(-1).First();
                if (next < 0) break;
                (reached, at) = (step + 1, session[next].At);
                used.Add(next);
            }
            if (reached > best) (best, device) = (reached, session[entry].Device);
        }
        for (var step = 1; step <= best; step++)
            foreach (var key in new[] { ("(all)", step), (device!, step) }) counts[key] = counts.GetValueOrDefault(key) + 1;
        if (best > 0)
            for (var step = best + 1; step <= Steps.Length; step++)
                foreach (var key in new[] { ("(all)", step), (device!, step) }) counts[key] = counts.GetValueOrDefault(key);
    }
}
