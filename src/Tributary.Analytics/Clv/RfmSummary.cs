namespace Tributary.Analytics.Clv;

/// <summary>
/// Per-customer repeat-purchase summary the buy-till-you-die models take, in one time unit:
/// <c>x</c> repeat transactions, <c>t_x</c> time of the last one and <c>T</c> time observed, both measured from
/// the first purchase (Fader, Hardie &amp; Lee 2005, section 2). <see cref="Weights"/> counts identical customers,
/// so a million customers with day-resolution histories fit as a few thousand distinct rows.
/// </summary>
public sealed record RfmSummary(double[] Frequency, double[] Recency, double[] Age)
{
    /// <summary>How many customers each row stands for; null means one each.</summary>
    public double[]? Weights { get; init; }

    /// <summary>Number of rows.</summary>
    public int Count => Frequency.Length;

    /// <summary>The weight of row <paramref name="i"/>.</summary>
    public double Weight(int i) => Weights?[i] ?? 1;

    /// <summary>Checks lengths and ranges: 0 &lt;= t_x &lt;= T, x &gt;= 0, x = 0 implies t_x = 0.</summary>
    /// <exception cref="ArgumentException">The first customer that breaks a rule, by index.</exception>
    public void Validate()
    {
        if (Recency.Length != Count || Age.Length != Count || (Weights is not null && Weights.Length != Count))
            throw new ArgumentException($"frequency, recency and age must have one value per customer; got {Count}, {Recency.Length}, {Age.Length}.");
        for (var i = 0; i < Count; i++)
        {
            if (Frequency[i] < 0 || Recency[i] < 0 || Age[i] <= 0 || Recency[i] > Age[i] + 1e-9 || (Frequency[i] == 0 && Recency[i] != 0))
                throw new ArgumentException($"customer {i}: need x >= 0, 0 <= t_x <= T, T > 0 and t_x = 0 when x = 0; got x={Frequency[i]}, t_x={Recency[i]}, T={Age[i]}.");
        }
    }

    /// <summary>Distinct (x, t_x, T) rows with their counts as weights, and for each input row the index of its distinct row.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public (RfmSummary Distinct, int[] IndexOf) Compress()
    {
        var index = new Dictionary<(double, double, double), int>();
        var map = new int[Count];
        var x = new List<double>();
        var tx = new List<double>();
        var t = new List<double>();
        var w = new List<double>();
        for (var i = 0; i < Count; i++)
        {
            var key = (Frequency[i], Recency[i], Age[i]);
            if (!index.TryGetValue(key, out var j))
            {
                index[key] = j = x.Count;
                x.Add(Frequency[i]);
                tx.Add(Recency[i]);
                t.Add(Age[i]);
                w.Add(0);
            }
            w[j] += Weight(i);
            map[i] = j;
        }
        return (new RfmSummary(x.ToArray(), tx.ToArray(), t.ToArray()) { Weights = w.ToArray() }, map);
    }

    /// <summary>Σ weight · f(p, x, t_x, T), in parallel chunks when there are many rows, summed in a fixed order.</summary>
    internal double WeightedSum<TParameters>(TParameters p, Func<TParameters, double, double, double, double> f)
    {
        var total = new double[1];
        Fitting.ChunkedSum.Run(Count, total, (start, end, sum) =>
        {
            for (var i = start; i < end; i++) sum[0] += Weight(i) * f(p, Frequency[i], Recency[i], Age[i]);
        });
        return total[0];
    }
}
