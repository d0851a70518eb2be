using Tributary.Analytics.Experiments;

namespace Tributary.Analytics.Tests.Experiments;

public sealed class BayesianLiftTests
{
    [Fact]
    public void Posterior_FlatPrior_IsTheLikelihood()
    {
        var p = BayesianLift.Posterior(0.1, 0.05, priorStdDev: 0);
        Assert.Equal(0.1, p.Mean, 1e-12);
        Assert.Equal(0.05, p.StdDev, 1e-12);
        // Φ(2) = 0.97725.
        Assert.Equal(0.97725, p.ChanceToBeatControl, 1e-5);
        Assert.Equal(0.1 - 1.959964 * 0.05, p.Low, 1e-6);
    }

    [Fact]
    public void Posterior_DefaultPrior_ShrinksTowardZeroByPrecision()
    {
        // Prior N(0, 0.3²), likelihood N(0.1, 0.1²): posterior mean 0.1·(1/0.01)/(1/0.01 + 1/0.09) = 0.09, sd √(1/111.11) = 0.094868.
        var p = BayesianLift.Posterior(0.1, 0.1);
        Assert.Equal(0.09, p.Mean, 1e-12);
        Assert.Equal(0.0948683, p.StdDev, 1e-7);
    }

    [Fact]
    public void Posterior_Risks_MatchNumericalIntegration()
    {
        var p = BayesianLift.Posterior(0.02, 0.03, priorStdDev: 0);
        double ship = 0, control = 0;
        const double step = 1e-5;
        for (var l = -0.3; l <= 0.3; l += step)
        {
            var density = Math.Exp(-0.5 * Math.Pow((l - 0.02) / 0.03, 2)) / (0.03 * Math.Sqrt(2 * Math.PI));
            ship += Math.Max(0, -l) * density * step;
            control += Math.Max(0, l) * density * step;
        }
        Assert.Equal(ship, p.RiskOfShipping, 1e-6);
        Assert.Equal(control, p.RiskOfKeepingControl, 1e-6);
        // E[max(0, L)] − E[max(0, −L)] = E[L].
        Assert.Equal(0.02, p.RiskOfKeepingControl - p.RiskOfShipping, 1e-12);
    }
}
