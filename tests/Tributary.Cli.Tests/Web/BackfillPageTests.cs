using System.Text.RegularExpressions;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using Tributary.Cli.Tests.Commands;
using Tributary.Testing;

namespace Tributary.Cli.Tests.Web;

/// <summary>
/// The Schedules page's backfills in Debian's Chromium against 'trib serve': start a backfill of a partitioned group from
/// the form, watch its progress (one hour fails), retry the failed hour once its data is fixed, then see every hour of the
/// group's asset materialized on the asset's partition bar.
/// </summary>
public sealed class BackfillPageTests : IAsyncDisposable
{
    private readonly BrowserSession _browser = new("hours");
    private string Project => _browser.Project;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask DisposeAsync() => _browser.DisposeAsync();

    [Fact]
    public async Task Schedules_StartAGroupBackfill_FollowItsProgress_RetryTheFailedHour()
    {
        await _browser.InitAsync();
        File.WriteAllText(Path.Combine(Project, "pipelines", "hours.yaml"), GroupBackfillTests.Yaml);
        await _browser.TribAsync("run", "hours", "--select", "group:setup", "--param", "bad_hour=2025-01-01T03:00");
        var address = await _browser.ServeAsync(Ct);
        var page = await _browser.OpenPageAsync(1400);
        await _browser.CheckAsync(async () =>
        {
            await page.GotoAsync(address + "#/schedules");
            var backfills = page.GetByRole(AriaRole.Article).Filter(new() { Has = page.GetByRole(AriaRole.Heading, new() { Name = "Backfills" }) });
            await Assertions.Expect(backfills).ToContainTextAsync("No backfills yet");
            await Assertions.Expect(page.GetByRole(AriaRole.Table, new() { Name = "Schedules" }).GetByRole(AriaRole.Row).Filter(new() { HasText = "hours" }))
                .ToContainTextAsync("intake: hourly");
            var form = page.GetByRole(AriaRole.Form, new() { Name = "Start a backfill" });
            // Only the intake group is partitioned: the pipeline is offered as such, and the group is picked among its partitioned ones.
            await Assertions.Expect(form.GetByLabel("Pipeline").Locator("option")).ToHaveTextAsync(["hours (intake: hourly)"]);
            await Assertions.Expect(form.GetByLabel("Partitions of").Locator("option")).ToHaveTextAsync(["intake (hourly)"]);
            // Each label starts at its field's left edge (they were centred above fields of other widths), on a desktop and,
            // a field a line filling the form, on a phone.
            const string LabelOffset = "e => { const r = document.createRange(); r.selectNodeContents(e.closest('label').firstChild); return r.getBoundingClientRect().left - e.getBoundingClientRect().left; }";
            foreach (var width in new[] { 1400, 390 })
            {
                await page.SetViewportSizeAsync(width, 900);
                foreach (var field in new[] { "Pipeline", "From", "At once" })
                    Assert.InRange(await form.GetByLabel(field).EvaluateAsync<double>(LabelOffset), -1, 1);
            }
            var formBox = (await form.BoundingBoxAsync())!;
            var fromBox = (await form.GetByLabel("From").BoundingBoxAsync())!;
            Assert.True(fromBox.Width > formBox.Width - 2 * 16 - 4, $"on a phone the From field is {fromBox.Width} px wide in a {formBox.Width} px form");
            // The table's empty state stays in view on a phone, though the table is wider than the screen.
            var wrap = (await backfills.Locator(".table-wrap").BoundingBoxAsync())!;
            var empty = (await backfills.Locator(".empty-cell > .empty").BoundingBoxAsync())!;
            Assert.True(empty.X >= wrap.X && empty.X + empty.Width <= wrap.X + wrap.Width + 1, $"empty state {empty.X}..{empty.X + empty.Width}, table in view {wrap.X}..{wrap.X + wrap.Width}");
            await page.SetViewportSizeAsync(1400, 900);
            await form.GetByLabel("Partitions of").SelectOptionAsync("intake");
            await form.GetByLabel("From").FillAsync("2025-01-01T00:00");
            await form.GetByLabel("To").FillAsync("2025-01-01T05:00");
            await form.GetByLabel("At once").FillAsync("3");
            await form.GetByRole(AriaRole.Button, new() { Name = "Start backfill" }).ClickAsync();

            // The page looks again while it runs: it ends failed with one hour failed.
            var row = backfills.GetByRole(AriaRole.Row).Filter(new() { HasText = "intake" });
            await Assertions.Expect(row).ToContainTextAsync("5 of 6 partitions succeeded · 1 failed", new() { Timeout = 180_000 });
            await Assertions.Expect(row).ToContainTextAsync("failed");

            // The data fixed (a run handed to the server), the failed hour again from the page.
            var setup = await Trib.RunAsync("run", "hours", "--select", "group:setup", "--project", Project);
            Assert.True(setup.ExitCode == 0, setup.Error);
            await row.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^Retry failed") }).ClickAsync();
            await Assertions.Expect(row).ToContainTextAsync("6 of 6 partitions succeeded", new() { Timeout = 180_000 });
            await Assertions.Expect(row.GetByRole(AriaRole.Img)).ToHaveAttributeAsync("aria-label", "6 of 6 partitions succeeded");
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(DemoSite.ScreenshotFolder, "backfills.png") });
            var axe = await page.RunAxe();
            var serious = axe.Violations.Where(v => v.Impact is "serious" or "critical").Select(v => $"{v.Id} ({v.Impact}): {v.Help} at {string.Join("; ", v.Nodes.Take(3).Select(n => n.Html))}").ToList();
            Assert.True(serious.Count == 0, "axe: " + string.Join("\n", serious));

            // The runs list names each backfilled run's partition, on a desktop in its column.
            await page.GotoAsync(address + "#/runs");
            var runs = page.GetByRole(AriaRole.Table, new() { Name = "Runs" }).GetByRole(AriaRole.Row).Filter(new() { HasText = "backfill" });
            await Assertions.Expect(runs.Filter(new() { HasText = "2025-01-01T03:00" })).Not.ToHaveCountAsync(0);
            await Assertions.Expect(runs.Filter(new() { HasText = "—" })).ToHaveCountAsync(0);

            // Each backfilled hour of the group's asset on its partition bar.
            await page.GotoAsync(address + "#/asset/hour_events");
            await Assertions.Expect(page.GetByRole(AriaRole.List, new() { Name = "Partition status" })).ToBeVisibleAsync();
            await Assertions.Expect(page.GetByText(new Regex(@"^6 materialized · 0 stale · 0 failed"))).ToBeVisibleAsync();
        });
    }
}
