namespace Tributary.Analytics.Recommendations;

/// <summary>Top-k quality of one model over the users of a holdout; every figure is a mean over those users except coverage.</summary>
/// <param name="Users">Users evaluated (with at least one relevant item).</param>
/// <param name="Precision">Mean precision@k.</param>
/// <param name="Recall">Mean recall@k.</param>
/// <param name="Map">Mean average precision@k.</param>
/// <param name="Ndcg">Mean normalized discounted cumulative gain@k (binary relevance).</param>
/// <param name="HitRate">Share of users with at least one relevant item in their top k.</param>
/// <param name="Coverage">Share of the catalog that appears in anyone's top k.</param>
/// <param name="Novelty">Mean self-information −log₂(popularity) of the recommended items, in bits.</param>
public sealed record RankingScores(int Users, double Precision, double Recall, double Map, double Ndcg, double HitRate, double Coverage, double Novelty);

/// <summary>
/// Offline ranking metrics as used in the recommender literature (Herlocker et al. 2004; Järvelin &amp; Kekäläinen 2002 for
/// NDCG; Zhou et al. 2010 for novelty as self-information). Relevance is binary: the user interacted with the item in the holdout.
/// </summary>
public static class RankingMetrics
{
    /// <summary>Hits in the top k over k.</summary>
    public static double Precision(ReadOnlySpan<int> ranked, IReadOnlySet<int> relevant, int k) => k <= 0 ? 0 : (double)Hits(ranked, relevant, k) / k;

    /// <summary>Hits in the top k over the number of relevant items.</summary>
    public static double Recall(ReadOnlySpan<int> ranked, IReadOnlySet<int> relevant, int k) =>
        relevant.Count == 0 ? 0 : (double)Hits(ranked, relevant, k) / relevant.Count;

    /// <summary>AP@k = Σ_{i ≤ k} P@i·rel_i / min(|relevant|, k).</summary>
    public static double AveragePrecision(ReadOnlySpan<int> ranked, IReadOnlySet<int> relevant, int k)
    {
        if (relevant.Count == 0 || k <= 0) return 0;
        var (hits, sum) = (0, 0.0);
        for (var i = 0; i < Math.Min(k, ranked.Length); i++)
            if (relevant.Contains(ranked[i])) sum += (double)++hits / (i + 1);
        return sum / Math.Min(relevant.Count, k);
    }

    /// <summary>NDCG@k = DCG/IDCG with DCG = Σ_{i ≤ k} rel_i / log₂(i + 1).</summary>
    public static double Ndcg(ReadOnlySpan<int> ranked, IReadOnlySet<int> relevant, int k)
    {
        if (relevant.Count == 0 || k <= 0) return 0;
        var dcg = 0.0;
        for (var i = 0; i < Math.Min(k, ranked.Length); i++)
            if (relevant.Contains(ranked[i])) dcg += 1 / Math.Log2(i + 2);
        var ideal = 0.0;
        for (var i = 0; i < Math.Min(k, relevant.Count); i++) ideal += 1 / Math.Log2(i + 2);
        return dcg / ideal;
    }

    /// <summary>
    /// Every metric over users: <paramref name="ranked"/>[u] is user u's list best first, <paramref name="relevant"/>[u] their
    /// holdout items (users with none are skipped), <paramref name="popularity"/>[i] the share of training users with item i.
    /// </summary>
    public static RankingScores Evaluate(IReadOnlyList<int[]> ranked, IReadOnlyList<IReadOnlySet<int>> relevant, int k, double[] popularity)
    {
        ArgumentNullException.ThrowIfNull(ranked);
        ArgumentNullException.ThrowIfNull(relevant);
        ArgumentNullException.ThrowIfNull(popularity);
        var (users, precision, recall, map, ndcg, hit, novelty, recommended) = (0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0L);
        var seen = new bool[popularity.Length];
        // An item no training user had counts as rare as the rarest one that some user had.
        var floor = popularity.Where(p => p > 0).DefaultIfEmpty(1).Min();
        for (var u = 0; u < ranked.Count; u++)
        {
            if (relevant[u].Count == 0) continue;
            users++;
            var list = ranked[u].AsSpan(0, Math.Min(k, ranked[u].Length));
            precision += Precision(list, relevant[u], k);
            recall += Recall(list, relevant[u], k);
            map += AveragePrecision(list, relevant[u], k);
            ndcg += Ndcg(list, relevant[u], k);
            if (Hits(list, relevant[u], k) > 0) hit++;
            foreach (var i in list)
            {
                seen[i] = true;
                novelty += -Math.Log2(popularity[i] > 0 ? popularity[i] : floor);
                recommended++;
            }
        }
        if (users == 0) return new RankingScores(0, 0, 0, 0, 0, 0, 0, 0);
        return new RankingScores(users, precision / users, recall / users, map / users, ndcg / users, hit / users,
            popularity.Length == 0 ? 0 : (double)seen.Count(s => s) / popularity.Length, recommended == 0 ? 0 : novelty / recommended);
    }

    private static int Hits(ReadOnlySpan<int> ranked, IReadOnlySet<int> relevant, int k)
    {
        var hits = 0;
        for (var i = 0; i < Math.Min(k, ranked.Length); i++)
            if (relevant.Contains(ranked[i])) hits++;
        return hits;
    }
}
