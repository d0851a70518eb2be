using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Tributary.Testing;

namespace Tributary.Cli.Tests.Web;

/// <summary>
/// The Schedules page in Debian's Chromium against 'trib serve', for a pipeline scheduled by its groups only (as full_cdp
/// is): each group's schedule and sensors, the soonest group's next tick and the switch, not "—" and "manual"; unticked, "paused".
/// </summary>
public sealed class SchedulesPageTests : IAsyncDisposable
{
    private const string Yaml = """
        pipeline: grouped
        groups:
          ingest:
            schedule: { cron: "0 4 1 1 *", timezone: UTC }
            sensors:
              - { type: file_arrival, path: inbox, interval: 30s }
            assets: [a]
          hourly:
            schedule: { cron: "5 * * * *", timezone: UTC }
            sensors:
              - { type: run_status, group: ingest, status: succeeded, interval: 5m }
            assets: [b]
        components:
          - { id: a, type: transform.sql, with: { sql: "SELECT 1 AS n" } }
          - { id: b, type: transform.sql, inputs: [a], with: { sql: "SELECT n FROM a" } }
        """;

    private readonly BrowserSession _browser = new("grouped");
    private string Project => _browser.Project;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask DisposeAsync() => _browser.DisposeAsync();

    [Fact]
    public async Task Schedules_APipelineScheduledByItsGroups_ShowsEachGroupsScheduleAndTheNextTick()
    {
        await _browser.InitAsync();
        File.WriteAllText(Path.Combine(Project, "pipelines", "grouped.yaml"), Yaml);
        var address = await _browser.ServeAsync(Ct);
        var page = await _browser.OpenPageAsync(1400);
        await _browser.CheckAsync(async () =>
        {
            await page.GotoAsync(address + "#/schedules");
            var row = page.GetByRole(AriaRole.Table, new() { Name = "Schedules" }).GetByRole(AriaRole.Row).Filter(new() { HasText = "grouped" });
            var cells = row.GetByRole(AriaRole.Cell);
            // Pipeline, Schedule, Next tick, Sensors, Partitions, On.
            await Assertions.Expect(cells.Nth(1).GetByRole(AriaRole.Listitem)).ToHaveCountAsync(2);
            await Assertions.Expect(cells.Nth(1).GetByRole(AriaRole.Listitem).Nth(0)).ToContainTextAsync(new Regex(@"^ingest: .+\(UTC\) 0 4 1 1 \*$"));
            await Assertions.Expect(cells.Nth(1).GetByRole(AriaRole.Listitem).Nth(1)).ToContainTextAsync(new Regex(@"^hourly: .+\(UTC\) 5 \* \* \* \*$"));
            // The hourly group ticks first (except in the hour before 04:00 on 1 January).
            await Assertions.Expect(cells.Nth(2)).ToContainTextAsync(new Regex(@"\d UTC — (hourly|ingest)$"));
            // A group's sensors are the pipeline's too, named with their group, one per line (full_cdp has six), each with what it watches.
            await Assertions.Expect(cells.Nth(3).GetByRole(AriaRole.Listitem)).ToHaveTextAsync(["ingest: file_arrival in inbox", "hourly: run_status of group ingest (succeeded)"]);
            var on = row.GetByRole(AriaRole.Checkbox, new() { Name = "schedule and sensors of grouped" });
            await Assertions.Expect(on).ToBeCheckedAsync();
            await Assertions.Expect(cells.Nth(5)).ToHaveTextAsync("on");
            // Unticked, it is "paused", the word trib schedules and the Catalog use, and has no next tick.
            await on.ClickAsync();
            await Assertions.Expect(cells.Nth(5)).ToHaveTextAsync("paused");
            await Assertions.Expect(cells.Nth(2)).ToHaveTextAsync("—");
            await on.ClickAsync();
            await Assertions.Expect(cells.Nth(5)).ToHaveTextAsync("on");
            // At 1024 px the page fits: no label hidden for screen readers sticks out of its scrolling table (it made the page 1362 px wide).
            await page.SetViewportSizeAsync(1024, 768);
            Assert.Equal(1024, await page.EvaluateAsync<int>("document.documentElement.scrollWidth"));
        });
    }
}
