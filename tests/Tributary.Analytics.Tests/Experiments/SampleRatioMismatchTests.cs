using Tributary.Analytics.Experiments;

namespace Tributary.Analytics.Tests.Experiments;

public sealed class SampleRatioMismatchTests
{
    [Fact]
    public void Test_HandCase_MatchesChiSquare()
    {
        // 5000 against 5200 planned 50/50: χ² = 2·100²/5100 = 3.9216, 1 df, p = 0.04767.
        var (chi, p) = SampleRatioMismatch.Test([5000, 5200], [0.5, 0.5]);
        Assert.Equal(3.92157, chi, 1e-5);
        Assert.Equal(0.04767, p, 1e-5);
    }

    [Fact]
    public void Test_UnevenPlannedSplit_UsesTheWeights()
    {
        // 2000/1000 planned 2:1 is a perfect match.
        var (chi, p) = SampleRatioMismatch.Test([2000, 1000], [2, 1]);
        Assert.Equal(0, chi, 1e-12);
        Assert.Equal(1, p, 1e-12);
    }

    [Fact]
    public void Test_NoUnits_IsNotANumber() => Assert.True(double.IsNaN(SampleRatioMismatch.Test([0, 0], [1, 1]).PValue));
}
