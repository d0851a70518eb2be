namespace Tributary.Analytics.Experiments;

/// <summary>
/// Asymptotic confidence sequences (Waudby-Smith, Arnold, Wu, Wang, Ramdas 2024, "Time-uniform central limit theory and
/// asymptotic confidence sequences", Annals of Statistics, Theorem 2.2 with the normal mixture), as GrowthBook applies
/// them to a difference of means: with N units in both arms and σ̂ = standard error × √N, the interval
/// estimate ± σ̂ · √(2(Nρ² + 1)/(N²ρ²) · ln(√(Nρ² + 1)/α)) covers the truth at every N at once with probability 1 − α,
/// so results may be read at any time. ρ is tuned to make the sequence tightest at <c>tuningUnits</c> (the paper's
/// approximate optimum, ρ² = (−2 ln α + ln(−2 ln α + 1)) / N*).
/// </summary>
public static class ConfidenceSequence
{
    /// <summary>The half-width of the (1 − α) confidence sequence for an estimate with <paramref name="standardError"/> from <paramref name="units"/> units.</summary>
    public static double HalfWidth(double standardError, long units, double alpha = 0.05, double tuningUnits = 5000)
    {
        if (units <= 0 || !double.IsFinite(standardError)) return double.NaN;
        var rho2 = Rho2(alpha, tuningUnits);
        double n = units;
        var sigma = standardError * Math.Sqrt(n);
        return sigma * Math.Sqrt(2 * (n * rho2 + 1) / (n * n * rho2) * Math.Log(Math.Sqrt(n * rho2 + 1) / alpha));
    }

    /// <summary>The mixing variance ρ² that minimizes the width at <paramref name="tuningUnits"/>.</summary>
    public static double Rho2(double alpha, double tuningUnits) => (-2 * Math.Log(alpha) + Math.Log(-2 * Math.Log(alpha) + 1)) / tuningUnits;
}
