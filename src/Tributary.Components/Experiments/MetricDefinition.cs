namespace Tributary.Components.Experiments;

/// <summary>Per-unit metric kinds of <c>experiment.metrics</c>.</summary>
public enum MetricKind
{
    /// <summary>1 when the unit has at least one event of the base metric after exposure, else 0 (binomial).</summary>
    Conversion,
    /// <summary>Number of events of the base metric after exposure.</summary>
    Count,
    /// <summary>Sum of the values of the base metric after exposure (revenue).</summary>
    Sum,
    /// <summary>Σ numerator values / Σ denominator values over the units (e.g. revenue per session), by the delta method.</summary>
    Ratio,
}

/// <summary>One metric as written in <c>metrics:</c>: <c>conversion:order</c>, <c>count:order</c>, <c>sum:order</c> or <c>ratio:order/session</c>.</summary>
/// <param name="Name">The metric's name in the results.</param>
/// <param name="Kind">How a unit's value is formed.</param>
/// <param name="Base">Base metric name in the metric events (the numerator of a ratio).</param>
/// <param name="Denominator">A ratio's denominator base metric; null otherwise.</param>
public sealed record MetricDefinition(string Name, MetricKind Kind, string Base, string? Denominator)
{
    /// <summary>The form the parameter takes, for messages.</summary>
    public const string Syntax = "conversion:BASE, count:BASE, sum:BASE or ratio:NUMERATOR/DENOMINATOR, where BASE names a metric in the events' metric column";

    /// <summary>Reads a definition; null when the text does not follow <see cref="Syntax"/>.</summary>
    public static MetricDefinition? TryParse(string name, string text)
    {
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0) return null;
        var kind = text[..colon].Trim().ToLowerInvariant() switch
        {
            "conversion" => MetricKind.Conversion, "count" => MetricKind.Count, "sum" => MetricKind.Sum, "ratio" => MetricKind.Ratio, _ => (MetricKind?)null,
        };
        var rest = text[(colon + 1)..].Trim();
        if (kind is null || rest.Length == 0) return null;
        if (kind != MetricKind.Ratio) return rest.Contains('/', StringComparison.Ordinal) ? null : new MetricDefinition(name, kind.Value, rest, null);
        var parts = rest.Split('/', StringSplitOptions.TrimEntries);
        return parts.Length == 2 && parts[0].Length > 0 && parts[1].Length > 0 ? new MetricDefinition(name, MetricKind.Ratio, parts[0], parts[1]) : null;
    }

    /// <summary>The kind as written in the statistics table.</summary>
    public string KindName => Kind.ToString().ToLowerInvariant();
}
