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
        var d = w.Dialect;
        var q = new SqlBuilder(d);
        var label = q.Cast($"e.{q.Quote(p.LabelColumn)}", DataKind.Text);
        foreach (var (pattern, replacement) in p.GroupPatterns) label = q.RegexReplaceAll(label, pattern, replacement);
        var startSql = p.StartEvent is null ? "1" : $"CASE WHEN {EventPattern.TryParse(p.StartEvent, out _)!.Sql(q, "e", p.EventColumn)} THEN 1 ELSE 0 END";
        var endSql = p.EndEvent is null ? "0" : $"CASE WHEN {EventPattern.TryParse(p.EndEvent, out _)!.Sql(q, "e", p.EventColumn)} THEN 1 ELSE 0 END";
        var excluded = p.ExcludeEvents.Count == 0 ? "" : $" AND coalesce(CAST(e.{q.Quote(p.EventColumn)} AS {d.TypeName(DataKind.Text)}), '') NOT IN ({q.BindList(p.ExcludeEvents, DataKind.Text)})";
        var source = EventUnits.Ctes(q, "src", context.Inputs[0], context.Inputs.Count > 1 ? context.Inputs[1] : null, p.Unit, p.UnitColumn, p.SessionGap,
            p.TimeColumn, p.IdColumn, [$"{label} AS label", $"{startSql} AS ms", $"{endSql} AS me", $"CASE WHEN {label} IS NOT NULL{excluded} THEN 1 ELSE 0 END AS keep"]);
        var max = p.MaxSteps.ToString(CultureInfo.InvariantCulture);
        // Two passes over a unit's kept events, each one sort: the first (in time order) finds where its path starts or ends
        // and which events repeat the one before; the second numbers the steps of what is left and stops at the cut. Only
        // the first max_steps steps of a unit leave the second pass, so what is written, and the window that links each
        // step to the next, grow with the number of units, not with their events.
        // Events at one instant go in id order; text ids in byte order, so PostgreSQL's collation picks what DuckDB does.
        var events = await w.DescribeTableAsync(context.Inputs[0], cancellationToken).ConfigureAwait(false)
            ?? throw new InputDataException($"input '{context.Inputs[0]}' does not exist.");
        var time = $"PARTITION BY unit ORDER BY ts, {d.OrderKey("id", events.Find(p.IdColumn)?.Kind ?? DataKind.Other)}";
        var repeat = p.CollapseRepeats ? "label = near" : "1 = 0";
        var passes = p.Backward
            ? $"""
              ordered AS (SELECT unit, label, me, row_number() OVER ({time}) AS seq, lead(label) OVER ({time}) AS near,
                                 coalesce(max(me) OVER ({time} ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS ended
                          FROM src WHERE keep = 1),
              inside AS (SELECT unit, seq, label, me FROM ordered WHERE ended = 0 AND (me = 1 OR NOT coalesce({repeat}, false))),
              counted AS (SELECT unit, label, row_number() OVER (PARTITION BY unit ORDER BY seq DESC) AS depth,
                                 max(me) OVER (PARTITION BY unit ORDER BY seq DESC ROWS UNBOUNDED PRECEDING) AS reached
                          FROM inside),
              steps AS (SELECT unit, depth, label FROM counted WHERE reached = 1 AND depth <= {max})
              """
            : $"""
              ordered AS (SELECT unit, label, me, row_number() OVER ({time}) AS seq, lag(label) OVER ({time}) AS near,
                                 max(ms) OVER ({time} ROWS UNBOUNDED PRECEDING) AS started,
                                 coalesce(max(ms) OVER ({time} ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS opened
                          FROM src WHERE keep = 1),
              inside AS (SELECT unit, seq, label, CASE WHEN opened = 0 OR NOT ({repeat}) THEN 1 ELSE 0 END AS fresh, opened * me AS cut
                         FROM ordered WHERE started = 1 AND (opened = 0 OR NOT ({repeat}) OR me = 1)),
              counted AS (SELECT unit, label, fresh, sum(fresh) OVER (PARTITION BY unit ORDER BY seq ROWS UNBOUNDED PRECEDING) AS depth,
                                 coalesce(max(cut) OVER (PARTITION BY unit ORDER BY seq ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS shut
                          FROM inside),
              steps AS (SELECT unit, depth, label FROM counted WHERE fresh = 1 AND shut = 0 AND depth <= {max})
              """;
        // The steps are built once into a work table that both outputs read, rather than each output running the passes again.
        var work = $"{WriteFence.TablePrefix}paths_{Guid.NewGuid():N}"[..40];
        try
        {
            await w.ExecuteAsync($"""
                {d.CreateWorkTable(d.Quote(work))} AS
                WITH {source},
                {passes}
                SELECT unit, CAST(depth AS BIGINT) AS depth, label, lead(label) OVER (PARTITION BY unit ORDER BY depth) AS further FROM steps
                """, q.Parameters, cancellationToken).ConfigureAwait(false);
            var steps = d.Quote(work);
            var edges = p.Backward
                ? $"""
                  SELECT depth, coalesce(further, {d.Literal(Start)}) AS source, label AS target, CAST(count(*) AS BIGINT) AS units
                  FROM {steps} WHERE depth < {max}
                  GROUP BY depth, coalesce(further, {d.Literal(Start)}), label
                  """
                : $"""
                  SELECT depth, label AS source, coalesce(further, {d.Literal(End)}) AS target, CAST(count(*) AS BIGINT) AS units
                  FROM {steps} WHERE depth < {max}
                  GROUP BY depth, label, coalesce(further, {d.Literal(End)})
                  """;
            var pathsSql = $"""
                WITH whole AS (SELECT unit, {d.StringAgg("label", " > ", p.Backward ? "depth DESC" : "depth")} AS path, count(*) AS steps FROM {steps} GROUP BY unit),
                counted AS (SELECT path, steps, count(*) AS units FROM whole GROUP BY path, steps),
                ranked AS (SELECT *, row_number() OVER (ORDER BY units DESC, {d.ByteOrder("path")}) AS r, sum(units) OVER () AS total FROM counted)
                SELECT CAST(r AS BIGINT) AS rank, path, CAST(steps AS BIGINT) AS steps, CAST(units AS BIGINT) AS units, CAST(units AS DOUBLE PRECISION) / total AS share
                FROM ranked WHERE r <= {p.TopPaths.ToString(CultureInfo.InvariantCulture)}
                """;
            var counts = await w.WriteTablesAsync(
            [
                new TableWrite(context.Asset, TableWriteMode.Replace, (b, ct) => b.CreateAsSelectAsync(edges, null, ct)),
                new TableWrite(context.Output("paths"), TableWriteMode.Replace, (b, ct) => b.CreateAsSelectAsync(pathsSql, null, ct)),
            ], cancellationToken).ConfigureAwait(false);
            context.Log($"{counts[0]:N0} edges, {counts[1]:N0} top paths");
            return new Materialization(counts[0], new Dictionary<string, object?> { ["paths"] = counts[1] });
        }
        finally
        {
            await w.ExecuteAsync($"DROP TABLE IF EXISTS {d.Quote(work)}", null, CancellationToken.None).ConfigureAwait(false);
        }
    }
}
