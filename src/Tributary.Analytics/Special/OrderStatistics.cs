namespace Tributary.Analytics.Special;

/// <summary>
/// Order statistics by selection rather than sorting: a quantile of n values costs about 2n comparisons instead of
/// n log n, which matters when every one of hundreds of thousands of customers needs two quantiles of its draws.
/// </summary>
public static class OrderStatistics
{
    /// <summary>
    /// The k-th smallest of <paramref name="values"/> (k from 0) by quickselect (Hoare partitioning); afterwards
    /// <paramref name="values"/> is reordered so that no value before index k is larger and none after it is smaller.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">k outside the span.</exception>
    // Optimized from the first call: an interval calls it for each of hundreds of thousands of customers within a second,
    // before the runtime's tiering would promote it.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static double Select(Span<double> values, int k)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(k, values.Length);
        int lo = 0, hi = values.Length - 1;
        while (lo < hi)
        {
            var pivot = Median3(values[lo], values[lo + (hi - lo) / 2], values[hi]);
            int i = lo, j = hi;
            while (i <= j)
            {
                while (values[i] < pivot) i++;
                while (values[j] > pivot) j--;
                if (i <= j)
                {
                    (values[i], values[j]) = (values[j], values[i]);
                    i++;
                    j--;
                }
            }
            if (k <= j) hi = j;
            else if (k >= i) lo = i;
            else return values[k];
        }
        return values[k];
    }

    /// <summary>
    /// The <paramref name="q"/> quantile of <paramref name="values"/> interpolated linearly between the two order statistics
    /// around q·(n − 1), as from the sorted values; reorders <paramref name="values"/>. With a NaN among them the values are
    /// sorted (NaN first, as <see cref="Array.Sort(Array)"/> orders them) so the result is the same as from sorted values.
    /// </summary>
    /// <exception cref="ArgumentException">No values, or q outside [0, 1].</exception>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static double Quantile(Span<double> values, double q)
    {
        if (values.IsEmpty) throw new ArgumentException("a quantile needs at least one value.", nameof(values));
        if (q is < 0 or > 1 || double.IsNaN(q)) throw new ArgumentException($"q must be in [0, 1], got {q}.", nameof(q));
        var position = q * (values.Length - 1);
        var lower = (int)Math.Floor(position);
        var upper = Math.Min(lower + 1, values.Length - 1);
        if (HasNaN(values))
        {
            values.Sort();
            return values[lower] + (position - lower) * (values[upper] - values[lower]);
        }
        var low = Select(values, lower);
        var high = upper == lower ? low : Min(values[upper..]);
        return low + (position - lower) * (high - low);
    }

    // Loops, which the runtime does not inline unasked: optimized from the first call like their callers.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static bool HasNaN(ReadOnlySpan<double> span)
    {
        foreach (var v in span) if (double.IsNaN(v)) return true;
        return false;
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static double Min(ReadOnlySpan<double> span)
    {
        var min = double.PositiveInfinity;
        foreach (var v in span) if (v < min) min = v;
        return min;
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static double Median3(double a, double b, double c) => Math.Max(Math.Min(a, b), Math.Min(Math.Max(a, b), c));
}
