using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Tributary.Cli.Hosting;
using Tributary.Cli.Output;
using Tributary.Cli.Projects;
using Tributary.Core.Warehousing;
using Tributary.Engine.Orchestration;
using Tributary.Server;
using Tributary.Server.Contracts;
using Tributary.Testing;

namespace Tributary.Cli.Tests.Server;

/// <summary>
/// GET /api/customers?q= and /api/customers/{id}: profiles found by email, phone or id through the identity graph, each
/// section read from its table with bound values; a table the project lacks gives an empty section, not an error.
/// </summary>
public sealed class CustomerProfileApiTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static JsonSerializerOptions Json => ApiJson.Options;

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData("ann@example.com", "p1")]
    [InlineData("  ANN@Example.com ", "p1")]
    [InlineData("+1 (415) 555-0100", "p1")]
    [InlineData("p2", "p2")]
    [InlineData("anon-9", "p2")]
    [InlineData("nobody@example.com", null)]
    [InlineData("x' OR '1'='1", null)]
    [InlineData("ANN@exam", "p1")]      // part of an identifier, when nothing matches whole
    [InlineData("on-9", "p2")]
    [InlineData("an", null)]            // too short to be a search
    [InlineData("a%n", null)]           // a wildcard is a character like any other
    public async Task Search_ByEmailPhoneOrAnyIdentifier_FindsTheProfile(string q, string? expected)
    {
        await using var site = await StartAsync(withScores: true);

        var found = (await site.Http.GetFromJsonAsync<CustomerSearchPage>($"/api/customers?q={Uri.EscapeDataString(q)}", Json, Ct))!;

        Assert.Equal(expected is null ? [] : [expected], found.Matches.Select(m => m.ProfileId));
        Assert.Equal(expected is null ? 0 : 1, found.Total);
        if (expected == "p1") Assert.Equal(("ann@example.com", "+14155550100", 3L), (found.Matches[0].Email, found.Matches[0].Phone, found.Matches[0].Identifiers));
    }

    // The page said "20 profiles match" when 113 did: the total is every match, and the pages go through them all.
    [Fact]
    public async Task Search_MoreMatchesThanAPage_SaysTheTrueCount_AndPagesThroughThem()
    {
        await using var site = await StartAsync(withScores: true, extraProfiles: 45);

        async Task<CustomerSearchPage> Page(string query) => (await site.Http.GetFromJsonAsync<CustomerSearchPage>($"/api/customers?q=shop.example&{query}", Json, Ct))!;
        var first = await Page("");
        var last = await Page("offset=40&limit=20");
        var beyond = await Page("offset=60");

        Assert.Equal((45L, 0L, 20, 20), (first.Total, first.Offset, first.Limit, first.Matches.Count));
        Assert.Equal(["x00", "x19"], new[] { first.Matches[0].ProfileId, first.Matches[^1].ProfileId });
        Assert.Equal(45L, last.Total);
        Assert.Equal(["x40", "x41", "x42", "x43", "x44"], last.Matches.Select(m => m.ProfileId));
        Assert.Equal((45L, 0), (beyond.Total, beyond.Matches.Count));
        using var tooMany = await site.Http.GetAsync("/api/customers?q=shop.example&limit=101", Ct);
        Assert.Equal(HttpStatusCode.BadRequest, tooMany.StatusCode);
        Assert.Equal("limit must be 1 to 100, not 101", (await tooMany.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Profile_GathersEverySectionWithTheReasons_AndLeavesAbsentTablesEmpty()
    {
        await using var site = await StartAsync(withScores: true);

        var profile = await site.Http.GetFromJsonAsync<CustomerProfile>("/api/customers/p1", Json, Ct);

        var sections = profile!.Sections.ToDictionary(s => s.Key);
        Assert.Equal(["email", "phone", "user_id"], sections["identifiers"].Rows.Select(r => r[0]!.ToString()).Order(StringComparer.Ordinal));
        Assert.Equal(["o2", "o1"], sections["orders"].Rows.Select(r => r[1]!.ToString()));   // newest first
        var churn = Assert.Single(sections["churn"].Rows);
        Assert.Equal("no order in 120 days", churn[sections["churn"].Columns.ToList().FindIndex(c => c.Name == "reason")]!.ToString());
        Assert.Equal(["e2", "e1"], sections["events"].Rows.Select(r => r[0]!.ToString()));    // found through the user_id identifier
        Assert.Single(sections["merges"].Rows);
        // The CRM contact (the name, where no customer_360 table is) found through the email identifier.
        var contact = Assert.Single(sections["contact"].Rows);
        Assert.Equal("Ann", contact[sections["contact"].Columns.ToList().FindIndex(c => c.Name == "first_name")]!.ToString());
        // Another person's rows never show, and tables this project does not have are empty sections without a table.
        Assert.DoesNotContain(sections["orders"].Rows, r => r[0]!.ToString() != "p1");
        Assert.Null(sections["fraud"].Table);
        Assert.Empty(sections["fraud"].Rows);
        Assert.Equal("churn_scores", sections["churn"].Table);
    }

    [Fact]
    public async Task Profile_Recommendations_NameEachProductFromTheCatalog_AndKeepTheSku()
    {
        await using var site = await StartAsync(withScores: true);

        var profile = await site.Http.GetFromJsonAsync<CustomerProfile>("/api/customers/p1", Json, Ct);

        var recs = profile!.Sections.Single(s => s.Key == "recommendations");
        var columns = recs.Columns.Select(c => c.Name).ToList();
        string? Cell(IReadOnlyList<object?> row, string column) => row[columns.IndexOf(column)]?.ToString();
        // Ranked as stored, once each although the catalog lists TEA-1 twice; a SKU the catalog lacks has no name.
        Assert.Equal(["TEA-1", "NEW-9"], recs.Rows.Select(r => Cell(r, "sku")));
        Assert.Equal(["Earl Grey", null], recs.Rows.Select(r => Cell(r, "product_name")));
        Assert.Equal(["Dark Roast", null], recs.Rows.Select(r => Cell(r, "because_product_name")));
        Assert.Equal(["COF-2", null], recs.Rows.Select(r => Cell(r, "because_sku")));
    }

    [Fact]
    public async Task Profile_UnknownOrWithoutAnIdentityGraph_IsNotFound()
    {
        await using (var site = await StartAsync(withScores: true))
        {
            using var unknown = await site.Http.GetAsync("/api/customers/p9", Ct);
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        }
        await using var empty = await StartAsync(withScores: false);
        using var none = await empty.Http.GetAsync("/api/customers/p1", Ct);
        Assert.Equal(HttpStatusCode.NotFound, none.StatusCode);
        Assert.Contains("no table 'identity_graph'", await none.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Empty((await empty.Http.GetFromJsonAsync<CustomerSearchPage>("/api/customers?q=ann@example.com", Json, Ct))!.Matches);
        using var blank = await empty.Http.GetAsync("/api/customers?q=%20", Ct);
        Assert.Equal(HttpStatusCode.BadRequest, blank.StatusCode);
    }

    private sealed class Site(TributaryServer server, HttpClient http, ProjectSession project) : IAsyncDisposable
    {
        public HttpClient Http => http;

        public async ValueTask DisposeAsync()
        {
            await server.StopAsync(CancellationToken.None);
            http.Dispose();
            await server.DisposeAsync();
            await project.DisposeAsync();
        }
    }

    private async Task<Site> StartAsync(bool withScores, int extraProfiles = 0)
    {
        var directory = Path.Combine(_temp.Path, Guid.NewGuid().ToString("N"));
        Assert.Equal(0, (await Trib.RunAsync("init", directory)).ExitCode);
        var cli = new CliContext(TextWriter.Null, TextWriter.Null, TimeProvider.System);
        var project = ProjectSession.Open(directory, cli.Time);
        if (withScores)
        {
            var w = await project.WarehouseAsync(Ct);
            var seen = new DateTime(2025, 6, 1, 0, 0, 0, DateTimeKind.Utc);
            await Table(w, "identity_graph", [("identifier_type", DataKind.Text), ("identifier_value", DataKind.Text), ("profile_id", DataKind.Text), ("first_seen", DataKind.Timestamp), ("last_seen", DataKind.Timestamp)],
                [["email", "ann@example.com", "p1", seen, seen], ["phone", "+14155550100", "p1", seen, seen], ["user_id", "u-ann", "p1", seen, seen],
                 ["email", "bob@example.com", "p2", seen, seen], ["anonymous_id", "anon-9", "p2", seen, seen],
                 .. Enumerable.Range(0, extraProfiles).Select(i => new object?[] { "email", $"buyer{i}@shop.example", $"x{i:00}", seen, seen })]);
            await Table(w, "identity_graph__merges", [("surviving_profile", DataKind.Text), ("merged_profile", DataKind.Text), ("merged_at", DataKind.Timestamp), ("run_id", DataKind.Text)],
                ["p1", "p7", seen, "r1"]);
            await Table(w, "customers", [("hubspot_id", DataKind.Text), ("first_name", DataKind.Text), ("last_name", DataKind.Text), ("email", DataKind.Text)],
                ["h1", "Ann", "Lee", "ann@example.com"], ["h2", "Bob", "Ray", "bob@example.com"]);
            await Table(w, "customer_orders", [("customer_id", DataKind.Text), ("order_id", DataKind.Text), ("ordered_at", DataKind.Timestamp), ("amount", DataKind.Number)],
                ["p1", "o1", seen, 10.0], ["p1", "o2", seen.AddDays(3), 20.0], ["p2", "o3", seen, 30.0]);
            await Table(w, "churn_scores", [("customer_id", DataKind.Text), ("churn_probability", DataKind.Number), ("reason", DataKind.Text)],
                ["p1", 0.8, "no order in 120 days"], ["p2", 0.1, "ordered last week"]);
            await Table(w, "recommendations", [("customer_id", DataKind.Text), ("rank", DataKind.Integer), ("sku", DataKind.Text), ("score", DataKind.Number), ("source", DataKind.Text), ("because_sku", DataKind.Text)],
                ["p1", 2, "NEW-9", 0.2, "popular", null], ["p1", 1, "TEA-1", 0.9, "item_similarity", "COF-2"], ["p2", 1, "COF-2", 0.5, "als", null]);
            await Table(w, "products", [("sku", DataKind.Text), ("product_name", DataKind.Text), ("category", DataKind.Text)],
                ["TEA-1", "Earl Grey", "tea"], ["COF-2", "Dark Roast", "coffee"], ["TEA-1", "Earl Grey", "tea"]);
            await Table(w, "web_events", [("event_id", DataKind.Text), ("user_id", DataKind.Text), ("anonymous_id", DataKind.Text), ("email", DataKind.Text), ("occurred_at", DataKind.Timestamp)],
                ["e1", "u-ann", null, null, seen], ["e2", "u-ann", null, null, seen.AddHours(1)], ["e3", null, "anon-9", null, seen]);
        }
        var compose = await TributaryHost.ComposeAsync(cli, project, new DaemonScope(new DaemonOptions()), LogFormat.Text, Ct);
        var server = TributaryServer.Create(new ServerOptions { Port = 0 }, compose);
        await server.StartAsync(Ct);
        return new Site(server, new HttpClient { BaseAddress = server.Address }, project);
    }

    private static Task<long> Table(IWarehouse w, string name, IReadOnlyList<(string Name, DataKind Kind)> columns, params object?[][] rows) =>
        w.ReplaceTableAsync(name, (b, ct) => b.CreateAndAppendAsync(columns, rows, ct), Ct);
}
