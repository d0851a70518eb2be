using MathNet.Numerics.LinearAlgebra;

namespace Tributary.Analytics.Attribution;

/// <summary>
/// Markov-chain attribution with removal effects (Anderl, Becker, von Wangenheim &amp; Schumann 2016, "Mapping the
/// customer journey: Lessons learned from graph-based online attribution modeling", IJRM 33(3)), computed exactly:
/// the conversion probability is the absorption probability of the chain, from the linear system (I − Q)x = r over
/// transient states, not by simulation. Order k uses the last k channels as the state.
/// </summary>
public static class MarkovAttribution
{
    private const string Start = "(start)";

    /// <summary>Result: per-channel removal effects, the baseline conversion probability, and credit.</summary>
    public sealed record Result(double ConversionProbability, IReadOnlyDictionary<string, double> RemovalEffects, IReadOnlyList<ChannelCredit> Credit, int States)
    {
        // The removal effects (negative ones as 0) by channel number of the set they were computed from, so a path's
        // weights take no lookup by name.
        private (PathSet Paths, double[] Effects)? _source;

        internal Result WithSource(PathSet paths)
        {
            var effects = new double[paths.Channels.Count];
            for (var c = 0; c < effects.Length; c++) effects[c] = Math.Max(0, RemovalEffects.GetValueOrDefault(paths.Channels[c]));
            _source = (paths, effects);
            return this;
        }

