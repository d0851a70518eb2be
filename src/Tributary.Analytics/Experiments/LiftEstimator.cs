using MathNet.Numerics.Distributions;

namespace Tributary.Analytics.Experiments;

/// <summary>
/// Fixed-horizon lift of a variant over control from sufficient statistics: Welch's test on the absolute lift, the delta
/// method for the relative lift (Deng, Knoblich &amp; Lu 2018, "Applying the Delta Method in Metric Analytics", eq. 3),
/// CUPED (Deng, Xu, Kohavi &amp; Walker 2013, eq. 4: Y − θ(X − E X), θ = Cov(X, Y)/Var(X) pooled over the arms) extended to
/// regression on two covariates, ratio metrics by the delta method (CUPED on their linearization with the pre-exposure
/// numerator and denominator), and post-stratification (Miratrix, Sekhon &amp; Yu 2013: stratum means weighted by
/// the pooled stratum shares).
/// </summary>
public static class LiftEstimator
{
    /// <summary>Control and treatment estimates from moments per stratum (one element when not stratified).</summary>
    public static (ArmEstimate Control, ArmEstimate Treatment) EstimateArms(IReadOnlyList<(ArmMoments Control, ArmMoments Treatment)> strata, MetricShape shape, bool cuped)
    {
        var usable = MergeSmallStrata(strata);
        var total = usable.Sum(s => (double)(s.Control.N + s.Treatment.N));
        double mc = 0, vc = 0, v0c = 0, mt = 0, vt = 0, v0t = 0;
        long nc = 0, nt = 0;
        foreach (var (c, t) in usable)
        {
            // Post-stratification weight: the stratum's share of all units, the same for both arms.
            var w = (c.N + t.N) / total;
            var theta = cuped ? Theta(c, t, shape) : new double[Values];
            var pooled = Means(c + t);
            var (ec, e0c) = Arm(c, shape, theta, pooled);
            var (et, e0t) = Arm(t, shape, theta, pooled);
            mc += w * ec.Mean; vc += w * w * ec.Variance; v0c += w * w * e0c;
            mt += w * et.Mean; vt += w * w * et.Variance; v0t += w * w * e0t;
            nc += c.N; nt += t.N;
        }
        return (new ArmEstimate(mc, vc, nc, v0c), new ArmEstimate(mt, vt, nt, v0t));
    }

    /// <summary>Absolute and relative lift of <paramref name="treatment"/> over <paramref name="control"/> with (1 − α) intervals.</summary>
    public static LiftEstimate Compare(ArmEstimate control, ArmEstimate treatment, double alpha = 0.05)
    {
        var absolute = treatment.Mean - control.Mean;
        var variance = treatment.Variance + control.Variance;
        var se = Math.Sqrt(variance);
        // Welch–Satterthwaite degrees of freedom from the two arms' variances of the mean.
        var df = variance * variance / (Sq(treatment.Variance) / Math.Max(1, treatment.Units - 1) + Sq(control.Variance) / Math.Max(1, control.Units - 1));
        if (!double.IsFinite(df) || df <= 0) df = Math.Max(1, control.Units + treatment.Units - 2);
        var q = StudentT.InvCDF(0, 1, df, 1 - alpha / 2);
        var relative = treatment.Mean / control.Mean - 1;
        // Delta method for m_t/m_c: Var ≈ v_t/m_c² + m_t²·v_c/m_c⁴.
        var relativeSe = Math.Sqrt(treatment.Variance / Sq(control.Mean) + Sq(treatment.Mean) * control.Variance / Math.Pow(control.Mean, 4));
        var z = relative / relativeSe;
        var p = double.IsFinite(z) ? 2 * (1 - StudentT.CDF(0, 1, df, Math.Abs(z))) : double.NaN;
        var unadjusted = treatment.UnadjustedVariance + control.UnadjustedVariance;
        var reduction = unadjusted > 0 ? 1 - variance / unadjusted : 0;
        return new LiftEstimate(control, treatment, absolute, se, relative, relativeSe, df,
            absolute - q * se, absolute + q * se, relative - q * relativeSe, relative + q * relativeSe, p, reduction);
    }

    /// <summary>Two-sided p-value of the absolute lift (Welch's t).</summary>
    public static double AbsolutePValue(LiftEstimate lift) =>
        2 * (1 - StudentT.CDF(0, 1, lift.DegreesOfFreedom, Math.Abs(lift.Absolute / lift.AbsoluteStdError)));

    // A unit's values are y, x, z, w (indices 0–3). A mean's covariates are x (its own pre-exposure value) and z (a further
    // covariate); a ratio's are z and w, its pre-exposure numerator and denominator (x being its denominator).
    private const int Values = 4;

    private static int[] CovariatesOf(MetricShape shape) => shape == MetricShape.Mean ? [1, 2] : [2, 3];

