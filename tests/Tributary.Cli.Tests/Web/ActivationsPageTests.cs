using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Tributary.Cli.Tests.Web.BrowserSession;
using Tributary.Testing;

namespace Tributary.Cli.Tests.Web;

/// <summary>
/// The Activations page in Debian's Chromium against 'trib serve': the empty state, then a pipeline's audience file and
/// webhook listed with their destination (the webhook's variable by name), Run now from an activation's page, its counts,
/// the audience file's download and the webhook's dead letters.
/// </summary>
public sealed class ActivationsPageTests : IAsyncDisposable
{
    private const string HookEnv = "CRM_HOOK_URL";
    private const string HookSecret = "hook-token-never-shown";

    // 1 consented (gold), 2 opted out (gold), 3 unknown (silver); the webhook posts to a closed port, so its batch is dead-lettered.
    private const string Yaml = """
        pipeline: audiences
        schedule: { cron: "0 6 * * *", timezone: UTC }
        components:
          - id: people
            type: transform.sql
            with: { sql: "SELECT 1 AS customer_id, 'a@x.com' AS email, 'gold' AS tier, TRUE AS marketing_consent UNION ALL SELECT 2, 'b@x.com', 'gold', FALSE UNION ALL SELECT 3, 'c@x.com', 'silver', CAST(NULL AS BOOLEAN)" }
          - { id: tier_files, type: activate.audience_file, inputs: [people], with: { path: "out/{segment}.csv", segment_column: tier } }
          - id: crm_hook
            type: activate.webhook
            inputs: [people]
            with: { url: "${env.CRM_HOOK_URL}", consent: unless_refused, max_retries: 0, allow_private_network: true }
        """;

    private readonly BrowserSession _browser = new("activations");
    private string Project => _browser.Project;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask DisposeAsync() => _browser.DisposeAsync();

    [Fact]
    public async Task Activations_ListRunNowDownloadAndDeadLetters()
    {
        await _browser.InitAsync();
        var address = await _browser.ServeAsync(new Dictionary<string, string> { [HookEnv] = $"http://127.0.0.1:1/{HookSecret}" }, Ct);
        var page = await _browser.OpenPageAsync(1440);
        await _browser.CheckAsync(async () =>
        {
            await page.GotoAsync(address + "#/catalog");
            await page.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link, new() { Name = "Activations" }).ClickAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "No activations yet" })).ToContainTextAsync("docs/use-cases.md");
            await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Activations" })).ToHaveAttributeAsync("aria-current", "page");

            File.WriteAllText(Path.Combine(Project, "pipelines", "audiences.yaml"), Yaml);
            await page.ReloadAsync();
            var table = page.GetByRole(AriaRole.Table, new() { Name = "Activations" });
            var files = table.GetByRole(AriaRole.Row).Filter(new() { HasText = "tier_files" });
            var hook = table.GetByRole(AriaRole.Row).Filter(new() { HasText = "crm_hook" });
            await Assertions.Expect(files).ToContainTextAsync("out/{segment}.csv");
            await Assertions.Expect(files).ToContainTextAsync("Consent required (marketing_consent true)");
            await Assertions.Expect(files).ToContainTextAsync("Never run");
            await Assertions.Expect(hook.Locator(".env-var")).ToHaveTextAsync("${env.CRM_HOOK_URL}");

            // Run now from the audience file's page; its counts come in as the page looks again.
            await files.GetByRole(AriaRole.Link, new() { Name = "tier_files" }).ClickAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "Run audiences now" }).ClickAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "follow it" })).ToBeVisibleAsync();
            var runs = page.GetByRole(AriaRole.Table, new() { Name = "Recent runs" });
            await Assertions.Expect(runs.GetByRole(AriaRole.Row).Nth(1)).ToContainTextAsync(new Regex("Rows in 3.*Written 1.*Left out \\(consent\\) 2"), new() { Timeout = 120_000 });
            var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Button, new() { Name = "Download out/gold.csv" }).ClickAsync());
            Assert.Equal("gold.csv", download.SuggestedFilename);
            Assert.Equal(File.ReadAllText(Path.Combine(Project, "out", "gold.csv")), File.ReadAllText(await download.PathAsync()));
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(DemoSite.ScreenshotFolder, "activation-file.png"), FullPage = true });

            // The webhook failed: the list says so, its page has the dead letter.
            await page.GetByRole(AriaRole.Link, new() { Name = "all activations" }).ClickAsync();
            await Assertions.Expect(hook).ToContainTextAsync("failed");
            await Assertions.Expect(page.GetByTestId("counts-tier_files")).ToHaveTextAsync("3 in · 1 written · 2 left out (consent)");
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(DemoSite.ScreenshotFolder, "activations.png"), FullPage = true });
            await AssertNoSeriousAxeViolationsAsync(page);
            await hook.GetByRole(AriaRole.Link, new() { Name = "crm_hook" }).ClickAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Table, new() { Name = "Recent runs" })).ToContainTextAsync("nothing was delivered");
            var dead = page.GetByRole(AriaRole.Table, new() { Name = "Dead letters" });
            await Assertions.Expect(dead.GetByRole(AriaRole.Row)).ToHaveCountAsync(2);
            await Assertions.Expect(page.GetByRole(AriaRole.Table, new() { Name = "Delivery log" }).GetByRole(AriaRole.Row)).ToHaveCountAsync(2);
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(DemoSite.ScreenshotFolder, "activation-webhook.png"), FullPage = true });
            await AssertNoSeriousAxeViolationsAsync(page);
            Assert.DoesNotContain(HookSecret, await page.ContentAsync(), StringComparison.Ordinal);

            await page.SetViewportSizeAsync(390, 844);
            await page.GotoAsync(address + "#/activations");
            // A phone's width: one card per activation, so nothing is off screen.
            var cards = page.GetByRole(AriaRole.List, new() { Name = "Activations" });
            await Assertions.Expect(cards.GetByRole(AriaRole.Listitem).Filter(new() { HasText = "tier_files" })).ToContainTextAsync("3 in · 1 written · 2 left out (consent)");
            await Assertions.Expect(page.GetByRole(AriaRole.Table, new() { Name = "Activations" })).ToBeHiddenAsync();
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(DemoSite.ScreenshotFolder, "activations-390.png"), FullPage = true });
            Assert.DoesNotContain(HookSecret, await page.ContentAsync(), StringComparison.Ordinal);
        });
    }
}
