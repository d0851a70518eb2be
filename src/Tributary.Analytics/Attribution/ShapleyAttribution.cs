namespace Tributary.Analytics.Attribution;

/// <summary>
/// Shapley-value attribution over channel coalitions (Shapley 1953; applied to attribution by Dalessandro et al. 2012).
/// The coalition value v(S) is the conversions of paths whose channel set lies within S. Exact by enumerating
/// subsets up to <see cref="MaxExactChannels"/> channels, Monte Carlo over random orderings above that (with a
/// standard error), and the closed form of Zhao, Mahboobi &amp; Bagheri (2018, "Shapley Value Methods for Attribution
/// Modeling in Online Advertising", eq. 11): φ_j = Σ_{T ∋ j} R(T)/|T|, R(T) = conversions of paths with channel set exactly T.
/// </summary>
public static class ShapleyAttribution
{
    /// <summary>Exact enumeration limit: 2^15 coalitions.</summary>
    public const int MaxExactChannels = 15;

    /// <summary>Credit and, for Monte Carlo, each channel's standard error (zero when exact).</summary>
    public sealed record Result(IReadOnlyList<ChannelCredit> Credit, IReadOnlyDictionary<string, double> StandardErrors, string Method);

    /// <summary>Exact when there are at most 15 channels, else Monte Carlo with <paramref name="samples"/> orderings.</summary>
    public static Result Compute(IReadOnlyList<ConversionPath> paths, int samples = 2000, int seed = 42)
    {
        var (channels, conversions, value) = Coalitions(paths);
        return channels.Count <= MaxExactChannels ? Exact(channels, conversions, value) : MonteCarlo(channels, conversions, value, samples, new Random(seed));
    }

    /// <summary>Zhao et al.'s closed form; equal to the exact Shapley value for this coalition value.</summary>
    public static Result Simplified(IReadOnlyList<ConversionPath> paths)
    {
        var (channels, conversions, value) = Coalitions(paths);
        var credit = channels.Select((c, j) =>
        {
            double conv = 0, val = 0;
            foreach (var (mask, count) in conversions)
                if ((mask & (1L << j)) != 0)
                {
                    var size = long.PopCount(mask);
                    conv += count / size;
                    val += value[mask] / size;
                }
            return new ChannelCredit(c, conv, val);
        }).ToList();
        return new Result(credit, channels.ToDictionary(c => c, _ => 0.0), "simplified");
    }

    private static (List<string> Channels, Dictionary<long, double> Conversions, Dictionary<long, double> Value) Coalitions(IReadOnlyList<ConversionPath> paths)
    {
        var channels = paths.SelectMany(p => p.Channels).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        if (channels.Count > 62) throw new ArgumentException($"Shapley attribution supports at most 62 channels, got {channels.Count}.");
        var bit = channels.Select((c, i) => (c, i)).ToDictionary(x => x.c, x => 1L << x.i, StringComparer.Ordinal);
        var conversions = new Dictionary<long, double>();
        var value = new Dictionary<long, double>();
        foreach (var p in paths.Where(p => p.Converted && p.Channels.Count > 0))
        {
            var mask = p.Channels.Aggregate(0L, (m, c) => m | bit[c]);
            conversions[mask] = conversions.GetValueOrDefault(mask) + 1;
            value[mask] = value.GetValueOrDefault(mask) + p.Value;
        }
        return (channels, conversions, value);
    }

    // v(S) = Σ over path sets T ⊆ S; φ_j = Σ_S |S|!(n−|S|−1)!/n! · (v(S ∪ j) − v(S)).
    private static Result Exact(List<string> channels, Dictionary<long, double> conversions, Dictionary<long, double> value)
    {
        var n = channels.Count;
        var size = 1L << n;
        var vc = new double[size];
        var vv = new double[size];
        foreach (var (mask, count) in conversions)
        {
            vc[mask] += count;
            vv[mask] += value[mask];
        }
        // Sum over subsets (zeta transform): v(S) = Σ_{T ⊆ S} R(T).
        for (var b = 0; b < n; b++)
            for (long s = 0; s < size; s++)
                if ((s & (1L << b)) != 0)
                {
                    vc[s] += vc[s ^ (1L << b)];
                    vv[s] += vv[s ^ (1L << b)];
                }
        var weight = new double[n];
        for (var k = 0; k < n; k++) weight[k] = Math.Exp(LogFactorial(k) + LogFactorial(n - k - 1) - LogFactorial(n));
        var credit = new List<ChannelCredit>();
        for (var j = 0; j < n; j++)
        {
            double conv = 0, val = 0;
            var jb = 1L << j;
            for (long s = 0; s < size; s++)
            {
                if ((s & jb) != 0) continue;
                var w = weight[long.PopCount(s)];
                conv += w * (vc[s | jb] - vc[s]);
                val += w * (vv[s | jb] - vv[s]);
            }
            credit.Add(new ChannelCredit(channels[j], conv, val));
        }
        return new Result(credit, channels.ToDictionary(c => c, _ => 0.0), "exact");
    }

    // Random orderings: each channel's marginal contribution when it joins; mean and standard error over orderings.
    private static Result MonteCarlo(List<string> channels, Dictionary<long, double> conversions, Dictionary<long, double> value, int samples, Random random)
    {
        var n = channels.Count;
        var sums = new double[n];
        var squares = new double[n];
        var valueSums = new double[n];
        var order = Enumerable.Range(0, n).ToArray();
        var sets = conversions.Keys.ToArray();
        for (var s = 0; s < samples; s++)
        {
            random.Shuffle(order);
            long coalition = 0;
            double before = 0, beforeValue = 0;
            foreach (var j in order)
            {
                coalition |= 1L << j;
                double after = 0, afterValue = 0;
                foreach (var t in sets)
                    if ((t & ~coalition) == 0)
                    {
                        after += conversions[t];
                        afterValue += value[t];
                    }
                var marginal = after - before;
                sums[j] += marginal;
                squares[j] += marginal * marginal;
                valueSums[j] += afterValue - beforeValue;
                (before, beforeValue) = (after, afterValue);
            }
        }
        var credit = channels.Select((c, j) => new ChannelCredit(c, sums[j] / samples, valueSums[j] / samples)).ToList();
        var errors = channels.Select((c, j) => (c, se: Math.Sqrt(Math.Max(0, squares[j] / samples - Math.Pow(sums[j] / samples, 2)) / samples)))
            .ToDictionary(x => x.c, x => x.se, StringComparer.Ordinal);
        return new Result(credit, errors, $"monte_carlo({samples})");
    }

    private static double LogFactorial(int k) => MathNet.Numerics.SpecialFunctions.FactorialLn(k);
}
