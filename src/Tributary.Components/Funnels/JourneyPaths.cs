using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Tributary.Components.Standardize;
using Tributary.Core.Components;
using Tributary.Core.Warehousing;

namespace Tributary.Components.Funnels;

/// <summary>Parameters of <c>journey.paths</c>.</summary>
public sealed record JourneyPathsParameters : IValidatableObject
{
    /// <summary>Start point.</summary>
    [Description("Paths start at a unit's first event matching this ('Event [where ...]'): the next-step tree. Without start_event or end_event, at the unit's first event.")]
    public string? StartEvent { get; init; }

    /// <summary>End point.</summary>
    [Description("Paths end at a unit's first event matching this: with no start_event, the previous-step tree leading to it; with one, paths are cut there.")]
    public string? EndEvent { get; init; }

    /// <summary>Steps per path.</summary>
    [Description("Steps (nodes) per path, the start or end included. Default 5.")]
    [Range(2, 50)]
    public int MaxSteps { get; init; } = 5;

    /// <summary>Collapse repeats.</summary>
    [Description("Collapse consecutive repeats of the same step (a page reloaded, an event sent twice) into one. Default true.")]
    public bool CollapseRepeats { get; init; } = true;

    /// <summary>Label column.</summary>
    [Description("Column naming a step: event (default) or, for page paths, a URL column such as page_url.")]
    public string LabelColumn { get; init; } = "event";

    /// <summary>URL grouping rules.</summary>
    [Description("Rules that clean labels, applied in order: a regular expression and its replacement, e.g. { \"\\\\?.*$\": \"\", \"/products/[^/]+\": \"/products/:id\" }.")]
    public IReadOnlyDictionary<string, string> GroupPatterns { get; init; } = new Dictionary<string, string>();

    /// <summary>Events left out.</summary>
    [Description("Event names left out of paths entirely (e.g. email opens); events without a label (identify calls) are always left out.")]
    public IReadOnlyList<string> ExcludeEvents { get; init; } = [];

    /// <summary>Top paths kept.</summary>
    [Description("How many of the most common whole paths the paths output keeps. Default 50.")]
    [Range(1, 10000)]
    public int TopPaths { get; init; } = 50;

    /// <summary>Counting unit.</summary>
    [Description("session (default) or person (pass the identity graph as the second input).")]
    public CountingUnit Unit { get; init; } = CountingUnit.Session;

    /// <summary>A column holding the unit directly.</summary>
    [Description("A column of the events table that already holds the unit; overrides unit.")]
    public string? UnitColumn { get; init; }

    /// <summary>Session gap.</summary>
    [Description("For unit: session, a gap longer than this ends a session. Default 30m.")]
    public TimeSpan SessionGap { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>Event name column.</summary>
    [Description("Column holding the event name. Default event.")]
    public string EventColumn { get; init; } = "event";

    /// <summary>Timestamp column.</summary>
    [Description("Column holding the event time. Default occurred_at.")]
    public string TimeColumn { get; init; } = "occurred_at";

    /// <summary>Event id column.</summary>
    [Description("Column holding a unique event id, which orders events at the same instant. Default event_id.")]
    public string IdColumn { get; init; } = "event_id";

    internal bool Backward => StartEvent is null && EndEvent is not null;

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (StartEvent is not null && EventPattern.TryParse(StartEvent, out var e1) is null) yield return new ValidationResult($"start_event: {e1}", [nameof(StartEvent)]);
        if (EndEvent is not null && EventPattern.TryParse(EndEvent, out var e2) is null) yield return new ValidationResult($"end_event: {e2}", [nameof(EndEvent)]);
        foreach (var pattern in GroupPatterns.Keys)
        {
            string? error = null;
            try { _ = new System.Text.RegularExpressions.Regex(pattern); }
            catch (ArgumentException e) { error = e.Message; }
            if (error is not null) yield return new ValidationResult($"group_patterns: '{pattern}' is not a regular expression ({error}).", [nameof(GroupPatterns)]);
        }
    }
}

/// <summary>
/// The most common paths through an event stream, in the warehouse: per unit, its events from the first start event
/// (next-step tree) or up to the first end event (previous-step tree), labels cleaned by the grouping rules and
/// consecutive repeats collapsed, then Sankey edges (step n to step n+1, with drop-offs) and the top whole paths.
/// </summary>
public sealed class JourneyPaths : IComponent<JourneyPathsParameters>
{
    /// <inheritdoc />
    public static string TypeName => "journey.paths";
    /// <inheritdoc />
    public static string Description => "Next-step and previous-step path trees as Sankey edges, with path cleaning, per session or person.";
    /// <inheritdoc />
    public static InputArity Inputs => new(1, 2);

