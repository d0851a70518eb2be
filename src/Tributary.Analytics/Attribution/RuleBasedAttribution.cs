namespace Tributary.Analytics.Attribution;

/// <summary>The rule-based attribution models.</summary>
public enum RuleBasedModel
{
    /// <summary>All credit to the first touch.</summary>
    FirstTouch,
    /// <summary>All credit to the last touch.</summary>
    LastTouch,
    /// <summary>All credit to the last touch that is not <c>direct</c> (last touch when all are direct).</summary>
    LastNonDirect,
    /// <summary>Equal credit to every touch.</summary>
    Linear,
    /// <summary>Credit halves every <c>half_life_days</c> before the conversion (2^(−age/half-life), normalized).</summary>
    TimeDecay,
    /// <summary>40% first, 40% last, 20% shared by the middle touches (U-shaped).</summary>
    PositionBased,
    /// <summary>30% first, 30% the middle touch, 30% last, 10% shared by the rest.</summary>
    WShaped,
}

/// <summary>Rule-based multi-touch attribution: each converting path's conversion and value split by a fixed rule.</summary>
public static class RuleBasedAttribution
{
    /// <summary>Credit per channel under <paramref name="model"/>.</summary>
    public static IReadOnlyList<ChannelCredit> Compute(IReadOnlyList<ConversionPath> paths, RuleBasedModel model, double halfLifeDays = 7) =>
        Compute(PathSet.From(paths), model, halfLifeDays);

    /// <summary>Credit per channel under <paramref name="model"/>, for the channels the paths touch, in ordinal order.</summary>
    // Optimized from its first call: run once per step over every touch, it would otherwise spend its first millions of
    // iterations in the runtime's unoptimized and profiling tiers.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static IReadOnlyList<ChannelCredit> Compute(PathSet paths, RuleBasedModel model, double halfLifeDays = 7)
    {
        ArgumentNullException.ThrowIfNull(paths);
        // Sums in arrays by channel number, one weights buffer for every path.
        // Only converting paths are walked: the channels listed are those the set touches, which it knows.
        var (conversions, value) = (new double[paths.Channels.Count], new double[paths.Channels.Count]);
        var direct = paths.Direct;
        var buffer = new double[16];
        for (var p = 0; p < paths.Count; p++)
        {
            if (!paths.Converted(p)) continue;
            var touches = paths.Touches(p);
            var n = touches.Length;
            if (n == 0) continue;
            if (buffer.Length < n) buffer = new double[Math.Max(n, buffer.Length * 2)];
            Fill(buffer.AsSpan(0, n), touches, paths.HasAges ? paths.Ages(p) : default, direct, model, halfLifeDays);
            var amount = paths.Value(p);
            for (var i = 0; i < n; i++)
            {
                var c = touches[i];
                conversions[c] += buffer[i];
                value[c] += buffer[i] * amount;
            }
        }
        return Enumerable.Range(0, paths.Channels.Count).Where(paths.Touched).OrderBy(c => paths.Channels[c], StringComparer.Ordinal)
            .Select(c => new ChannelCredit(paths.Channels[c], conversions[c], value[c])).ToList();
    }

    /// <summary>The share of one conversion each touch of a path gets; sums to 1.</summary>
    public static double[] Weights(ConversionPath path, RuleBasedModel model, double halfLifeDays = 7)
    {
        var w = new double[path.Channels.Count];
        Weights(PathSet.From([path]), 0, model, halfLifeDays, w);
        return w;
    }

    /// <summary>Writes the share of one conversion each touch of path <paramref name="path"/> gets into <paramref name="into"/> (of the path's length); sums to 1.</summary>
    public static void Weights(PathSet paths, int path, RuleBasedModel model, double halfLifeDays, Span<double> into)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var touches = paths.Touches(path);
        if (into.Length != touches.Length) throw new ArgumentException($"into needs the path's {touches.Length} entries.", nameof(into));
        if (touches.Length > 0) Fill(into, touches, paths.HasAges ? paths.Ages(path) : default, paths.Direct, model, halfLifeDays);
    }

    // Writes the path's touch weights into w (of the path's length: every entry is set). Ages empty: counted from the last touch.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static void Fill(Span<double> w, ReadOnlySpan<int> touches, ReadOnlySpan<double> ages, int direct, RuleBasedModel model, double halfLifeDays)
    {
        var n = w.Length;
        w.Clear();
        switch (model)
        {
            case RuleBasedModel.FirstTouch:
                w[0] = 1;
                break;
            case RuleBasedModel.LastTouch:
                w[^1] = 1;
                break;
            case RuleBasedModel.LastNonDirect:
                var last = n - 1;
                while (last >= 0 && touches[last] == direct) last--;
                w[last < 0 ? n - 1 : last] = 1;
                break;
            case RuleBasedModel.Linear:
                w.Fill(1.0 / n);
                break;
            case RuleBasedModel.TimeDecay:
                // 2^(−age/h) as e^(−age·ln2/h): one exp per touch instead of pow's general path.
                var (total, rate) = (0.0, Math.Log(2) / halfLifeDays);
                for (var i = 0; i < n; i++) total += w[i] = Math.Exp(-(ages.IsEmpty ? n - 1 - i : ages[i]) * rate);
                for (var i = 0; i < n; i++) w[i] /= total;
                break;
            case RuleBasedModel.PositionBased:
                Split(w, 0, n - 1, -1, 0.4, 0.2);
                break;
            case RuleBasedModel.WShaped:
                Split(w, 0, n / 2, n - 1, 0.3, 0.1);
                break;
            default:
                throw new System.Diagnostics.UnreachableException(model.ToString());
        }
    }

    // Key positions a, b and c (−1 for none) get share each, the rest share what is left; with too few touches the
    // shares fall evenly.
    private static void Split(Span<double> w, int a, int b, int c, double share, double rest)
    {
        var n = w.Length;
        var distinct = 1 + (b != a ? 1 : 0) + (c >= 0 && c != a && c != b ? 1 : 0);
        if (n <= distinct)
        {
            w.Fill(1.0 / n);
            return;
        }
        var others = rest / (n - distinct);
        for (var i = 0; i < n; i++) w[i] = others;
        w[a] = share;
        w[b] = b == a ? w[b] + share : share;
        if (c >= 0) w[c] = c == a || c == b ? w[c] + share : share;
    }
}
