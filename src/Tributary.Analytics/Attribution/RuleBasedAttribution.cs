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
    public static IReadOnlyList<ChannelCredit> Compute(IReadOnlyList<ConversionPath> paths, RuleBasedModel model, double halfLifeDays = 7)
    {
        // Channels numbered on first sight: one lookup per touch, sums in arrays, one weights buffer for every path.
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        var names = new List<string>();
        var sums = new List<(double Conversions, double Value)>();
        var buffer = new double[16];
        foreach (var path in paths)
        {
            var channels = path.Channels;
            var n = channels.Count;
            var converted = path.Converted && n > 0;
            if (converted)
            {
                if (buffer.Length < n) buffer = new double[Math.Max(n, buffer.Length * 2)];
                Fill(buffer.AsSpan(0, n), path, model, halfLifeDays);
            }
            for (var i = 0; i < n; i++)
            {
                ref var id = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(ids, channels[i], out var seen);
                if (!seen)
                {
                    id = names.Count;
                    names.Add(channels[i]);
                    sums.Add((0, 0));
                }
                if (!converted) continue;
                var (conversions, value) = sums[id];
                sums[id] = (conversions + buffer[i], value + buffer[i] * path.Value);
            }
        }
        return Enumerable.Range(0, names.Count).OrderBy(i => names[i], StringComparer.Ordinal)
            .Select(i => new ChannelCredit(names[i], sums[i].Conversions, sums[i].Value)).ToList();
    }

    /// <summary>The share of one conversion each touch of a path gets; sums to 1.</summary>
    public static double[] Weights(ConversionPath path, RuleBasedModel model, double halfLifeDays = 7)
    {
        var w = new double[path.Channels.Count];
        Fill(w, path, model, halfLifeDays);
        return w;
    }

    // Writes the path's touch weights into w (of the path's length, cleared by the caller or not: every entry is set).
    private static void Fill(Span<double> w, ConversionPath path, RuleBasedModel model, double halfLifeDays)
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
                while (last >= 0 && path.Channels[last] == "direct") last--;
                w[last < 0 ? n - 1 : last] = 1;
                break;
            case RuleBasedModel.Linear:
                w.Fill(1.0 / n);
                break;
            case RuleBasedModel.TimeDecay:
                var ages = path.DaysBeforeConversion;
                var total = 0.0;
                for (var i = 0; i < n; i++) total += w[i] = Math.Pow(2, -(ages is null ? n - 1 - i : ages[i]) / halfLifeDays);
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
