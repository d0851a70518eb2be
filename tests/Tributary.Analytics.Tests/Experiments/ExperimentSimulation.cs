using Tributary.Analytics.Experiments;

namespace Tributary.Analytics.Tests.Experiments;

/// <summary>Seeded per-unit data for the simulations, reduced to moments in C# as the warehouse would.</summary>
internal static class ExperimentSimulation
{
    public static double Gaussian(Random random)
    {
        // Box–Muller; one draw per call keeps the stream simple to reason about.
        var u = 1 - random.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u)) * Math.Cos(2 * Math.PI * random.NextDouble());
    }

    /// <summary>An arm of n units with y ~ N(mean, sd²) and, when rho is non-zero, a pre-period x correlated rho with y.</summary>
    public static ArmMoments NormalArm(Random random, int n, double mean, double sd, double rho = 0)
    {
        var m = default(ArmMoments);
        for (var i = 0; i < n; i++)
        {
            var x = Gaussian(random);
            var y = mean + sd * (rho * x + Math.Sqrt(1 - rho * rho) * Gaussian(random));
            m = m.Add(y, x);
        }
        return m;
    }

    /// <summary>An arm of n Bernoulli(p) conversions.</summary>
    public static ArmMoments ConversionArm(Random random, int n, double p)
    {
        long k = 0;
        for (var i = 0; i < n; i++) if (random.NextDouble() < p) k++;
        return new ArmMoments(n, k, k, 0, 0, 0);
    }

    public static LiftEstimate Compare(ArmMoments control, ArmMoments treatment, bool cuped = false, double alpha = 0.05)
    {
        var (c, t) = LiftEstimator.EstimateArms([(control, treatment)], MetricShape.Mean, cuped);
        return LiftEstimator.Compare(c, t, alpha);
    }
}
