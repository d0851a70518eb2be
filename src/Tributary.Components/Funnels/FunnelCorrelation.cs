using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Tributary.Analytics.Funnels;
using Tributary.Components.Standardize;
using Tributary.Core.Components;
using Tributary.Core.Warehousing;

namespace Tributary.Components.Funnels;

/// <summary>Parameters of <c>analytics.funnel_correlation</c>.</summary>
public sealed record FunnelCorrelationParameters
{
    /// <summary>Step that defines success.</summary>
    [Description("Converters are the units that reached this step number; drop-offs entered but did not. Default: the funnel's last step.")]
    [Range(2, 1000)]
    public int? Step { get; init; }

    /// <summary>Window for drop-offs.</summary>
    [Description("A drop-off's events count from its entry up to this long after it (a converter's up to its conversion); use the funnel's window. Default 14d.")]
    public TimeSpan Window { get; init; } = TimeSpan.FromDays(14);

    /// <summary>Property columns.</summary>
    [Description("Columns of the events table whose values to correlate as well (column=value items), e.g. [utm_source, currency].")]
    public IReadOnlyList<string> Properties { get; init; } = [];

    /// <summary>Events left out.</summary>
    [Description("Event names to leave out, typically the funnel's own steps.")]
    public IReadOnlyList<string> ExcludeEvents { get; init; } = [];

    /// <summary>Least units.</summary>
    [Description("Items done by fewer units (converters and drop-offs together) are left out. Default 3.")]
    [Range(1, 1_000_000)]
    public int MinUnits { get; init; } = 3;

    /// <summary>Significance level.</summary>
    [Description("False discovery rate at which an item is significant (Benjamini-Hochberg over all items). Default 0.05.")]
    [Range(1e-6, 0.5)]
    public double Alpha { get; init; } = 0.05;

    /// <summary>Confidence level.</summary>
    [Description("Two-sided level of the odds ratio's interval. Default 0.95.")]
    [Range(0.5, 0.9999)]
    public double Confidence { get; init; } = 0.95;

    /// <summary>Counting unit.</summary>
    [Description("The funnel's unit: person (pass the identity graph as the third input) or session. Default person.")]
    public CountingUnit Unit { get; init; } = CountingUnit.Person;

    /// <summary>A column holding the unit directly.</summary>
    [Description("The funnel's unit_column, when it used one.")]
    public string? UnitColumn { get; init; }

    /// <summary>Session gap.</summary>
    [Description("The funnel's session_gap. Default 30m.")]
    public TimeSpan SessionGap { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>Event name column.</summary>
    [Description("Column holding the event name. Default event.")]
    public string EventColumn { get; init; } = "event";

    /// <summary>Timestamp column.</summary>
    [Description("Column holding the event time. Default occurred_at.")]
    public string TimeColumn { get; init; } = "occurred_at";

    /// <summary>Event id column.</summary>
    [Description("Column holding a unique event id. Default event_id.")]
    public string IdColumn { get; init; } = "event_id";
}

/// <summary>
/// Which events and property values go with converting and which with dropping off, as PostHog's correlation analysis
/// does it, over warehouse tables: for each item, the converters and drop-offs that did it between entering the funnel
/// and converting (or the window's end), the odds ratio with one added to each cell, its confidence interval and a Wald
/// test, with Benjamini-Hochberg control of the false discovery rate across items. Inputs: the funnel, the events
/// table, and optionally the identity graph.
/// </summary>
public sealed class FunnelCorrelation : IComponent<FunnelCorrelationParameters>
{
    /// <inheritdoc />
    public static string TypeName => "analytics.funnel_correlation";
    /// <inheritdoc />
    public static string Description => "Events and property values most associated with converting or dropping off a funnel: odds ratios with intervals and significance.";
    /// <inheritdoc />
    public static InputArity Inputs => new(2, 3);

    private static readonly (string Name, DataKind Kind)[] Columns =
    [
        ("kind", DataKind.Text), ("item", DataKind.Text), ("converters", DataKind.Integer), ("drop_offs", DataKind.Integer),
        ("converter_share", DataKind.Number), ("drop_off_share", DataKind.Number), ("odds_ratio", DataKind.Number), ("ci_low", DataKind.Number),
        ("ci_high", DataKind.Number), ("p_value", DataKind.Number), ("adjusted_p_value", DataKind.Number), ("significant", DataKind.Boolean), ("direction", DataKind.Text),
    ];

    private static readonly string[] IdentityColumns = ["identifier_type", "identifier_value", "profile_id"];

    /// <inheritdoc />
    public ComponentPlan Plan(FunnelCorrelationParameters p, PlanContext context)
    {
        var needs = new List<string> { p.EventColumn, p.TimeColumn, p.IdColumn };
        needs.AddRange(p.UnitColumn is not null ? [p.UnitColumn] : ["user_id", "anonymous_id"]);
        needs.AddRange(p.Properties);
        var requires = needs.Distinct(StringComparer.Ordinal).Select(c => new ColumnRequirement(1, c, [])).ToList();
        if (context.Inputs.Count > 2) requires.AddRange(IdentityColumns.Select(c => new ColumnRequirement(2, c, [])));
        return new ComponentPlan(Schema.Of(Columns), requires)
        {
            MainDescription = "An event or column=value item: converters and drop-offs who did it, odds ratio with interval, p-value and direction.",
        };
    }

