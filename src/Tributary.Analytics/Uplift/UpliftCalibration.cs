namespace Tributary.Analytics.Uplift;

/// <summary>
/// What a score is worth on a randomized holdout: the holdout is cut into equal-count bins by the score (bin 1 the
/// highest) and each bin's observed uplift is measured. A new customer's evidence is the observed uplift of the bin
/// their score's rank falls in. Unlike the model's own estimate, which is biased upward for whoever ranks on top (the winner's
/// curse), a bin's observed uplift on customers the model never saw is unbiased for customers scored like them, and its
/// interval says how much the holdout can tell.
/// <para>
/// Bins are shares of a ranking, not score levels: scores of a later snapshot drift (recency grows), so a holdout score
/// level means something else on them, while a rank among the customers scored together does not. Tied scores are never
/// split: a bin edge moves to the nearest end of a tie group, so heavy ties give fewer bins (a constant score, one).
/// </para>
/// </summary>
public sealed class UpliftCalibration
{
    // Share of the holdout ranked at or above each bin's lower end, bin 1 first; the last is 1.
    private readonly double[] _upperShares;

    private UpliftCalibration(double[] upperShares, IReadOnlyList<ObservedUplift> bins) => (_upperShares, Bins) = (upperShares, bins);

    /// <summary>Each bin's observed uplift, bin 1 (highest scores) first; fewer than asked when ties merge bins.</summary>
    public IReadOnlyList<ObservedUplift> Bins { get; }

    /// <summary>Cuts the holdout into at most <paramref name="bins"/> equal-count bins by descending score, tie groups kept whole, and measures each.</summary>
    /// <exception cref="ArgumentException">The spans differ in length, or there are fewer customers than bins.</exception>
    public static UpliftCalibration Fit(ReadOnlySpan<double> scores, ReadOnlySpan<bool> treated, ReadOnlySpan<bool> converted, int bins = 5)
    {
        if (scores.Length != treated.Length || scores.Length != converted.Length) throw new ArgumentException("scores, treatment flags and outcomes differ in length.");
        if (bins < 1 || scores.Length < bins) throw new ArgumentException($"{scores.Length} customers cannot fill {bins} bins.");
        var keys = scores.ToArray();
        var order = Enumerable.Range(0, keys.Length).OrderByDescending(i => keys[i]).ToArray();
        var n = order.Length;
        // Tie-group ends in rank order; each ideal cut n·b/bins moves to the nearest one.
        var ends = new List<int> { 0 };
        for (var k = 1; k < n; k++) if (keys[order[k]] != keys[order[k - 1]]) ends.Add(k);
        ends.Add(n);
        var cuts = new SortedSet<int> { n };
        for (var b = 1; b < bins; b++)
        {
            var ideal = (double)n * b / bins;
            var nearest = ends.MinBy(e => Math.Abs(e - ideal));
            if (nearest > 0 && nearest < n) cuts.Add(nearest);
        }
        var shares = new List<double>();
        var measured = new List<ObservedUplift>();
        var from = 0;
        foreach (var to in cuts)
        {
            int nt = 0, nc = 0, yt = 0, yc = 0;
            for (var k = from; k < to; k++)
            {
                var i = order[k];
                if (treated[i]) { nt++; if (converted[i]) yt++; } else { nc++; if (converted[i]) yc++; }
            }
            shares.Add((double)to / n);
            measured.Add(ObservedUplift.Of(nt, yt, nc, yc));
            from = to;
        }
        return new UpliftCalibration([.. shares], measured);
    }

    /// <summary>
    /// The bin (1 = highest) of each customer of a scored population, by the rank of their score among <paramref name="scores"/>:
    /// the share of the population ranked above the middle of their tie group picks the holdout bin covering that share.
    /// Tied customers share a bin; the scores' own scale does not matter.
    /// </summary>
    public int[] Assign(ReadOnlySpan<double> scores)
    {
        var keys = scores.ToArray();
        var order = Enumerable.Range(0, keys.Length).OrderByDescending(i => keys[i]).ToArray();
        var result = new int[keys.Length];
        for (var start = 0; start < order.Length;)
        {
            var end = start + 1;
            while (end < order.Length && keys[order[end]] == keys[order[start]]) end++;
            var share = (start + end) / 2.0 / order.Length;
            var bin = 0;
            while (bin < _upperShares.Length - 1 && share >= _upperShares[bin]) bin++;
            for (var k = start; k < end; k++) result[order[k]] = bin + 1;
            start = end;
        }
        return result;
    }

    /// <summary>
    /// The customers of a scored population (as in <see cref="Assign"/>) the holdout shows to be harmed by a contact. A
    /// bin's interval below 0 bounds the mean effect of customers scored alike, not each one's: a bin of unmoved customers
    /// with a harmed minority is confidently negative on average while most of it is not harmed. No effect on a probability
    /// is below −1, so n customers whose mean effect is at most the interval's upper end H &lt; 0 hold at least −H·n harmed
    /// ones (Σ τᵢ ≥ −#{τᵢ &lt; 0}); that many, ⌊−H·n⌋, of the bin's lowest scores are marked, tie groups kept whole, and
    /// none in a bin whose interval reaches 0. This is a lower bound on the count, not an estimate of it.
    /// </summary>
    public bool[] ConfirmedHarm(ReadOnlySpan<double> scores, double z = 1.96)
    {
        var keys = scores.ToArray();
        var bins = Assign(scores);
        var result = new bool[keys.Length];
        foreach (var members in Enumerable.Range(0, keys.Length).GroupBy(i => bins[i]))
        {
            var high = Bins[members.Key - 1].High(z);
            if (!(high < 0)) continue;
            var quota = (int)Math.Floor(-high * members.Count());
            var marked = 0;
            foreach (var tie in members.GroupBy(i => keys[i]).OrderBy(g => g.Key))
            {
                if (marked + tie.Count() > quota) break;
                foreach (var i in tie) result[i] = true;
                marked += tie.Count();
            }
        }
        return result;
    }
}
