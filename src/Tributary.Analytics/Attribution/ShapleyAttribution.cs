namespace Tributary.Analytics.Attribution;

/// <summary>What a coalition of channels is worth in <see cref="ShapleyAttribution"/>.</summary>
public enum ShapleyValueFunction
{
    /// <summary>
    /// v(S) = the conversion rate of paths whose channel set is exactly S (Dalessandro, Perlich, Stitelman &amp; Provost
    /// 2012, "Causally motivated attribution for online advertising", §4), closed to be monotone: a set never seen, or
    /// seen converting less often than one of its subsets, takes the largest value among its subsets, so no channel's
    /// credit is negative. Each converting path's conversion is split by the Shapley values over its own channels.
    /// Uses the non-converting paths.
    /// </summary>
    ConversionRate,
    /// <summary>
    /// v(S) = the conversions of paths whose channel set lies within S (Zhao et al. 2018); ignores non-conversions. Its
    /// Shapley value is an even split of each converting path over its distinct channels (<see cref="ShapleyAttribution.Simplified(PathSet)"/>).
    /// </summary>
    Conversions,
}

/// <summary>
/// Shapley-value attribution over channel coalitions (Shapley 1953). With <see cref="ShapleyValueFunction.ConversionRate"/>
/// (the default) a converting path's Shapley values are exact over its channels up to <see cref="MaxExactChannels"/>
/// and Monte Carlo over random orderings above that (with a standard error). With
/// <see cref="ShapleyValueFunction.Conversions"/> the game is played once over all channels (exact up to 15, Monte
/// Carlo above), and its closed form is Zhao, Mahboobi &amp; Bagheri (2018, "Shapley Value Methods for Attribution
/// Modeling in Online Advertising", eq. 11): φ_j = Σ_{T ∋ j} R(T)/|T|, R(T) = conversions of paths with channel set exactly T.
/// </summary>
public static class ShapleyAttribution
{
    /// <summary>Exact enumeration limit: 2^15 coalitions.</summary>
    public const int MaxExactChannels = 15;

