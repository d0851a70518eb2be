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
