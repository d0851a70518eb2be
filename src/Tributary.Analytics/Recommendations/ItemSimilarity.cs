using System.Collections.Concurrent;

namespace Tributary.Analytics.Recommendations;

/// <summary>Settings of <see cref="ItemSimilarity"/>.</summary>
/// <param name="Neighbours">Most similar items kept per item (top-K).</param>
/// <param name="Shrinkage">λ in n/(n + λ), which shrinks a similarity resting on few common users toward 0 (Koren 2008, eq. (2)).</param>
/// <param name="MinSupport">Users who must share both items before a pair counts.</param>
public sealed record ItemSimilarityOptions(int Neighbours = 20, double Shrinkage = 10, int MinSupport = 2)
{
    /// <summary>Checks ranges.</summary>
    /// <exception cref="ArgumentException">A setting out of range, named.</exception>
    public void Validate()
    {
        if (Neighbours < 1) throw new ArgumentException($"neighbours must be at least 1, got {Neighbours}.");
        if (Shrinkage < 0 || !double.IsFinite(Shrinkage)) throw new ArgumentException($"shrinkage must be 0 or more, got {Shrinkage}.");
        if (MinSupport < 1) throw new ArgumentException($"min_support must be at least 1, got {MinSupport}.");
    }
}

/// <summary>Each item's neighbours, most similar first: item <c>i</c>'s are entries <c>Start[i]..Start[i + 1]</c>.</summary>
/// <param name="Start">Offsets, length items + 1.</param>
/// <param name="Neighbour">Neighbour item of each entry.</param>
/// <param name="Score">Shrunk cosine of each entry.</param>
/// <param name="Support">Users who interacted with both.</param>
public sealed record ItemNeighbours(int[] Start, int[] Neighbour, double[] Score, int[] Support)
{
    /// <summary>Items.</summary>
    public int Items => Start.Length - 1;
}

/// <summary>
/// Item-item collaborative filtering (Sarwar et al. 2001, "Item-based collaborative filtering recommendation algorithms"):
/// cosine of two items' user vectors, sim(i, j) = Σ_u r_ui r_uj / (‖r_i‖ ‖r_j‖), times n_ij/(n_ij + λ) for the n_ij users
/// both share (Koren 2008, "Factorization meets the neighborhood", eq. (2)). Computed sparsely: only pairs that share a user
/// are visited, items in parallel.
/// </summary>
public static class ItemSimilarity
{
    /// <summary>The top neighbours of every item of <paramref name="interactions"/> (users × items).</summary>
    public static ItemNeighbours Compute(InteractionMatrix interactions, ItemSimilarityOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(interactions);
        options.Validate();
        var byItem = interactions.Transpose();
        var n = interactions.Items;
        var norm = new double[n];
        for (var i = 0; i < n; i++)
            for (var e = byItem.RowStart[i]; e < byItem.RowStart[i + 1]; e++) norm[i] += byItem.Values[e] * byItem.Values[e];
        for (var i = 0; i < n; i++) norm[i] = Math.Sqrt(norm[i]);
        var lists = new (int Item, double Score, int Support)[n][];
        var ranges = Partitioner.Create(0, n, Math.Max(16, n / (Environment.ProcessorCount * 8) + 1));
        Parallel.ForEach(ranges, new ParallelOptions { CancellationToken = cancellationToken }, range =>
        {
            var dot = new double[n];
            var count = new int[n];
            var touched = new List<int>();
            for (var i = range.Item1; i < range.Item2; i++)
            {
                for (var e = byItem.RowStart[i]; e < byItem.RowStart[i + 1]; e++)
                {
                    var (u, ri) = (byItem.Columns[e], byItem.Values[e]);
                    for (var f = interactions.RowStart[u]; f < interactions.RowStart[u + 1]; f++)
                    {
                        var j = interactions.Columns[f];
                        if (j == i) continue;
                        if (count[j] == 0) touched.Add(j);
                        count[j]++;
                        dot[j] += ri * interactions.Values[f];
                    }
                }
                var kept = new List<(int Item, double Score, int Support)>();
                foreach (var j in touched)
                {
                    if (count[j] >= options.MinSupport && norm[i] > 0 && norm[j] > 0)
                        kept.Add((j, dot[j] / (norm[i] * norm[j]) * count[j] / (count[j] + options.Shrinkage), count[j]));
                    dot[j] = 0;
                    count[j] = 0;
                }
                touched.Clear();
                lists[i] = [.. TopN.Select(kept, options.Neighbours, x => x.Score, x => x.Item)];
            }
        });
        var start = new int[n + 1];
        for (var i = 0; i < n; i++) start[i + 1] = start[i] + lists[i].Length;
        var (neighbour, score, support) = (new int[start[n]], new double[start[n]], new int[start[n]]);
        for (var i = 0; i < n; i++)
            for (var m = 0; m < lists[i].Length; m++) (neighbour[start[i] + m], score[start[i] + m], support[start[i] + m]) = lists[i][m];
        return new ItemNeighbours(start, neighbour, score, support);
    }

    /// <summary>
    /// A user's item-item score for every item: Σ over the user's items i of r_ui·sim(i, j), into <paramref name="scores"/>
    /// (zeroed first); <paramref name="because"/>[j] is the user's item that adds most to j's score, or −1.
    /// </summary>
    public static void Score(ItemNeighbours neighbours, ReadOnlySpan<int> items, ReadOnlySpan<double> weights, Span<double> scores, Span<int> because)
    {
        ArgumentNullException.ThrowIfNull(neighbours);
        scores.Clear();
        because.Fill(-1);
        var strongest = new double[scores.Length];
        for (var m = 0; m < items.Length; m++)
        {
            var i = items[m];
            for (var e = neighbours.Start[i]; e < neighbours.Start[i + 1]; e++)
            {
                var j = neighbours.Neighbour[e];
                var add = weights[m] * neighbours.Score[e];
                scores[j] += add;
                if (because[j] < 0 || add > strongest[j]) (because[j], strongest[j]) = (i, add);
            }
        }
    }
}
