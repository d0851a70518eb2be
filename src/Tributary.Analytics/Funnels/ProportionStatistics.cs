namespace Tributary.Analytics.Funnels;

/// <summary>
/// The tests behind funnel correlation and conversion opportunities: the odds ratio of a 2x2 table with its Wald
/// confidence interval (Agresti 2013, <i>Categorical Data Analysis</i>, 3rd ed., §3.1.1), the pooled two-proportion
/// z-test (§3.1.3), and Holm's and Benjamini-Hochberg's corrections for many comparisons.
/// </summary>
public static class ProportionStatistics
{
    /// <summary>
    /// Odds ratio of an event among successes against failures, with one added to every cell (PostHog's correlation does the
    /// same, and it keeps a zero cell finite; Agresti §3.1.1 discusses the adjustment).
    /// </summary>
    /// <param name="successWith">Successes that have the event.</param>
    /// <param name="successes">All successes.</param>
    /// <param name="failureWith">Failures that have the event.</param>
    /// <param name="failures">All failures.</param>
    /// <param name="confidence">Two-sided level of the interval, e.g. 0.95.</param>
    public static OddsRatio Odds(long successWith, long successes, long failureWith, long failures, double confidence = 0.95)
    {
        if (successWith < 0 || failureWith < 0 || successWith > successes || failureWith > failures)
            throw new ArgumentOutOfRangeException(nameof(successWith), "cell counts must lie between zero and their totals.");
        double a = successWith + 1, b = successes - successWith + 1, c = failureWith + 1, d = failures - failureWith + 1;
        var logRatio = Math.Log(a / b) - Math.Log(c / d);
        // Var(log OR) = 1/a + 1/b + 1/c + 1/d (Agresti eq. 3.1).
        var se = Math.Sqrt(1 / a + 1 / b + 1 / c + 1 / d);
        var z = NormalQuantile(0.5 + confidence / 2);
        return new OddsRatio(Math.Exp(logRatio), Math.Exp(logRatio - z * se), Math.Exp(logRatio + z * se), TwoSidedP(logRatio / se));
    }

    /// <summary>
    /// Pooled two-proportion z-test of x1/n1 against x2/n2 (Agresti §3.1.3); p is 1 when either group or the pooled
    /// proportion is empty or degenerate (all or none converted), where the test says nothing.
    /// </summary>
    public static ProportionTest TwoProportions(long x1, long n1, long x2, long n2)
    {
        var p1 = n1 == 0 ? double.NaN : (double)x1 / n1;
        var p2 = n2 == 0 ? double.NaN : (double)x2 / n2;
        if (n1 == 0 || n2 == 0) return new ProportionTest(p1, p2, 0, 1);
        var pooled = (double)(x1 + x2) / (n1 + n2);
        var se = Math.Sqrt(pooled * (1 - pooled) * (1.0 / n1 + 1.0 / n2));
        if (se == 0) return new ProportionTest(p1, p2, 0, 1);
        var z = (p1 - p2) / se;
        return new ProportionTest(p1, p2, z, TwoSidedP(z));
    }

    /// <summary>Holm's step-down adjusted p-values (Holm 1979), in the order given; they control the family-wise error rate.</summary>
    public static double[] Holm(IReadOnlyList<double> p)
    {
        var m = p.Count;
        var order = Enumerable.Range(0, m).OrderBy(i => p[i]).ToArray();
        var adjusted = new double[m];
        var running = 0.0;
        for (var r = 0; r < m; r++)
        {
            running = Math.Max(running, Math.Min(1, (m - r) * p[order[r]]));
            adjusted[order[r]] = running;
        }
        return adjusted;
    }

    /// <summary>Benjamini-Hochberg adjusted p-values (Benjamini &amp; Hochberg 1995), in the order given; they control the false discovery rate.</summary>
    public static double[] BenjaminiHochberg(IReadOnlyList<double> p)
    {
        var m = p.Count;
        var order = Enumerable.Range(0, m).OrderByDescending(i => p[i]).ToArray();
        var adjusted = new double[m];
        var running = 1.0;
        for (var r = 0; r < m; r++)
        {
            var rank = m - r;
            running = Math.Min(running, Math.Min(1, p[order[r]] * m / rank));
            adjusted[order[r]] = running;
        }
        return adjusted;
    }

    /// <summary>Bonferroni adjusted p-values: each times the number of tests, at most 1.</summary>
    public static double[] Bonferroni(IReadOnlyList<double> p) => p.Select(x => Math.Min(1, x * p.Count)).ToArray();

    /// <summary>Two-sided p-value of a standard normal statistic: erfc(|z|/√2).</summary>
    public static double TwoSidedP(double z) => double.IsNaN(z) ? 1 : Erfc(Math.Abs(z) / Math.Sqrt(2));

    /// <summary>
    /// Complementary error function by the Chebyshev fit of Press et al., <i>Numerical Recipes</i> 3rd ed. §6.2.2
    /// (fractional error below 1.2e-7 everywhere).
    /// </summary>
    public static double Erfc(double x)
    {
        var z = Math.Abs(x);
        var t = 1 / (1 + 0.5 * z);
        var r = t * Math.Exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807
            + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? r : 2 - r;
    }

    /// <summary>
    /// The standard normal quantile by Acklam's rational approximation refined with one Halley step on <see cref="Erfc"/>
    /// (relative error about 1e-9 for p in (0, 1)).
    /// </summary>
    public static double NormalQuantile(double p)
    {
        if (p <= 0 || p >= 1) throw new ArgumentOutOfRangeException(nameof(p), "p must lie strictly between 0 and 1.");
        double[] a = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00];
        double[] b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01, -1.328068155288572e+01];
        double[] c = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00];
        double[] d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00];
        double x;
        if (p < 0.02425)
        {
            var q = Math.Sqrt(-2 * Math.Log(p));
            x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
        }
        else if (p > 1 - 0.02425)
        {
            var q = Math.Sqrt(-2 * Math.Log(1 - p));
            x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
        }
        else
        {
            var q = p - 0.5;
            var r = q * q;
            x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
        }
        var e = 0.5 * Erfc(-x / Math.Sqrt(2)) - p;
        var u = e * Math.Sqrt(2 * Math.PI) * Math.Exp(x * x / 2);
        return x - u / (1 + x * u / 2);
    }
}

/// <summary>An odds ratio with its confidence interval and the two-sided p-value of log OR = 0.</summary>
public readonly record struct OddsRatio(double Ratio, double Low, double High, double PValue);

/// <summary>A two-proportion test: both proportions, the z statistic and its two-sided p-value.</summary>
public readonly record struct ProportionTest(double P1, double P2, double Z, double PValue);