    /// <summary>
    /// Credit, each channel's standard error (zero when exact), and each converting channel set's shares of its
    /// conversions (keyed by the set's channels, sorted and joined by <c>|</c>).
    /// </summary>
    public sealed record Result(IReadOnlyList<ChannelCredit> Credit, IReadOnlyDictionary<string, double> StandardErrors, string Method,
        IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>>? SetShares = null)
    {
        // Each set's shares keyed by its channels' bits (channels in ordinal order, at most 62), a share per bit, built on
        // first use, so a path's weights need no text built per path; null when there are more channels than bits.
        private readonly Lazy<(Dictionary<string, int> Bits, Dictionary<long, double[]> Shares)?> _byMask = new(() =>
        {
            var names = Credit.Select(c => c.Channel).Order(StringComparer.Ordinal).ToList();
            if (names.Count > 62) return null;
            var bits = names.Select((c, i) => (c, i)).ToDictionary(x => x.c, x => x.i, StringComparer.Ordinal);
            var shares = new Dictionary<long, double[]>();
            foreach (var (key, set) in SetShares ?? new Dictionary<string, IReadOnlyDictionary<string, double>>())
            {
                if (!key.Split('|').All(bits.ContainsKey) || !set.Keys.All(bits.ContainsKey)) continue;
                var byBit = new double[names.Count];
                foreach (var (channel, share) in set) byBit[bits[channel]] = share;
                shares[key.Split('|').Aggregate(0L, (m, c) => m | 1L << bits[c])] = byBit;
            }
            return (bits, shares);
        });

        // The bit of each channel number of the set the result was computed from (−1 for a channel without one).
        private (PathSet Paths, int[]? Bits)? _source;

        internal Result WithSource(PathSet paths)
        {
            _source = (paths, BitsOf(paths));
            return this;
        }

        // Bits by channel number; null when there are more channels than bits.
        private int[]? BitsOf(PathSet paths)
        {
            if (_byMask.Value is not var (bits, _)) return null;
            var table = new int[paths.Channels.Count];
            for (var c = 0; c < table.Length; c++) table[c] = bits.TryGetValue(paths.Channels[c], out var bit) ? bit : -1;
            return table;
        }

        /// <summary>The share of the path's conversion each touch gets (a channel's share split over its touches); sums to 1.</summary>
        public double[] Weights(ConversionPath path)
        {
            ArgumentNullException.ThrowIfNull(path);
            var weights = new double[path.Channels.Count];
            Weights(PathSet.From([path]), 0, weights);
            return weights;
        }

        /// <summary>Path <paramref name="path"/>'s split as <see cref="Weights(ConversionPath)"/>, written into <paramref name="into"/> (of the path's length).</summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
        public void Weights(PathSet paths, int path, Span<double> into)
        {
            ArgumentNullException.ThrowIfNull(paths);
            var touches = paths.Touches(path);
            var n = touches.Length;
            if (into.Length != n) throw new ArgumentException($"into needs the path's {n} entries.", nameof(into));
            var bits = _source is var (source, b) && ReferenceEquals(source, paths) ? b : BitsOf(paths);
            var mask = 0L;
            for (var i = 0; i < n && bits is not null; i++)
                if (bits[touches[i]] < 0) bits = null;
                else mask |= 1L << bits[touches[i]];
            if (bits is null || _byMask.Value is not var (_, byBit))
            {
                WeightsBySetName(paths.Path(path)).CopyTo(into);
                return;
            }
            var shares = byBit.GetValueOrDefault(mask);
            var distinct = long.PopCount(mask);
            for (var i = 0; i < n; i++)
            {
                var count = 0;
                for (var k = 0; k < n; k++) if (touches[k] == touches[i]) count++;
                into[i] = (shares is null ? 1.0 / distinct : shares[bits[touches[i]]]) / count;
            }
        }

        private double[] WeightsBySetName(ConversionPath path)
        {
            // The path's distinct channels in ordinal order, found without LINQ (paths are short); touches per channel alongside.
            var n = path.Channels.Count;
            var set = new string[n];
            var touches = new int[n];
            var distinct = 0;
            for (var i = 0; i < n; i++)
            {
                var c = path.Channels[i];
                var at = 0;
                while (at < distinct && string.CompareOrdinal(set[at], c) < 0) at++;
                if (at < distinct && string.Equals(set[at], c, StringComparison.Ordinal)) continue;
                Array.Copy(set, at, set, at + 1, distinct - at);
                set[at] = c;
                distinct++;
            }
            var shares = SetShares is not null && SetShares.TryGetValue(string.Join('|', set, 0, distinct), out var s) ? s : null;
            var weights = new double[n];
            var slot = new int[n];
            for (var i = 0; i < n; i++)
            {
                var at = 0;
                while (!string.Equals(set[at], path.Channels[i], StringComparison.Ordinal)) at++;
                slot[i] = at;
                touches[at]++;
            }
            for (var i = 0; i < n; i++)
                weights[i] = (shares is null ? 1.0 / distinct : shares[path.Channels[i]]) / touches[slot[i]];
            return weights;
        }
    }

    /// <summary>Shapley attribution under <paramref name="function"/>; Monte Carlo uses <paramref name="samples"/> orderings.</summary>
    public static Result Compute(IReadOnlyList<ConversionPath> paths, ShapleyValueFunction function = ShapleyValueFunction.ConversionRate, int samples = 2000, int seed = 42) =>
        Compute(PathSet.From(paths), function, samples, seed);

    /// <summary>Shapley attribution under <paramref name="function"/>; Monte Carlo uses <paramref name="samples"/> orderings.</summary>
    public static Result Compute(PathSet paths, ShapleyValueFunction function = ShapleyValueFunction.ConversionRate, int samples = 2000, int seed = 42)
    {
        ArgumentNullException.ThrowIfNull(paths);
        if (function == ShapleyValueFunction.ConversionRate) return ByConversionRate(paths, samples, new Random(seed)).WithSource(paths);
        var (channels, conversions, value) = Coalitions(paths);
        return (channels.Count <= MaxExactChannels ? Exact(channels, conversions, value) : MonteCarlo(channels, conversions, value, samples, new Random(seed))).WithSource(paths);
    }

