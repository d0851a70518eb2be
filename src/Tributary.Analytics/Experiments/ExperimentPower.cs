using MathNet.Numerics.Distributions;

namespace Tributary.Analytics.Experiments;

/// <summary>A planned test's sample size, detectable effect and runtime.</summary>
/// <param name="UnitsPerVariant">Units each arm needs to detect <paramref name="TargetRelativeEffect"/> with the requested power.</param>
/// <param name="TargetRelativeEffect">The relative effect planned for.</param>
/// <param name="MinimumDetectableEffect">Relative effect detectable with the requested power at <paramref name="CurrentUnitsPerVariant"/>.</param>
/// <param name="PowerNow">Power against <paramref name="TargetRelativeEffect"/> at <paramref name="CurrentUnitsPerVariant"/>.</param>
/// <param name="CurrentUnitsPerVariant">Units per arm so far (or the planned count).</param>
/// <param name="DaysNeeded">Days to reach <paramref name="UnitsPerVariant"/> at the given traffic (NaN without traffic).</param>
public sealed record PowerPlan(long UnitsPerVariant, double TargetRelativeEffect, double MinimumDetectableEffect, double PowerNow, long CurrentUnitsPerVariant, double DaysNeeded);

/// <summary>
/// Two-sided two-sample z power for a relative effect on a metric mean (the normal approximation GrowthBook's frequentist
/// power uses): Var(lift) = 2σ²(1 − R²)/n per equal arm of n units, where R² is the variance CUPED removes (ρ² of the
/// pre-period covariate). Power(δ) = Φ(δμ/se − z₁₋α/₂) + Φ(−δμ/se − z₁₋α/₂).
/// </summary>
public static class ExperimentPower
{
    /// <summary>Plans a test of <paramref name="arms"/> equal arms on a metric with baseline mean and unit standard deviation.</summary>
    public static PowerPlan Plan(double baselineMean, double unitStdDev, double targetRelativeEffect, long currentUnitsPerVariant, double unitsPerDay,
        int arms = 2, double alpha = 0.05, double power = 0.8, double varianceReduction = 0)
    {
        var za = Normal.InvCDF(0, 1, 1 - alpha / 2);
        var zb = Normal.InvCDF(0, 1, power);
        var unitVariance = 2 * unitStdDev * unitStdDev * (1 - Math.Clamp(varianceReduction, 0, 0.99));
        var needed = (long)Math.Ceiling(Sq(za + zb) * unitVariance / Sq(targetRelativeEffect * baselineMean));
        var mde = currentUnitsPerVariant > 0 ? (za + zb) * Math.Sqrt(unitVariance / currentUnitsPerVariant) / Math.Abs(baselineMean) : double.NaN;
        var powerNow = currentUnitsPerVariant > 0 ? PowerAt(targetRelativeEffect * baselineMean / Math.Sqrt(unitVariance / currentUnitsPerVariant), za) : double.NaN;
        var days = unitsPerDay > 0 ? needed * arms / unitsPerDay : double.NaN;
        return new PowerPlan(needed, targetRelativeEffect, mde, powerNow, currentUnitsPerVariant, days);
    }

    private static double PowerAt(double standardized, double za) => Normal.CDF(0, 1, standardized - za) + Normal.CDF(0, 1, -standardized - za);

    private static double Sq(double x) => x * x;
}
