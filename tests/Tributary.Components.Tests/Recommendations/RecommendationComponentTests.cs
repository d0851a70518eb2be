using System.Globalization;
using Tributary.Engine.Runs;
using Tributary.Testing;

namespace Tributary.Components.Tests.Recommendations;

public sealed class RecommendationComponentTests(PostgresCluster postgres)
{
    // Four orders: o1 {A, B}, o2 {A, B}, o3 {A, C}, o4 {D}; customers c1 (o1, o3), c2 (o2), c3 (o4).
    private const string Items = """
        customer_id,order_id,sku,quantity,ordered_at,kind
        c1,o1,A,1,2025-01-01,purchase
        c1,o1,B,2,2025-01-01,purchase
        c2,o2,A,1,2025-01-20,purchase
        c2,o2,B,1,2025-01-20,purchase
        c1,o3,A,1,2025-01-31,purchase
        c1,o3,C,1,2025-01-31,purchase
        c3,o4,D,1,2025-01-31,purchase
        c3,o5,A,1,2025-01-31,view
        """;

    private static string Pipeline(string components) => $$"""
        pipeline: p
        components:
          - { id: items, type: source.csv, with: { path: items.csv, columns: { customer_id: VARCHAR, order_id: VARCHAR, sku: VARCHAR, quantity: INTEGER, ordered_at: DATE, kind: VARCHAR } } }
        {{components}}
        """;

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task BoughtTogether_FourBaskets_SupportConfidenceAndLiftByHand(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        h.Temp.File("items.csv", Items);
        var result = await h.RunAsync(Pipeline("  - { id: rules, type: recs.bought_together, inputs: [items], with: { min_orders: 2 } }"));
        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        var rows = await h.RowsAsync("SELECT sku, other_sku, orders, support, confidence, lift, rank FROM rules ORDER BY sku");
        // A and B share 2 of 5 baskets (o5 holds A alone): support 0.4; A is in 4 baskets, B in 2.
        Assert.Equal(2, rows.Count);
        Assert.Equal(("A", "B", 2L), ((string)rows[0][0]!, (string)rows[0][1]!, Convert.ToInt64(rows[0][2], CultureInfo.InvariantCulture)));
        Assert.Equal(0.4, Convert.ToDouble(rows[0][3], CultureInfo.InvariantCulture), 12);
        Assert.Equal(0.5, Convert.ToDouble(rows[0][4], CultureInfo.InvariantCulture), 12);
        Assert.Equal(0.5 / (2 / 5.0), Convert.ToDouble(rows[0][5], CultureInfo.InvariantCulture), 12);
        Assert.Equal(1.0, Convert.ToDouble(rows[1][4], CultureInfo.InvariantCulture), 12);
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task BoughtTogether_PairBoughtTogetherLessThanChance_IsNoRuleUnlessMinLiftAllowsIt(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        // Six orders: A in o1-o3, B in o1-o2, C in o3-o6. A with B: lift (2/3)/(2/6) = 2; A with C: (1/3)/(4/6) = 0.5.
        h.Temp.File("items.csv", "customer_id,order_id,sku,quantity,ordered_at,kind\n" + string.Concat(
            new[] { "o1,A", "o1,B", "o2,A", "o2,B", "o3,A", "o3,C", "o4,C", "o5,C", "o6,C" }.Select(x => $"c1,{x},1,2025-01-01,purchase\n")));
        var result = await h.RunAsync(Pipeline("""
              - { id: rules, type: recs.bought_together, inputs: [items], with: { min_orders: 1 } }
              - { id: all_rules, type: recs.bought_together, inputs: [items], with: { min_orders: 1, min_lift: 0 } }
            """));
        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        var pairs = async (string table) => (await h.RowsAsync($"SELECT sku, other_sku, lift FROM {table} ORDER BY sku, other_sku"))
            .Select(r => $"{r[0]}>{r[1]}:{Convert.ToDouble(r[2], CultureInfo.InvariantCulture).ToString("0.##", CultureInfo.InvariantCulture)}").ToList();
        Assert.Equal(["A>B:2", "B>A:2"], await pairs("rules"));
        Assert.Equal(["A>B:2", "A>C:0.5", "B>A:2", "C>A:0.5"], await pairs("all_rules"));
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Interactions_WeightsByKindQuantityAndHalfLife(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        h.Temp.File("items.csv", Items);
        var result = await h.RunAsync(Pipeline("""
              - id: interactions
                type: recs.interactions
                inputs: [items]
                with: { quantity_column: quantity, event_type_column: kind, event_weights: { purchase: 1, view: 0.25 }, half_life_days: 30 }
            """));
        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        var w = (await h.RowsAsync("SELECT customer_id, sku, weight FROM interactions")).ToDictionary(r => $"{r[0]}/{r[1]}", r => Convert.ToDouble(r[2], CultureInfo.InvariantCulture));
        // c1 bought A 30 days before the last day (half weight) and on it; B twice, 30 days before; c3 viewed A on the last day.
        Assert.Equal(0.5 + 1, w["c1/A"], 12);
        Assert.Equal(2 * 0.5, w["c1/B"], 12);
        Assert.Equal(0.25, w["c3/A"], 12);
        Assert.Equal(Math.Pow(2, -11 / 30.0), w["c2/A"], 12);
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Interactions_IdentityGraph_MapsIdentifiersToProfilesAndDropsUnknown(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        h.Temp.File("items.csv", "email,sku,ordered_at\na@x.com,A,2025-01-01\nb@x.com,B,2025-01-02\nnobody@x.com,C,2025-01-03\n");
        h.Temp.File("graph.csv", "identifier_type,identifier_value,profile_id\nemail,a@x.com,p1\nemail,b@x.com,p1\nphone,nobody@x.com,p9\n");
        var result = await h.RunAsync("""
            pipeline: p
            components:
              - { id: items, type: source.csv, with: { path: items.csv, columns: { email: VARCHAR, sku: VARCHAR, ordered_at: DATE } } }
              - { id: graph, type: source.csv, with: { path: graph.csv } }
              - { id: interactions, type: recs.interactions, inputs: [items, graph], with: { customer_column: email, identifier_type: email } }
            """);
        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        var rows = await h.RowsAsync("SELECT customer_id, sku FROM interactions ORDER BY sku");
        Assert.Equal([["p1", "A"], ["p1", "B"]], rows.Select(r => new[] { (string)r[0]!, (string)r[1]! }));
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task ForCustomers_BusinessRules_ExcludeCapBoostAndFillFromPopular(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        // Customer c1 owns P1 (coffee, repurchasable). The model scores P1 > P2 > P3 > P4 > P5 for c1.
        h.Temp.File("interactions.csv", "customer_id,sku,weight\nc1,P1,1\nc2,P2,1\nc2,P3,1\nc3,P3,1\nc3,P5,1\nc4,P5,1\nc4,P6,1\nc5,P5,1\n");
        h.Temp.File("model.csv", "customer_id,sku,score\nc1,P1,0.9\nc1,P2,0.8\nc1,P3,0.7\nc1,P4,0.6\nc1,P5,0.5\n");
        // P2 is inactive, P4 out of stock, P6 above the price band; P3 and P5 are tea (at most one); P1 coffee.
        h.Temp.File("products.csv", "sku,category,price,is_active,stock\nP1,coffee,10,true,5\nP2,coffee,10,false,5\nP3,tea,10,true,5\nP4,tea,10,true,0\nP5,tea,12,true,5\nP6,books,99,true,5\n");
        var result = await h.RunAsync("""
            pipeline: p
            components:
              - { id: interactions, type: source.csv, with: { path: interactions.csv, columns: { customer_id: VARCHAR, sku: VARCHAR, weight: DOUBLE } } }
              - { id: model, type: source.csv, with: { path: model.csv, columns: { customer_id: VARCHAR, sku: VARCHAR, score: DOUBLE } } }
              - { id: products, type: source.csv, with: { path: products.csv, columns: { sku: VARCHAR, category: VARCHAR, price: DOUBLE, is_active: BOOLEAN, stock: INTEGER } } }
              - id: recs
                type: recs.for_customers
                inputs: [interactions, model, products]
                with: { limit: 3, repurchasable_categories: [coffee], max_per_category: 1, stock_column: stock, max_price: 50, boost_skus: [P5], boost_factor: 2 }
            """);
        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        var c1 = (await h.RowsAsync("SELECT sku, source FROM recs WHERE customer_id = 'c1' ORDER BY rank")).Select(r => $"{r[0]}:{r[1]}").ToList();
        // P5 boosted to 1.0 beats P1 (0.9, bought but repurchasable); P3 is the second tea; nothing else eligible from the model,
        // so the list ends with nothing: P6 is above max_price and the rest are taken or ineligible.
        Assert.Equal(["P5:als", "P1:als"], c1);
        var fallback = (await h.RowsAsync("SELECT sku FROM recs__fallback ORDER BY rank")).Select(r => (string)r[0]!).ToList();
        Assert.Equal(["P5", "P3", "P1"], fallback);
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Popular_RecentWindow_RanksPopularAndTrending(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        h.Temp.File("items.csv", Items);
        var result = await h.RunAsync(Pipeline("  - { id: popular, type: recs.popular, inputs: [items], with: { recent_days: 1 } }"));
        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        var rows = (await h.RowsAsync("SELECT sku, customers, recent_customers, rank, trending_rank, trend FROM popular ORDER BY rank")).ToList();
        Assert.Equal(["A", "B", "C", "D"], rows.Select(r => (string)r[0]!));
        Assert.Equal(3L, Convert.ToInt64(rows[0][1], CultureInfo.InvariantCulture));
        // 31 days observed: C and D were had by one customer each, both on the last day: 1/1 ÷ 1/31 = 31.
        Assert.Equal(31.0, Convert.ToDouble(rows[2][5], CultureInfo.InvariantCulture), 9);
        Assert.Equal(1L, Convert.ToInt64(rows[2][4], CultureInfo.InvariantCulture));
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Als_StoresFactorsAndExplainsEachScoreByTheHistoryItemContributingMost(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        h.Temp.File("items.csv", Items);
        var result = await h.RunAsync(Pipeline("""
              - { id: interactions, type: recs.interactions, inputs: [items], with: { quantity_column: quantity } }
              - { id: als, type: recs.als, inputs: [interactions], with: { factors: 2, iterations: 5, regularization: 0.5, alpha: 3, candidates: 4 } }
            """));
        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        // The factors output: 3 customers and 4 items, 2 factors each; x_u · y_i from it is the stored score.
        var factors = (await h.RowsAsync("SELECT side, id, factor, value FROM als__factors")).ToList();
        Assert.Equal((3 + 4) * 2, factors.Count);
        double[] Vector(string side, string id) => factors.Where(f => (string)f[0]! == side && (string)f[1]! == id)
            .OrderBy(f => Convert.ToInt64(f[2], CultureInfo.InvariantCulture)).Select(f => Convert.ToDouble(f[3], CultureInfo.InvariantCulture)).ToArray();
        string[] skus = ["A", "B", "C", "D"];
        var itemFactors = skus.SelectMany(s => Vector("item", s)).ToArray();
        var explanation = new Analytics.Recommendations.AlsExplanation(itemFactors, 2, 0.5, 3);
        var weights = (await h.RowsAsync("SELECT customer_id, sku, weight FROM interactions")).ToList();
        var rows = await h.RowsAsync("SELECT customer_id, sku, score, because_sku FROM als");
        Assert.Equal(3 * 4, rows.Count);
        foreach (var row in rows)
        {
            var (customer, sku) = ((string)row[0]!, (string)row[1]!);
            var x = Vector("customer", customer);
            var y = Vector("item", sku);
            Assert.Equal(x[0] * y[0] + x[1] * y[1], Convert.ToDouble(row[2], CultureInfo.InvariantCulture), 9);
            var history = weights.Where(w => (string)w[0]! == customer).OrderBy(w => Array.IndexOf(skus, (string)w[1]!)).ToList();
            var because = explanation.For([.. history.Select(w => Array.IndexOf(skus, (string)w[1]!))], [.. history.Select(w => Convert.ToDouble(w[2], CultureInfo.InvariantCulture))])!
                .Because(Array.IndexOf(skus, sku));
            Assert.Equal(because < 0 ? null : skus[because], row[3] as string);
        }
        // c1 has A, B and C: whatever explains D for c1 is one of them.
        Assert.Contains((string?)(await h.RowsAsync("SELECT because_sku FROM als WHERE customer_id = 'c1' AND sku = 'D'"))[0][0], new[] { "A", "B", "C", null });
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task CustomerFeed_CsvRowsAndJsonObjectPerCustomer_InRankOrder(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        h.Temp.File("feed.csv", """
            customer_id,email,rank,sku,product_name,price,product_url,image_url
            p2,b@x.com,1,B,Tea,4.5,https://s/products/b,https://s/images/b.jpg
            p1,a@x.com,2,C,"Cup, big",12,https://s/products/c,https://s/images/c.jpg
            p1,a@x.com,1,B,Tea,4.5,https://s/products/b,https://s/images/b.jpg
            """);
        var result = await h.RunAsync("""
            pipeline: p
            components:
              - id: feed
                type: source.csv
                with: { path: feed.csv, columns: { customer_id: VARCHAR, email: VARCHAR, rank: INTEGER, sku: VARCHAR, product_name: VARCHAR, price: DOUBLE, product_url: VARCHAR, image_url: VARCHAR } }
              - { id: feed_csv, type: activate.customer_feed, inputs: [feed], with: { path: out/feed.csv, customer_fields: [email], consent: ignore } }
              - { id: feed_json, type: activate.customer_feed, inputs: [feed], with: { path: out/feed.json, format: json, customer_fields: [email], consent: ignore } }
            """);
        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        var csv = File.ReadAllLines(Path.Combine(h.Temp.Path, "out", "feed.csv"));
        Assert.Equal("customer_id,email,rank,sku,product_name,price,product_url,image_url", csv[0]);
        Assert.Equal(["p1", "p1", "p2"], csv.Skip(1).Select(l => l.Split(',')[0]));
        Assert.StartsWith("p1,a@x.com,1,B,", csv[1], StringComparison.Ordinal);
        using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(h.Temp.Path, "out", "feed.json")));
        var customers = json.RootElement.EnumerateArray().ToList();
        Assert.Equal(["p1", "p2"], customers.Select(c => c.GetProperty("customer_id").GetString()));
        Assert.Equal("a@x.com", customers[0].GetProperty("email").GetString());
        var items = customers[0].GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(["B", "C"], items.Select(i => i.GetProperty("sku").GetString()));
        Assert.Equal("Cup, big", items[1].GetProperty("product_name").GetString());
        Assert.Equal(12.0, items[1].GetProperty("price").GetDouble());
        Assert.Equal(2, items[1].GetProperty("rank").GetInt64());
        Assert.Equal("https://s/images/c.jpg", items[1].GetProperty("image_url").GetString());
        Assert.False(items[0].TryGetProperty("email", out _));
    }
}
