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

    /// <summary>The Shapley game's coalition value.</summary>
    [Description("What a set of channels is worth for shapley: conversion_rate (Dalessandro et al. 2012: the conversion rate of paths with that set; uses non-converting paths, so it measures incremental effect) or conversions (Zhao et al. 2018: conversions of paths within the set). Default conversion_rate.")]
    public ShapleyValueFunction ShapleyValue { get; init; } = ShapleyValueFunction.ConversionRate;

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var m in Models.Where(m => !Known.Contains(m)))
            yield return new ValidationResult($"models: unknown model '{m}'.{NameSuggestion.Format(m, Known)} Models: {string.Join(", ", Known)}.", [nameof(Models)]);
    }
}

/// <summary>
/// Multi-touch attribution of conversion paths (from <c>journey.conversion_paths</c>) by every chosen model, side by
/// side: rule-based models, exact Markov removal effects (order 1–3), and Shapley values; by channel, by channel and
/// campaign in <c>&lt;id&gt;__campaigns</c>, and per conversion in <c>&lt;id&gt;__conversions</c> (each conversion's
/// split by channel and campaign, with its time, for daily campaign performance).
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

    private static readonly (string Name, DataKind Kind)[] CampaignColumns =
        [("model", DataKind.Text), ("channel", DataKind.Text), ("campaign", DataKind.Text), ("conversions", DataKind.Number), ("value", DataKind.Number), ("share", DataKind.Number), ("touches", DataKind.Integer)];

    private static readonly (string Name, DataKind Kind)[] ConversionColumns =
    [
        ("model", DataKind.Text), ("path_id", DataKind.Text), ("converted_at", DataKind.Timestamp), ("channel", DataKind.Text), ("campaign", DataKind.Text),
        ("conversions", DataKind.Number), ("value", DataKind.Number),
    ];

    /// <inheritdoc />
    public ComponentPlan Plan(AttributionParameters parameters, PlanContext context) =>
        new(new TableSchema(Columns.Select(c => new ColumnSchema(c.Name, c.Kind.ToString().ToUpperInvariant(), c.Kind)).ToList()),
            PathColumns.Select(c => new ColumnRequirement(0, c, [])).ToList());

    private static readonly string[] PathColumns = ["path_id", "position", "channel", "campaign", "converted", "conversion_value", "days_before_conversion", "converted_at"];

    private sealed record Journey(string Id, DateTime? ConvertedAt, List<string> Channels, List<string?> Campaigns);

    /// <inheritdoc />
    public async Task<Materialization> MaterializeAsync(AttributionParameters p, ComponentContext context, CancellationToken cancellationToken)
    {
        var w = context.Warehouse;
        var journeys = new List<Journey>();
        var byChannel = new List<ConversionPath>();
        var byCampaign = new List<ConversionPath>();
        var keys = new Dictionary<string, (string Channel, string? Campaign)>(StringComparer.Ordinal);
        Journey? current = null;
        List<double> ages = [];
        var converted = false;
        var value = 0.0;
        void Flush()
        {
            if (current is null) return;
            journeys.Add(current);
            byChannel.Add(new ConversionPath(current.Channels, converted, value, converted ? ages : null));
            byCampaign.Add(new ConversionPath(current.Channels.Zip(current.Campaigns, (channel, campaign) =>
            {
                var key = campaign is null ? channel : $"{channel} / {campaign}";
                keys.TryAdd(key, (channel, campaign));
                return key;
            }).ToList(), converted, value, converted ? ages : null));
        }
        await foreach (var r in w.StreamAsync($"SELECT path_id, channel, campaign, converted, conversion_value, days_before_conversion, converted_at FROM {w.Dialect.Quote(context.Inputs[0])} ORDER BY path_id, position", null, cancellationToken).ConfigureAwait(false))
        {
            var id = (string)r[0]!;
            if (id != current?.Id)
            {
                Flush();
                current = new Journey(id, r[6] as DateTime?, [], []);
                ages = [];
                converted = r[3] is true;
                value = r[4] is null ? 0 : Convert.ToDouble(r[4], System.Globalization.CultureInfo.InvariantCulture);
            }
            current.Channels.Add((string)r[1]!);
            current.Campaigns.Add(r[2] as string);
            ages.Add(r[5] is null ? 0 : Convert.ToDouble(r[5], System.Globalization.CultureInfo.InvariantCulture));
        }
        Flush();

        var channelRows = new List<object?[]>();
        var campaignRows = new List<object?[]>();
        var conversionRows = new List<object?[]>();
        foreach (var model in p.Models)
        {
            cancellationToken.ThrowIfCancellationRequested();
            channelRows.AddRange(Totals(model, byChannel, Attribute(p, model, byChannel).Credit));
            var (credit, weights) = Attribute(p, model, byCampaign);
            campaignRows.AddRange(Totals(model, byCampaign, credit).Select(r => (object?[])[r[0], keys[(string)r[1]!].Channel, keys[(string)r[1]!].Campaign, .. r[2..]]));
            for (var i = 0; i < journeys.Count; i++)
            {
                if (!byCampaign[i].Converted) continue;
                var split = weights(byCampaign[i]);
                var j = journeys[i];
                foreach (var g in Enumerable.Range(0, split.Length).GroupBy(k => byCampaign[i].Channels[k], StringComparer.Ordinal))
                {
                    var k = g.First();
                    var share = g.Sum(x => split[x]);
                    conversionRows.Add([model, j.Id, j.ConvertedAt, j.Channels[k], j.Campaigns[k], share, share * byCampaign[i].Value]);
                }
            }
        }
        await w.ReplaceTableAsync(context.Asset + "__conversions", (b, ct) => b.CreateAndAppendAsync(ConversionColumns, conversionRows, ct), cancellationToken).ConfigureAwait(false);
        await w.ReplaceTableAsync(context.Asset + "__campaigns", (b, ct) => b.CreateAndAppendAsync(CampaignColumns, campaignRows, ct), cancellationToken).ConfigureAwait(false);
        var rows = await w.ReplaceTableAsync(context.Asset, (b, ct) => b.CreateAndAppendAsync(Columns, channelRows, ct), cancellationToken).ConfigureAwait(false);
        context.Log($"{byChannel.Count(x => x.Converted):N0} conversions over {byChannel.Count:N0} paths attributed by {string.Join(", ", p.Models)}");
        return new Materialization(rows, new Dictionary<string, object?> { ["paths"] = byChannel.Count, ["conversions"] = byChannel.Count(x => x.Converted) });
    }

    // A model's totals and its split of one conversion over the path's touches.
    private static (IReadOnlyList<ChannelCredit> Credit, Func<ConversionPath, double[]> Weights) Attribute(AttributionParameters p, string model, List<ConversionPath> paths)
    {
        switch (model)
        {
            case "markov_1" or "markov_2" or "markov_3":
                var markov = MarkovAttribution.Compute(paths, model[^1] - '0');
                return (markov.Credit, markov.Weights);
            case "shapley":
                var shapley = ShapleyAttribution.Compute(paths, p.ShapleyValue, p.ShapleySamples);
                return (shapley.Credit, shapley.Weights);
            case "shapley_simplified":
                var simplified = ShapleyAttribution.Simplified(paths);
                return (simplified.Credit, simplified.Weights);
            default:
                var rule = Enum.Parse<RuleBasedModel>(model.Replace("_", "", StringComparison.Ordinal), ignoreCase: true);
                return (RuleBasedAttribution.Compute(paths, rule, p.HalfLifeDays), path => RuleBasedAttribution.Weights(path, rule, p.HalfLifeDays));
        }
    }

    private static IEnumerable<object?[]> Totals(string model, List<ConversionPath> paths, IReadOnlyList<ChannelCredit> credit)
    {
        var touches = paths.Where(x => x.Converted).SelectMany(x => x.Channels).GroupBy(c => c).ToDictionary(g => g.Key, g => (long)g.Count());
        var total = credit.Sum(c => c.Conversions);
        return credit.Select(c => new object?[] { model, c.Channel, c.Conversions, c.Value, total == 0 ? 0 : c.Conversions / total, touches.GetValueOrDefault(c.Channel) });
    }
}
