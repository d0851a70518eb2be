using System.Globalization;
using Tributary.Components.Samples.DemoStore;
using Tributary.Engine.Runs;
using Tributary.Testing;

namespace Tributary.Components.Tests.Recommendations;

/// <summary>The product_recommendations template end to end on demo data, on both engines, checked against the generator's truth.</summary>
public sealed class ProductRecommendationsTemplateTests(PostgresCluster postgres)
{
    private static string Template => Path.Combine(RepositoryFiles.Templates, "product_recommendations.yaml");

    // Seed 5 was used while developing (the template's ALS regularization was chosen on it); seed 31 was not looked at before.
    // Seed 23 failed once early with untuned settings and is re-run here with the final ones; seed 43 was never used before.
    [Theory]
    [InlineData("duckdb", 5)]
    [InlineData("duckdb", 31)]
    [InlineData("postgres", 31)]
    [InlineData("duckdb", 23)]
    [InlineData("postgres", 23)]
    [InlineData("duckdb", 43)]
    [InlineData("postgres", 43)]
    public async Task ProductRecommendations_DemoStore_BeatsPopularityAndFollowsPreferredGroups(string engine, int seed)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        var data = Path.Combine(h.Temp.Path, "data", "demo");
        DemoStoreGenerator.Write(data, new DemoStoreOptions(Customers: 1500, Days: 365, Seed: seed));

        var result = await h.RunFileAsync(Template);

        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        Assert.All(result.Steps, s => Assert.Equal(StepStatus.Succeeded, s.Status));
        // The model card: ALS and item-item each at least 20% better NDCG@10 than popularity on the temporal holdout.
        var card = (await h.RowsAsync("SELECT model, ndcg, users FROM model_card")).ToDictionary(r => (string)r[0]!, r => Convert.ToDouble(r[1], CultureInfo.InvariantCulture));
        Assert.Equal(["als", "item_similarity", "popular"], card.Keys.Order());
        Assert.True(card["als"] >= 1.2 * card["popular"], $"ALS NDCG@10 {card["als"]:0.0000} vs popular {card["popular"]:0.0000}");
        Assert.True(card["item_similarity"] >= 1.2 * card["popular"], $"item-item NDCG@10 {card["item_similarity"]:0.0000} vs popular {card["popular"]:0.0000}");

        // More than half of a customer's top 10 lies in the group the generator made them prefer.
        var groups = File.ReadAllLines(Path.Combine(data, "ground_truth", "product_groups.csv")).Skip(1).Select(l => l.Split(',')).ToDictionary(f => f[0], f => f[1]);
        var preferred = File.ReadAllLines(Path.Combine(data, "ground_truth", "customers.csv")).Skip(1).Select(l => l.Split(',')).ToDictionary(f => f[1], f => f[7]);
        var recs = await h.RowsAsync("""
            SELECT r.customer_id, r.sku, g.identifier_value FROM recommendations r
            JOIN identity_graph g ON g.profile_id = r.customer_id AND g.identifier_type = 'email'
            """);
        var shares = recs.Where(r => preferred.ContainsKey((string)r[2]!))
            .GroupBy(r => (string)r[0]!)
            .Select(g => g.DistinctBy(r => (string)r[1]!).Count(r => groups[(string)r[1]!] == preferred[(string)r[2]!]) / (double)g.DistinctBy(r => (string)r[1]!).Count())
            .ToList();
        TestContext.Current.TestOutputHelper?.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{engine} seed {seed}: NDCG@10 als {card["als"]:0.000}, item-item {card["item_similarity"]:0.000}, popular {card["popular"]:0.000}; preferred-group share {shares.Average():0.000}"));
        Assert.True(shares.Count > 500, $"{shares.Count} customers matched to the truth");
        Assert.True(shares.Average() > 0.5, $"mean share of the top 10 in the preferred group: {shares.Average():0.000}");

        // Every customer gets a full list; the feed has what an email needs; the other models wrote rows.
        Assert.Empty(await h.RowsAsync("SELECT customer_id FROM recommendations GROUP BY customer_id HAVING count(*) <> 10"));
        var feed = await File.ReadAllLinesAsync(Path.Combine(h.Temp.Path, "out", "feeds", "recommendations.csv"), TestContext.Current.CancellationToken);
        Assert.StartsWith("customer_id,email,rank,sku,product_name,category,price,product_url,image_url", feed[0], StringComparison.Ordinal);
        using (var json = System.Text.Json.JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(h.Temp.Path, "out", "feeds", "recommendations.json"), TestContext.Current.CancellationToken)))
        {
            var first = json.RootElement[0];
            Assert.Equal(10, first.GetProperty("items").GetArrayLength());
            Assert.StartsWith("https://shop.example.com/products/", first.GetProperty("items")[0].GetProperty("product_url").GetString(), StringComparison.Ordinal);
            Assert.Equal(feed.Length - 1, json.RootElement.EnumerateArray().Sum(c => c.GetProperty("items").GetArrayLength()));
        }
        // Why: every ALS recommendation of a customer with history names the bought item contributing most to its score.
        Assert.Empty(await h.RowsAsync("SELECT customer_id FROM recommendations WHERE source = 'als' AND because_sku IS NULL"));
        Assert.Equal(40L, Convert.ToInt64((await h.RowsAsync("SELECT count(*) FROM popular"))[0][0], CultureInfo.InvariantCulture));
        Assert.NotEmpty(await h.RowsAsync("SELECT * FROM bought_together WHERE lift > 0"));
        Assert.NotEmpty(await h.RowsAsync("SELECT * FROM item_similarity WHERE rank = 1"));
    }
}
