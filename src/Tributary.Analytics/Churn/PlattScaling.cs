namespace Tributary.Analytics.Churn;

/// <summary>
/// Platt scaling: P(y = 1 | s) = 1 / (1 + exp(A·s + B)) fitted by maximum likelihood on held-out scores, with Platt's
/// smoothed targets (N+ + 1)/(N+ + 2) and 1/(N− + 2) so a separable fold does not send A to infinity (Platt 1999,
/// "Probabilistic outputs for support vector machines", section 2.2; Newton steps as in Lin, Lin &amp; Weng 2007).
/// </summary>
public readonly record struct PlattScaling(double A, double B)
{
    /// <summary>Calibrated probability of a raw score.</summary>
    public double Probability(double score)
    {
        var f = A * score + B;
        // Written both ways so neither exp overflows.
        return f >= 0 ? Math.Exp(-f) / (1 + Math.Exp(-f)) : 1 / (1 + Math.Exp(f));
    }

    /// <summary>Fits A and B; with one class only the result is the constant smoothed rate (A = 0).</summary>
    public static PlattScaling Fit(ReadOnlySpan<double> scores, ReadOnlySpan<bool> labels)
    {
        int positives = 0;
        foreach (var l in labels) if (l) positives++;
        var negatives = labels.Length - positives;
        var hi = (positives + 1.0) / (positives + 2.0);
        var lo = 1.0 / (negatives + 2.0);
        double a = 0, b = Math.Log((negatives + 1.0) / (positives + 1.0));
        if (positives == 0 || negatives == 0) return new PlattScaling(0, b);
        var objective = Objective(scores, labels, a, b, hi, lo);
        for (var iteration = 0; iteration < 100; iteration++)
        {
            double h11 = 1e-12, h22 = 1e-12, h21 = 0, g1 = 0, g2 = 0;
            for (var i = 0; i < scores.Length; i++)
            {
                var t = labels[i] ? hi : lo;
                var p = new PlattScaling(a, b).Probability(scores[i]);
                var q = 1 - p;
                var d2 = p * q;
                h11 += scores[i] * scores[i] * d2;
                h22 += d2;
                h21 += scores[i] * d2;
                var d1 = t - p;
                g1 += scores[i] * d1;
                g2 += d1;
            }
            if (Math.Abs(g1) < 1e-9 && Math.Abs(g2) < 1e-9) break;
            var det = h11 * h22 - h21 * h21;
            var da = -(h22 * g1 - h21 * g2) / det;
            var db = -(-h21 * g1 + h11 * g2) / det;
            var gd = g1 * da + g2 * db;
            // Backtracking line search on the negative log-likelihood.
            var step = 1.0;
            while (step >= 1e-10)
            {
                var (na, nb) = (a + step * da, b + step * db);
                var value = Objective(scores, labels, na, nb, hi, lo);
                if (value < objective + 1e-4 * step * gd)
                {
                    (a, b, objective) = (na, nb, value);
                    break;
                }
                step /= 2;
            }
            if (step < 1e-10) break;
        }
        return new PlattScaling(a, b);
    }

    private static double Objective(ReadOnlySpan<double> scores, ReadOnlySpan<bool> labels, double a, double b, double hi, double lo)
    {
        double sum = 0;
        for (var i = 0; i < scores.Length; i++)
        {
            var t = labels[i] ? hi : lo;
            var f = a * scores[i] + b;
            // −[t log p + (1 − t) log(1 − p)] with p = 1/(1 + e^f), stable for either sign of f.
            sum += f >= 0 ? t * f + Math.Log(1 + Math.Exp(-f)) : (t - 1) * f + Math.Log(1 + Math.Exp(f));
        }
        return sum;
    }
}
