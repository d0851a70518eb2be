using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Tributary.Testing;

namespace Tributary.Cli.Tests.Web;

/// <summary>
/// The catalog's pipeline cards and a run's checks table in Debian's Chromium against 'trib serve', on a project of two
/// small pipelines: each card's last run (state, when, a link to it) and whether its schedule is on as the server has it;
/// check details that wrap between words, never inside one; a run's load warnings, and who owns a table two pipelines write.
/// </summary>
public sealed class CatalogAndRunPageTests : IAsyncDisposable
{
    // A non-blocking check named by a long expression; it fails (the one row does not pass it), so the checks table shows it.
    private const string Hello = """
        pipeline: hello
        description: Says hello.
        schedule: { cron: "0 6 * * *", timezone: UTC }
        components:
          - id: greeting
            type: transform.sql
            with: { sql: "SELECT 'hi' AS word, 1 AS amount" }
            checks:
              - { type: expression, sql: "amount > 1 AND word <> 'hi' AND length(word) > 10 AND amount * 1000 > 5000 AND upper(word) <> 'HI'" }
        """;

    private const string Idle = """
        pipeline: idle
        schedule: { cron: "30 7 * * *", timezone: UTC }
        components:
          - { id: one, type: transform.sql, with: { sql: "SELECT 1 AS v" } }
        """;

    private readonly BrowserSession _browser = new("catalog");
    private string Project => _browser.Project;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask DisposeAsync() => _browser.DisposeAsync();

    private async Task<(IPage Page, Uri Address)> OpenAsync(int width)
    {
        await _browser.InitAsync();
        File.WriteAllText(Path.Combine(Project, "pipelines", "hello.yaml"), Hello);
        File.WriteAllText(Path.Combine(Project, "pipelines", "idle.yaml"), Idle);
        await _browser.TribAsync("run", "hello");
        var address = await _browser.ServeAsync(Ct);
        return (await _browser.OpenPageAsync(width), address);
    }

