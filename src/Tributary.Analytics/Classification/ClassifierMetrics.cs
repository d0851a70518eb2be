namespace Tributary.Analytics.Classification;

/// <summary>One bin of a calibration table: customers, mean predicted probability and observed rate.</summary>
public readonly record struct CalibrationBin(int Bin, int Count, double Predicted, double Observed, double MinScore, double MaxScore);

/// <summary>
/// Measures of a binary score against outcomes: ROC AUC (the Mann-Whitney statistic, ties counted half; Hanley &amp;
/// McNeil 1982), PR-AUC as average precision, Brier score, calibration table by equal-count bins, expected calibration
/// error and lift in the top fraction. Empty input or a single class gives NaN where the measure is undefined.
/// </summary>
public static class ClassifierMetrics
{
    /// <summary>ROC AUC: P(score of a positive &gt; score of a negative), ties counted half. NaN without both classes.</summary>
    public static double Auc(ReadOnlySpan<double> scores, ReadOnlySpan<bool> labels)
    {
        var order = Order(scores);
        long positives = 0, negatives = 0;
        double rankSum = 0;
        // Mid-ranks over tied scores (AUC = (R+ − n+(n+ + 1)/2) / (n+ n−)).
        for (var i = 0; i < order.Length;)
        {
            var j = i;
            while (j + 1 < order.Length && scores[order[j + 1]] == scores[order[i]]) j++;
            var midRank = (i + j) / 2.0 + 1;
            for (var k = i; k <= j; k++)
                if (labels[order[k]]) { positives++; rankSum += midRank; } else negatives++;
            i = j + 1;
        }
        if (positives == 0 || negatives == 0) return double.NaN;
        return (rankSum - positives * (positives + 1) / 2.0) / ((double)positives * negatives);
    }

    /// <summary>Average precision (area under the precision-recall curve, step-wise; ties taken as one threshold). NaN without positives.</summary>
    public static double AveragePrecision(ReadOnlySpan<double> scores, ReadOnlySpan<bool> labels)
    {
        var order = Order(scores);
        Array.Reverse(order);
        var total = 0;
        foreach (var l in labels) if (l) total++;
        if (total == 0) return double.NaN;
        double ap = 0;
        int hits = 0, seen = 0;
        for (var i = 0; i < order.Length;)
        {
            var j = i;
            var newHits = 0;
            while (j < order.Length && scores[order[j]] == scores[order[i]]) { if (labels[order[j]]) newHits++; j++; }
            hits += newHits;
            seen = j;
            ap += (double)newHits / total * hits / seen;
            i = j;
        }
        return ap;
    }

    /// <summary>Brier score: mean squared difference between probability and outcome. NaN for no rows.</summary>
    public static double Brier(ReadOnlySpan<double> probabilities, ReadOnlySpan<bool> labels)
    {
        if (probabilities.Length == 0) return double.NaN;
        double sum = 0;
        for (var i = 0; i < probabilities.Length; i++)
        {
            var d = probabilities[i] - (labels[i] ? 1 : 0);
            sum += d * d;
        }
        return sum / probabilities.Length;
    }

    /// <summary>Calibration by <paramref name="bins"/> equal-count bins of the probability, lowest first (deciles by default).</summary>
    public static IReadOnlyList<CalibrationBin> Calibration(ReadOnlySpan<double> probabilities, ReadOnlySpan<bool> labels, int bins = 10)
    {
        var order = Order(probabilities);
        var result = new List<CalibrationBin>(bins);
        for (var b = 0; b < bins; b++)
        {
            var from = (int)((long)order.Length * b / bins);
            var to = (int)((long)order.Length * (b + 1) / bins);
            if (to <= from) continue;
            double predicted = 0, observed = 0;
            for (var k = from; k < to; k++)
            {
                predicted += probabilities[order[k]];
                if (labels[order[k]]) observed++;
            }
            var n = to - from;
            result.Add(new CalibrationBin(b + 1, n, predicted / n, observed / n, probabilities[order[from]], probabilities[order[to - 1]]));
        }
        return result;
    }

    /// <summary>Expected calibration error: count-weighted mean |predicted − observed| over equal-count bins (Naeini et al. 2015).</summary>
    public static double ExpectedCalibrationError(ReadOnlySpan<double> probabilities, ReadOnlySpan<bool> labels, int bins = 10)
    {
        if (probabilities.Length == 0) return double.NaN;
        double sum = 0;
        foreach (var bin in Calibration(probabilities, labels, bins)) sum += bin.Count * Math.Abs(bin.Predicted - bin.Observed);
        return sum / probabilities.Length;
    }

    /// <summary>Lift in the top <paramref name="fraction"/> by score: its positive rate over the overall rate. NaN without positives.</summary>
    public static double LiftAtTop(ReadOnlySpan<double> scores, ReadOnlySpan<bool> labels, double fraction = 0.1)
    {
        var order = Order(scores);
        Array.Reverse(order);
        var take = Math.Max(1, (int)Math.Round(order.Length * fraction));
        if (order.Length == 0) return double.NaN;
        double top = 0, all = 0;
        for (var i = 0; i < order.Length; i++)
            if (labels[order[i]]) { all++; if (i < take) top++; }
        return all == 0 ? double.NaN : top / take / (all / order.Length);
    }

    // Indexes in ascending score, stable so ties keep input order.
    private static int[] Order(ReadOnlySpan<double> scores)
    {
        var keys = scores.ToArray();
        var order = Enumerable.Range(0, keys.Length).ToArray();
        Array.Sort(keys, order);
        return order;
    }
}
