namespace Tributary.Analytics.Uplift;

/// <summary>
/// What a score is worth on a randomized holdout: the holdout is cut into equal-count bins by the score (bin 1 the
/// highest) and each bin's observed uplift is measured. A new customer's evidence is the observed uplift of the bin
/// their score falls in. Unlike the model's own estimate, which is biased upward for whoever ranks on top (the winner's
/// curse), a bin's observed uplift on customers the model never saw is unbiased for customers scored like them, and its
/// interval says how much the holdout can tell.
/// </summary>
public sealed class UpliftCalibration
{
    private readonly double[] _lowerEdges;

    private UpliftCalibration(double[] lowerEdges, IReadOnlyList<ObservedUplift> bins) => (_lowerEdges, Bins) = (lowerEdges, bins);

    /// <summary>Each bin's observed uplift, bin 1 (highest scores) first.</summary>
    public IReadOnlyList<ObservedUplift> Bins { get; }

    /// <summary>Cuts the holdout into <paramref name="bins"/> equal-count bins by descending score and measures each.</summary>
    /// <exception cref="ArgumentException">The spans differ in length, or there are fewer customers than bins.</exception>
    public static UpliftCalibration Fit(ReadOnlySpan<double> scores, ReadOnlySpan<bool> treated, ReadOnlySpan<bool> converted, int bins = 5)
    {
        if (scores.Length != treated.Length || scores.Length != converted.Length) throw new ArgumentException("scores, treatment flags and outcomes differ in length.");
        if (bins < 1 || scores.Length < bins) throw new ArgumentException($"{scores.Length} customers cannot fill {bins} bins.");
        var keys = scores.ToArray();
        var order = Enumerable.Range(0, keys.Length).OrderByDescending(i => keys[i]).ToArray();
        var edges = new double[bins];
        var measured = new List<ObservedUplift>(bins);
        for (var b = 0; b < bins; b++)
        {
            var from = (int)((long)order.Length * b / bins);
            var to = (int)((long)order.Length * (b + 1) / bins);
            int nt = 0, nc = 0, yt = 0, yc = 0;
            for (var k = from; k < to; k++)
            {
                var i = order[k];
                if (treated[i]) { nt++; if (converted[i]) yt++; } else { nc++; if (converted[i]) yc++; }
            }
            edges[b] = keys[order[to - 1]];
            measured.Add(ObservedUplift.Of(nt, yt, nc, yc));
        }
        return new UpliftCalibration(edges, measured);
    }

    /// <summary>The bin (1 = highest) a score falls in: the first whose lowest holdout score it reaches; below every bin, the last.</summary>
    public int BinOf(double score)
    {
        for (var b = 0; b < _lowerEdges.Length - 1; b++)
            if (score >= _lowerEdges[b]) return b + 1;
        return _lowerEdges.Length;
    }

    /// <summary>The observed uplift of the bin a score falls in.</summary>
    public ObservedUplift Evidence(double score) => Bins[BinOf(score) - 1];
}