    /// <summary>Target of an edge whose paths end at its source.</summary>
    public const string End = "(end)";
    /// <summary>Source of an edge whose paths begin at its target (previous-step trees).</summary>
    public const string Start = "(start)";

    private static readonly (string Name, DataKind Kind)[] EdgeColumns =
        [("depth", DataKind.Integer), ("source", DataKind.Text), ("target", DataKind.Text), ("units", DataKind.Integer)];
    private static readonly (string Name, DataKind Kind)[] PathColumns =
        [("rank", DataKind.Integer), ("path", DataKind.Text), ("steps", DataKind.Integer), ("units", DataKind.Integer), ("share", DataKind.Number)];
    private static readonly string[] IdentityColumns = ["identifier_type", "identifier_value", "profile_id"];

    /// <inheritdoc />
    public ComponentPlan Plan(JourneyPathsParameters p, PlanContext context)
    {
        var needs = new List<string> { p.EventColumn, p.TimeColumn, p.IdColumn, p.LabelColumn };
        needs.AddRange(p.UnitColumn is not null ? [p.UnitColumn] : ["user_id", "anonymous_id"]);
        foreach (var pattern in new[] { p.StartEvent, p.EndEvent }.OfType<string>()) needs.AddRange(EventPattern.TryParse(pattern, out _)!.Columns);
        var requires = needs.Distinct(StringComparer.Ordinal).Select(c => new ColumnRequirement(0, c, [])).ToList();
        if (context.Inputs.Count > 1) requires.AddRange(IdentityColumns.Select(c => new ColumnRequirement(1, c, [])));
        return new ComponentPlan(Schema.Of(EdgeColumns), requires)
        {
            MainDescription = p.Backward
                ? "A Sankey edge of the previous-step tree: units going from the step at depth+1 to the step at depth (depth 1 is the end event)."
                : "A Sankey edge of the next-step tree: units going from the step at depth to the step at depth+1, or ending there (target '(end)').",
            SideOutputs = [new DeclaredOutput("paths", OutputRole.Detail, "One of the most common whole paths (steps joined by ' > ') with its units.", Schema.Of(PathColumns))],
        };
    }

