using System.Globalization;
using Tributary.Core.Warehousing;

namespace Tributary.Components.Fraud;

/// <summary>
/// One part's scores over the batch's transactions, sorted: what <see cref="RiskCombination"/> ranks a transaction's score
/// against. The batch step and the online scorer read it alike (<see cref="ReadAsync"/>), so they rank alike.
/// </summary>
internal sealed class ScoreReference
{
    private readonly double[] _sorted;

    /// <summary>The reference of <paramref name="scores"/> (any order).</summary>
    public ScoreReference(IEnumerable<double> scores)
    {
        _sorted = [.. scores];
        Array.Sort(_sorted);
    }

    /// <summary>Scores in the reference.</summary>
    public int Count => _sorted.Length;

    /// <summary>Scores of the reference strictly below <paramref name="score"/>.</summary>
    public int Below(double score)
    {
        var (lo, hi) = (0, _sorted.Length);
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (_sorted[mid] < score) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }

    /// <summary>SQL's percent_rank of <paramref name="score"/> among the reference: (scores below) / (count − 1).</summary>
    public double Percentile(double score) => _sorted.Length > 1 ? (double)Below(score) / (_sorted.Length - 1) : 0;

    /// <summary>
    /// The evidence of <paramref name="score"/> in [0, 1]: −ln(p) / ln(n), p the reference's upper tail at the score (the
    /// share of the n reference scores at or above it, at least 1/n). 0 for the lowest score (p = 1), 1 for a score no
    /// reference score reaches; −ln(p) is the term of Fisher's combination, divided by its largest value ln(n).
    /// </summary>
    public double Evidence(double score)
    {
        var n = _sorted.Length;
        var below = Below(score);
        if (n < 2 || below == 0) return 0;
        return -Math.Log((double)Math.Max(n - below, 1) / n) / Math.Log(n);
    }

    /// <summary>
    /// The non-null values of <paramref name="column"/> in <paramref name="table"/>, where <paramref name="flag"/> (when
    /// given) is 1.
    /// </summary>
    public static async Task<ScoreReference> ReadAsync(IWarehouse warehouse, string table, string column, string? flag, CancellationToken cancellationToken)
    {
        var d = warehouse.Dialect;
        var where = flag is null ? "" : $" AND {d.Quote(flag)} = 1";
        var scores = new List<double>();
        await foreach (var r in warehouse.StreamAsync($"SELECT CAST({d.Quote(column)} AS DOUBLE PRECISION) FROM {d.Quote(table)} WHERE {d.Quote(column)} IS NOT NULL{where}", null, cancellationToken).ConfigureAwait(false))
            scores.Add(Convert.ToDouble(r[0], CultureInfo.InvariantCulture));
        return new ScoreReference(scores);
    }
}
