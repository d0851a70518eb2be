using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace Tributary.Cli.Tests.Web;

/// <summary>
/// The Audiences page in Debian's Chromium against 'trib serve': a table picked, conditions added row by row with the
/// live count, then saved as segment.audience and a Meta audience file into the pipeline that makes the table, which
/// then runs and writes the hashed file.
/// </summary>
public sealed class AudiencesPageTests : IAsyncDisposable
{
    // 1 gold and consented, 2 gold and opted out, 3 silver.
    private const string Yaml = """
        pipeline: people
        # The profile table the audience selects from.
        components:
          - id: customers
            type: transform.sql
            with: { sql: "SELECT 1 AS customer_id, 'a@x.com' AS email, 'gold' AS tier, TRUE AS marketing_consent, 120.5 AS clv UNION ALL SELECT 2, 'b@x.com', 'gold', FALSE, 80 UNION ALL SELECT 3, 'c@x.com', 'silver', TRUE, 20" }
        """;

    // A pipeline reporting in USD (its eur_usd rate); companies with a comma in one name, p_alive a probability.
    private const string CompaniesYaml = """
        pipeline: people
        params:
          eur_usd: { type: number, default: 1.09, description: USD per EUR }
        components:
          - id: customers
            type: transform.sql
            with: { sql: "SELECT 1 AS customer_id, 'Acme, Inc.' AS company, 0.996 AS p_alive, 120.5 AS clv UNION ALL SELECT 2, 'Acme', 0.5, 80 UNION ALL SELECT 3, 'Inc.', 0.25, 20 UNION ALL SELECT 4, 'Globex', 0.9, 300" }
        """;

    private readonly BrowserSession _browser = new("audiences");
    private string Project => _browser.Project;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask DisposeAsync() => _browser.DisposeAsync();

    [Fact]
    public async Task Audiences_ConditionsCountLiveAndSaveIntoThePipeline()
    {
        await _browser.InitAsync();
        File.WriteAllText(Path.Combine(Project, "pipelines", "people.yaml"), Yaml);
        await _browser.TribAsync("run", "people");
        var address = await _browser.ServeAsync(Ct);
        // The refused condition below is a 400 the browser logs; anything else is a fault of the page.
        var page = await _browser.OpenPageAsync(1440, expectedError: "status of 400");
        await _browser.CheckAsync(async () =>
        {
            await page.GotoAsync(address + "#/catalog");
            await page.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link, new() { Name = "Audiences" }).ClickAsync();
            await page.GetByLabel("Source table").SelectOptionAsync("customers");
            var count = page.GetByTestId("audience-count");
            await Assertions.Expect(count).ToHaveTextAsync("3 of 3 customers");

            await page.GetByRole(AriaRole.Button, new() { Name = "Add condition" }).ClickAsync();
            await page.GetByLabel("Condition 1 column").SelectOptionAsync("tier");
            await page.GetByLabel("Condition 1 value").FillAsync("gold");
            await Assertions.Expect(count).ToHaveTextAsync("2 of 3 customers");
            await page.GetByRole(AriaRole.Button, new() { Name = "Add condition" }).ClickAsync();
            await page.GetByLabel("Condition 2 column").SelectOptionAsync("marketing_consent");
            await Assertions.Expect(count).ToHaveTextAsync("1 of 3 customers");
            await Assertions.Expect(page.GetByRole(AriaRole.Table, new() { Name = "First rows of the audience" })).ToContainTextAsync("a@x.com");
            // A number compared with a text column is refused, with the server's reason.
            await page.GetByLabel("Condition 1 operator").SelectOptionAsync(">");
            await page.GetByLabel("Condition 1 value").FillAsync("3");
            await Assertions.Expect(count).ToContainTextAsync("would compare them as text");
            await page.GetByLabel("Condition 1 operator").SelectOptionAsync("=");
            await page.GetByLabel("Condition 1 value").FillAsync("gold");
            await Assertions.Expect(count).ToHaveTextAsync("1 of 3 customers");
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(DemoSite.ScreenshotFolder, "audiences.png"), FullPage = true });

