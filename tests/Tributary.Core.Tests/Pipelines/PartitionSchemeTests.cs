using Tributary.Core.Diagnostics;
using Tributary.Core.Pipelines;

namespace Tributary.Core.Tests.Pipelines;

public sealed class PartitionSchemeTests
{
    private static readonly SourceLocation At = new("p.yaml", 1, 1);

    private static PartitionScheme Scheme(PartitionGranularity type, string start, string zone, params string[] keys) =>
        new(new PartitionsSpec(type, DateOnly.Parse(start, System.Globalization.CultureInfo.InvariantCulture), zone, keys, At));

    [Fact]
    public void Daily_AcrossSpringForwardInBerlin_HasA23HourDay()
    {
        var all = Scheme(PartitionGranularity.Daily, "2025-03-29", "Europe/Berlin").All(DateTimeOffset.Parse("2025-04-01T00:00:00Z"));

        Assert.Equal(["2025-03-29", "2025-03-30", "2025-03-31"], all.Select(p => p.Key));
        Assert.Equal(TimeSpan.FromHours(23), all[1].End - all[1].Start);
        Assert.Equal("2025-03-29 23:00:00", all[1].Variables["start"]); // local midnight = 23:00 UTC the day before
    }

    [Fact]
    public void Hourly_FallBackInNewYork_GivesBothRepeatedHoursAKey()
    {
        var all = Scheme(PartitionGranularity.Hourly, "2025-11-02", "America/New_York").All(DateTimeOffset.Parse("2025-11-02T09:00:00Z"));

        // Midnight EDT is 04:00Z; 01:00 happens at 05:00Z (EDT) and again at 06:00Z (EST).
        Assert.Equal(["2025-11-02T00:00", "2025-11-02T01:00", "2025-11-02T01:00-05:00", "2025-11-02T02:00", "2025-11-02T03:00"], all.Select(p => p.Key));
        Assert.All(all, p => Assert.Equal(TimeSpan.FromHours(1), p.End - p.Start));
    }

    [Fact]
    public void WeeklyAndMonthly_AlignToMondayAndTheFirst_AndOnlyCompleteWindowsExist()
    {
        var weeks = Scheme(PartitionGranularity.Weekly, "2025-01-08", "UTC").All(DateTimeOffset.Parse("2025-01-27T12:00:00Z"));
        var months = Scheme(PartitionGranularity.Monthly, "2025-01-15", "UTC").All(DateTimeOffset.Parse("2025-03-31T23:00:00Z"));

        Assert.Equal(["2025-01-06", "2025-01-13", "2025-01-20"], weeks.Select(p => p.Key));
        Assert.Equal(["2025-01", "2025-02"], months.Select(p => p.Key)); // March has not ended yet
    }

    [Fact]
    public void TwoDimensional_RangeCoversEveryStaticKeyOfTheTimeWindows()
    {
        var scheme = Scheme(PartitionGranularity.Daily, "2025-01-01", "UTC", "us", "eu");

        var range = scheme.Range("2025-01-02", "2025-01-03", DateTimeOffset.Parse("2025-01-10T00:00:00Z"));

        Assert.Equal(["2025-01-02|us", "2025-01-02|eu", "2025-01-03|us", "2025-01-03|eu"], range.Select(p => p.Key));
        Assert.Equal("eu", range[1].Variables["static"]);
        var error = Assert.Throws<ArgumentException>(() => scheme.Range("2024-12-01", "2025-01-03", DateTimeOffset.Parse("2025-01-10T00:00:00Z")));
        Assert.Contains("they run from 2025-01-01|us to 2025-01-09|eu", error.Message, StringComparison.Ordinal);
    }

    // The web form's fields are From and To; the message named the CLI's flags (--from, --to) there too.
    [Fact]
    public void Range_FromAfterTo_NamesTheRangeEndsNotTheFlags()
    {
        var scheme = Scheme(PartitionGranularity.Daily, "2025-01-01", "UTC");

        var error = Assert.Throws<ArgumentException>(() => scheme.Range("2025-01-05", "2025-01-03", DateTimeOffset.Parse("2025-01-10T00:00:00Z")));

        Assert.Equal("From (2025-01-05) comes after To (2025-01-03); swap the two.", error.Message);
    }

    [Theory]
    [InlineData(PartitionGranularity.Hourly, "2025-01-01", 240)]
    [InlineData(PartitionGranularity.Daily, "2025-01-01", 10)]
    [InlineData(PartitionGranularity.Weekly, "2025-01-01", 1)]
    [InlineData(PartitionGranularity.Monthly, "2024-11-15", 2)]
    [InlineData(PartitionGranularity.Daily, "2025-02-01", 0)]
    public void Count_MatchesTheListedWindowsWithoutListingThem(PartitionGranularity type, string start, long expected)
    {
        var now = DateTimeOffset.Parse("2025-01-11T00:00:00Z");
        var spec = new PartitionsSpec(type, DateOnly.Parse(start, System.Globalization.CultureInfo.InvariantCulture), "UTC", [], At);

        Assert.Equal(expected, PartitionScheme.Count(spec, DateOnly.FromDateTime(now.UtcDateTime)));
        Assert.Equal(expected, new PartitionScheme(spec).All(now).Count);
    }

    [Fact]
    public void Count_FromYearOneHourlyWithKeys_IsComputedNotEnumerated()
    {
        var spec = new PartitionsSpec(PartitionGranularity.Hourly, new DateOnly(1, 1, 1), "UTC", ["us", "eu"], At);

        Assert.Equal(739_251L * 24 * 2, PartitionScheme.Count(spec, new DateOnly(2025, 1, 1)));
    }
}
