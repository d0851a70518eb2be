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
        var credit = new Dictionary<string, (double Conversions, double Value)>(StringComparer.Ordinal);
        foreach (var path in paths)
        {
            if (!path.Converted || path.Channels.Count == 0)
            {
                foreach (var c in path.Channels) credit.TryAdd(c, (0, 0));
                continue;
            }
            var weights = Weights(path, model, halfLifeDays);
            for (var i = 0; i < weights.Length; i++)
            {
                var (conversions, value) = credit.GetValueOrDefault(path.Channels[i]);
                credit[path.Channels[i]] = (conversions + weights[i], value + weights[i] * path.Value);
            }
        }
        return credit.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => new ChannelCredit(c.Key, c.Value.Conversions, c.Value.Value)).ToList();
    }

    /// <summary>The share of one conversion each touch of a path gets; sums to 1.</summary>
    public static double[] Weights(ConversionPath path, RuleBasedModel model, double halfLifeDays = 7)
    {
        var n = path.Channels.Count;
        var w = new double[n];
        switch (model)
        {
            case RuleBasedModel.FirstTouch:
                w[0] = 1;
                break;
            case RuleBasedModel.LastTouch:
                w[^1] = 1;
                break;
            case RuleBasedModel.LastNonDirect:
                var last = Enumerable.Range(0, n).LastOrDefault(i => path.Channels[i] != "direct", n - 1);
                w[last] = 1;
                break;
            case RuleBasedModel.Linear:
                Array.Fill(w, 1.0 / n);
                break;
            case RuleBasedModel.TimeDecay:
                var ages = path.DaysBeforeConversion ?? Enumerable.Range(0, n).Select(i => (double)(n - 1 - i)).ToList();
                for (var i = 0; i < n; i++) w[i] = Math.Pow(2, -ages[i] / halfLifeDays);
                var total = w.Sum();
                for (var i = 0; i < n; i++) w[i] /= total;
                break;
            case RuleBasedModel.PositionBased:
                Split(w, [(0, 0.4), (n - 1, 0.4)], 0.2);
                break;
            case RuleBasedModel.WShaped:
                Split(w, [(0, 0.3), (n / 2, 0.3), (n - 1, 0.3)], 0.1);
                break;
            default:
                throw new System.Diagnostics.UnreachableException(model.ToString());
        }
        return w;
    }

    // Key positions get their shares, the rest share what is left; with too few touches the shares fall evenly.
    private static void Split(double[] w, (int Index, double Share)[] keys, double rest)
    {
        var n = w.Length;
        var distinct = keys.Select(k => k.Index).Distinct().Count();
        if (n <= distinct)
        {
            Array.Fill(w, 1.0 / n);
            return;
        }
        foreach (var (index, share) in keys) w[index] += share;
        var others = Enumerable.Range(0, n).Where(i => !keys.Any(k => k.Index == i)).ToList();
        foreach (var i in others) w[i] += rest / others.Count;
    }
}
