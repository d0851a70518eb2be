using Tributary.Components.Churn;

namespace Tributary.Components.Tests.Churn;

/// <summary>Risk bands of <c>analytics.churn</c> on constructed probabilities.</summary>
public sealed class ChurnPredictionTests
{
    // A store where most customers churn, as the demo (about 69%): 72% of them at 0.6 or more.
    private static double[] MostlyChurning() => Enumerable.Range(0, 100).Select(i => i < 72 ? 0.6 + 0.39 * i / 71.0 : 0.59 * (i - 72) / 27.0).ToArray();

    [Fact]
    public void Bands_ByDefault_RankTheTopDecileHighAndTheNextTwoMedium()
    {
        var bands = ChurnPrediction.Bands(new ChurnParameters(), MostlyChurning());

        Assert.Equal(10, bands.Count(b => b == "high"));
        Assert.Equal(20, bands.Count(b => b == "medium"));
        Assert.Equal(70, bands.Count(b => b == "low"));
        var p = MostlyChurning();
        Assert.True(p.Where((_, i) => bands[i] == "high").Min() > p.Where((_, i) => bands[i] == "medium").Max());
    }

    [Fact]
    public void Bands_ByProbability_CutAtHighRiskAndMediumRisk()
    {
        var bands = ChurnPrediction.Bands(new ChurnParameters { RiskBands = ChurnRiskBands.Probability }, MostlyChurning());

        Assert.Equal(72, bands.Count(b => b == "high"));
    }

    [Fact]
    public void Bands_TiesAtTheCut_ShareTheHigherBand()
    {
        double[] p = [0.9, 0.8, 0.8, 0.8, 0.5, 0.4, 0.3, 0.2, 0.1, 0.05];

        var bands = ChurnPrediction.Bands(new ChurnParameters { HighRiskShare = 0.2, MediumRiskShare = 0.3 }, p);

        Assert.Equal(["high", "high", "high", "high", "medium", "low", "low", "low", "low", "low"], bands);
    }

    [Fact]
    public void Bands_NoCustomersOrZeroShares_AreEmptyOrLow()
    {
        Assert.Empty(ChurnPrediction.Bands(new ChurnParameters(), []));
        Assert.Equal(["low", "low"], ChurnPrediction.Bands(new ChurnParameters { HighRiskShare = 0, MediumRiskShare = 0 }, [0.9, 0.1]));
        Assert.Equal(["high"], ChurnPrediction.Bands(new ChurnParameters(), [0.3]));
    }
}