    [Fact]
    public async Task Catalog_EachPipeline_ShowsItsLastRunLinked_AndWhetherItsScheduleIsOnAsTheServerHasIt()
    {
        var (page, address) = await OpenAsync(1440);
        await _browser.CheckAsync(async () =>
        {
            // Paused the way a user does it, on the Schedules page: the catalog must read that, not assume a schedule runs.
            await page.GotoAsync(address + "#/schedules");
            var idleSwitch = page.GetByRole(AriaRole.Row).Filter(new() { HasText = "idle" }).GetByRole(AriaRole.Checkbox);
            await idleSwitch.ClickAsync();
            await Assertions.Expect(idleSwitch).Not.ToBeCheckedAsync();

            await page.GotoAsync(address + "#/catalog");
            var hello = page.GetByRole(AriaRole.Listitem, new() { Name = "Pipeline hello" });
            var idle = page.GetByRole(AriaRole.Listitem, new() { Name = "Pipeline idle" });
            await Assertions.Expect(hello.GetByTestId("last-run")).ToContainTextAsync(new Regex(@"^succeeded (now|\d+ seconds? ago|\d+ minutes? ago)$"));
            await Assertions.Expect(hello.GetByTestId("schedule-state")).ToHaveTextAsync("on At 06:00 (UTC)");
            await Assertions.Expect(idle.GetByTestId("last-run")).ToHaveTextAsync("never run");
            await Assertions.Expect(idle.GetByTestId("schedule-state")).ToHaveTextAsync("paused At 07:30 (UTC)");
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(DemoSite.ScreenshotFolder, "catalog-cards.png") });

            // The link opens that run.
            await hello.GetByTestId("last-run").GetByRole(AriaRole.Link).ClickAsync();
            await Assertions.Expect(page).ToHaveURLAsync(new Regex(@"#/run/\d{8}-[^/]+$"));
            await Assertions.Expect(page.GetByTestId("run-detail-status")).ToHaveTextAsync("succeeded");
        });
    }

    [Theory]
    [InlineData(1440)]
    [InlineData(390)]
    public async Task RunDetail_ChecksTable_WrapsADetailBetweenWordsOnly(int width)
    {
        var (page, address) = await OpenAsync(width);
        await _browser.CheckAsync(async () =>
        {
            // #/runs without a queue id is the run list too (it showed the catalog under a highlighted Runs tab).
            await page.GotoAsync(address + "#/runs");
            // The newest run's link: its id on a wide screen; on a phone, where the id column gives way, its pipeline's name.
            await page.GetByRole(AriaRole.Region, new() { Name = "Runs" }).GetByRole(AriaRole.Row).Nth(1).GetByRole(AriaRole.Link).First.ClickAsync();
            await Assertions.Expect(page).ToHaveURLAsync(new Regex(@"#/run/\d{8}-[^/]+$"));
            var checks = page.GetByRole(AriaRole.Region, new() { Name = "Checks" });
            var check = checks.Locator("tbody td").Nth(2);
            await Assertions.Expect(check).ToHaveTextAsync("expression(amount > 1 AND word <> 'hi' AND length(word) > 10 AND amount * 1000 > 5000 AND upper(word) <> 'HI')");
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(DemoSite.ScreenshotFolder, $"run-checks-{width}.png"), FullPage = true });

            // Each word of the check and its detail on one line: a word whose letters lie on two lines was broken inside it.
            var broken = await checks.EvaluateAsync<string[]>("""
                region => {
                  const words = [], range = document.createRange();
                  for (const cell of region.querySelectorAll("tbody td")) {
                    const text = cell.firstChild;
                    if (!text || text.nodeType !== Node.TEXT_NODE) continue;
                    for (const m of text.textContent.matchAll(/\S+/g)) {
                      range.setStart(text, m.index); range.setEnd(text, m.index + m[0].length);
                      if (new Set([...range.getClientRects()].map(r => Math.round(r.top))).size > 1) words.push(m[0]);
                    }
                  }
                  return words;
                }
                """);
            Assert.True(broken.Length == 0, "words broken across lines: " + string.Join(", ", broken));
            // The whole check is there to read, wrapped, not cut off with an ellipsis.
            Assert.True(await check.EvaluateAsync<bool>("cell => cell.scrollWidth <= cell.clientWidth && cell.offsetHeight > 40"), "the check is cut off, not wrapped");
            Assert.Equal(width, await page.EvaluateAsync<int>("document.documentElement.scrollWidth"));
        }, failureScreenshot: Path.Combine(AppContext.BaseDirectory, $"{nameof(RunDetail_ChecksTable_WrapsADetailBetweenWordsOnly)}-{width}-failure.png")); // one per row
    }
    // The run page read the load's warnings from the event stream only; the asset page listed the pipelines writing a table
    // without saying that they replace each other's rows, nor where each writes it.
    [Fact]
    public async Task RunAssetAndCatalogPages_ShowTheRunsLoadWarningOnce_AndThatNoPipelineOwnsATableTwoDefineDifferently()
    {
        var variable = "TRIB_TEST_TWIN_UNSET_" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        await _browser.InitAsync();
        File.WriteAllText(Path.Combine(Project, "pipelines", "hello.yaml"), Hello);
        File.WriteAllText(Path.Combine(Project, "pipelines", "twin.yaml"), $$"""
            pipeline: twin
            on_failure: { webhook_url_env: {{variable}} }
            components:
              - { id: greeting, type: transform.sql, with: { sql: "SELECT 'hey' AS word, 2 AS amount" } }
            """);
        await _browser.TribAsync("run", "hello");
        await _browser.TribAsync("run", "twin");
        var runId = System.Text.Json.JsonDocument.Parse((await _browser.TribAsync("runs", "--format", "json")).Out).RootElement[0].GetProperty("run_id").GetString()!;
        var address = await _browser.ServeAsync(Ct);
        var page = await _browser.OpenPageAsync(1440);
        var warning = $"pipelines/twin.yaml:2:32: warning TRIB0301: on_failure's webhook_url_env names environment variable '{variable}', which is not set here: a failed run would send no alert.";
        await _browser.CheckAsync(async () =>
        {
            await page.GotoAsync(address + $"#/run/{runId}");
            await Assertions.Expect(page.GetByTestId("load-warnings")).ToContainTextAsync(warning);
            // The stream has reached the step's lines, which come after the warning's.
            await Assertions.Expect(page.GetByLabel("Run log")).ToContainTextAsync("greeting");
            Assert.Equal(1, await page.GetByText(warning).CountAsync());

            await page.GotoAsync(address + "#/asset/greeting");
            await Assertions.Expect(page.GetByTestId("asset-owner")).ToHaveTextAsync(
                "No single owner (TRIB0209): hello (pipelines/hello.yaml:5:5) and twin (pipelines/twin.yaml:4:5) define this table differently and each writes it, "
                + $"so whichever runs last replaces the others' rows; these are twin's, from run {runId}. Give one of them another id, or remove one.");

            // Each of the two pipelines' cards says it.
            await page.GotoAsync(address + "#/catalog");
            foreach (var name in new[] { "hello", "twin" })
                await Assertions.Expect(page.GetByRole(AriaRole.Listitem, new() { Name = $"Pipeline {name}" }).GetByTestId("table-conflicts"))
                    .ToContainTextAsync("1 table that another pipeline defines differently (TRIB0209): whichever runs last replaces the other's rows");
        });
    }
}
