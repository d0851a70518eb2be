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
    /// <summary>The one step to analyse.</summary>
    [Description("Analyse only the units reaching this required step number (converters) against those that reached the required step before it and not this one (drop-offs). Default: every required step after the first.")]
    [Range(2, 1000)]
    public int? Step { get; init; }

    /// <summary>Window for drop-offs.</summary>
    [Description("A drop-off's events count from the step before up to this long after its entry (a converter's up to, not including, its reaching the step); use the funnel's window. Default 14d.")]
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
/// Which events and property values go with passing a funnel step and which with dropping off there, step by step as
/// Amplitude's conversion drivers compare the units between two steps: for each required step k after the first, of the
/// units that reached the required step before it, those reaching k (converters) against the others (drop-offs), each
/// counting an item when it happened from the step before up to (not including) reaching k, or the funnel window's end.
/// An event that only happens once a unit is past a step thus never separates the units that got there from those that
/// did not. Per item, the odds ratio with one added to each cell (PostHog's), its confidence interval and a Wald test,
/// with Benjamini-Hochberg control of the false discovery rate across every step's items. Inputs: the funnel, the events
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
        ("step", DataKind.Integer), ("step_name", DataKind.Text), ("kind", DataKind.Text), ("item", DataKind.Text), ("converters", DataKind.Integer), ("drop_offs", DataKind.Integer),
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
            MainDescription = "A step and an event or column=value item: the step's converters and drop-offs who did it before the step, odds ratio with interval, p-value and direction.",
        };
    }

    /// <inheritdoc />
    public async Task<Materialization> MaterializeAsync(FunnelCorrelationParameters p, ComponentContext context, CancellationToken cancellationToken)
    {
        var w = context.Warehouse;
        var q = new SqlBuilder(w.Dialect);
        var funnel = w.Dialect.Quote(context.Inputs[0]);
        var units = q.Quote(context.InputOutput(context.Inputs[0], "units"));
        long Long(object? v) => v is null ? 0 : Convert.ToInt64(v, CultureInfo.InvariantCulture);
        var stepQuery = new SqlBuilder(w.Dialect);
        var steps = (await w.QueryAsync($"SELECT step, step_name, optional FROM {funnel} WHERE breakdown = {stepQuery.Bind(Funnel.AllUnits)} ORDER BY step", stepQuery.Parameters, int.MaxValue, cancellationToken)
            .ConfigureAwait(false)).Rows.Select(r => (Step: (int)Long(r[0]), Name: (string)r[1]!, Optional: (bool)r[2]!)).ToList();
        var required = steps.Where(s => !s.Optional).ToList();
        var transitions = required.Skip(1).Select((s, i) => (s.Step, s.Name, Previous: required[i].Step)).Where(t => p.Step is null || t.Step == p.Step).ToList();
        if (transitions.Count == 0)
            throw new InputDataException($"step {p.Step} is not a required step after the first of funnel '{context.Inputs[0]}' (required steps: {string.Join(", ", required.Select(s => s.Step))}); set step to one of them or leave it out.");

        var text = w.Dialect.TypeName(DataKind.Text);
        var extra = new List<string> { $"CAST(e.{q.Quote(p.EventColumn)} AS {text}) AS name" };
        extra.AddRange(p.Properties.Select((c, i) => $"CAST(e.{q.Quote(c)} AS {text}) AS p{i}"));
        var source = EventUnits.Ctes(q, "src", context.Inputs[1], context.Inputs.Count > 2 ? context.Inputs[2] : null, p.Unit, p.UnitColumn, p.SessionGap,
            p.TimeColumn, p.IdColumn, extra);
        string N(int k) => k.ToString(CultureInfo.InvariantCulture);
        string Pick(Func<(int Step, string Name, int Previous), string> column) =>
            $"CASE g.k {string.Join(" ", transitions.Select(t => $"WHEN {N(t.Step)} THEN {column(t)}"))} END";
        var pairs = string.Join(", ", transitions.Select(t => $"({N(t.Step)}, {N(t.Previous)})"));
        var excluded = p.ExcludeEvents.Count == 0 ? "" : $" AND t.name NOT IN ({q.BindList(p.ExcludeEvents, DataKind.Text)})";
        var items = new List<string> { $"SELECT DISTINCT t.k, t.unit, t.ok, 'event' AS kind, t.name AS item FROM touched t WHERE t.name IS NOT NULL{excluded}" };
        items.AddRange(p.Properties.Select((c, i) => $"SELECT DISTINCT t.k, t.unit, t.ok, 'property' AS kind, {w.Dialect.Literal(c + "=")} || t.p{i} AS item FROM touched t WHERE t.p{i} IS NOT NULL"));
        // A unit is at risk at step k once it reached the step before; its span starts there, so an item that comes only
        // past a step cannot tell those who got there from those who did not. "Reached the i-th required step" is the
        // i-th earliest of the unit's required steps' times: in an unordered funnel, where row i counts units that did
        // any i steps, that is when the unit did its i-th distinct step; in an ordered or strict one each required step
        // comes at or after the one before, so it is step i's own time.
        var position = required.Select((s, i) => (s.Step, Index: i + 1)).ToDictionary(s => s.Step, s => s.Index);
        var times = string.Join(" UNION ALL ", required.Select(s => $"SELECT unit, step_{N(s.Step)}_at AS t FROM {units}"));
        var orderStatistics = string.Join(", ", required.Select((_, i) => $"max(CASE WHEN i = {N(i + 1)} THEN t END) AS r{N(i + 1)}"));
        var sql = $"""
            WITH {source},
            g AS (SELECT * FROM (VALUES {pairs}) AS v(k, prev)),
            ranked AS (SELECT unit, t, row_number() OVER (PARTITION BY unit ORDER BY t) AS i FROM ({times}) x WHERE t IS NOT NULL),
            reached AS (SELECT unit, {orderStatistics} FROM ranked GROUP BY unit),
            u AS (SELECT f.unit, g.k, CASE WHEN f.furthest_step >= g.k THEN 1 ELSE 0 END AS ok,
                         {Pick(t => $"o.r{N(position[t.Previous])}")} AS from_at,
                         coalesce({Pick(t => $"o.r{N(position[t.Step])}")}, f.entered_at + {q.Interval(p.Window)}) AS to_at
                  FROM {units} f JOIN reached o ON o.unit = f.unit JOIN g ON f.furthest_step >= g.prev),
            touched AS (SELECT u.k, u.unit, u.ok, e.name{string.Concat(p.Properties.Select((_, i) => $", e.p{i}"))} FROM u JOIN src e ON e.unit = u.unit AND e.ts >= u.from_at
                        AND (e.ts < u.to_at OR (u.ok = 0 AND e.ts = u.to_at))),
            items AS ({string.Join("\nUNION ALL\n", items)})
            SELECT k, kind, item, sum(ok), sum(1 - ok) FROM items GROUP BY k, kind, item HAVING count(*) >= {p.MinUnits.ToString(CultureInfo.InvariantCulture)}
            """;
        var counts = (await w.QueryAsync(sql, q.Parameters, int.MaxValue, cancellationToken).ConfigureAwait(false)).Rows;
        var totalsSql = $"""
            SELECT g.k, sum(CASE WHEN f.furthest_step >= g.k THEN 1 ELSE 0 END), sum(CASE WHEN f.furthest_step >= g.k THEN 0 ELSE 1 END)
            FROM {units} f JOIN (VALUES {pairs}) AS g(k, prev) ON f.furthest_step >= g.prev GROUP BY g.k
            """;
        var totals = (await w.QueryAsync(totalsSql, null, int.MaxValue, cancellationToken).ConfigureAwait(false)).Rows
            .ToDictionary(r => (int)Long(r[0]), r => (Successes: Long(r[1]), Failures: Long(r[2])));
        (long Successes, long Failures) At(int k) => totals.GetValueOrDefault(k);
        var tested = counts.Select(r => (Step: (int)Long(r[0]), Kind: (string)r[1]!, Item: (string)r[2]!, With: Long(r[3]), Without: Long(r[4])))
            .Select(r => (r.Step, r.Kind, r.Item, r.With, r.Without, Odds: ProportionStatistics.Odds(r.With, At(r.Step).Successes, r.Without, At(r.Step).Failures, p.Confidence)))
            .ToList();
        var adjusted = ProportionStatistics.BenjaminiHochberg(tested.Select(t => t.Odds.PValue).ToList());
        var names = transitions.ToDictionary(t => t.Step, t => t.Name);
        var rows = tested.Select((t, i) => new object?[]
            {
                (long)t.Step, names[t.Step], t.Kind, t.Item, t.With, t.Without,
                At(t.Step).Successes == 0 ? null : (double)t.With / At(t.Step).Successes, At(t.Step).Failures == 0 ? null : (double)t.Without / At(t.Step).Failures,
                t.Odds.Ratio, t.Odds.Low, t.Odds.High, t.Odds.PValue, adjusted[i], adjusted[i] < p.Alpha, t.Odds.Ratio >= 1 ? "success" : "failure",
            })
            .OrderBy(r => (long)r[0]!).ThenByDescending(r => Math.Abs(Math.Log((double)r[8]!))).ToList();
        var written = await w.ReplaceTableAsync(context.Asset, (b, ct) => b.CreateAndAppendAsync(Columns, rows, ct), cancellationToken).ConfigureAwait(false);
        var last = At(transitions[^1].Step);
        context.Log($"{written:N0} items over {transitions.Count:N0} steps; {rows.Count(r => (bool)r[13]!):N0} significant");
        return new Materialization(written, new Dictionary<string, object?> { ["converters"] = last.Successes, ["drop_offs"] = last.Failures });
    }
}
