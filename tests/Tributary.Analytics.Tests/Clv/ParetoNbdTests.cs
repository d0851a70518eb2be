using Tributary.Analytics.Clv;

namespace Tributary.Analytics.Tests.Clv;

public sealed class ParetoNbdTests
{
    private static readonly ParetoNbdParameters Published = new(0.553, 10.578, 0.606, 11.669);

    [Fact]
    public void Fit_CdnowSample_ReproducesPublishedParameters()
    {
        var fit = ParetoNbd.Fit(Cdnow.Summary());

        // Fader, Hardie & Lee 2005 (BG/NBD paper, section 5) report the Pareto/NBD fit: r = 0.553, α = 10.578, s = 0.606, β = 11.669, LL = -9595.0.
        Assert.Equal(0.553, fit.Parameters.R, 0.553 * 0.005);
        Assert.Equal(10.578, fit.Parameters.Alpha, 10.578 * 0.005);
        Assert.Equal(0.606, fit.Parameters.S, 0.606 * 0.005);
        Assert.Equal(11.669, fit.Parameters.Beta, 11.669 * 0.005);
        Assert.Equal(-9595.0, fit.Estimate.LogLikelihood, 0.1);
    }

    [Fact]
    public void LogLikelihood_AlphaBelowBetaBranch_IsContinuousWithTheOtherBranch()
    {
        // The A0 term switches 2F1 forms at α = β; the likelihood must not jump there.
        var below = ParetoNbd.LogLikelihood(Published with { Alpha = 11.669 - 1e-7, Beta = 11.669 }, 3, 20, 38.86);
        var above = ParetoNbd.LogLikelihood(Published with { Alpha = 11.669 + 1e-7, Beta = 11.669 }, 3, 20, 38.86);
        Assert.Equal(below, above, 1e-6);
    }

    [Fact]
    public void ProbabilityAlive_RecentBuyerAboveSilentOne_AndAtMostOne()
    {
        var recent = ParetoNbd.ProbabilityAlive(Published, 4, 38, 38.86);
        var silent = ParetoNbd.ProbabilityAlive(Published, 4, 5, 38.86);
        Assert.InRange(recent, 0.9, 1);
        Assert.True(silent < recent);
        Assert.Equal(1, ParetoNbd.ProbabilityAlive(Published, 0, 0, 0));
    }

    [Fact]
    public void ExpectedPurchases_SumOverCdnow_IsCloseToBgNbdForecast()
    {
        // Both models forecast the 39-week holdout; FHL 2005 (figure 2) shows them nearly indistinguishable in total.
        var data = Cdnow.Summary();
        var bg = new BgNbdParameters(0.243, 4.414, 0.793, 2.426);
        double pareto = 0, bgnbd = 0;
        for (var i = 0; i < data.Count; i++)
        {
            pareto += ParetoNbd.ExpectedPurchases(Published, data.Frequency[i], data.Recency[i], data.Age[i], 39);
            bgnbd += BgNbd.ExpectedPurchases(bg, data.Frequency[i], data.Recency[i], data.Age[i], 39);
        }
        Assert.Equal(bgnbd, pareto, bgnbd * 0.05);
    }
}
