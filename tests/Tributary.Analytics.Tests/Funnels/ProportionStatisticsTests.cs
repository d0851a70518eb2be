using Tributary.Analytics.Funnels;

namespace Tributary.Analytics.Tests.Funnels;

public sealed class ProportionStatisticsTests
{
    [Fact]
    public void Erfc_And_NormalQuantile_MatchTables()
    {
        Assert.Equal(0.157299207, ProportionStatistics.Erfc(1), 1e-7);        // A&S table 7.1
        Assert.Equal(1.842700793, ProportionStatistics.Erfc(-1), 1e-7);
        Assert.Equal(1.959963985, ProportionStatistics.NormalQuantile(0.975), 1e-7);
        Assert.Equal(-2.326347874, ProportionStatistics.NormalQuantile(0.01), 1e-7);
    }

    [Fact]
    public void Odds_AddsOneToEachCell_WaldIntervalAndTest()
    {
        // 1 of 4 converters and 3 of 4 drop-offs did it: (2/4) / (4/2) = 0.25; SE of log OR = sqrt(1/2 + 1/4 + 1/4 + 1/2).
        var odds = ProportionStatistics.Odds(1, 4, 3, 4);
        Assert.Equal(0.25, odds.Ratio, 1e-12);
        Assert.Equal(0.0226692, odds.Low, 1e-6);
        Assert.Equal(2.7570506, odds.High, 1e-6);
        Assert.Equal(0.2576745, odds.PValue, 1e-6);
        // A zero cell stays finite.
        Assert.Equal(10.0, ProportionStatistics.Odds(3, 4, 0, 4).Ratio, 1e-12);
    }

    [Fact]
    public void TwoProportions_PooledZTest()
    {
        // 45/100 against 30/100: pooled 0.375, z = 0.15 / sqrt(0.375 * 0.625 * 0.02) = 2.1909.
        var test = ProportionStatistics.TwoProportions(45, 100, 30, 100);
        Assert.Equal(2.19089, test.Z, 1e-5);
        Assert.Equal(0.0284597, test.PValue, 1e-6);
        Assert.Equal(1.0, ProportionStatistics.TwoProportions(0, 0, 3, 10).PValue);
        Assert.Equal(1.0, ProportionStatistics.TwoProportions(10, 10, 5, 5).PValue);
    }

    [Fact]
    public void Corrections_HolmBenjaminiHochbergBonferroni()
    {
        double[] p = [0.01, 0.04, 0.03];
        Assert.Equal([0.03, 0.06, 0.06], ProportionStatistics.Holm(p).Select(x => Math.Round(x, 12)));
        Assert.Equal([0.03, 0.04, 0.04], ProportionStatistics.BenjaminiHochberg(p).Select(x => Math.Round(x, 12)));
        Assert.Equal([0.03, 0.12, 0.09], ProportionStatistics.Bonferroni(p).Select(x => Math.Round(x, 12)));
        Assert.Empty(ProportionStatistics.Holm([]));
    }
}
