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

    private static readonly string[] Roles = ["touchpoints", "orders", "identity"];

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var role in Roles.Where(r => !Tables.ContainsKey(r)))
            yield return new ValidationResult($"tables needs {role}.", [nameof(Tables)]);
    }
}

/// <summary>
/// Conversion paths per person: each order's touchpoints within the lookback (after the person's previous order),
/// stitched across devices through the identity graph, plus the non-converting paths (touches after a person's
/// last order, or of people who never ordered) that data-driven attribution needs. One row per touch; a
/// conversion with no touch is one <c>direct</c> touch.
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
            if (i < 0) throw new ArgumentException($"tables.{role} names '{table}', which is not one of the inputs ({string.Join(", ", context.Inputs.Select(x => x.Id))}).");
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
        var rows = new List<object?[]>();
        var converting = 0;
        var nonConverting = 0;
        foreach (var profile in touches.Keys.Union(orders.Keys).Order(StringComparer.Ordinal))
        {
            var own = touches.GetValueOrDefault(profile) ?? [];
            var next = 0;
            var previous = DateTime.MinValue;
            var n = 0;
            foreach (var (at, value) in orders.GetValueOrDefault(profile) ?? [])
            {
                var path = $"{profile}#{++n}";
                var start = at - lookback > previous ? at - lookback : previous;
                var inPath = new List<Touch>();
                for (; next < own.Count && own[next].At < at; next++)
                    if (own[next].At >= start) inPath.Add(own[next]);
                if (inPath.Count == 0) inPath.Add(new Touch(at, "direct", null));
                for (var k = 0; k < inPath.Count; k++)
                    rows.Add([path, profile, k + 1, inPath[k].Channel, inPath[k].Campaign, inPath[k].At, (at - inPath[k].At).TotalDays, true, value, at]);
                previous = at;
                converting++;
            }
            // Touches after the last order (or of people who never ordered) are the non-converting path.
            var rest = own.Skip(next).ToList();
            if (rest.Count == 0) continue;
            var id = $"{profile}#open";
            for (var k = 0; k < rest.Count; k++) rows.Add([id, profile, k + 1, rest[k].Channel, rest[k].Campaign, rest[k].At, null, false, 0.0, null]);
            nonConverting++;
        }
        var written = await w.ReplaceTableAsync(context.Asset, (b, ct) => b.CreateAndAppendAsync(Columns, rows, ct), cancellationToken).ConfigureAwait(false);
        context.Log($"{converting:N0} converting and {nonConverting:N0} non-converting paths, {written:N0} touches");
        return new Materialization(written, new Dictionary<string, object?> { ["converting_paths"] = converting, ["non_converting_paths"] = nonConverting });
    }
}
