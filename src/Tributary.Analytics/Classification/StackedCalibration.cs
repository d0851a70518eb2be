namespace Tributary.Analytics.Classification;

/// <summary>
/// Calibration that also stacks: P(y = 1) = σ(w₀ + Σ wⱼ·zⱼ) fitted by Newton's method (maximum likelihood with a small
/// ridge, λ = 1e-3) on a held-out fold, over a few log-odds inputs such as a boosted model's margin and a baseline's
/// logit. With the margin alone it is Platt scaling without target smoothing; with a baseline beside it, the result
/// ranks at least as well as the better of the two on the fold it was fitted on (the likelihood can set the other
/// weight to zero).
/// </summary>
public sealed record StackedCalibration(IReadOnlyList<double> Weights)
{
    /// <summary>Calibrated probability of one row of inputs.</summary>
    public double Probability(ReadOnlySpan<double> inputs)
    {
        var f = Weights[0];
        for (var j = 0; j < inputs.Length; j++) f += Weights[j + 1] * inputs[j];
        return f >= 0 ? 1 / (1 + Math.Exp(-f)) : Math.Exp(f) / (1 + Math.Exp(f));
    }

    /// <summary>Log-odds of a probability, clamped to [1e-6, 1 − 1e-6] so 0 and 1 stay finite.</summary>
    public static double Logit(double p)
    {
        p = Math.Clamp(p, 1e-6, 1 - 1e-6);
        return Math.Log(p / (1 - p));
    }

    /// <summary>Mean negative log-likelihood (log loss, natural log) of the outcomes under this calibration. NaN for no rows.</summary>
    public double LogLoss(IReadOnlyList<double[]> rows, IReadOnlyList<bool> labels)
    {
        if (rows.Count == 0) return double.NaN;
        double sum = 0;
        for (var i = 0; i < rows.Count; i++)
        {
            var p = Math.Clamp(Probability(rows[i]), 1e-12, 1 - 1e-12);
            sum -= Math.Log(labels[i] ? p : 1 - p);
        }
        return sum / rows.Count;
    }

    /// <summary>Fits the weights on rows of inputs and outcomes.</summary>
    public static StackedCalibration Fit(IReadOnlyList<double[]> rows, IReadOnlyList<bool> labels)
    {
        var k = rows.Count == 0 ? 1 : rows[0].Length + 1;
        var w = new double[k];
        const double ridge = 1e-3;
        for (var iteration = 0; iteration < 50; iteration++)
        {
            var g = new double[k];
            var h = new double[k, k];
            for (var i = 0; i < rows.Count; i++)
            {
                var p = new StackedCalibration(w).Probability(rows[i]);
                var r = (labels[i] ? 1 : 0) - p;
                var v = p * (1 - p);
                for (var a = 0; a < k; a++)
                {
                    var xa = a == 0 ? 1 : rows[i][a - 1];
                    g[a] += r * xa;
                    for (var b = 0; b < k; b++) h[a, b] += v * xa * (b == 0 ? 1 : rows[i][b - 1]);
                }
            }
            for (var a = 1; a < k; a++) { g[a] -= ridge * w[a]; h[a, a] += ridge; }
            for (var a = 0; a < k; a++) h[a, a] += 1e-9;
            var step = Solve(h, g);
            var size = 0.0;
            for (var a = 0; a < k; a++) { w[a] += step[a]; size = Math.Max(size, Math.Abs(step[a])); }
            if (size < 1e-9) break;
        }
        return new StackedCalibration(w);
    }

    // Gaussian elimination with partial pivoting; k is tiny.
    private static double[] Solve(double[,] a, double[] b)
    {
        var n = b.Length;
        var m = (double[,])a.Clone();
        var x = (double[])b.Clone();
        for (var c = 0; c < n; c++)
        {
            var pivot = c;
            for (var r = c + 1; r < n; r++) if (Math.Abs(m[r, c]) > Math.Abs(m[pivot, c])) pivot = r;
            for (var j = 0; j < n; j++) (m[c, j], m[pivot, j]) = (m[pivot, j], m[c, j]);
            (x[c], x[pivot]) = (x[pivot], x[c]);
            for (var r = c + 1; r < n; r++)
            {
                var f = m[r, c] / m[c, c];
                for (var j = c; j < n; j++) m[r, j] -= f * m[c, j];
                x[r] -= f * x[c];
            }
        }
        for (var c = n - 1; c >= 0; c--)
        {
            for (var j = c + 1; j < n; j++) x[c] -= m[c, j] * x[j];
            x[c] /= m[c, c];
        }
        return x;
    }
}