    /// <inheritdoc />
    public async Task<Materialization> MaterializeAsync(FunnelCorrelationParameters p, ComponentContext context, CancellationToken cancellationToken)
    {
        var w = context.Warehouse;
        var q = new SqlBuilder(w.Dialect);
        var units = q.Quote(context.InputOutput(context.Inputs[0], "units"));
        var text = w.Dialect.TypeName(DataKind.Text);
        var extra = new List<string> { $"CAST(e.{q.Quote(p.EventColumn)} AS {text}) AS name" };
        extra.AddRange(p.Properties.Select((c, i) => $"CAST(e.{q.Quote(c)} AS {text}) AS p{i}"));
        var source = EventUnits.Ctes(q, "src", context.Inputs[1], context.Inputs.Count > 2 ? context.Inputs[2] : null, p.Unit, p.UnitColumn, p.SessionGap,
            p.TimeColumn, p.IdColumn, extra);
        var (ok, doneAt) = p.Step is { } k
            ? ($"step_{k.ToString(CultureInfo.InvariantCulture)}_at IS NOT NULL", $"step_{k.ToString(CultureInfo.InvariantCulture)}_at")
            : ("converted", "converted_at");
        var excluded = p.ExcludeEvents.Count == 0 ? "" : $" AND t.name NOT IN ({q.BindList(p.ExcludeEvents, DataKind.Text)})";
        var items = new List<string> { $"SELECT DISTINCT t.unit, t.ok, 'event' AS kind, t.name AS item FROM touched t WHERE t.name IS NOT NULL{excluded}" };
        items.AddRange(p.Properties.Select((c, i) => $"SELECT DISTINCT t.unit, t.ok, 'property' AS kind, {w.Dialect.Literal(c + "=")} || t.p{i} AS item FROM touched t WHERE t.p{i} IS NOT NULL"));
        var sql = $"""
            WITH {source},
            u AS (SELECT unit, entered_at, CASE WHEN {ok} THEN 1 ELSE 0 END AS ok, {doneAt} AS done_at FROM {units}),
            touched AS (SELECT u.unit, u.ok, e.name{string.Concat(p.Properties.Select((_, i) => $", e.p{i}"))} FROM u JOIN src e ON e.unit = u.unit AND e.ts >= u.entered_at
                        AND e.ts <= CASE WHEN u.ok = 1 THEN u.done_at ELSE u.entered_at + {q.Interval(p.Window)} END),
            items AS ({string.Join("\nUNION ALL\n", items)})
            SELECT kind, item, sum(ok), sum(1 - ok) FROM items GROUP BY kind, item HAVING count(*) >= {p.MinUnits.ToString(CultureInfo.InvariantCulture)}
            """;
        var counts = (await w.QueryAsync(sql, q.Parameters, int.MaxValue, cancellationToken).ConfigureAwait(false)).Rows;
        var totals = (await w.QueryAsync($"SELECT sum(CASE WHEN {ok} THEN 1 ELSE 0 END), sum(CASE WHEN {ok} THEN 0 ELSE 1 END) FROM {units}", null, 1, cancellationToken)
            .ConfigureAwait(false)).Rows[0];
        long Long(object? v) => v is null ? 0 : Convert.ToInt64(v, CultureInfo.InvariantCulture);
        var successes = Long(totals[0]);
        var failures = Long(totals[1]);
        var tested = counts.Select(r => (Kind: (string)r[0]!, Item: (string)r[1]!, With: Long(r[2]), Without: Long(r[3])))
            .Select(r => (r.Kind, r.Item, r.With, r.Without, Odds: ProportionStatistics.Odds(r.With, successes, r.Without, failures, p.Confidence))).ToList();
        var adjusted = ProportionStatistics.BenjaminiHochberg(tested.Select(t => t.Odds.PValue).ToList());
        var rows = tested.Select((t, i) => new object?[]
            {
                t.Kind, t.Item, t.With, t.Without, successes == 0 ? null : (double)t.With / successes, failures == 0 ? null : (double)t.Without / failures,
                t.Odds.Ratio, t.Odds.Low, t.Odds.High, t.Odds.PValue, adjusted[i], adjusted[i] < p.Alpha, t.Odds.Ratio >= 1 ? "success" : "failure",
            })
            .OrderByDescending(r => Math.Abs(Math.Log((double)r[6]!))).ToList();
        var written = await w.ReplaceTableAsync(context.Asset, (b, ct) => b.CreateAndAppendAsync(Columns, rows, ct), cancellationToken).ConfigureAwait(false);
        context.Log($"{written:N0} items over {successes:N0} converters and {failures:N0} drop-offs; {rows.Count(r => (bool)r[11]!):N0} significant");
        return new Materialization(written, new Dictionary<string, object?> { ["converters"] = successes, ["drop_offs"] = failures });
    }
}