    // The channels the paths touch, in ordinal order.
    private static List<string> Touched(PathSet paths) =>
        Enumerable.Range(0, paths.Channels.Count).Where(paths.Touched).Select(c => paths.Channels[c]).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();

    // Each channel number's bit: its name's place among names (ordinal order, at most 62).
    private static long[] BitsByChannel(PathSet paths, List<string> names)
    {
        var bit = names.Select((c, i) => (c, i)).ToDictionary(x => x.c, x => 1L << x.i, StringComparer.Ordinal);
        return paths.Channels.Select(c => bit.GetValueOrDefault(c)).ToArray();
    }

    // Dalessandro et al.'s game per converting channel set T. v(S) is the empirical conversion rate of paths with set
    // exactly S; a set never seen, or seen converting less often than one of its subsets, takes the largest value of its
    // subsets (a touch does not lower the chance to convert), so shares are never negative. v(∅) = 0: journeys with no
    // touch leave no path.
    private static Result ByConversionRate(PathSet paths, int samples, Random random)
    {
        var names = Touched(paths);
        return names.Count <= 62 ? ByConversionRateOverMasks(paths, names, samples, random)
            : ByConversionRateOverNames(Enumerable.Range(0, paths.Count).Select(paths.Path).ToList(), samples, random);
    }

    // The same game with channel sets as bit masks (channels in ordinal order): no strings per path or coalition.
    // Optimized from its first call: run once per step over every touch, it would otherwise spend its first millions of
    // iterations in the runtime's unoptimized and profiling tiers.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static Result ByConversionRateOverMasks(PathSet paths, List<string> channels, int samples, Random random)
    {
        var bit = BitsByChannel(paths, channels);
        var observed = new Dictionary<long, (double Paths, double Conversions)>();
        var converting = new Dictionary<long, (double Conversions, double Value)>();
        for (var p = 0; p < paths.Count; p++)
        {
            var touches = paths.Touches(p);
            if (touches.Length == 0) continue;
            var mask = 0L;
            foreach (var t in touches) mask |= bit[t];
            ref var o = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(observed, mask, out _);
            o = (o.Paths + 1, o.Conversions + (paths.Converted(p) ? 1 : 0));
            if (!paths.Converted(p)) continue;
            ref var c = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(converting, mask, out _);
            c = (c.Conversions + 1, c.Value + paths.Value(p));
        }
        var memo = new Dictionary<long, double> { [0] = 0 };
        double V(long set)
        {
            if (memo.TryGetValue(set, out var v)) return v;
            v = observed.TryGetValue(set, out var o) ? o.Conversions / o.Paths : 0;
            if (long.PopCount(set) <= MaxExactChannels)
                for (var rest = set; rest != 0; rest &= rest - 1) v = Math.Max(v, V(set & ~(rest & -rest)));
            else
                foreach (var (k, x) in observed)
                    if (x.Conversions / x.Paths > v && (k & ~set) == 0) v = x.Conversions / x.Paths;
            return memo[set] = v;
        }
        var credit = new (double Conversions, double Value)[channels.Count];
        var variance = new double[channels.Count];
        var setShares = new Dictionary<string, IReadOnlyDictionary<string, double>>(StringComparer.Ordinal);
        var monteCarlo = false;
        foreach (var (mask, (conversions, value)) in converting)
        {
            var members = Enumerable.Range(0, channels.Count).Where(i => (mask & (1L << i)) != 0).ToArray();
            // A coalition of the set's members (bit j = its j-th member) as a mask over all channels.
            double Of(long coalition)
            {
                var set = 0L;
                for (var rest = coalition; rest != 0; rest &= rest - 1) set |= 1L << members[long.TrailingZeroCount(rest)];
                return V(set);
            }
            var n = members.Length;
            var (phi, se) = n <= MaxExactChannels ? (ExactGame(n, Of), new double[n]) : SampledGame(n, Of, samples, random);
            monteCarlo |= n > MaxExactChannels;
            var total = phi.Sum();
            var shares = new Dictionary<string, double>(StringComparer.Ordinal);
            for (var j = 0; j < n; j++)
            {
                var share = total > 0 ? phi[j] / total : 1.0 / n;
                shares[channels[members[j]]] = share;
                credit[members[j]] = (credit[members[j]].Conversions + conversions * share, credit[members[j]].Value + value * share);
                if (total > 0) variance[members[j]] += Math.Pow(conversions * se[j] / total, 2);
            }
            setShares[string.Join('|', members.Select(m => channels[m]))] = shares;
        }
        return new Result(channels.Select((c, i) => new ChannelCredit(c, credit[i].Conversions, credit[i].Value)).ToList(),
            channels.Select((c, i) => (c, i)).ToDictionary(x => x.c, x => Math.Sqrt(variance[x.i]), StringComparer.Ordinal),
            monteCarlo ? $"conversion_rate, monte_carlo({samples}) above {MaxExactChannels} channels" : "conversion_rate, exact", setShares);
    }

