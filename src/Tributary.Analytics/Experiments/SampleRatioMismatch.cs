using MathNet.Numerics.Distributions;

namespace Tributary.Analytics.Experiments;

/// <summary>Pearson's chi-square goodness-of-fit test of the observed units per arm against the planned split.</summary>
public static class SampleRatioMismatch
{
    /// <summary>The p-value that counts this far from <paramref name="plannedWeights"/> arise by chance (NaN with no units or under two arms).</summary>
    /// <param name="units">Units per arm.</param>
    /// <param name="plannedWeights">Planned traffic share per arm, in the same order; normalized here.</param>
    public static (double ChiSquare, double PValue) Test(IReadOnlyList<long> units, IReadOnlyList<double> plannedWeights)
    {
        if (units.Count != plannedWeights.Count) throw new ArgumentException("units and plannedWeights need one value per arm each.");
        double total = units.Sum(), weights = plannedWeights.Sum();
        if (units.Count < 2 || total == 0 || weights <= 0) return (double.NaN, double.NaN);
        var chi = 0.0;
        for (var i = 0; i < units.Count; i++)
        {
            var expected = total * plannedWeights[i] / weights;
            chi += (units[i] - expected) * (units[i] - expected) / expected;
        }
        return (chi, 1 - ChiSquared.CDF(units.Count - 1, chi));
    }
}
