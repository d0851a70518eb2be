namespace Tributary.Analytics.Experiments;

/// <summary>
/// Sufficient statistics of one arm (or one arm within a stratum): unit count and the sums, sums of squares and
/// cross-product of a per-unit value <c>y</c> and a second per-unit value <c>x</c> (the pre-exposure covariate for
/// CUPED, or the denominator of a ratio metric), and optionally of two more values (<see cref="Covariates"/>). Everything
/// the estimators need, so units never leave the warehouse.
/// </summary>
public readonly record struct ArmMoments(long N, double SumY, double SumY2, double SumX, double SumX2, double SumXY)
{
    /// <summary>Sums of the further covariates z and w (all zero when there are none).</summary>
    public CovariateMoments Covariates { get; init; }

    /// <summary>Moments of the given per-unit values with the further covariates z and w.</summary>
    public static ArmMoments Of(ReadOnlySpan<double> y, ReadOnlySpan<double> x, ReadOnlySpan<double> z, ReadOnlySpan<double> w)
    {
        var m = default(ArmMoments);
        for (var i = 0; i < y.Length; i++) m = m.Add(y[i], x[i], z.Length == 0 ? 0 : z[i], w.Length == 0 ? 0 : w[i]);
        return m;
    }

    /// <summary>Moments of the given per-unit values.</summary>
    public static ArmMoments Of(ReadOnlySpan<double> y, ReadOnlySpan<double> x)
    {
        double sy = 0, syy = 0, sx = 0, sxx = 0, sxy = 0;
        for (var i = 0; i < y.Length; i++)
        {
            var xi = x.Length == 0 ? 0 : x[i];
            sy += y[i]; syy += y[i] * y[i]; sx += xi; sxx += xi * xi; sxy += xi * y[i];
        }
        return new ArmMoments(y.Length, sy, syy, sx, sxx, sxy);
    }

    /// <summary>The moments of both sets of units together.</summary>
    public static ArmMoments operator +(ArmMoments a, ArmMoments b) =>
        new(a.N + b.N, a.SumY + b.SumY, a.SumY2 + b.SumY2, a.SumX + b.SumX, a.SumX2 + b.SumX2, a.SumXY + b.SumXY) { Covariates = a.Covariates + b.Covariates };

    /// <summary>One more unit.</summary>
    public ArmMoments Add(double y, double x = 0) => new(N + 1, SumY + y, SumY2 + y * y, SumX + x, SumX2 + x * x, SumXY + x * y) { Covariates = Covariates };

    /// <summary>One more unit with its further covariates z and w.</summary>
    public ArmMoments Add(double y, double x, double z, double w) => Add(y, x) with { Covariates = Covariates + CovariateMoments.Of(y, x, z, w) };

    /// <summary>Mean of y (NaN with no units).</summary>
    public double MeanY => N == 0 ? double.NaN : SumY / N;
    /// <summary>Mean of x (NaN with no units).</summary>
    public double MeanX => N == 0 ? double.NaN : SumX / N;
    /// <summary>
    /// The arm's observed value, before any adjustment: ȳ for a mean metric, Σy/Σx for a ratio (NaN with no units or no
    /// denominator). What a reader recomputes from the raw data; CUPED and post-stratification estimate the same quantity.
    /// </summary>
    public double Observed(MetricShape shape) => shape == MetricShape.Ratio ? (SumX == 0 ? double.NaN : SumY / SumX) : MeanY;
    /// <summary>Sample variance of y, n − 1 in the denominator (NaN below two units).</summary>
    public double VarianceY => N < 2 ? double.NaN : Math.Max(0, (SumY2 - SumY * SumY / N) / (N - 1));
    /// <summary>Sample variance of x.</summary>
    public double VarianceX => N < 2 ? double.NaN : Math.Max(0, (SumX2 - SumX * SumX / N) / (N - 1));
    /// <summary>Sample covariance of x and y.</summary>
    public double Covariance => N < 2 ? double.NaN : (SumXY - SumX * SumY / N) / (N - 1);
}