    // The game over channel names, for more channels than a mask holds.
    private static Result ByConversionRateOverNames(IReadOnlyList<ConversionPath> paths, int samples, Random random)
    {
        var observed = new Dictionary<string, (double Paths, double Conversions)>(StringComparer.Ordinal);
        var converting = new Dictionary<string, (string[] Set, double Conversions, double Value)>(StringComparer.Ordinal);
        var allChannels = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var p in paths)
        {
            if (p.Channels.Count == 0) continue;
            var set = p.Channels.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
            allChannels.UnionWith(set);
            var key = string.Join('|', set);
            var o = observed.GetValueOrDefault(key);
            observed[key] = (o.Paths + 1, o.Conversions + (p.Converted ? 1 : 0));
            if (!p.Converted) continue;
            var c = converting.GetValueOrDefault(key, (set, 0, 0));
            converting[key] = (set, c.Conversions + 1, c.Value + p.Value);
        }
        var memo = new Dictionary<string, double>(StringComparer.Ordinal) { [""] = 0 };
        double V(string[] set)
        {
            var key = string.Join('|', set);
            if (memo.TryGetValue(key, out var v)) return v;
            v = observed.TryGetValue(key, out var o) ? o.Conversions / o.Paths : 0;
            if (set.Length <= MaxExactChannels)
                for (var i = 0; i < set.Length; i++) v = Math.Max(v, V([.. set[..i], .. set[(i + 1)..]]));
            else
            {
                // The same maximum, found by scanning the observed sets instead of 2^n subsets.
                var members = set.ToHashSet(StringComparer.Ordinal);
                foreach (var (k, x) in observed)
                    if (x.Conversions / x.Paths > v && k.Split('|').All(members.Contains)) v = x.Conversions / x.Paths;
            }
            return memo[key] = v;
        }
        var credit = allChannels.ToDictionary(c => c, _ => (Conversions: 0.0, Value: 0.0), StringComparer.Ordinal);
        var variance = allChannels.ToDictionary(c => c, _ => 0.0, StringComparer.Ordinal);
        var setShares = new Dictionary<string, IReadOnlyDictionary<string, double>>(StringComparer.Ordinal);
        var monteCarlo = false;
        foreach (var (key, (set, conversions, value)) in converting)
        {
            var (phi, se) = set.Length <= MaxExactChannels ? (ExactGame(set.Length, m => V(Members(set, m))), new double[set.Length]) : SampledGame(set.Length, m => V(Members(set, m)), samples, random);
            monteCarlo |= set.Length > MaxExactChannels;
            var total = phi.Sum();
            var shares = new Dictionary<string, double>(StringComparer.Ordinal);
            for (var j = 0; j < set.Length; j++)
            {
                var share = total > 0 ? phi[j] / total : 1.0 / set.Length;
                shares[set[j]] = share;
                var (c, v) = credit[set[j]];
                credit[set[j]] = (c + conversions * share, v + value * share);
                if (total > 0) variance[set[j]] += Math.Pow(conversions * se[j] / total, 2);
            }
            setShares[key] = shares;
        }
        return new Result(credit.Select(c => new ChannelCredit(c.Key, c.Value.Conversions, c.Value.Value)).ToList(),
            variance.ToDictionary(v => v.Key, v => Math.Sqrt(v.Value), StringComparer.Ordinal),
            monteCarlo ? $"conversion_rate, monte_carlo({samples}) above {MaxExactChannels} channels" : "conversion_rate, exact", setShares);
    }

    // φ_j = Σ_{S ⊆ T∖j} |S|!(n−|S|−1)!/n! · (v(S ∪ j) − v(S)) over the subsets of one path's n channels (coalition masks over them).
    private static double[] ExactGame(int n, Func<long, double> v)
    {
        var values = new double[1 << n];
        for (var mask = 1; mask < 1 << n; mask++) values[mask] = v(mask);
        var weight = new double[n];
        for (var k = 0; k < n; k++) weight[k] = Math.Exp(LogFactorial(k) + LogFactorial(n - k - 1) - LogFactorial(n));
        var phi = new double[n];
        for (var j = 0; j < n; j++)
            for (var mask = 0; mask < 1 << n; mask++)
                if ((mask & (1 << j)) == 0)
                    phi[j] += weight[int.PopCount(mask)] * (values[mask | (1 << j)] - values[mask]);
        return phi;
    }

    private static string[] Members(string[] set, long mask)
    {
        var members = new string[long.PopCount(mask)];
        for (int i = 0, k = 0; i < set.Length; i++) if ((mask & (1L << i)) != 0) members[k++] = set[i];
        return members;
    }

    // Random orderings of one path's channels: mean marginal contribution and its standard error.
    private static (double[] Phi, double[] StandardError) SampledGame(int n, Func<long, double> v, int samples, Random random)
    {
        var sums = new double[n];
        var squares = new double[n];
        var order = Enumerable.Range(0, n).ToArray();
        for (var s = 0; s < samples; s++)
        {
            random.Shuffle(order);
            long coalition = 0;
            var before = 0.0;
            foreach (var j in order)
            {
                coalition |= 1L << j;
                var after = v(coalition);
                sums[j] += after - before;
                squares[j] += (after - before) * (after - before);
                before = after;
            }
        }
        return (sums.Select(x => x / samples).ToArray(),
            sums.Select((x, j) => Math.Sqrt(Math.Max(0, squares[j] / samples - Math.Pow(x / samples, 2)) / samples)).ToArray());
    }

    /// <summary>
    /// Zhao et al.'s closed form; equal to the exact Shapley value for this coalition value. It is each converting path's
    /// conversion split evenly over its distinct channels: linear credit, but per channel instead of per touch.
    /// </summary>
    public static Result Simplified(IReadOnlyList<ConversionPath> paths) => Simplified(PathSet.From(paths));

    /// <summary>Zhao et al.'s closed form; equal to the exact Shapley value for this coalition value.</summary>
    public static Result Simplified(PathSet paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
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
        return new Result(credit, channels.ToDictionary(c => c, _ => 0.0), "simplified").WithSource(paths);
    }

    private static (List<string> Channels, Dictionary<long, double> Conversions, Dictionary<long, double> Value) Coalitions(PathSet paths)
    {
        var channels = Touched(paths);
        if (channels.Count > 62) throw new ArgumentException($"Shapley attribution supports at most 62 channels, got {channels.Count}.");
        var bit = BitsByChannel(paths, channels);
        var conversions = new Dictionary<long, double>();
        var value = new Dictionary<long, double>();
        for (var p = 0; p < paths.Count; p++)
        {
            var touches = paths.Touches(p);
            if (!paths.Converted(p) || touches.Length == 0) continue;
            var mask = 0L;
            foreach (var t in touches) mask |= bit[t];
            conversions[mask] = conversions.GetValueOrDefault(mask) + 1;
            value[mask] = value.GetValueOrDefault(mask) + paths.Value(p);
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
