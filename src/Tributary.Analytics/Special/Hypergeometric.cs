using System.Runtime.Intrinsics;

namespace Tributary.Analytics.Special;

/// <summary>
/// The Gauss hypergeometric function 2F1(a, b; c; z) for real parameters and 0 &lt;= z &lt; 1, the range the
/// buy-till-you-die models need (Abramowitz &amp; Stegun 15.1.1). Accurate near z = 1: when c - a - b &lt; 0 the
/// function diverges like (1 - z)^(c-a-b), so Euler's transformation (A&amp;S 15.3.3)
/// 2F1(a, b; c; z) = (1 - z)^(c-a-b) 2F1(c - a, c - b; c; z) takes that factor out in closed form and leaves a
/// series whose terms fall like n^(c-a-b-1) z^n.
/// </summary>
public static class Hypergeometric
{
    private const int MaxTerms = 2_000_000;

    /// <summary>2F1(a, b; c; z); c must not be zero or a negative integer.</summary>
    /// <exception cref="ArgumentOutOfRangeException">z outside [0, 1).</exception>
    public static double Hyp2F1(double a, double b, double c, double z) => Math.Exp(LogHyp2F1(a, b, c, z));

    /// <summary>ln 2F1(a, b; c; z) for results that are positive (always so when a, b, c &gt; 0).</summary>
    public static double LogHyp2F1(double a, double b, double c, double z)
    {
        if (z is < 0 or >= 1 || double.IsNaN(z)) throw new ArgumentOutOfRangeException(nameof(z), z, "2F1 is implemented for 0 <= z < 1.");
        if (z == 0) return 0;
        // Whichever form has the faster-falling terms: direct (exponent a+b-c-1) or Euler-transformed (c-a-b-1).
        if (c - a - b < 0)
            return (c - a - b) * PreciseMath.Log1P(-z) + Math.Log(Series(c - a, c - b, c, z));
        return Math.Log(Series(a, b, c, z));
    }

    /// <summary>
    /// ln 2F1(a, b; c; z) at several <paramref name="z"/> at once, equal to <see cref="LogHyp2F1(double, double, double, double)"/>
    /// at each: the series' coefficients (a)_n (b)_n / ((c)_n n!) are shared, so each further z costs a multiply and an add per term.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A z outside [0, 1), or fewer results than z values.</exception>
    public static void LogHyp2F1(double a, double b, double c, ReadOnlySpan<double> z, Span<double> result)
    {
        Span<double> log1MinusZ = stackalloc double[z.Length];
        for (var k = 0; k < z.Length; k++) log1MinusZ[k] = z[k] is >= 0 and < 1 ? PreciseMath.Log1P(-z[k]) : double.NaN;
        LogHyp2F1(a, b, c, z, log1MinusZ, result);
    }

    /// <summary>
    /// <see cref="LogHyp2F1(double, double, double, ReadOnlySpan{double}, Span{double})"/> given ln(1 − z) for each z, for
    /// callers that have it already (the BG/NBD forecast uses the same logarithm for every customer of one age).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A z outside [0, 1), or fewer results or logarithms than z values.</exception>
    // Optimized from the first call: the LTV forecast calls it for thousands of (x, T) pairs under dozens of parameter sets
    // within a fraction of a second, before the runtime's tiering would promote it (as for Series below).
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static void LogHyp2F1(double a, double b, double c, ReadOnlySpan<double> z, ReadOnlySpan<double> log1MinusZ, Span<double> result)
    {
        if (result.Length < z.Length) throw new ArgumentOutOfRangeException(nameof(result), result.Length, "one result per z is needed.");
        if (log1MinusZ.Length < z.Length) throw new ArgumentOutOfRangeException(nameof(log1MinusZ), log1MinusZ.Length, "one ln(1 - z) per z is needed.");
        foreach (var v in z)
            if (v is < 0 or >= 1 || double.IsNaN(v)) throw new ArgumentOutOfRangeException(nameof(z), v, "2F1 is implemented for 0 <= z < 1.");
        var euler = c - a - b < 0;
        Series(euler ? c - a : a, euler ? c - b : b, c, z, result);
        for (var k = 0; k < z.Length; k++)
            result[k] = z[k] == 0 ? 0 : euler ? (c - a - b) * log1MinusZ[k] + Math.Log(result[k]) : Math.Log(result[k]);
    }

    // Series below for each z in step, four z to a vector: the term ratio (one division) is shared, and each z costs a
    // multiply and a Kahan-compensated add per term. All z run until the slowest has converged (the scalar form stops each
    // at its own term); the extra terms are below 1e-17 of their sums, so results agree with the scalar form to rounding.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static void Series(double a, double b, double c, ReadOnlySpan<double> z, Span<double> sum)
    {
        var vectors = (z.Length + Vector256<double>.Count - 1) / Vector256<double>.Count;
        Span<double> lanes = stackalloc double[vectors * Vector256<double>.Count];
        lanes.Clear();
        z.CopyTo(lanes);
        Span<Vector256<double>> zs = stackalloc Vector256<double>[vectors];
        Span<Vector256<double>> terms = stackalloc Vector256<double>[vectors];
        Span<Vector256<double>> sums = stackalloc Vector256<double>[vectors];
        Span<Vector256<double>> compensations = stackalloc Vector256<double>[vectors];
        for (var v = 0; v < vectors; v++)
            (zs[v], terms[v], sums[v], compensations[v]) = (Vector256.Create((ReadOnlySpan<double>)lanes.Slice(v * Vector256<double>.Count)), Vector256<double>.One,
                Vector256<double>.One, Vector256<double>.Zero);
        var tolerance = Vector256.Create(1e-17);
        for (var n = 0; n < MaxTerms; n++)
        {
            var ratio = Vector256.Create((a + n) * (b + n) / ((c + n) * (n + 1)));
            var converged = n > 2;
            for (var v = 0; v < vectors; v++)
            {
                var term = terms[v] * (ratio * zs[v]);
                var y = term - compensations[v];
                var t = sums[v] + y;
                compensations[v] = t - sums[v] - y;
                (sums[v], terms[v]) = (t, term);
                converged = converged && Vector256.LessThanOrEqualAll(Vector256.Abs(term), tolerance * Vector256.Abs(t));
            }
            if (!converged) continue;
            for (var v = 0; v < vectors; v++) sums[v].CopyTo(lanes.Slice(v * Vector256<double>.Count));
            lanes[..z.Length].CopyTo(sum);
            return;
        }
        throw new ArithmeticException($"2F1({a}, {b}; {c}; z) did not converge in {MaxTerms} terms for some z in [{string.Join(", ", z.ToArray())}].");
    }

    // A&S 15.1.1, summed with Kahan compensation until a term no longer changes the sum.
    private static double Series(double a, double b, double c, double z)
    {
        double sum = 1, compensation = 0, term = 1;
        for (var n = 0; n < MaxTerms; n++)
        {
            term *= (a + n) * (b + n) / ((c + n) * (n + 1)) * z;
            var y = term - compensation;
            var t = sum + y;
            compensation = t - sum - y;
            sum = t;
            if (Math.Abs(term) <= 1e-17 * Math.Abs(sum) && n > 2) return sum;
            if (term == 0) return sum;
        }
        throw new ArithmeticException($"2F1({a}, {b}; {c}; {z}) did not converge in {MaxTerms} terms.");
    }
}
