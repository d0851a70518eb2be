using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Tributary.Core.Components;
using Tributary.Core.Warehousing;

namespace Tributary.Components.Journeys;

/// <summary>Parameters of <c>journey.conversion_paths</c>.</summary>
public sealed record ConversionPathsParameters : IValidatableObject
{
    /// <summary>Which input plays which role.</summary>
    [Description("Input ids by role: touchpoints (standardize.touchpoints), orders (standardize.orders) and identity (identity.resolve).")]
    public required IReadOnlyDictionary<string, string> Tables { get; init; }

    /// <summary>Lookback window.</summary>
    [Description("Touches up to this many days before a conversion belong to its path. Default 30.")]
    [Range(1, 365)]
    public int LookbackDays { get; init; } = 30;

    /// <summary>Inactivity that ends a journey.</summary>
    [Description("A gap of more than this many days without a touch ends a journey: the touches before it are a non-converting path. Default: the lookback.")]
    [Range(0.01, 365)]
    public double? JourneyGapDays { get; init; }

    private static readonly string[] Roles = ["touchpoints", "orders", "identity"];

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var role in Roles.Where(r => !Tables.ContainsKey(r)))
            yield return new ValidationResult($"tables needs {role}.", [nameof(Tables)]);
    }
}

/// <summary>
/// Conversion paths per person, stitched across devices through the identity graph. A person's touches form journeys:
/// a journey ends at an order (a converting path of its touches within the lookback), or after a gap of
/// <c>journey_gap_days</c> without a touch, or when its touches fall out of the lookback (non-converting paths, which
/// data-driven attribution needs as much as the converting ones; Anderl et al. 2016 build journeys the same way).
/// One row per touch; a conversion with no touch in its journey is one <c>direct</c> touch.
/// </summary>
public sealed class ConversionPaths : IComponent<ConversionPathsParameters>
{
    /// <inheritdoc />
    public static string TypeName => "journey.conversion_paths";
    /// <inheritdoc />
    public static string Description => "Identity-stitched conversion and non-conversion paths of touchpoints, one row per touch.";
    /// <inheritdoc />
    public static InputArity Inputs => InputArity.AtLeastOne;

    private static readonly (string Name, DataKind Kind)[] Columns =
    [
        ("path_id", DataKind.Text), ("profile_id", DataKind.Text), ("position", DataKind.Integer), ("channel", DataKind.Text), ("campaign", DataKind.Text),
        ("touched_at", DataKind.Timestamp), ("days_before_conversion", DataKind.Number), ("converted", DataKind.Boolean), ("conversion_value", DataKind.Number),
        ("converted_at", DataKind.Timestamp),
    ];

    /// <inheritdoc />
    public ComponentPlan Plan(ConversionPathsParameters p, PlanContext context)
    {
        var requires = new List<ColumnRequirement>();
        var needs = new Dictionary<string, string[]>
        {
            ["touchpoints"] = ["anonymous_id", "touched_at", "channel", "campaign"],
            ["orders"] = ["email", "phone", "ordered_at", "total", "is_cancelled"],
            ["identity"] = ["identifier_type", "identifier_value", "profile_id"],
        };
        foreach (var (role, table) in p.Tables)
        {
            var i = context.Inputs.ToList().FindIndex(x => x.Id == table);
            if (i < 0) throw new PlanException($"tables.{role} names '{table}', which is not one of the inputs ({string.Join(", ", context.Inputs.Select(x => x.Id))}).");
            if (needs.TryGetValue(role, out var columns)) requires.AddRange(columns.Select(c => new ColumnRequirement(i, c, [])));
        }
        return new ComponentPlan(new TableSchema(Columns.Select(c => new ColumnSchema(c.Name, c.Kind.ToString().ToUpperInvariant(), c.Kind)).ToList()), requires);
    }

    private readonly record struct Touch(DateTime At, string Channel, string? Campaign);