    /// <inheritdoc />
    public async Task<Materialization> MaterializeAsync(JourneyPathsParameters p, ComponentContext context, CancellationToken cancellationToken)
    {
        var w = context.Warehouse;
        var q = new SqlBuilder(w.Dialect);
        var label = q.Cast($"e.{q.Quote(p.LabelColumn)}", DataKind.Text);
        foreach (var (pattern, replacement) in p.GroupPatterns) label = q.RegexReplaceAll(label, pattern, replacement);
        var startSql = p.StartEvent is null ? "1" : $"CASE WHEN {EventPattern.TryParse(p.StartEvent, out _)!.Sql(q, "e", p.EventColumn)} THEN 1 ELSE 0 END";
        var endSql = p.EndEvent is null ? "0" : $"CASE WHEN {EventPattern.TryParse(p.EndEvent, out _)!.Sql(q, "e", p.EventColumn)} THEN 1 ELSE 0 END";
        var excluded = p.ExcludeEvents.Count == 0 ? "" : $" AND coalesce(CAST(e.{q.Quote(p.EventColumn)} AS {w.Dialect.TypeName(DataKind.Text)}), '') NOT IN ({q.BindList(p.ExcludeEvents, DataKind.Text)})";
        var source = EventUnits.Ctes(q, "src", context.Inputs[0], context.Inputs.Count > 1 ? context.Inputs[1] : null, p.Unit, p.UnitColumn, p.SessionGap,
            p.TimeColumn, p.IdColumn, [$"{label} AS label", $"{startSql} AS ms", $"{endSql} AS me", $"CASE WHEN {label} IS NOT NULL{excluded} THEN 1 ELSE 0 END AS keep"]);
        // The window of each unit's path in sequence numbers, from its first start (or first event) to its first end after
        // it, found with window functions rather than joins so no engine can pick a nested loop over misestimated CTEs.
        var window = p.Backward
            ? "bounds AS (SELECT *, CAST(0 AS BIGINT) AS s0, min(CASE WHEN me = 1 THEN seq END) OVER (PARTITION BY unit) AS s1 FROM ordered)"
            : p.EndEvent is null
                ? "bounds AS (SELECT *, min(CASE WHEN ms = 1 THEN seq END) OVER (PARTITION BY unit) AS s0, CAST(NULL AS BIGINT) AS s1 FROM ordered)"
                : """
                  starts AS (SELECT *, min(CASE WHEN ms = 1 THEN seq END) OVER (PARTITION BY unit) AS s0 FROM ordered),
                  bounds AS (SELECT *, min(CASE WHEN me = 1 AND seq > s0 THEN seq END) OVER (PARTITION BY unit) AS s1 FROM starts)
                  """;
        var inside = p.Backward ? "s1 IS NOT NULL AND seq <= s1" : "s0 IS NOT NULL AND seq >= s0 AND (s1 IS NULL OR seq <= s1)";
        var depthOrder = p.Backward ? "seq DESC" : "seq";
        var collapse = p.CollapseRepeats ? "WHERE prev IS NULL OR prev <> label" : "";
        var max = p.MaxSteps.ToString(CultureInfo.InvariantCulture);
        var ctes = $"""
            WITH {source},
            ordered AS (SELECT unit, id, ts, label, ms, me, row_number() OVER (PARTITION BY unit ORDER BY ts, id) AS seq FROM src WHERE keep = 1),
            {window},
            inside AS (SELECT unit, seq, label FROM bounds WHERE {inside}),
            marked AS (SELECT *, lag(label) OVER (PARTITION BY unit ORDER BY {depthOrder}) AS prev FROM inside),
            kept AS (SELECT unit, seq, label, row_number() OVER (PARTITION BY unit ORDER BY {depthOrder}) AS depth FROM marked {collapse}),
            linked AS (SELECT *, lead(label) OVER (PARTITION BY unit ORDER BY depth) AS further FROM kept),
            steps AS (SELECT * FROM kept WHERE depth <= {max})
            """;
        var edges = p.Backward
            ? $"""
              {ctes}
              SELECT CAST(depth AS BIGINT) AS depth, coalesce(further, {w.Dialect.Literal(Start)}) AS source, label AS target, CAST(count(*) AS BIGINT) AS units
              FROM linked WHERE depth < {max}
              GROUP BY depth, coalesce(further, {w.Dialect.Literal(Start)}), label
              """
            : $"""
              {ctes}
              SELECT CAST(depth AS BIGINT) AS depth, label AS source, coalesce(further, {w.Dialect.Literal(End)}) AS target, CAST(count(*) AS BIGINT) AS units
              FROM linked WHERE depth < {max}
              GROUP BY depth, label, coalesce(further, {w.Dialect.Literal(End)})
              """;
        var paths = $"""
            {ctes},
            whole AS (SELECT unit, {q.StringAgg("label", " > ", p.Backward ? "depth DESC" : "depth")} AS path, count(*) AS steps FROM steps GROUP BY unit),
            counted AS (SELECT path, steps, count(*) AS units FROM whole GROUP BY path, steps),
            ranked AS (SELECT *, row_number() OVER (ORDER BY units DESC, path) AS r, sum(units) OVER () AS total FROM counted)
            SELECT CAST(r AS BIGINT) AS rank, path, CAST(steps AS BIGINT) AS steps, CAST(units AS BIGINT) AS units, CAST(units AS DOUBLE PRECISION) / total AS share
            FROM ranked WHERE r <= {p.TopPaths.ToString(CultureInfo.InvariantCulture)}
            """;
        // Both statements bind the same values in the same order, so one list serves both.
        var parameters = q.Parameters;
        var counts = await w.WriteTablesAsync(
        [
            new TableWrite(context.Asset, TableWriteMode.Replace, (b, ct) => b.CreateAsSelectAsync(edges, parameters, ct)),
            new TableWrite(context.Output("paths"), TableWriteMode.Replace, (b, ct) => b.CreateAsSelectAsync(paths, parameters, ct)),
        ], cancellationToken).ConfigureAwait(false);
        context.Log($"{counts[0]:N0} edges, {counts[1]:N0} top paths");
        return new Materialization(counts[0], new Dictionary<string, object?> { ["paths"] = counts[1] });
    }
}