    // Regression adjustment (CUPED with several covariates; Statsig's CURE, Eppo's CUPED++): θ solves the normal equations
    // of the arm's linearized outcome on the covariates, with within-arm cross-products pooled over both arms (Deng, Xu,
    // Kohavi & Walker 2013, eq. 4 and Appendix B for ratios, whose outcome is the delta-method linearization
    // (y − R·x)/x̄). A covariate that does not vary, or repeats the one before it, gets θ = 0.
    internal static double[] Theta(ArmMoments c, ArmMoments t, MetricShape shape)
    {
        var theta = new double[Values];
        var (pc, pt) = (Centered(c), Centered(t));
        var (gc, gt) = (Gradient(c, shape), Gradient(t, shape));
        var raw = new[] { c.SumY2 + t.SumY2, c.SumX2 + t.SumX2, c.Covariates.SumZ2 + t.Covariates.SumZ2, c.Covariates.SumW2 + t.Covariates.SumW2 };
        var kept = CovariatesOf(shape).Where(j => pc[j, j] + pt[j, j] > 1e-12 * Math.Max(1, raw[j])).ToList();
        double Sxx(int i, int j) => pc[i, j] + pt[i, j];
        double Sxy(int j)
        {
            double sum = 0;
            for (var i = 0; i < Values; i++) sum += gc[i] * pc[i, j] + gt[i] * pt[i, j];
            return sum;
        }
        if (kept.Count == 2)
        {
            var (a, b) = (kept[0], kept[1]);
            var det = Sxx(a, a) * Sxx(b, b) - Sxx(a, b) * Sxx(a, b);
            if (det > 1e-12 * Sxx(a, a) * Sxx(b, b))
            {
                theta[a] = (Sxx(b, b) * Sxy(a) - Sxx(a, b) * Sxy(b)) / det;
                theta[b] = (Sxx(a, a) * Sxy(b) - Sxx(a, b) * Sxy(a)) / det;
                return theta;
            }
            kept.RemoveAt(1);
        }
        if (kept.Count == 1) theta[kept[0]] = Sxy(kept[0]) / Sxx(kept[0], kept[0]);
        return theta;
    }

    private static double Centered(double sumAb, double sumA, double sumB, long n) => n == 0 ? 0 : sumAb - sumA * sumB / n;

    private static double[] Sums(ArmMoments m) => [m.SumY, m.SumX, m.Covariates.SumZ, m.Covariates.SumW];

    private static double[] Means(ArmMoments m) => Sums(m).Select(s => m.N == 0 ? double.NaN : s / m.N).ToArray();

    // Σ(a − ā)(b − b̄) over the arm's units for every pair of values.
    private static double[,] Centered(ArmMoments m)
    {
        var k = m.Covariates;
        double[,] cross = { { m.SumY2, m.SumXY, k.SumYZ, k.SumYW }, { m.SumXY, m.SumX2, k.SumXZ, k.SumXW }, { k.SumYZ, k.SumXZ, k.SumZ2, k.SumZW }, { k.SumYW, k.SumXW, k.SumZW, k.SumW2 } };
        var sums = Sums(m);
        var centered = new double[Values, Values];
        for (var i = 0; i < Values; i++)
            for (var j = 0; j < Values; j++) centered[i, j] = Centered(cross[i, j], sums[i], sums[j], m.N);
        return centered;
    }

    // Gradient of the arm's estimate in the means of y, x, z, w: a mean's is (1, 0, 0, 0); a ratio ȳ/x̄'s is
    // (1/x̄, −ȳ/x̄², 0, 0), so the linearized unit value is (y − R·x)/x̄ (Deng, Knoblich & Lu 2018).
    private static double[] Gradient(ArmMoments m, MetricShape shape) =>
        shape == MetricShape.Mean ? [1, 0, 0, 0] : [1 / m.MeanX, -m.MeanY / (m.MeanX * m.MeanX), 0, 0];

    private static (ArmEstimate Estimate, double Unadjusted) Arm(ArmMoments m, MetricShape shape, double[] theta, double[] pooledMeans)
    {
        var estimate = shape == MetricShape.Ratio ? m.SumY / m.SumX : m.MeanY;
        if (m.N < 2) return (new ArmEstimate(estimate, double.NaN, m.N, double.NaN), double.NaN);
        var g = Gradient(m, shape);
        var centered = Centered(m);
        var means = Means(m);
        // The adjusted unit value is g·v − θ·v; its variance is (g − θ)ᵀ S (g − θ)/(n − 1), and the unadjusted g ᵀ S g/(n − 1).
        double adjusted = 0, unadjusted = 0, shift = 0;
        for (var i = 0; i < Values; i++)
        {
            shift += theta[i] == 0 ? 0 : theta[i] * (means[i] - pooledMeans[i]);
            for (var j = 0; j < Values; j++)
            {
                adjusted += (g[i] - theta[i]) * (g[j] - theta[j]) * centered[i, j];
                unadjusted += g[i] * g[j] * centered[i, j];
            }
        }
        var unadjustedVariance = Math.Max(0, unadjusted / (m.N - 1)) / m.N;
        var variance = theta.All(t => t == 0) ? unadjustedVariance : Math.Max(0, adjusted / (m.N - 1)) / m.N;
        return (new ArmEstimate(estimate - shift, variance, m.N, unadjustedVariance), unadjustedVariance);
    }

    // Strata need two units in each arm for a variance; smaller ones are pooled together, and into the largest if still small.
    private static List<(ArmMoments Control, ArmMoments Treatment)> MergeSmallStrata(IReadOnlyList<(ArmMoments Control, ArmMoments Treatment)> strata)
    {
        var kept = strata.Where(s => s.Control.N >= 2 && s.Treatment.N >= 2).ToList();
        var rest = strata.Where(s => s.Control.N < 2 || s.Treatment.N < 2).Aggregate((Control: default(ArmMoments), Treatment: default(ArmMoments)),
            (a, s) => (a.Control + s.Control, a.Treatment + s.Treatment));
        if (rest.Control.N + rest.Treatment.N == 0) return kept;
        if ((rest.Control.N >= 2 && rest.Treatment.N >= 2) || kept.Count == 0) { kept.Add(rest); return kept; }
        var largest = kept.IndexOf(kept.MaxBy(s => s.Control.N + s.Treatment.N));
        kept[largest] = (kept[largest].Control + rest.Control, kept[largest].Treatment + rest.Treatment);
        return kept;
    }

    private static double Sq(double x) => x * x;
}
