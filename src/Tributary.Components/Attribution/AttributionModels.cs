using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Tributary.Analytics.Attribution;
using Tributary.Core.Components;
using Tributary.Core.Warehousing;

namespace Tributary.Components.Attribution;

/// <summary>Parameters of <c>analytics.attribution</c>.</summary>
public sealed record AttributionParameters : IValidatableObject
{
    internal static readonly string[] Known =
        ["first_touch", "last_touch", "last_non_direct", "linear", "time_decay", "position_based", "w_shaped", "markov_1", "markov_2", "markov_3", "shapley", "shapley_simplified"];

    /// <summary>Models to compute side by side.</summary>
    [Description("Models to compute side by side: first_touch, last_touch, last_non_direct, linear, time_decay, position_based, w_shaped, markov_1, markov_2, markov_3, shapley, shapley_simplified. Default [last_touch, linear, markov_1, shapley].")]
    public IReadOnlyList<string> Models { get; init; } = ["last_touch", "linear", "markov_1", "shapley"];

    /// <summary>Half-life for time decay.</summary>
    [Description("Half-life in days for time_decay. Default 7.")]
    [Range(0.1, 365)]
    public double HalfLifeDays { get; init; } = 7;

    /// <summary>Monte Carlo orderings for Shapley above 15 channels.</summary>
    [Description("Random orderings for Shapley when there are more than 15 channels (exact below). Default 2000.")]
    [Range(100, 1_000_000)]
    public int ShapleySamples { get; init; } = 2000;

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var m in Models.Where(m => !Known.Contains(m)))
            yield return new ValidationResult($"models: unknown model '{m}'.{NameSuggestion.Format(m, Known)} Models: {string.Join(", ", Known)}.", [nameof(Models)]);
    }
}

/// <summary>
/// Multi-touch attribution of conversion paths (from <c>journey.conversion_paths</c>) by every chosen model, side by
/// side: rule-based models, exact Markov removal effects (order 1–3), and Shapley values; by channel, and by
/// channel and campaign in <c>&lt;id&gt;__campaigns</c>.
/// </summary>
public sealed class AttributionModels : IComponent<AttributionParameters>
{
    /// <inheritdoc />
    public static string TypeName => "analytics.attribution";
    /// <inheritdoc />
    public static string Description => "Attribute conversions to channels and campaigns with rule-based, Markov and Shapley models side by side.";
    /// <inheritdoc />
    public static InputArity Inputs => InputArity.One;

    private static readonly (string Name, DataKind Kind)[] Columns =
        [("model", DataKind.Text), ("channel", DataKind.Text), ("conversions", DataKind.Number), ("value", DataKind.Number), ("share", DataKind.Number), ("touches", DataKind.Integer)];

    /// <inheritdoc />
    public ComponentPlan Plan(AttributionParameters parameters, PlanContext context) =>
        new(new TableSchema(Columns.Select(c => new ColumnSchema(c.Name, c.Kind.ToString().ToUpperInvariant(), c.Kind)).ToList()),
            PathColumns.Select(c => new ColumnRequirement(0, c, [])).ToList());

    private static readonly string[] PathColumns = ["path_id", "position", "channel", "campaign", "converted", "conversion_value", "days_before_conversion"];

    /// <inheritdoc />
    public async Task<Materialization> MaterializeAsync(AttributionParameters p, ComponentContext context, CancellationToken cancellationToken)
    {
        var w = context.Warehouse;
        var byChannel = new List<ConversionPath>();
        var byCampaign = new List<ConversionPath>();
        var current = "";
        List<string> channels = [], campaigns = [];
        List<double> ages = [];
        var converted = false;
        var value = 0.0;
        void Flush()
        {
            if (channels.Count == 0) return;
            byChannel.Add(new ConversionPath(channels, converted, value, converted ? ages : null));
            byCampaign.Add(new ConversionPath(campaigns, converted, value, converted ? ages : null));
        }
        await foreach (var r in w.StreamAsync($"SELECT path_id, channel, campaign, converted, conversion_value, days_before_conversion FROM {w.Dialect.Quote(context.Inputs[0])} ORDER BY path_id, position", null, cancellationToken).ConfigureAwait(false))
        {
            var id = (string)r[0]!;
            if (id != current)
            {
                Flush();
                (current, channels, campaigns, ages) = (id, [], [], []);
                converted = r[3] is true;
                value = r[4] is null ? 0 : Convert.ToDouble(r[4], System.Globalization.CultureInfo.InvariantCulture);
            }
            var channel = (string)r[1]!;
            channels.Add(channel);
            campaigns.Add(r[2] is string campaign ? $"{channel} / {campaign}" : channel);
            ages.Add(r[5] is null ? 0 : Convert.ToDouble(r[5], System.Globalization.CultureInfo.InvariantCulture));
        }
        Flush();

        var channelRows = Attribute(p, byChannel);
        var campaignRows = Attribute(p, byCampaign);
        await w.ReplaceTableAsync(context.Asset + "__campaigns", (b, ct) => b.CreateAndAppendAsync(Columns, campaignRows, ct), cancellationToken).ConfigureAwait(false);
        var rows = await w.ReplaceTableAsync(context.Asset, (b, ct) => b.CreateAndAppendAsync(Columns, channelRows, ct), cancellationToken).ConfigureAwait(false);
        context.Log($"{byChannel.Count(x => x.Converted):N0} conversions over {byChannel.Count:N0} paths attributed by {string.Join(", ", p.Models)}");
        return new Materialization(rows, new Dictionary<string, object?> { ["paths"] = byChannel.Count, ["conversions"] = byChannel.Count(x => x.Converted) });
    }

    private static List<object?[]> Attribute(AttributionParameters p, List<ConversionPath> paths)
    {
        var touches = paths.Where(x => x.Converted).SelectMany(x => x.Channels).GroupBy(c => c).ToDictionary(g => g.Key, g => (long)g.Count());
        var rows = new List<object?[]>();
        foreach (var model in p.Models)
        {
            IReadOnlyList<ChannelCredit> credit = model switch
            {
                "markov_1" or "markov_2" or "markov_3" => MarkovAttribution.Compute(paths, model[^1] - '0').Credit,
                "shapley" => ShapleyAttribution.Compute(paths, p.ShapleySamples).Credit,
                "shapley_simplified" => ShapleyAttribution.Simplified(paths).Credit,
                _ => RuleBasedAttribution.Compute(paths, Enum.Parse<RuleBasedModel>(model.Replace("_", "", StringComparison.Ordinal), ignoreCase: true), p.HalfLifeDays),
            };
            var total = credit.Sum(c => c.Conversions);
            rows.AddRange(credit.Select(c => new object?[] { model, c.Channel, c.Conversions, c.Value, total == 0 ? 0 : c.Conversions / total, touches.GetValueOrDefault(c.Channel) }));
        }
        return rows;
    }
}