            await page.GetByLabel("Audience name").FillAsync("gold_consented");
            await page.GetByLabel("Pipeline").SelectOptionAsync("people");
            await page.GetByLabel("Destination").SelectOptionAsync("meta");
            await page.GetByRole(AriaRole.Button, new() { Name = "Save as audience" }).ClickAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Saved as step gold_consented of people" })).ToBeVisibleAsync();
            var axe = await page.RunAxe();
            Assert.Empty(axe.Violations.Where(v => v.Impact is "serious" or "critical").Select(v => $"{v.Id}: {v.Help}"));
        });

        var saved = File.ReadAllText(Path.Combine(Project, "pipelines", "people.yaml"));
        Assert.Contains("# The profile table the audience selects from.", saved, StringComparison.Ordinal);
        Assert.Contains("type: segment.audience", saved, StringComparison.Ordinal);
        // Run through the server, which owns the warehouse: the audience and its hashed file.
        var run = await Trib.RunAsync("run", "people", "--project", Project);
        Assert.True(run.ExitCode == 0, run.Error);
        var file = File.ReadAllLines(Path.Combine(Project, "out", "audiences", "gold_consented_meta.csv"));
        Assert.Equal(2, file.Length);
        Assert.Contains(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData("a@x.com"u8)), file[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Audiences_PercentsMoneyQuotedItemsOrderAndLimit_CountLikeTheSavedStep()
    {
        await _browser.InitAsync();
        File.WriteAllText(Path.Combine(Project, "pipelines", "people.yaml"), CompaniesYaml);
        await _browser.TribAsync("run", "people");
        var address = await _browser.ServeAsync(Ct);
        var page = await _browser.OpenPageAsync(1440);
        await _browser.CheckAsync(async () =>
        {
            await page.GotoAsync(address + "#/audiences");
            await page.GetByLabel("Source table").SelectOptionAsync("customers");
            var count = page.GetByTestId("audience-count");
            var sample = page.GetByRole(AriaRole.Table, new() { Name = "First rows of the audience" });
            await Assertions.Expect(count).ToHaveTextAsync("4 of 4 customers");
            // p_alive 0.996 read as a percent (it printed "1"), clv in the pipeline's currency.
            await Assertions.Expect(sample).ToContainTextAsync("99.6%");
            await Assertions.Expect(sample.GetByRole(AriaRole.Columnheader, new() { Name = "clv (USD)" })).ToBeVisibleAsync();
            await Assertions.Expect(sample).ToContainTextAsync("120.50");

            // A quoted item keeps its comma: "Acme, Inc." and Globex, not Acme, Inc. and Globex (3 rows).
            await page.GetByRole(AriaRole.Button, new() { Name = "Add condition" }).ClickAsync();
            await page.GetByLabel("Condition 1 column").SelectOptionAsync("company");
            await page.GetByLabel("Condition 1 operator").SelectOptionAsync("in");
            await page.GetByLabel("Condition 1 value").FillAsync("\"Acme, Inc.\", Globex");
            await Assertions.Expect(count).ToHaveTextAsync("2 of 4 customers");
            // p_alive is typed as a percentage: 60 means 0.6 (as a raw 60 no row would match).
            await page.GetByRole(AriaRole.Button, new() { Name = "Add condition" }).ClickAsync();
            await page.GetByLabel("Condition 2 column").SelectOptionAsync("p_alive");
            await page.GetByLabel("Condition 2 operator").SelectOptionAsync(">=");
            await page.GetByLabel("Condition 2 value").FillAsync("60");
            await Assertions.Expect(count).ToHaveTextAsync("2 of 4 customers");
            await page.GetByLabel("Order by").SelectOptionAsync("clv");
            await page.GetByLabel("Direction").SelectOptionAsync("desc");
            await page.GetByLabel("Limit").FillAsync("1");
            await Assertions.Expect(count).ToHaveTextAsync("1 of 4 customers");
            await Assertions.Expect(sample).ToContainTextAsync("Globex");
            await Assertions.Expect(sample).Not.ToContainTextAsync("Acme");

            await page.GetByLabel("Audience name").FillAsync("top_one");
            await page.GetByLabel("Pipeline").SelectOptionAsync("people");
            await page.GetByRole(AriaRole.Button, new() { Name = "Save as audience" }).ClickAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Saved as step top_one of people" })).ToBeVisibleAsync();
        });

        var saved = File.ReadAllText(Path.Combine(Project, "pipelines", "people.yaml"));
        Assert.Contains("value: [ \"Acme, Inc.\", Globex ]", saved, StringComparison.Ordinal);
        Assert.Contains("value: \"0.6\"", saved, StringComparison.Ordinal);
        Assert.Contains("order_by: clv desc", saved, StringComparison.Ordinal);
        Assert.Contains("limit: 1", saved, StringComparison.Ordinal);
        // The saved step, run through the server, writes the one row the page counted; the CLI preview (through the server) agrees.
        var run = await Trib.RunAsync("run", "people", "--project", Project);
        Assert.True(run.ExitCode == 0, run.Error);
        var written = await Trib.RunAsync("query", "SELECT customer_id FROM top_one", "--project", Project, "--format", "csv");
        Assert.Equal(["customer_id", "4"], written.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')));
        var preview = await Trib.RunAsync("audiences", "preview", "people", "top_one", "--project", Project);
        Assert.True(preview.ExitCode == 0, preview.Error);
        Assert.StartsWith("1 of 4 rows of 'customers' in audience 'top_one'", preview.Out, StringComparison.Ordinal);
    }
}
