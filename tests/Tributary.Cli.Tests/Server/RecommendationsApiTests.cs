using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Tributary.Server.Contracts;
using Tributary.Testing;

namespace Tributary.Cli.Tests.Server;

/// <summary>The recommendation API of trib serve, answered from the latest materialization and swapped when a new one lands.</summary>
public sealed class RecommendationsApiTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public void Dispose() => _temp.Dispose();

    private const string Pipeline = """
        pipeline: recs
        components:
          - { id: items, type: source.csv, with: { path: items.csv, columns: { email: VARCHAR, order_id: VARCHAR, sku: VARCHAR, ordered_at: DATE } } }
          - { id: identity_graph, type: identity.resolve, inputs: [items], with: { identifiers: { items: "email" } } }
          - { id: interactions, type: recs.interactions, inputs: [items, identity_graph], with: { customer_column: email } }
          - { id: similar, type: recs.item_similarity, inputs: [interactions], with: { min_support: 1, shrinkage: 0 } }
          - { id: together, type: recs.bought_together, inputs: [items], with: { min_orders: 1 } }
          - { id: popular, type: recs.popular, inputs: [items], with: { customer_column: email } }
          - { id: recommendations, type: recs.for_customers, inputs: [interactions, similar], with: { limit: 3 } }
        """;

    // a@x.com bought A; b and c bought A with B, and c also C: people who bought A bought B (2) and C (1).
    private const string Purchases = """
        email,order_id,sku,ordered_at
        a@x.com,o1,A,2025-01-01
        b@x.com,o2,A,2025-01-02
        b@x.com,o2,B,2025-01-02
        c@x.com,o3,A,2025-01-03
        c@x.com,o3,B,2025-01-03
        c@x.com,o4,C,2025-01-04
        """;

    [Fact]
    public async Task Recommendations_ByEmailSimilarAndTogether_ThenSwappedWhenANewRunLands()
    {
        var directory = Path.Combine(_temp.Path, "project");
        Assert.Equal(0, (await Trib.RunAsync("init", directory)).ExitCode);
        File.WriteAllText(Path.Combine(directory, "pipelines", "recs.yaml"), Pipeline);
        File.WriteAllText(Path.Combine(directory, "items.csv"), Purchases);
        await using var served = await InProcessServer.StartAsync(directory, Ct);
        var http = served.Http;

        using (var none = await http.GetAsync("/api/recommendations/a@x.com", Ct))
            Assert.Equal(HttpStatusCode.NotFound, none.StatusCode);
        await served.RunAsync("recs", Ct);
        var first = await WaitForAsync(http, "/api/recommendations/%20A@X.com%20", r => r.Items.Count > 0);

        Assert.False(first.ColdStart);
        Assert.Equal(["B", "C"], first.Items.Select(i => i.Sku));
        Assert.All(first.Items, i => Assert.Equal("A", i.BecauseSku));
        var stranger = await http.GetFromJsonAsync<CustomerRecommendations>("/api/recommendations/someone@else.com?limit=2", Json, Ct);
        Assert.True(stranger!.ColdStart);
        Assert.Equal(["A", "B"], stranger.Items.Select(i => i.Sku));
        var similar = await http.GetFromJsonAsync<RelatedItems>("/api/similar/B?limit=1", Json, Ct);
        Assert.Equal("A", Assert.Single(similar!.Items).Sku);
        var together = await http.GetFromJsonAsync<RelatedItems>("/api/bought-together/B", Json, Ct);
        Assert.Equal(1.0, Assert.Single(together!.Items).Confidence);
        Assert.Empty((await http.GetFromJsonAsync<RelatedItems>("/api/similar/NOPE", Json, Ct))!.Items);
        using (var bad = await http.GetAsync("/api/similar/B?limit=0", Ct))
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);

        // a@x.com now bought B too: after the next run the served list changes, whole.
        File.AppendAllText(Path.Combine(directory, "items.csv"), "\na@x.com,o5,B,2025-01-05\n");
        await served.RunAsync("recs", Ct);
        var second = await WaitForAsync(http, "/api/recommendations/a@x.com", r => r.MaterializedAt > first.MaterializedAt);
        Assert.Equal(["C"], second.Items.Select(i => i.Sku));
    }

    [Fact]
    public async Task Overview_CountsListsProductsAndSources_AsTheCustomersListsHoldThem()
    {
        var directory = Path.Combine(_temp.Path, "project");
        Assert.Equal(0, (await Trib.RunAsync("init", directory)).ExitCode);
        File.WriteAllText(Path.Combine(directory, "pipelines", "recs.yaml"), Pipeline);
        File.WriteAllText(Path.Combine(directory, "items.csv"), Purchases);
        await using var served = await InProcessServer.StartAsync(directory, Ct);
        using (var none = await served.Http.GetAsync("/api/recommendation-overview", Ct))
            Assert.Equal(HttpStatusCode.NotFound, none.StatusCode);
        await served.RunAsync("recs", Ct);
        await WaitForAsync(served.Http, "/api/recommendations/a@x.com", r => r.Items.Count > 0);

        var overview = (await served.Http.GetFromJsonAsync<RecommendationOverview>("/api/recommendation-overview?limit=2", Json, Ct))!;

        // The same lists as each customer's own answer; one the step left empty (c bought everything) is served the popular fallback, no list of theirs.
        var lists = new List<IReadOnlyList<RecommendedItem>>();
        foreach (var customer in new[] { "a@x.com", "b@x.com", "c@x.com" })
            if ((await served.Http.GetFromJsonAsync<CustomerRecommendations>($"/api/recommendations/{customer}", Json, Ct))! is { ColdStart: false } answer) lists.Add(answer.Items);
        var withItems = lists.Where(l => l.Count > 0).ToList();
        Assert.NotEmpty(withItems);
        Assert.Equal(withItems.Count, overview.Customers);
        Assert.Equal(withItems.Sum(l => l.Count), overview.Items);
        Assert.Equal(withItems.SelectMany(l => l.Select(i => i.Sku)).Distinct().Count(), overview.Products);
        Assert.Null(overview.CatalogProducts);
        var expectedTop = withItems.SelectMany(l => l.Select(i => i.Sku).Distinct()).GroupBy(x => x)
            .OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).Take(2).Select(g => (g.Key, g.Count())).ToList();
        Assert.Equal(expectedTop, overview.Top.Select(t => (t.Sku, t.Customers)));
        Assert.Equal((double)expectedTop[0].Item2 / withItems.Count, overview.Top[0].Share, 12);
        Assert.Equal(overview.Items, overview.Sources.Sum(x => x.Items));
        using var bad = await served.Http.GetAsync("/api/recommendation-overview?limit=0", Ct);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    // Another template resolving the same people into a graph of its own ids (customer_journey's journey_identity_graph), and a catalog.
    private const string OtherGraphPipeline = """
        pipeline: journey
        components:
          - { id: visits, type: source.csv, with: { path: items.csv, columns: { email: VARCHAR, order_id: VARCHAR, sku: VARCHAR, ordered_at: DATE } } }
          - { id: journey_identity_graph, type: identity.resolve, inputs: [visits], with: { identifiers: { visits: "email" }, profile_prefix: journey_ } }
          - { id: catalog, type: source.csv, with: { path: products.csv, columns: { sku: VARCHAR, category: VARCHAR, price: DOUBLE, is_active: BOOLEAN } } }
        """;

    [Fact]
    public async Task Recommendations_AfterAnotherPipelineWritesANewerIdentityGraph_StillResolveThroughTheirOwn()
    {
        var directory = Path.Combine(_temp.Path, "project");
        Assert.Equal(0, (await Trib.RunAsync("init", directory)).ExitCode);
        File.WriteAllText(Path.Combine(directory, "pipelines", "recs.yaml"), Pipeline);
        File.WriteAllText(Path.Combine(directory, "pipelines", "journey.yaml"), OtherGraphPipeline);
        File.WriteAllText(Path.Combine(directory, "items.csv"), Purchases);
        File.WriteAllText(Path.Combine(directory, "products.csv"), "sku,category,price,is_active\nA,tea,3,true\nB,tea,5,true\nC,tea,8,true\n");
        await using var served = await InProcessServer.StartAsync(directory, Ct);
        var http = served.Http;
        await served.RunAsync("recs", Ct);
        var before = await WaitForAsync(http, "/api/recommendations/a@x.com", r => r.Items.Count > 0);
        Assert.False(before.ColdStart);

        await served.RunAsync("journey", Ct);
        // The catalog makes the server load a new snapshot whatever it reads the graph from: price rules answer once it has.
        await WaitForAsync(http, "/api/recommendations/a@x.com?max_price=100", r => r.Items.Count > 0);

        var after = await http.GetFromJsonAsync<CustomerRecommendations>("/api/recommendations/a@x.com", Json, Ct);
        Assert.False(after!.ColdStart);
        Assert.Equal(before.ProfileId, after.ProfileId);
        Assert.DoesNotContain("journey_", after.ProfileId, StringComparison.Ordinal);
        Assert.Equal(["B", "C"], after.Items.Select(i => i.Sku));
    }

    // The list length is a param without a default: the file loads only with the run's --param.
    private const string PipelineWithAParam = """
        pipeline: recs
        params:
          top: { type: integer, min: 1, max: 10 }
        components:
          - { id: items, type: source.csv, with: { path: items.csv, columns: { email: VARCHAR, order_id: VARCHAR, sku: VARCHAR, ordered_at: DATE } } }
          - { id: identity_graph, type: identity.resolve, inputs: [items], with: { identifiers: { items: "email" } } }
          - { id: interactions, type: recs.interactions, inputs: [items, identity_graph], with: { customer_column: email } }
          - { id: similar, type: recs.item_similarity, inputs: [interactions], with: { min_support: 1, shrinkage: 0 } }
          - { id: recommendations, type: recs.for_customers, inputs: [interactions, similar], with: { limit: "${param.top}" } }
        """;

    [Theory]
    [InlineData("kept, needing the run's param")]
    [InlineData("deleted")]
    [InlineData("changed, without the identity step")]
    public async Task Recommendations_WhenThePipelineFileNoLongerLoadsAsRun_StillResolveEmailsThroughTheGraphTheRunRecorded(string file)
    {
        var directory = Path.Combine(_temp.Path, "project");
        Assert.Equal(0, (await Trib.RunAsync("init", directory)).ExitCode);
        var path = Path.Combine(directory, "pipelines", "recs.yaml");
        File.WriteAllText(path, PipelineWithAParam);
        File.WriteAllText(Path.Combine(directory, "items.csv"), Purchases);
        Assert.Equal(0, (await Trib.RunAsync("run", "recs", "--project", directory, "--param", "top=3")).ExitCode);
        if (file == "deleted") File.Delete(path);
        else if (file.StartsWith("changed", StringComparison.Ordinal)) File.WriteAllText(path, Pipeline.Replace("inputs: [items, identity_graph]", "inputs: [items]", StringComparison.Ordinal)
            .Replace("  - { id: identity_graph, type: identity.resolve, inputs: [items], with: { identifiers: { items: \"email\" } } }\n", "", StringComparison.Ordinal));
        await using var served = await InProcessServer.StartAsync(directory, Ct);
        var http = served.Http;

        // Before the run recorded its inputs, the server reloaded the file without params and fell back to profile ids: a cold start.
        var a = await WaitForAsync(http, "/api/recommendations/a@x.com", _ => true);
        Assert.False(a.ColdStart);
        Assert.StartsWith("p_", a.ProfileId, StringComparison.Ordinal);
        Assert.Equal(["B", "C"], a.Items.Select(i => i.Sku));
    }

    // Orders by email; accounts join a user id to emails. old@x.com signed up first and never ordered, so its profile is the older one and has no list.
    private const string PipelineWithAccounts = """
        pipeline: recs
        components:
          - { id: items, type: source.csv, with: { path: items.csv, columns: { email: VARCHAR, order_id: VARCHAR, sku: VARCHAR, ordered_at: DATE } } }
          - { id: accounts, type: source.csv, with: { path: accounts.csv, columns: { user_id: VARCHAR, email: VARCHAR, created_at: DATE } } }
          - { id: identity_graph, type: identity.resolve, inputs: [items, accounts], with: { identifiers: { items: "email", accounts: "user_id, email" } } }
          - { id: interactions, type: recs.interactions, inputs: [items, identity_graph], with: { customer_column: email } }
          - { id: similar, type: recs.item_similarity, inputs: [interactions], with: { min_support: 1, shrinkage: 0 } }
          - { id: recommendations, type: recs.for_customers, inputs: [interactions, similar], with: { limit: 3 } }
        """;

    [Fact]
    public async Task Recommendations_AfterIdentityMergesTheBuyerIntoAnOlderProfile_ServeTheListTheBuyerHadUntilRebuilt()
    {
        var directory = Path.Combine(_temp.Path, "project");
        Assert.Equal(0, (await Trib.RunAsync("init", directory)).ExitCode);
        File.WriteAllText(Path.Combine(directory, "pipelines", "recs.yaml"), PipelineWithAccounts);
        File.WriteAllText(Path.Combine(directory, "items.csv"), Purchases);
        var accounts = Path.Combine(directory, "accounts.csv");
        File.WriteAllText(accounts, "user_id,email,created_at\nu1,old@x.com,2024-01-01\n");
        await using var served = await InProcessServer.StartAsync(directory, Ct);
        var http = served.Http;
        await served.RunAsync("recs", Ct);
        var before = await WaitForAsync(http, "/api/recommendations/a@x.com", r => r.Items.Count > 0 && !r.ColdStart);
        Assert.Equal(["B", "C"], before.Items.Select(i => i.Sku));
        var old = (await http.GetFromJsonAsync<CustomerRecommendations>("/api/recommendations/u1", Json, Ct))!;
        Assert.True(old.ColdStart);
        Assert.NotEqual(before.ProfileId, old.ProfileId);

        // u1 now has a@x.com too: only the accounts and the identity graph run again, so the recommendations stay keyed by a@x.com's old profile.
        File.AppendAllText(accounts, "u1,a@x.com,2024-06-01\n");
        await served.RunAsync("recs", Ct, selection: "accounts,identity_graph");
        var after = await WaitForAsync(http, "/api/recommendations/a@x.com", r => r.ProfileId != before.ProfileId);

        Assert.Equal(old.ProfileId, after.ProfileId); // the older id survives the merge
        Assert.False(after.ColdStart);
        Assert.Equal(["B", "C"], after.Items.Select(i => i.Sku));
        var byUser = (await http.GetFromJsonAsync<CustomerRecommendations>("/api/recommendations/u1?exclude=C", Json, Ct))!;
        Assert.Equal((false, after.ProfileId, "B"), (byUser.ColdStart, byUser.ProfileId, Assert.Single(byUser.Items).Sku));
        var stranger = (await http.GetFromJsonAsync<CustomerRecommendations>("/api/recommendations/someone@else.com", Json, Ct))!;
        Assert.True(stranger.ColdStart);

        // Customer 360 shows the person the list the API serves them; their id has no rows in the table until the rebuild.
        var profile = await http.GetFromJsonAsync<CustomerProfile>($"/api/customers/{after.ProfileId}", ApiJson.Options, Ct);
        var recs = profile!.Sections.Single(s => s.Key == "recommendations");
        var columns = recs.Columns.Select(c => c.Name).ToList();
        Assert.Equal(["B", "C"], recs.Rows.Select(r => r[columns.IndexOf("sku")]!.ToString()));
        Assert.Equal(["A", "A"], recs.Rows.Select(r => r[columns.IndexOf("because_sku")]!.ToString()));
        Assert.Equal("recommendations", recs.Table);
    }

    private const string PipelineWithProducts = """
        pipeline: recs
        components:
          - { id: items, type: source.csv, with: { path: items.csv, columns: { email: VARCHAR, order_id: VARCHAR, sku: VARCHAR, ordered_at: DATE } } }
          - { id: catalog, type: source.csv, with: { path: products.csv, columns: { sku: VARCHAR, category: VARCHAR, price: DOUBLE, is_active: BOOLEAN } } }
          - { id: identity_graph, type: identity.resolve, inputs: [items], with: { identifiers: { items: "email" } } }
          - { id: interactions, type: recs.interactions, inputs: [items, identity_graph], with: { customer_column: email } }
          - { id: similar, type: recs.item_similarity, inputs: [interactions], with: { min_support: 1, shrinkage: 0 } }
          - { id: recommendations, type: recs.for_customers, inputs: [interactions, similar, catalog], with: { limit: 3 } }
        """;

    [Fact]
    public async Task Recommendations_CategoryCapAndPriceBandPerRequest_BoundedAndFilledFromPopular()
    {
        var directory = Path.Combine(_temp.Path, "project");
        Assert.Equal(0, (await Trib.RunAsync("init", directory)).ExitCode);
        File.WriteAllText(Path.Combine(directory, "pipelines", "recs.yaml"), PipelineWithProducts);
        // a bought A; the others bought A with B, C and D, so a's list is B, C, D (ties by support, then item); popular order: A, B, C, D, E.
        File.WriteAllText(Path.Combine(directory, "items.csv"), """
            email,order_id,sku,ordered_at
            a@x.com,o1,A,2025-01-01
            b@x.com,o2,A,2025-01-02
            b@x.com,o2,B,2025-01-02
            b@x.com,o2,C,2025-01-02
            b@x.com,o2,E,2025-01-02
            c@x.com,o3,A,2025-01-03
            c@x.com,o3,B,2025-01-03
            c@x.com,o3,C,2025-01-03
            d@x.com,o4,A,2025-01-04
            d@x.com,o4,B,2025-01-04
            d@x.com,o4,D,2025-01-04
            """);
        // A, B and C are tea, D coffee, E cups; prices 3, 5, 8, 20, 9.
        File.WriteAllText(Path.Combine(directory, "products.csv"), "sku,category,price,is_active\nA,tea,3,true\nB,tea,5,true\nC,tea,8,true\nD,coffee,20,true\nE,cups,9,true\n");
        await using var served = await InProcessServer.StartAsync(directory, Ct);
        var http = served.Http;
        await served.RunAsync("recs", Ct);
        var plain = await WaitForAsync(http, "/api/recommendations/a@x.com", r => r.Items.Count > 0);
        Assert.Equal(["B", "C", "D"], plain.Items.Select(i => i.Sku));

        // One tea at most: B stays, C goes, D follows, and popular E fills the third place (A, owned, is tea anyway).
        var capped = await http.GetFromJsonAsync<CustomerRecommendations>("/api/recommendations/a@x.com?max_per_category=1", Json, Ct);
        Assert.Equal(["B", "D", "E"], capped!.Items.Select(i => i.Sku));
        Assert.Equal([1, 2, 3], capped.Items.Select(i => i.Rank));
        // Prices 6 to 10: C (8) from the list, then E (9) from popular; nothing else is in the band.
        var band = await http.GetFromJsonAsync<CustomerRecommendations>("/api/recommendations/a@x.com?min_price=6&max_price=10", Json, Ct);
        Assert.Equal(["C", "E"], band!.Items.Select(i => i.Sku));
        var both = await http.GetFromJsonAsync<CustomerRecommendations>("/api/recommendations/a@x.com?max_per_category=1&max_price=10&limit=2", Json, Ct);
        Assert.Equal(["B", "E"], both!.Items.Select(i => i.Sku));

        foreach (var query in new[] { "max_per_category=0", "max_per_category=101", "min_price=-1", "max_price=NaN", "min_price=10&max_price=5", "max_price=Infinity" })
        {
            using var bad = await http.GetAsync($"/api/recommendations/a@x.com?{query}", Ct);
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            Assert.Equal("application/problem+json", bad.Content.Headers.ContentType?.MediaType);
            Assert.Contains(query.Split('=')[0], await bad.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Recommendations_WithAToken_RequireIt()
    {
        var directory = Path.Combine(_temp.Path, "project");
        Assert.Equal(0, (await Trib.RunAsync("init", directory)).ExitCode);
        await using var served = await InProcessServer.StartAsync(directory, Ct, token: "s3cret-token-for-tests");
        var http = served.Http;
        foreach (var path in new[] { "/api/recommendations/a@x.com", "/api/similar/A", "/api/bought-together/A" })
        {
            using var response = await http.GetAsync(path, Ct);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }
    }

    // Polls until the run has landed and the snapshot shows it (a condition, not a timing).
    private static async Task<CustomerRecommendations> WaitForAsync(HttpClient http, string path, Func<CustomerRecommendations, bool> done)
    {
        for (var attempt = 0; ; attempt++)
        {
            using var response = await http.GetAsync(path, Ct);
            if (response.StatusCode == HttpStatusCode.OK && await response.Content.ReadFromJsonAsync<CustomerRecommendations>(Json, Ct) is { } r && done(r)) return r;
            if (attempt >= 100) Assert.Fail($"no answer as expected from {path} after {attempt} attempts: {response.StatusCode}; runs: {await http.GetStringAsync("/api/runs", Ct)}");
            await Task.Delay(200, Ct);
        }
    }
}
