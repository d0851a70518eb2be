using Tributary.Analytics.Experiments;

namespace Tributary.Analytics.Tests.Experiments;

public sealed class MultipleComparisonsTests
{
    // R: p.adjust(c(0.01, 0.04, 0.03, 0.005), "holm") = 0.03 0.06 0.06 0.02; "BH" = 0.02 0.04 0.04 0.02.
    [Fact]
    public void Holm_MatchesR() => Assert.Equal([0.03, 0.06, 0.06, 0.02], MultipleComparisons.Holm([0.01, 0.04, 0.03, 0.005]).Select(p => Math.Round(p, 12)));

    [Fact]
    public void BenjaminiHochberg_MatchesR() =>
        Assert.Equal([0.02, 0.04, 0.04, 0.02], MultipleComparisons.BenjaminiHochberg([0.01, 0.04, 0.03, 0.005]).Select(p => Math.Round(p, 12)));

    [Fact]
    public void Holm_NotANumber_StaysOutOfTheFamily()
    {
        var adjusted = MultipleComparisons.Holm([0.01, double.NaN, 0.04]);
        Assert.Equal(0.02, adjusted[0], 1e-12);
        Assert.True(double.IsNaN(adjusted[1]));
        Assert.Equal(0.04, adjusted[2], 1e-12);
    }
}