        /// <summary>
        /// One conversion's split: its channels' removal effects normalized within the path, a channel's share spread
        /// over its touches. Summed over paths this differs from <see cref="Credit"/>, which normalizes over all channels.
        /// </summary>
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
            var effects = _source is var (source, e) && ReferenceEquals(source, paths) ? e : null;
            double Effect(int channel) => effects is not null ? effects[channel] : Math.Max(0, RemovalEffects.GetValueOrDefault(paths.Channels[channel]));
            // Per touch: the index of its channel's first touch; effects summed over distinct channels in order of first touch.
            Span<int> first = n <= 64 ? stackalloc int[n] : new int[n];
            Span<int> count = n <= 64 ? stackalloc int[n] : new int[n];
            count.Clear();
            var (total, distinct) = (0.0, 0);
            for (var i = 0; i < n; i++)
            {
                var f = touches[..i].IndexOf(touches[i]) is >= 0 and var at ? at : i;
                first[i] = f;
                count[f]++;
                if (f < i) continue;
                distinct++;
                total += Effect(touches[i]);
            }
            for (var i = 0; i < n; i++)
                into[i] = (total > 0 ? Effect(touches[i]) / total : 1.0 / distinct) / count[first[i]];
        }
    }

    /// <summary>Attributes the paths' conversions and value by removal effect, normalized to sum to the totals.</summary>
    public static Result Compute(IReadOnlyList<ConversionPath> paths, int order = 1) => Compute(PathSet.From(paths), order, DenseLimit);

    /// <summary>Attributes the paths' conversions and value by removal effect, normalized to sum to the totals.</summary>
    public static Result Compute(PathSet paths, int order = 1) => Compute(paths, order, DenseLimit);

    internal static Result Compute(IReadOnlyList<ConversionPath> paths, int order, int denseLimit) => Compute(PathSet.From(paths), order, denseLimit);

    // Optimized from its first call: run once per step over every touch, it would otherwise spend its first millions of
    // iterations in the runtime's unoptimized and profiling tiers.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    internal static Result Compute(PathSet paths, int order, int denseLimit)
    {
        ArgumentNullException.ThrowIfNull(paths);
        if (order is < 1 or > 3) throw new ArgumentOutOfRangeException(nameof(order), order, "Markov order must be 1, 2 or 3.");
        // States numbered on first sight and transitions counted under one integer key: at order 1 a state is looked up
        // by channel number, above by its name (the last k channels joined). The counts are then laid out by state name
        // in first-seen order, as the solve expects.
        var ids = new Dictionary<string, int>(StringComparer.Ordinal) { [Start] = 0, [Absorbing.Conversion] = 1, [Absorbing.Null] = 2 };
        var states = new List<string> { Start, Absorbing.Conversion, Absorbing.Null };
        var stateOfChannel = new int[paths.Channels.Count];
        var transitions = new Dictionary<long, double>();
        // At order 1 the states are the channels, so the counts fit a dense table (no hash lookup per touch); the pairs
        // seen are listed in first-seen order, the order the dictionary below is filled in, so the solve is the same.
        var width = paths.Channels.Count + 3;
        var dense = order == 1 ? new double[width * width] : null;
        var seenPairs = new List<int>();
        var channels = new HashSet<string>(StringComparer.Ordinal);
        var names = new string[16];
        // Order 2 and 3: state by the packed channel numbers of its last k touches (21 bits each: three fit a long).
        var stateOfPacked = new Dictionary<long, int>();
        if (order > 1 && paths.Channels.Count > (1 << 21) - 2) throw new ArgumentException($"Markov order {order} takes at most {(1 << 21) - 2:N0} channels.", nameof(paths));
        for (var p = 0; p < paths.Count; p++)
        {
            var previous = 0;
            var touches = paths.Touches(p);
            if (order > 1 && names.Length < touches.Length) names = new string[Math.Max(touches.Length, names.Length * 2)];
            for (var i = 0; i < touches.Length; i++)
            {
                int id;
                if (order == 1)
                {
                    // Looked up by name once per channel (0 until then: a channel named as the start state stays 0).
                    ref var known = ref stateOfChannel[touches[i]];
                    if (known == 0)
                    {
                        ref var state = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(ids, paths.Channels[touches[i]], out var seen);
                        if (!seen)
                        {
                            state = states.Count;
                            states.Add(paths.Channels[touches[i]]);
                        }
                        known = state;
                    }
                    id = known;
                }
                else
                {
                    names[i] = paths.Channels[touches[i]];
                    var from = Math.Max(0, i + 1 - order);
                    // The last k channel numbers packed (each + 1, 0 for none) find the state without building its name;
                    // the name is joined once per packed key and looked up, so names that join alike stay one state.
                    var packed = 0L;
                    for (var j = from; j <= i; j++) packed = packed << 21 | (uint)(touches[j] + 1);
                    ref var known = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(stateOfPacked, packed, out var cached);
                    if (!cached)
                    {
                        channels.Add(names[i]);
                        var name = string.Join('>', names, from, i + 1 - from);
                        ref var state = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(ids, name, out var seen);
                        if (!seen)
                        {
                            state = states.Count;
                            states.Add(name);
                        }
                        known = state;
                    }
                    id = known;
                }
                Count(previous, id);
                previous = id;
            }
            Count(previous, paths.Converted(p) ? 1 : 2);
        }
        foreach (var pair in seenPairs) transitions[(long)(pair / width) << 32 | (uint)(pair % width)] = dense![pair];

        void Count(int from, int to)
        {
            if (dense is null)
            {
                System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(transitions, (long)from << 32 | (uint)to, out _)++;
                return;
            }
            var pair = from * width + to;
            if (dense[pair]++ == 0) seenPairs.Add(pair);
        }
        if (order == 1) channels.UnionWith(states.Skip(3));
        var counts = new Dictionary<string, Dictionary<string, double>>(StringComparer.Ordinal);
        foreach (var (key, count) in transitions)
        {
            var from = states[(int)(key >> 32)];
            if (!counts.TryGetValue(from, out var row)) counts[from] = row = new Dictionary<string, double>(StringComparer.Ordinal);
            row[states[(int)(uint)key]] = count;
        }
        var baseline = Absorption(counts, removed: null, denseLimit);
        var effects = channels.Order(StringComparer.Ordinal).ToDictionary(c => c, c => baseline <= 0 ? 0 : 1 - Absorption(counts, c, denseLimit) / baseline, StringComparer.Ordinal);
        var sum = effects.Values.Sum();
        var (conversions, value) = (0, 0.0);
        for (var p = 0; p < paths.Count; p++)
            if (paths.Converted(p))
            {
                conversions++;
                value += paths.Value(p);
            }
        var credit = effects.Select(e => new ChannelCredit(e.Key, sum <= 0 ? 0 : conversions * e.Value / sum, sum <= 0 ? 0 : value * e.Value / sum)).ToList();
        return new Result(baseline, effects, credit, counts.Count).WithSource(paths);
    }

    private static class Absorbing
    {
        public const string Conversion = "(conversion)";
        public const string Null = "(null)";
    }

    // Above this many transient states the dense solve (O(n³)) gives way to Gauss-Seidel on the sparse chain.
    private const int DenseLimit = 400;

    // P(absorbed in conversion | start). With a channel removed, every state containing it leads to null.
    private static double Absorption(Dictionary<string, Dictionary<string, double>> counts, string? removed, int denseLimit)
    {
        bool Removed(string state) => removed is not null && state != Start && state.Split('>').Contains(removed);
        var transient = counts.Keys.Where(s => !Removed(s)).ToList();
        var index = transient.Select((s, i) => (s, i)).ToDictionary(x => x.s, x => x.i, StringComparer.Ordinal);
        var n = transient.Count;
        var r = new double[n];
        var edges = new List<(int To, double P)>[n];
        foreach (var (from, row) in counts)
        {
            if (!index.TryGetValue(from, out var i)) continue;
            var total = row.Values.Sum();
            edges[i] = [];
            foreach (var (to, count) in row)
            {
                var p = count / total;
                if (to == Absorbing.Conversion) r[i] += p;
                else if (index.TryGetValue(to, out var j)) edges[i].Add((j, p));
                // to null, or to a removed state: absorbed without conversion
            }
        }
        var x = n <= denseLimit ? SolveDense(edges, r) : SolveIteratively(edges, r);
        return index.TryGetValue(Start, out var s) ? x[s] : 0;
    }

    // (I − Q)x = r by LU.
    private static double[] SolveDense(List<(int To, double P)>[] edges, double[] r)
    {
        var n = r.Length;
        var a = Matrix<double>.Build.DenseIdentity(n);
        for (var i = 0; i < n; i++)
            foreach (var (j, p) in edges[i]) a[i, j] -= p;
        return a.Solve(Vector<double>.Build.DenseOfArray(r)).ToArray();
    }

    // x = Qx + r by Gauss-Seidel: Q is substochastic with every state leaking to absorption, so the iteration contracts;
    // it stops when no value moves by more than 1e-13, which is the linear system's solution to double precision.
    private static double[] SolveIteratively(List<(int To, double P)>[] edges, double[] r)
    {
        var x = (double[])r.Clone();
        for (var iteration = 0; iteration < 1_000_000; iteration++)
        {
            var change = 0.0;
            for (var i = 0; i < x.Length; i++)
            {
                var v = r[i];
                foreach (var (j, p) in edges[i]) v += p * x[j];
                change = Math.Max(change, Math.Abs(v - x[i]));
                x[i] = v;
            }
            if (change < 1e-13) return x;
        }
        throw new InvalidOperationException("the Markov chain's absorption probabilities did not converge; a state may never reach conversion or null.");
    }
}
