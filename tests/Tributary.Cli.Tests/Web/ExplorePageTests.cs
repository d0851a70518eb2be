using Microsoft.Playwright;
using static Tributary.Cli.Tests.Web.BrowserSession;
using Tributary.Testing;

namespace Tributary.Cli.Tests.Web;

/// <summary>
/// The Explore page in Debian's Chromium against 'trib serve': a table listed with its row count, a click that runs its first
/// rows (NULL shown as such, types in the headers), the CSV of what is shown, an UPDATE refused without changing anything, and
/// the SQL and recent queries kept over a reload; opened from an asset or a run's step, that table selected.
/// </summary>
public sealed class ExplorePageTests : IAsyncDisposable
{
    private readonly BrowserSession _browser = new("explore");
    private string Project => _browser.Project;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask DisposeAsync() => _browser.DisposeAsync();

    [Fact]
    public async Task Explore_ClickATableSeeItsRows_DownloadThem_AndAnUpdateIsRefused()
    {
        await _browser.InitAsync();
        await _browser.TribAsync("query", "CREATE TABLE people AS SELECT 1 AS id, 'Ada' AS name UNION ALL SELECT 2, NULL");
        var address = await _browser.ServeAsync(Ct);
        // The refused UPDATE is a 400 answer, which Chromium reports on the console; anything else is the page's fault.
        var page = await _browser.OpenPageAsync(1440, expectedError: "status of 400");
        await _browser.CheckAsync(async () =>
        {
            await page.GotoAsync(address + "#/catalog");
            await page.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link, new() { Name = "Explore" }).ClickAsync();
            var tables = page.GetByRole(AriaRole.List, new() { Name = "Tables in main" });
            await Assertions.Expect(tables.GetByRole(AriaRole.Listitem).Filter(new() { HasText = "people" })).ToContainTextAsync("2 rows");

            await tables.GetByRole(AriaRole.Button, new() { Name = "people" }).ClickAsync();
            var editor = page.GetByRole(AriaRole.Textbox, new() { Name = "SQL" });
            await Assertions.Expect(editor).ToHaveValueAsync("SELECT * FROM \"main\".\"people\" LIMIT 100");
            var result = page.GetByRole(AriaRole.Table, new() { Name = "Query result" });
            await Assertions.Expect(result.GetByRole(AriaRole.Row)).ToHaveCountAsync(3);
            await Assertions.Expect(result.GetByRole(AriaRole.Columnheader).First).ToHaveTextAsync("id INTEGER");
            await Assertions.Expect(result.GetByRole(AriaRole.Row).Nth(2)).ToHaveTextAsync("2NULL");
            await Assertions.Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "rows in" })).ToContainTextAsync("2 rows in");
            var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Link, new() { Name = "Download CSV" }).ClickAsync());
            Assert.Equal("id,name\n1,Ada\n2,\n", File.ReadAllText(await download.PathAsync()));
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(DemoSite.ScreenshotFolder, "explore.png"), FullPage = true });
            await AssertNoSeriousAxeViolationsAsync(page);

            // A change is refused by the server, and the page says why; the table is as it was.
            await editor.FillAsync("UPDATE people SET name = 'changed'");
            await editor.PressAsync("Control+Enter");
            var refusal = page.GetByRole(AriaRole.Alert);
            await Assertions.Expect(refusal).ToContainTextAsync("This page only reads: the statement would change data, so it was not run");
            await Assertions.Expect(refusal).ToContainTextAsync("the query console runs read-only statements; use `trib query` at the terminal to change data");
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(DemoSite.ScreenshotFolder, "explore-refused.png"), FullPage = true });
            await AssertNoSeriousAxeViolationsAsync(page);
            await editor.FillAsync("SELECT count(*) AS changed FROM people WHERE name = 'changed'");
            await page.GetByRole(AriaRole.Button, new() { Name = "Run", Exact = true }).ClickAsync();
            await Assertions.Expect(result.GetByRole(AriaRole.Row).Nth(1)).ToHaveTextAsync("0");
            await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToHaveCountAsync(0);

            // A reload keeps the SQL in the editor and the recent queries.
            await page.ReloadAsync();
            await Assertions.Expect(editor).ToHaveValueAsync("SELECT count(*) AS changed FROM people WHERE name = 'changed'");
            var recent = page.GetByRole(AriaRole.Combobox, new() { Name = "Recent" });
            await Assertions.Expect(recent.Locator("option")).ToHaveCountAsync(4);
            await recent.SelectOptionAsync("UPDATE people SET name = 'changed'");
            await Assertions.Expect(editor).ToHaveValueAsync("UPDATE people SET name = 'changed'");

            // A phone's width: the tables above the editor, and nothing wider than the screen.
            await page.SetViewportSizeAsync(390, 844);
            await tables.GetByRole(AriaRole.Button, new() { Name = "people" }).ClickAsync();
            await Assertions.Expect(result.GetByRole(AriaRole.Row)).ToHaveCountAsync(3);
            Assert.True(await page.EvaluateAsync<bool>("document.documentElement.scrollWidth <= window.innerWidth"), "the page is wider than a phone's screen");
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(DemoSite.ScreenshotFolder, "explore-390.png"), FullPage = true });
        });
    }

    private const string Hello = """
        pipeline: hello
        components:
          - { id: greeting, type: transform.sql, with: { sql: "SELECT 'hi' AS word, 1 AS amount" } }
        """;

    [Fact]
    public async Task Explore_OpenedFromAnAssetOrARunsStep_SelectsThatTableAndRunsItsRows()
    {
        await _browser.InitAsync();
        File.WriteAllText(Path.Combine(Project, "pipelines", "hello.yaml"), Hello);
        await _browser.TribAsync("run", "hello");
        await _browser.TribAsync("query", "CREATE TABLE people AS SELECT 1 AS id");
        var address = await _browser.ServeAsync(Ct);
        var page = await _browser.OpenPageAsync(1440);
        await _browser.CheckAsync(async () =>
        {
            var editor = page.GetByRole(AriaRole.Textbox, new() { Name = "SQL" });
            var result = page.GetByRole(AriaRole.Table, new() { Name = "Query result" });
            var tables = page.GetByRole(AriaRole.List, new() { Name = "Tables in main" });

            // From the Assets page: the step's table is selected in the list and its first rows are run.
            await page.GotoAsync(address + "#/assets");
            await page.GetByRole(AriaRole.Region, new() { Name = "Assets by step" }).GetByRole(AriaRole.Link, new() { Name = "Open in Explore (greeting)" }).ClickAsync();
            await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("#/explore/greeting$"));
            await Assertions.Expect(editor).ToHaveValueAsync("SELECT * FROM \"main\".\"greeting\" LIMIT 100");
            await Assertions.Expect(result.GetByRole(AriaRole.Row).Nth(1)).ToHaveTextAsync("hi1");
            var selected = tables.Locator("li[aria-current=true]");
            await Assertions.Expect(selected).ToHaveCountAsync(1);
            await Assertions.Expect(selected.GetByRole(AriaRole.Button)).ToHaveTextAsync("greeting");
            await AssertNoSeriousAxeViolationsAsync(page);

            // Another table clicked: the address follows it, so a reload selects it again.
            await tables.GetByRole(AriaRole.Button, new() { Name = "people" }).ClickAsync();
            await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("#/explore/people$"));
            await page.ReloadAsync();
            await Assertions.Expect(tables.Locator("li[aria-current=true]").GetByRole(AriaRole.Button)).ToHaveTextAsync("people");
            await Assertions.Expect(result.GetByRole(AriaRole.Row)).ToHaveCountAsync(2);

            // From a run's page, where the step's table is named under Materializations.
            await page.GotoAsync(address + "#/runlist");
            await page.GetByRole(AriaRole.Link, new() { NameRegex = new System.Text.RegularExpressions.Regex("^\\d{8}-") }).First.ClickAsync();
            await page.GetByRole(AriaRole.Region, new() { Name = "Materializations" }).GetByRole(AriaRole.Link, new() { Name = "Open in Explore (greeting)" }).ClickAsync();
            await Assertions.Expect(editor).ToHaveValueAsync("SELECT * FROM \"main\".\"greeting\" LIMIT 100");
            await Assertions.Expect(tables.Locator("li[aria-current=true]").GetByRole(AriaRole.Button)).ToHaveTextAsync("greeting");

            // A link to a table the warehouse lacks says so, and selects nothing.
            await page.GotoAsync(address + "#/explore/gone");
            await Assertions.Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "no table" })).ToHaveTextAsync("The warehouse has no table “gone”: no run has written it yet, or it was dropped.");
            await Assertions.Expect(tables.Locator("li[aria-current=true]")).ToHaveCountAsync(0);
            await AssertNoSeriousAxeViolationsAsync(page);
        });
    }
}
