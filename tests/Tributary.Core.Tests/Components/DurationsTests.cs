using Tributary.Core.Components;

namespace Tributary.Core.Tests.Components;

public sealed class DurationsTests
{
    [Theory]
    [InlineData("500ms", 500)]
    [InlineData("1.5s", 1500)]
    [InlineData("2h", 7_200_000)]
    public void TryParsePositive_Valid_ReturnsTheDuration(string text, double milliseconds)
    {
        Assert.True(Durations.TryParsePositive(text, out var value, out _));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), value);
    }

    [Theory]
    [InlineData("0s", "more than zero")]
    [InlineData("0.00001ms", "more than zero")]
    [InlineData("99999999999d", "at most 10675199d")]
    [InlineData("1e309d", "a duration such as 500ms, 10s, 5m, 2h or 1d")]
    [InlineData("-5s", "a duration such as 500ms, 10s, 5m, 2h or 1d")]
    [InlineData("5 weeks", "a duration such as 500ms, 10s, 5m, 2h or 1d")]
    public void TryParsePositive_ZeroOverflowOrMalformed_SaysWhatWasExpected(string text, string expected)
    {
        Assert.False(Durations.TryParsePositive(text, out _, out var problem));
        Assert.Equal(expected, problem);
    }

    [Fact]
    public void TryParsePositive_ZeroAllowed_AcceptsZeroButNotLess()
    {
        Assert.True(Durations.TryParsePositive("0s", out var zero, out _, allowZero: true));
        Assert.Equal(TimeSpan.Zero, zero);
        Assert.False(Durations.TryParsePositive("-1s", out _, out _, allowZero: true));
    }

    [Fact]
    public void TryParse_BeyondTimeSpan_IsFalseNotAnOverflow()
    {
        Assert.False(Durations.TryParse("99999999999d", out _));
        Assert.True(Durations.TryParse("10675199d", out var longest));
        Assert.Equal(10_675_199, longest.TotalDays);
    }

    [Theory]
    [InlineData(299_595, "4m 59s")]
    [InlineData(45_400, "45s")]
    [InlineData(7_500_000, "2h 5m")]
    [InlineData(3_600_000, "1h")]
    [InlineData(273_600_000, "3d 4h")]
    [InlineData(-5, "0s")]
    public void Approximate_AnAge_InItsTwoLargestUnits(long milliseconds, string expected) =>
        Assert.Equal(expected, Durations.Approximate(TimeSpan.FromMilliseconds(milliseconds)));
}
