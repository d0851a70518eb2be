using MathNet.Numerics.Distributions;

namespace Tributary.Analytics.Experiments;

/// <summary>
/// Fixed-horizon lift of a variant over control from sufficient statistics: Welch's test on the absolute lift, the delta
/// method for the relative lift (Deng, Knoblich &amp; Lu 2018, "Applying the Delta Method in Metric Analytics", eq. 3),
/// CUPED (Deng, Xu, Kohavi &amp; Walker 2013, eq. 4: Y − θ(X − E X), θ = Cov(X, Y)/Var(X) pooled over the arms), ratio
/// metrics by the delta method, and post-stratification (Miratrix, Sekhon &amp; Yu 2013: stratum means weighted by
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
            var theta = shape == MetricShape.Mean && cuped ? Theta(c, t) : 0;
            var meanX = (c.SumX + t.SumX) / (c.N + t.N);
            var (ec, e0c) = Arm(c, shape, theta, meanX);
            var (et, e0t) = Arm(t, shape, theta, meanX);
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

    // θ = Σ within-arm cross-products / Σ within-arm x sums of squares (pooled over arms); 0 when x does not vary.
    internal static double Theta(ArmMoments c, ArmMoments t)
    {
        var sxx = Centered(c.SumX2, c.SumX, c.SumX, c.N) + Centered(t.SumX2, t.SumX, t.SumX, t.N);
        var sxy = Centered(c.SumXY, c.SumX, c.SumY, c.N) + Centered(t.SumXY, t.SumX, t.SumY, t.N);
        return sxx > 1e-12 * Math.Max(1, c.SumX2 + t.SumX2) ? sxy / sxx : 0;
    }

    private static double Centered(double sumAb, double sumA, double sumB, long n) => n == 0 ? 0 : sumAb - sumA * sumB / n;

    private static (ArmEstimate Estimate, double Unadjusted) Arm(ArmMoments m, MetricShape shape, double theta, double pooledMeanX)
    {
        if (shape == MetricShape.Ratio)
        {
            var ratio = m.SumY / m.SumX;
            // Delta method for Σy/Σx: (Var y − 2R Cov + R² Var x) / (n · x̄²).
            var v = (m.VarianceY - 2 * ratio * m.Covariance + ratio * ratio * m.VarianceX) / (m.N * Sq(m.MeanX));
            return (new ArmEstimate(ratio, Math.Max(0, v), m.N, v), Math.Max(0, v));
        }
        var unadjusted = m.VarianceY / m.N;
        if (theta == 0) return (new ArmEstimate(m.MeanY, unadjusted, m.N, unadjusted), unadjusted);
        var adjusted = m.MeanY - theta * (m.MeanX - pooledMeanX);
        var unitVariance = Math.Max(0, m.VarianceY - 2 * theta * m.Covariance + theta * theta * m.VarianceX);
        return (new ArmEstimate(adjusted, unitVariance / m.N, m.N, unadjusted), unadjusted);
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
