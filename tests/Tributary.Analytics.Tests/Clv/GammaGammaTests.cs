using Tributary.Analytics.Clv;

namespace Tributary.Analytics.Tests.Clv;

public sealed class GammaGammaTests
{
    [Fact]
    public void Fit_CdnowRepeatBuyers_ReproducesPublishedParameters()
    {
        var (x, z) = Cdnow.Spend();

        var fit = GammaGamma.Fit(x, z);

        // Fader & Hardie 2013, "The Gamma-Gamma Model of Monetary Value": p = 6.25, q = 3.74, γ = 15.44 on 946 repeat buyers.
        Assert.Equal(946, fit.Customers);
        Assert.Equal(6.25, fit.Parameters.P, 6.25 * 0.005);
        Assert.Equal(3.74, fit.Parameters.Q, 3.74 * 0.005);
        Assert.Equal(15.44, fit.Parameters.Gamma, 15.44 * 0.005);
    }

    [Fact]
    public void ExpectedAverageValue_ShrinksTowardThePopulationMean()
    {
        var p = new GammaGammaParameters(6.25, 3.74, 15.44);
        var population = p.P * p.Gamma / (p.Q - 1);
        Assert.Equal(population, GammaGamma.ExpectedAverageValue(p, 0, 0), 1e-12);
        var oneBuy = GammaGamma.ExpectedAverageValue(p, 1, 100);
        var manyBuys = GammaGamma.ExpectedAverageValue(p, 20, 100);
        Assert.InRange(oneBuy, population, 100);
        Assert.InRange(manyBuys, oneBuy, 100);
    }

    [Fact]
    public void Fit_TooFewRepeatBuyers_SaysHowManyItGot()
    {
        var e = Assert.Throws<ArgumentException>(() => GammaGamma.Fit([0, 1, 0], [0, 10, 0]));
        Assert.Equal("Gamma-Gamma needs at least 3 repeat buyers with positive spend; got 1.", e.Message);
    }
}
