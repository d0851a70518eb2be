namespace Tributary.Analytics.Experiments;

/// <summary>Adjusted p-values for a family of tests (e.g. every variant × metric of one role).</summary>
public static class MultipleComparisons
{
    /// <summary>Holm's step-down adjustment (Holm 1979), controlling the family-wise error rate. NaN p-values stay NaN and do not count.</summary>
    public static double[] Holm(IReadOnlyList<double> pValues)
    {
        var order = Order(pValues);
        var adjusted = Enumerable.Repeat(double.NaN, pValues.Count).ToArray();
        var m = order.Length;
        var running = 0.0;
        for (var k = 0; k < m; k++)
        {
            // p_(k) · (m − k), made monotone from the smallest p up.
            running = Math.Max(running, Math.Min(1, (m - k) * pValues[order[k]]));
            adjusted[order[k]] = running;
        }
        return adjusted;
    }

    /// <summary>Benjamini–Hochberg step-up adjustment (1995), controlling the false discovery rate. NaN p-values stay NaN and do not count.</summary>
    public static double[] BenjaminiHochberg(IReadOnlyList<double> pValues)
    {
        var order = Order(pValues);
        var adjusted = Enumerable.Repeat(double.NaN, pValues.Count).ToArray();
        var m = order.Length;
        var running = 1.0;
        for (var k = m - 1; k >= 0; k--)
        {
            // p_(k) · m / rank, made monotone from the largest p down.
            running = Math.Min(running, m * pValues[order[k]] / (k + 1));
            adjusted[order[k]] = running;
        }
        return adjusted;
    }

    private static int[] Order(IReadOnlyList<double> p) =>
        Enumerable.Range(0, p.Count).Where(i => !double.IsNaN(p[i])).OrderBy(i => p[i]).ThenBy(i => i).ToArray();
}
