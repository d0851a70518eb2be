namespace Tributary.Analytics.Uplift;

/// <summary>One point of the Qini and uplift curves: the top <see cref="Fraction"/> of customers by score.</summary>
/// <param name="Fraction">Share of customers targeted, highest score first.</param>
/// <param name="Qini">Incremental conversions Q(k) = Y_T(k) − Y_C(k)·N_T(k)/N_C(k) among the top k (Radcliffe 2007).</param>
/// <param name="Uplift">The uplift curve (Y_T(k)/N_T(k) − Y_C(k)/N_C(k))·k: the arms' rate difference scaled to k customers.</param>
public readonly record struct QiniPoint(double Fraction, double Qini, double Uplift);

/// <summary>One bin of customers by predicted uplift (bin 1 the highest), with the arms' observed conversion rates.</summary>
public readonly record struct UpliftBin(int Bin, int Customers, int Treated, int Control, double TreatedRate, double ControlRate, double ObservedUplift, double PredictedUplift);

/// <summary>
/// Measures of an uplift ranking on a randomized holdout: the Qini curve, the Qini coefficient (area between the Qini curve
/// and the straight line of random targeting), AUUC (area under the uplift curve) and observed uplift by bin. Areas use x
/// as the share targeted and y as incremental conversions per customer of the holdout, so a random ordering has a Qini
/// coefficient of 0 in expectation and an AUUC of half the overall uplift. The curves, Qini and AUUC average over the orders
/// of tied scores (a constant score has a Qini of exactly 0); <see cref="ByBin"/> cuts ties by input order.
/// </summary>
public static class UpliftMetrics
{
    /// <summary>The Qini and uplift curves at <paramref name="points"/> evenly spaced shares (plus the origin).</summary>
    public static IReadOnlyList<QiniPoint> Curve(ReadOnlySpan<double> scores, ReadOnlySpan<bool> treated, ReadOnlySpan<bool> converted, int points = 100)
    {
        var all = Cumulative(scores, treated, converted);
        var n = all.Length - 1;
        var result = new List<QiniPoint>(points + 1);
        for (var j = 0; j <= points; j++)
        {
            var k = (int)Math.Round((double)n * j / points);
            result.Add(new QiniPoint(n == 0 ? 0 : (double)k / n, all[k].Qini, all[k].Uplift));
        }
        return result;
    }

    /// <summary>Qini coefficient: the mean over every k of (Q(k) − (k/N)·Q(N)) / N. Positive when the ranking beats random.</summary>
    public static double QiniCoefficient(ReadOnlySpan<double> scores, ReadOnlySpan<bool> treated, ReadOnlySpan<bool> converted)
    {
        var all = Cumulative(scores, treated, converted);
        var n = all.Length - 1;
        if (n == 0) return double.NaN;
        double area = 0;
        for (var k = 1; k <= n; k++) area += all[k].Qini - (double)k / n * all[n].Qini;
        return area / n / n;
    }

    /// <summary>
    /// Permutation p-value of a ranking's Qini coefficient: the share of <paramref name="permutations"/> random orderings of
    /// the same holdout whose Qini is at least as high, as (1 + count) / (1 + permutations) (Phipson &amp; Smyth 2010,
    /// "Permutation p-values should never be zero", eq. 2). Small when the ranking beats random targeting; NaN for an empty holdout.
    /// </summary>
    public static double QiniPermutationPValue(ReadOnlySpan<double> scores, ReadOnlySpan<bool> treated, ReadOnlySpan<bool> converted, Random random, int permutations = 199)
    {
        if (scores.Length == 0) return double.NaN;
        var observed = QiniCoefficient(scores, treated, converted);
        var shuffled = new double[scores.Length];
        var atLeast = 0;
        for (var b = 0; b < permutations; b++)
        {
            for (var i = 0; i < shuffled.Length; i++) shuffled[i] = random.NextDouble();
            if (QiniCoefficient(shuffled, treated, converted) >= observed) atLeast++;
        }
        return (1.0 + atLeast) / (1.0 + permutations);
    }

    /// <summary>AUUC: the mean over every k of the uplift curve / N.</summary>
    public static double Auuc(ReadOnlySpan<double> scores, ReadOnlySpan<bool> treated, ReadOnlySpan<bool> converted)
    {
        var all = Cumulative(scores, treated, converted);
        var n = all.Length - 1;
        if (n == 0) return double.NaN;
        double area = 0;
        for (var k = 1; k <= n; k++) area += all[k].Uplift;
        return area / n / n;
    }

    /// <summary>Observed and predicted uplift by <paramref name="bins"/> equal-count bins of the score, highest first.</summary>
    public static IReadOnlyList<UpliftBin> ByBin(ReadOnlySpan<double> scores, ReadOnlySpan<bool> treated, ReadOnlySpan<bool> converted, int bins = 10)
    {
        var order = Descending(scores);
        var result = new List<UpliftBin>(bins);
        for (var b = 0; b < bins; b++)
        {
            var from = (int)((long)order.Length * b / bins);
            var to = (int)((long)order.Length * (b + 1) / bins);
            if (to <= from) continue;
            int nt = 0, nc = 0, yt = 0, yc = 0;
            double predicted = 0;
            for (var k = from; k < to; k++)
            {
                var i = order[k];
                predicted += scores[i];
                if (treated[i]) { nt++; if (converted[i]) yt++; } else { nc++; if (converted[i]) yc++; }
            }
            double rt = nt == 0 ? double.NaN : (double)yt / nt, rc = nc == 0 ? double.NaN : (double)yc / nc;
            result.Add(new UpliftBin(b + 1, to - from, nt, nc, rt, rc, rt - rc, predicted / (to - from)));
        }
        return result;
    }

    // Q(k) and the uplift curve for k = 0..N, highest score first. Within a tie group the arms' counts grow linearly, the
    // average over every order of the group, so tied scores give the same curve whatever the input order.
    private static (double Qini, double Uplift)[] Cumulative(ReadOnlySpan<double> scores, ReadOnlySpan<bool> treated, ReadOnlySpan<bool> converted)
    {
        var order = Descending(scores);
        var result = new (double, double)[order.Length + 1];
        long nt = 0, nc = 0, yt = 0, yc = 0;
        for (var start = 0; start < order.Length;)
        {
            var end = start + 1;
            while (end < order.Length && scores[order[end]] == scores[order[start]]) end++;
            long gt = 0, gc = 0, gyt = 0, gyc = 0;
            for (var k = start; k < end; k++)
            {
                var i = order[k];
                if (treated[i]) { gt++; if (converted[i]) gyt++; } else { gc++; if (converted[i]) gyc++; }
            }
            for (var k = start + 1; k <= end; k++)
            {
                var f = (double)(k - start) / (end - start);
                double ct = nt + f * gt, cc = nc + f * gc, cyt = yt + f * gyt, cyc = yc + f * gyc;
                var qini = cc == 0 ? cyt : cyt - cyc * ct / cc;
                var uplift = ((ct == 0 ? 0 : cyt / ct) - (cc == 0 ? 0 : cyc / cc)) * k;
                result[k] = (qini, uplift);
            }
            (nt, nc, yt, yc) = (nt + gt, nc + gc, yt + gyt, yc + gyc);
            start = end;
        }
        return result;
    }

    // Indexes by descending score; ties keep input order (LINQ's sort is stable).
    private static int[] Descending(ReadOnlySpan<double> scores)
    {
        var keys = scores.ToArray();
        return Enumerable.Range(0, keys.Length).OrderByDescending(i => keys[i]).ToArray();
    }
}
