using System.Globalization;
using Tributary.Core.Diagnostics;
using Tributary.Core.Pipelines;
using Tributary.Engine.Orchestration;

namespace Tributary.Engine.Tests.Orchestration;

/// <summary>Which ticks a cron schedule has across daylight-saving changes, in local time + offset.</summary>
public sealed class CronScheduleTests
{
    private static IReadOnlyList<DateTimeOffset> Due(string cron, string zone, string after, string upTo) =>
        new CronSchedule(new ScheduleSpec(cron, zone, SourceLocation.StartOf("p.yaml"))).Due(DateTimeOffset.Parse(after), DateTimeOffset.Parse(upTo));

    [Theory]
    // Berlin falls back at 03:00 CEST (to 02:00 CET) on 2027-10-31: every time of hour 2 happens twice, and runs in the first.
    [InlineData("30 2 * * *", "2027-10-31T02:30+02:00")]
    [InlineData("*/30 2 * * *", "2027-10-31T02:00+02:00 2027-10-31T02:30+02:00")]
    [InlineData("15 2-3 * * *", "2027-10-31T02:15+02:00 2027-10-31T03:15+01:00")]
    [InlineData("0 1-3 * * *", "2027-10-31T01:00+02:00 2027-10-31T02:00+02:00 2027-10-31T03:00+01:00")]
    [InlineData("0 30 2 * * *", "2027-10-31T02:30+02:00")]
    public void Due_InTheRepeatedHour_RunsAWallClockTimeOnceInItsFirstOccurrence(string cron, string expected)
    {
        var due = Due(cron, "Europe/Berlin", "2027-10-30T22:00:00Z", "2027-10-31T03:00:00Z");

        Assert.Equal(expected.Split(' ').Select(DateTimeOffset.Parse), due);
        Assert.All(due, t => Assert.Equal(t.Offset, TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin").GetUtcOffset(t)));
    }

    [Theory]
    // Every hour is every real hour: the repeated hour runs in both occurrences, or there would be a two-hour gap.
    [InlineData("0 * * * *", 60)]
    [InlineData("*/30 * * * *", 30)]
    [InlineData("0 */15 * * * *", 15)]
    public void Due_EveryHourAcrossTheRepeatedHour_RunsEveryRealInterval(string cron, int minutes)
    {
        var due = Due(cron, "Europe/Berlin", "2027-10-30T22:00:00Z", "2027-10-31T03:00:00Z");

        var expected = Enumerable.Range(1, 5 * 60 / minutes).Select(i => DateTimeOffset.Parse("2027-10-30T22:00:00Z").AddMinutes(i * minutes)).ToList();
        Assert.Equal(expected, due);
        Assert.Contains(DateTimeOffset.Parse("2027-10-31T02:00+01:00"), due);
    }

    [Fact]
    public void Next_InTheRepeatedHour_SkipsTheSecondOccurrence()
    {
        var schedule = new CronSchedule(new ScheduleSpec("*/30 2 * * *", "Europe/Berlin", SourceLocation.StartOf("p.yaml")));

        Assert.Equal(DateTimeOffset.Parse("2027-11-01T02:00+01:00"), schedule.Next(DateTimeOffset.Parse("2027-10-31T02:30+02:00")));
    }

    [Theory]
    // Berlin springs forward at 02:00 (to 03:00) on 2027-03-28: hour 2 does not exist and its times run at 03:00 CEST.
    [InlineData("30 2 * * *", "2027-03-28T03:00+02:00")]
    [InlineData("0 * * * *", "2027-03-28T01:00+01:00 2027-03-28T03:00+02:00 2027-03-28T04:00+02:00")]
    public void Due_InTheSkippedHour_RunsAtTheNextValidTime(string cron, string expected)
    {
        var due = Due(cron, "Europe/Berlin", "2027-03-27T23:30:00Z", "2027-03-28T02:00:00Z");

        Assert.Equal(expected.Split(' ').Select(DateTimeOffset.Parse), due);
    }

    [Fact]
    public void Due_ScheduleWithoutTimezoneInANewYorkProject_FiresAt0700NewYorkAcrossTheSpringChange()
    {
        // A New York shop's "daily 07:00" is 07:00 in New York (Dagster's execution_timezone): 12:00 UTC in EST, 11:00 in EDT.
        var spec = EngineHarness.Pipeline("""
            pipeline: p
            schedule: { cron: "0 7 * * *" }
            components: [{ id: a, type: transform.sql, with: { sql: SELECT 1 AS v } }]
            """, timezone: "America/New_York");

        var due = new CronSchedule(spec.Schedule!).Due(DateTimeOffset.Parse("2025-03-08T00:00:00Z"), DateTimeOffset.Parse("2025-03-11T00:00:00Z"));

        Assert.Equal("America/New_York", spec.Schedule!.Timezone);
        Assert.Equal(["2025-03-08T07:00-05:00", "2025-03-09T07:00-04:00", "2025-03-10T07:00-04:00"], due.Select(Local));
    }

    [Fact]
    public void Due_ScheduleWithItsOwnTimezoneInANewYorkProject_KeepsItsOwn()
    {
        var spec = EngineHarness.Pipeline("""
            pipeline: p
            schedule: { cron: "0 7 * * *", timezone: UTC }
            components: [{ id: a, type: transform.sql, with: { sql: SELECT 1 AS v } }]
            """, timezone: "America/New_York");

        var due = new CronSchedule(spec.Schedule!).Due(DateTimeOffset.Parse("2025-03-08T00:00:00Z"), DateTimeOffset.Parse("2025-03-10T00:00:00Z"));

        Assert.Equal(["2025-03-08T07:00+00:00", "2025-03-09T07:00+00:00"], due.Select(t => t.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mmzzz", CultureInfo.InvariantCulture)));
    }

    // A tick as local time + offset in New York.
    private static string Local(DateTimeOffset tick) =>
        TimeZoneInfo.ConvertTime(tick, TimeZoneInfo.FindSystemTimeZoneById("America/New_York")).ToString("yyyy-MM-dd'T'HH:mmzzz", CultureInfo.InvariantCulture);
}