    /// <inheritdoc />
    public async Task<Materialization> MaterializeAsync(ConversionPathsParameters p, ComponentContext context, CancellationToken cancellationToken)
    {
        var w = context.Warehouse;
        string T(string role) => w.Dialect.Quote(p.Tables[role]);
        var touches = new Dictionary<string, List<Touch>>(StringComparer.Ordinal);
        await foreach (var r in w.StreamAsync($"""
            SELECT i.profile_id, t.touched_at, t.channel, t.campaign FROM {T("touchpoints")} t
            JOIN {T("identity")} i ON i.identifier_type = 'anonymous_id' AND i.identifier_value = t.anonymous_id
            ORDER BY i.profile_id, t.touched_at
            """, null, cancellationToken).ConfigureAwait(false))
        {
            if (!touches.TryGetValue((string)r[0]!, out var list)) touches[(string)r[0]!] = list = [];
            list.Add(new Touch((DateTime)r[1]!, (string)r[2]!, r[3] as string));
        }
        var orders = new Dictionary<string, List<(DateTime At, double Value)>>(StringComparer.Ordinal);
        await foreach (var r in w.StreamAsync($"""
            SELECT coalesce(e.profile_id, ph.profile_id), o.ordered_at, o.total FROM {T("orders")} o
            LEFT JOIN {T("identity")} e ON e.identifier_type = 'email' AND e.identifier_value = o.email
            LEFT JOIN {T("identity")} ph ON ph.identifier_type = 'phone' AND ph.identifier_value = o.phone
            WHERE NOT o.is_cancelled AND coalesce(e.profile_id, ph.profile_id) IS NOT NULL
            ORDER BY 1, 2
            """, null, cancellationToken).ConfigureAwait(false))
        {
            if (!orders.TryGetValue((string)r[0]!, out var list)) orders[(string)r[0]!] = list = [];
            list.Add(((DateTime)r[1]!, Convert.ToDouble(r[2], System.Globalization.CultureInfo.InvariantCulture)));
        }

        var lookback = TimeSpan.FromDays(p.LookbackDays);
        var gap = p.JourneyGapDays is { } days ? TimeSpan.FromDays(days) : lookback;
        var rows = new List<object?[]>();
        var converting = 0;
        var nonConverting = 0;
        foreach (var profile in touches.Keys.Union(orders.Keys).Order(StringComparer.Ordinal))
        {
            var own = touches.GetValueOrDefault(profile) ?? [];
            var open = new List<Touch>();
            var n = 0;
            var k = 0;
            void NonConverting(List<Touch> path)
            {
                if (path.Count == 0) return;
                var id = $"{profile}#nc{++k}";
                for (var i = 0; i < path.Count; i++) rows.Add([id, profile, i + 1, path[i].Channel, path[i].Campaign, path[i].At, null, false, 0.0, null]);
                nonConverting++;
            }
            // Touches before 'at' join the open journey; a long gap or the lookback closes it without a conversion.
            var next = 0;
            void Advance(DateTime at)
            {
                for (; next < own.Count && own[next].At < at; next++)
                {
                    if (open.Count > 0 && (own[next].At - open[^1].At > gap || own[next].At - open[0].At > lookback))
                    {
                        // Keep the part still within the lookback of this touch; the rest expired unconverted.
                        var touch = own[next];
                        var within = open.FindIndex(t => touch.At - t.At <= lookback);
                        var cut = touch.At - open[^1].At > gap || within < 0 ? open.Count : within;
                        NonConverting(open[..cut]);
                        open = open[cut..];
                    }
                    open.Add(own[next]);
                }
            }
            foreach (var (at, value) in orders.GetValueOrDefault(profile) ?? [])
            {
                Advance(at);
                if (open.Count > 0 && at - open[^1].At > gap) { NonConverting(open); open = []; }
                var expired = open.FindIndex(t => at - t.At <= lookback);
                if (expired != 0) { NonConverting(expired < 0 ? open : open[..expired]); open = expired < 0 ? [] : open[expired..]; }
                var path = $"{profile}#{++n}";
                if (open.Count == 0) open.Add(new Touch(at, "direct", null));
                for (var i = 0; i < open.Count; i++)
                    rows.Add([path, profile, i + 1, open[i].Channel, open[i].Campaign, open[i].At, (at - open[i].At).TotalDays, true, value, at]);
                open = [];
                converting++;
            }
            Advance(DateTime.MaxValue);
            NonConverting(open);
        }
        var written = await w.ReplaceTableAsync(context.Asset, (b, ct) => b.CreateAndAppendAsync(Columns, rows, ct), cancellationToken).ConfigureAwait(false);
        context.Log($"{converting:N0} converting and {nonConverting:N0} non-converting paths, {written:N0} touches");
        return new Materialization(written, new Dictionary<string, object?> { ["converting_paths"] = converting, ["non_converting_paths"] = nonConverting });
    }
}
