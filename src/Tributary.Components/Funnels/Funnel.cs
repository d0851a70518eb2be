using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Text;
using Tributary.Components.Standardize;
using Tributary.Core.Components;
using Tributary.Core.Warehousing;

namespace Tributary.Components.Funnels;

/// <summary>How a funnel's steps must follow each other.</summary>
public enum FunnelOrdering
{
    /// <summary>Steps in order; other events may come between them.</summary>
    Ordered,
    /// <summary>Steps in order with no other event of the unit between consecutive steps.</summary>
    Strict,
    /// <summary>Steps in any order within the conversion window.</summary>
    Unordered,
}

/// <summary>Which event of a unit's funnel attempt gives its breakdown value.</summary>
public enum BreakdownAttribution
{
    /// <summary>The value on the event that entered the funnel (step 1).</summary>
    FirstTouch,
    /// <summary>The value on the furthest required step reached.</summary>
    LastTouch,
    /// <summary>The value on the event of step <c>breakdown_step</c>; units that did not reach it have none.</summary>
    Step,
}

/// <summary>Parameters of <c>analytics.funnel</c>.</summary>
public sealed record FunnelParameters : IValidatableObject
{
    /// <summary>The steps, in order.</summary>
    [Description("The steps in order, at least two: an event name (or * for any event), optionally with 'where column op value [and ...]', e.g. \"Order Completed where revenue >= 50\".")]
    public required IReadOnlyList<string> Steps { get; init; }

    /// <summary>Ordering mode.</summary>
    [Description("ordered (other events may come between steps), strict (no other event of the unit between consecutive steps) or unordered (steps in any order). Default ordered.")]
    public FunnelOrdering Ordering { get; init; } = FunnelOrdering.Ordered;

    /// <summary>Conversion window of the whole funnel.</summary>
    [Description("Every step must happen within this time after the entering (first) step. Default 14d.")]
    public TimeSpan Window { get; init; } = TimeSpan.FromDays(14);

    /// <summary>Per-step windows.</summary>
    [Description("Optional windows per step number: { \"3\": 1h } means step 3 must follow the previous required step within an hour (ordered and strict only).")]
    public IReadOnlyDictionary<string, string> StepWindows { get; init; } = new Dictionary<string, string>();

    /// <summary>Optional steps.</summary>
    [Description("Step numbers (from 1) a unit may skip; an optional step counts when it happens between its neighbouring required steps (ordered only; step 1 is always required).")]
    public IReadOnlyList<double> OptionalSteps { get; init; } = [];

    /// <summary>Exclusion steps.</summary>
    [Description("Events that disqualify: 'FROM-TO: event [where ...]', e.g. \"1-3: Coupon Applied\"; a unit with that event after step FROM and before step TO (or the window's end) in any attempt is dropped from the funnel (ordered and strict).")]
    public IReadOnlyList<string> Exclusions { get; init; } = [];

    /// <summary>Counting unit.</summary>
    [Description("person (one identity-resolved profile: pass the identity graph as the second input) or session. Default person.")]
    public CountingUnit Unit { get; init; } = CountingUnit.Person;

    /// <summary>A column holding the unit directly.</summary>
    [Description("A column of the events table that already holds the unit (a session or person id); overrides unit.")]
    public string? UnitColumn { get; init; }

    /// <summary>Session gap.</summary>
    [Description("For unit: session, a gap longer than this ends a session. Default 30m (as standardize.sessions).")]
    public TimeSpan SessionGap { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>Breakdown column.</summary>
    [Description("A column of the events table to break the funnel down by (a property, a channel or a cohort column).")]
    public string? Breakdown { get; init; }

    /// <summary>Breakdown attribution.</summary>
    [Description("Which event gives a unit its breakdown value: first_touch (the entering event), last_touch (the furthest step reached) or step (breakdown_step). Default first_touch.")]
    public BreakdownAttribution BreakdownAttribution { get; init; } = BreakdownAttribution.FirstTouch;

    /// <summary>Step for step attribution.</summary>
    [Description("The step number whose event gives the breakdown value when breakdown_attribution is step.")]
    [Range(1, 1000)]
    public int? BreakdownStep { get; init; }

    /// <summary>Event name column.</summary>
    [Description("Column holding the event name. Default event.")]
    public string EventColumn { get; init; } = "event";

    /// <summary>Timestamp column.</summary>
    [Description("Column holding the event time. Default occurred_at.")]
    public string TimeColumn { get; init; } = "occurred_at";

    /// <summary>Event id column.</summary>
    [Description("Column holding a unique event id, which orders events at the same instant. Default event_id.")]
    public string IdColumn { get; init; } = "event_id";

    internal IReadOnlyList<EventPattern> ParsedSteps => Steps.Select(s => EventPattern.TryParse(s, out _)!).ToList();

    internal IReadOnlyList<(int From, int To, EventPattern Pattern)> ParsedExclusions =>
        Exclusions.Select(x => TryParseExclusion(x, out _)!.Value).ToList();

    internal bool IsOptional(int step) => OptionalSteps.Any(o => (int)o == step);

    internal TimeSpan? StepWindow(int step) =>
        StepWindows.TryGetValue(step.ToString(CultureInfo.InvariantCulture), out var text) && Durations.TryParse(text, out var span) ? span : null;

    private static (int From, int To, EventPattern Pattern)? TryParseExclusion(string text, out string error)
    {
        error = "";
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        var range = colon < 0 ? [] : text[..colon].Split('-');
        if (range.Length != 2 || !int.TryParse(range[0].Trim(), CultureInfo.InvariantCulture, out var from) || !int.TryParse(range[1].Trim(), CultureInfo.InvariantCulture, out var to))
        {
            error = $"exclusion '{text}' must start with 'FROM-TO:' (step numbers), e.g. '1-3: Coupon Applied'.";
            return null;
        }
        var pattern = EventPattern.TryParse(text[(colon + 1)..], out error);
        return pattern is null ? null : (from, to, pattern);
    }

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Steps.Count < 2) yield return new ValidationResult($"steps needs at least two steps, got {Steps.Count}.", [nameof(Steps)]);
        foreach (var s in Steps)
            if (EventPattern.TryParse(s, out var error) is null) yield return new ValidationResult($"steps: {error}", [nameof(Steps)]);
        foreach (var o in OptionalSteps)
        {
            if (o != Math.Floor(o) || o < 2 || o > Steps.Count)
                yield return new ValidationResult($"optional_steps: {o.ToString(CultureInfo.InvariantCulture)} is not a step number from 2 to {Steps.Count} (step 1 is always required).", [nameof(OptionalSteps)]);
        }
        if (OptionalSteps.Count > 0 && Ordering != FunnelOrdering.Ordered)
            yield return new ValidationResult($"optional_steps needs ordering: ordered, got {Ordering.ToString().ToLowerInvariant()}.", [nameof(OptionalSteps)]);
        if (Enumerable.Range(2, Math.Max(0, Steps.Count - 1)).All(IsOptional) && Steps.Count >= 2)
            yield return new ValidationResult("optional_steps: at least one step after step 1 must be required.", [nameof(OptionalSteps)]);
        foreach (var (key, value) in StepWindows)
        {
            if (!int.TryParse(key, CultureInfo.InvariantCulture, out var step) || step < 2 || step > Steps.Count)
                yield return new ValidationResult($"step_windows: '{key}' is not a step number from 2 to {Steps.Count}.", [nameof(StepWindows)]);
            if (!Durations.TryParsePositive(value, out _, out var expected))
                yield return new ValidationResult($"step_windows: '{value}' for step {key} must be {expected}.", [nameof(StepWindows)]);
            else if (int.TryParse(key, CultureInfo.InvariantCulture, out var s) && IsOptional(s))
                yield return new ValidationResult($"step_windows: step {key} is optional; a window applies to required steps only.", [nameof(StepWindows)]);
        }
        if (StepWindows.Count > 0 && Ordering == FunnelOrdering.Unordered)
            yield return new ValidationResult("step_windows needs ordering: ordered or strict; an unordered funnel has one window.", [nameof(StepWindows)]);
        foreach (var x in Exclusions)
        {
            if (TryParseExclusion(x, out var error) is not { } e) yield return new ValidationResult($"exclusions: {error}", [nameof(Exclusions)]);
            else if (e.From < 1 || e.To > Steps.Count || e.From >= e.To)
                yield return new ValidationResult($"exclusions: '{x}' needs 1 <= FROM < TO <= {Steps.Count}.", [nameof(Exclusions)]);
        }
        if (Exclusions.Count > 0 && Ordering == FunnelOrdering.Unordered)
            yield return new ValidationResult("exclusions need ordering: ordered or strict.", [nameof(Exclusions)]);
        if (Window <= TimeSpan.Zero) yield return new ValidationResult("window must be more than zero.", [nameof(Window)]);
        if (BreakdownAttribution == BreakdownAttribution.Step && (BreakdownStep is null || BreakdownStep > Steps.Count))
            yield return new ValidationResult($"breakdown_attribution: step needs breakdown_step, a step number from 1 to {Steps.Count}.", [nameof(BreakdownStep), nameof(BreakdownAttribution)]);
        if (Ordering == FunnelOrdering.Unordered && BreakdownAttribution != BreakdownAttribution.FirstTouch)
            yield return new ValidationResult("an unordered funnel takes breakdown_attribution: first_touch only.", [nameof(BreakdownAttribution)]);
        if (Breakdown is null && BreakdownStep is not null)
            yield return new ValidationResult("breakdown_step needs breakdown (the column to break down by).", [nameof(BreakdownStep)]);
    }
}

/// <summary>
/// A conversion funnel computed in the warehouse. Every step-1 event opens an attempt; each later required step is the
/// earliest matching event of the unit at or after the previous required step (a tie on the timestamp counts as in
/// order, but one event never fills two steps), within the funnel window from step 1 and the step's own window. A unit
/// counts once, with its attempt that reaches furthest (the earliest such on a tie). See docs/journeys.md.
/// </summary>
public sealed class Funnel : IComponent<FunnelParameters>
{
    /// <inheritdoc />
    public static string TypeName => "analytics.funnel";
    /// <inheritdoc />
    public static string Description => "Conversion funnel of any number of steps over an event table, per person or session, with breakdowns and time to convert.";
    /// <inheritdoc />
    public static InputArity Inputs => new(1, 2);

    internal static readonly (string Name, DataKind Kind)[] MainColumns =
    [
        ("breakdown", DataKind.Text), ("step", DataKind.Integer), ("step_name", DataKind.Text), ("optional", DataKind.Boolean), ("units", DataKind.Integer),
        ("dropped", DataKind.Integer), ("conversion_from_previous", DataKind.Number), ("conversion_from_first", DataKind.Number),
        ("median_seconds_to_convert", DataKind.Number), ("average_seconds_to_convert", DataKind.Number),
    ];

    internal static readonly (string Name, DataKind Kind)[] TimeColumns =
    [
        ("breakdown", DataKind.Text), ("step", DataKind.Integer), ("bucket", DataKind.Integer), ("bucket_label", DataKind.Text),
        ("from_seconds", DataKind.Number), ("to_seconds", DataKind.Number), ("units", DataKind.Integer),
    ];

    /// <summary>Breakdown label of the rows that count every unit.</summary>
    public const string AllUnits = "(all)";
    /// <summary>Breakdown label of units without a value.</summary>
    public const string NoValue = "(none)";

    private static readonly (string Label, double From, double To)[] Buckets =
    [
        ("< 1 min", 0, 60), ("1-5 min", 60, 300), ("5-15 min", 300, 900), ("15-60 min", 900, 3600), ("1-6 h", 3600, 21600),
        ("6-24 h", 21600, 86400), ("1-3 d", 86400, 259200), ("3-7 d", 259200, 604800), ("7 d +", 604800, double.MaxValue),
    ];

    internal static IReadOnlyList<(string Name, DataKind Kind)> UnitColumns(int steps) =>
    [
        ("unit", DataKind.Text), ("breakdown", DataKind.Text), ("entered_at", DataKind.Timestamp), ("furthest_step", DataKind.Integer),
        ("converted", DataKind.Boolean), ("converted_at", DataKind.Timestamp), .. Enumerable.Range(1, steps).Select(k => ($"step_{k}_at", DataKind.Timestamp)),
    ];

    private static readonly string[] IdentityColumns = ["identifier_type", "identifier_value", "profile_id"];

    /// <inheritdoc />
    public ComponentPlan Plan(FunnelParameters p, PlanContext context)
    {
        var needs = new List<string> { p.EventColumn, p.TimeColumn, p.IdColumn };
        needs.AddRange(p.UnitColumn is not null ? [p.UnitColumn] : ["user_id", "anonymous_id"]);
        if (p.Breakdown is not null) needs.Add(p.Breakdown);
        needs.AddRange(p.ParsedSteps.SelectMany(s => s.Columns));
        needs.AddRange(p.ParsedExclusions.SelectMany(x => x.Pattern.Columns));
        var requires = needs.Distinct(StringComparer.Ordinal).Select(c => new ColumnRequirement(0, c, [])).ToList();
        if (context.Inputs.Count > 1) requires.AddRange(IdentityColumns.Select(c => new ColumnRequirement(1, c, [])));
        return new ComponentPlan(Schema.Of(MainColumns), requires)
        {
            MainDescription = "One funnel step per breakdown value: units reaching it, drop-off, conversion and time to convert.",
            SideOutputs =
            [
                new DeclaredOutput("units", OutputRole.Detail, "One counted unit (person or session): its breakdown value, furthest step and the time of each step it reached.",
                    Schema.Of([.. UnitColumns(p.Steps.Count)])),
                new DeclaredOutput("time_to_convert", OutputRole.Diagnostics, "Units per time-to-convert bucket from the previous required step, per step and breakdown value.",
                    Schema.Of(TimeColumns)),
            ],
        };
    }

    /// <inheritdoc />
    public async Task<Materialization> MaterializeAsync(FunnelParameters p, ComponentContext context, CancellationToken cancellationToken)
    {
        var w = context.Warehouse;
        var q = new SqlBuilder(w.Dialect);
        // Events at one instant go in id order; text ids in byte order, so PostgreSQL's collation picks what DuckDB does.
        var events = await w.DescribeTableAsync(context.Inputs[0], cancellationToken).ConfigureAwait(false)
            ?? throw new InputDataException($"input '{context.Inputs[0]}' does not exist.");
        var idKind = events.Find(p.IdColumn)?.Kind ?? DataKind.Other;
        var unitsSql = p.Ordering == FunnelOrdering.Unordered ? UnorderedUnits(p, q, context, idKind)
            : ChainsBackward(p) ? BackwardChainUnits(p, q, context, idKind)
            : OrderedUnits(p, q, context, idKind);
        var unitsTable = context.Output("units");
        string? staged = null;
        var counts = await w.WriteTablesAsync(
        [
            new TableWrite(unitsTable, TableWriteMode.Replace, async (b, ct) =>
            {
                staged = b.QuotedName;
                await b.CreateAsSelectAsync(unitsSql, q.Parameters, ct).ConfigureAwait(false);
            }),
            new TableWrite(context.Asset, TableWriteMode.Replace, (b, ct) => b.CreateAsSelectAsync(StepsSql(p, w.Dialect, staged!), null, ct)),
            new TableWrite(context.Output("time_to_convert"), TableWriteMode.Replace, (b, ct) => b.CreateAsSelectAsync(TimeToConvertSql(p, w.Dialect, staged!), null, ct)),
        ], cancellationToken).ConfigureAwait(false);
        var summary = await w.QueryAsync(
            $"SELECT count(*), sum(CASE WHEN converted THEN 1 ELSE 0 END) FROM {w.Dialect.Quote(unitsTable)}", null, 1, cancellationToken).ConfigureAwait(false);
        var entered = Convert.ToInt64(summary.Rows[0][0] ?? 0L, CultureInfo.InvariantCulture);
        var converted = Convert.ToInt64(summary.Rows[0][1] ?? 0L, CultureInfo.InvariantCulture);
        context.Log($"{entered:N0} {p.Unit.ToString().ToLowerInvariant()}s entered the funnel, {converted:N0} converted");
        return new Materialization(counts[1], new Dictionary<string, object?>
        {
            ["entered"] = entered, ["converted"] = converted, ["conversion_rate"] = entered == 0 ? null : (double)converted / entered,
            ["units_table"] = unitsTable,
        });
    }

    private static string Source(FunnelParameters p, SqlBuilder q, ComponentContext context, IReadOnlyList<EventPattern> steps,
        IReadOnlyList<(int From, int To, EventPattern Pattern)> exclusions, out string relevant, bool textUnit = true, string? where = null, bool inline = false)
    {
        var extra = new List<string> { (p.Breakdown is null ? "CAST(NULL AS " + q.Dialect.TypeName(DataKind.Text) + ")" : q.Cast("e." + q.Quote(p.Breakdown), DataKind.Text)) + " AS bd" };
        for (var k = 0; k < steps.Count; k++) extra.Add($"CASE WHEN {steps[k].Sql(q, "e", p.EventColumn)} THEN 1 ELSE 0 END AS m{k + 1}");
        for (var x = 0; x < exclusions.Count; x++) extra.Add($"CASE WHEN {exclusions[x].Pattern.Sql(q, "e", p.EventColumn)} THEN 1 ELSE 0 END AS x{x + 1}");
        relevant = string.Join(" OR ", Enumerable.Range(1, steps.Count).Select(k => $"m{k} = 1").Concat(Enumerable.Range(1, exclusions.Count).Select(x => $"x{x} = 1")));
        return EventUnits.Ctes(q, "src", context.Inputs[0], context.Inputs.Count > 1 ? context.Inputs[1] : null, p.Unit, p.UnitColumn, p.SessionGap,
            p.TimeColumn, p.IdColumn, extra, textUnit, where, inline);
    }

    // The common ordered funnel: every step a different event name (so an event fills at most one step and an attempt
    // can never reuse one), no optional steps, no exclusions, first-touch breakdown. BackwardChainUnits handles it.
    internal static bool ChainsBackward(FunnelParameters p)
    {
        var steps = p.ParsedSteps;
        return p.Ordering == FunnelOrdering.Ordered && p.OptionalSteps.Count == 0 && p.Exclusions.Count == 0
            && p.BreakdownAttribution == BreakdownAttribution.FirstTouch
            && steps.All(s => s.Event is not null) && steps.Select(s => s.Event).Distinct(StringComparer.Ordinal).Count() == steps.Count;
    }

    // The greedy chain from an event of step k (the earliest step k+1 event at or after it, then the earliest step k+2
    // event at or after that, ...) does not depend on where the attempt entered; the windows only cut it short. So the
    // chains are built backwards, one window pass per step over that step's events and the next step's chains: in
    // descending order of (time, step), the running minimum of the step k+1 events' chain times is the chain of the
    // nearest step k+1 event at or after (a tie counts as after, as step k+1 sorts first): chains are monotone in time,
    // so the nearest event also has the smallest chain times, and none missing (NULL) unless every later one misses it
    // too. Each pass reads only two steps' events, with no join; the windows are applied once at the end, where an
    // attempt reaches the step before the first one that is missing, past the funnel window or past its step window.
    private static string BackwardChainUnits(FunnelParameters p, SqlBuilder q, ComponentContext context, DataKind idKind)
    {
        // Where the engine joins each event to the nearest later one directly (DuckDB's ASOF join), chain k is step k's
        // events joined to chain k+1: the same chains, one sort-merge per step instead of a window pass over both.
        string? Nearest(int k) => q.Dialect.NearestAtOrAfterJoin($"c{k + 1}", "b", "b.unit = a.unit", "b.ts", "a.ts");
        if (Nearest(1) is null) return WindowChainUnits(p, q, context, idKind);
        if (p.StepWindows.Count == 0) return LatestStartUnits(p, q, context, idKind);
        var n = p.Steps.Count;
        string Times(int from, string prefix = "") => string.Join(", ", Enumerable.Range(from, n - from + 1).Select(j => $"{prefix}t{j}"));
        // Each step reads its own events straight from the source (inlined: materializing one table of every step's
        // events with their ids and breakdown values took two fifths of the statement's CPU); chains carry times only.
        var sql = new StringBuilder("WITH ").Append(ChainSource(p, q, context, inline: true, out _)).Append(",\n");
        sql.Append(CultureInfo.InvariantCulture, $"c{n} AS (SELECT unit, ts, ts AS t{n} FROM src WHERE m{n} = 1),\n");
        for (var k = n - 1; k >= 1; k--)
            sql.Append(CultureInfo.InvariantCulture, $"c{k} AS (SELECT a.unit, a.ts, a.ts AS t{k}, {Times(k + 1, "b.")} FROM (SELECT unit, ts FROM src WHERE m{k} = 1) a {Nearest(k)}),\n");
        return sql.Append(Picked(p, q, n, idKind)).ToString();
    }

    // Without step windows, on the engine with ASOF joins (DuckDB, whose hash joins and aggregates are much cheaper than
    // its sorts), no chain is built per step-1 event. Each step-k event instead gets its latest start: the latest step-1
    // time from which some chain reaches it, i.e. the latest start of the step-(k-1) events at or before it (a tie counts
    // as in order). The window runs from step 1, so a later start only helps: an event whose latest start is more than
    // the window back is on no attempt and is dropped, and a step-(k-1) event can matter only if it is at most a window
    // before; those are found by an equi-join on the unit and the window-long time bucket (the event's own or the one
    // before: the earlier step's rows are copied into both), then a group by, without a sort. A unit's furthest step f
    // is the deepest step with an event left. Any attempt reaching f ends at or after the earliest such step-f event, so
    // it starts at or after that event minus the window; the first step-1 event there reaches it (its start is at most
    // that event's latest start) and is the unit's pick. That attempt's step k is the earliest step-k event whose latest
    // start is at or after the pick's start: such an event lies on a chain from a start no earlier, which the greedy
    // chain from the pick never passes. Pairs joined grow with each unit's step events within two windows of each other
    // (dense units cost more).
    private static string LatestStartUnits(FunnelParameters p, SqlBuilder q, ComponentContext context, DataKind idKind)
    {
        var n = p.Steps.Count;
        var window = q.Interval(p.Window);
        var seconds = p.Window.TotalSeconds.ToString("R", CultureInfo.InvariantCulture);
        var bucket = $"CAST(floor(extract(epoch FROM ts) / {seconds}) AS BIGINT)";
        var sql = new StringBuilder("WITH ").Append(ChainSource(p, q, context, inline: true, out _)).Append(",\n");
        for (var k = 2; k <= n; k++)
        {
            var previous = k == 2 ? "SELECT unit, ts, ts AS l FROM src WHERE m1 = 1" : $"SELECT unit, ts, l FROM l{k - 1}";
            sql.Append(CultureInfo.InvariantCulture, $"""
                l{k} AS (SELECT e.unit, e.ts, max(s.l) AS l
                    FROM (SELECT unit, ts, {bucket} AS b FROM src WHERE m{k} = 1) e
                    JOIN (SELECT unit, ts, l, {bucket} + d.d AS b FROM ({previous}) x, (VALUES (0), (1)) d(d)) s ON s.unit = e.unit AND s.b = e.b AND s.ts <= e.ts AND s.ts >= e.ts - {window}
                    GROUP BY e.unit, e.ts HAVING e.ts <= max(s.l) + {window}),

                """);
        }
        // A unit that reaches only step 1 picks its first step-1 event: te is that event, and its window is empty.
        var deepest = string.Join(" UNION ALL ", Enumerable.Range(2, n - 1).Reverse().Select(k => $"SELECT unit, {k} AS f, min(ts) AS te, {window} AS back FROM l{k} GROUP BY unit")) +
            $" UNION ALL SELECT unit, 1 AS f, min(ts) AS te, {window} - {window} AS back FROM src WHERE m1 = 1 GROUP BY unit";
        var reached = string.Join(" UNION ALL ", Enumerable.Range(2, n - 1).Select(k => $"SELECT unit, ts, l, {k} AS k FROM l{k}"));
        var firsts = string.Join(", ", Enumerable.Range(2, n - 1).Select(k => $"min(CASE WHEN r.k = {k} THEN r.ts END) AS t{k}"));
        sql.Append(CultureInfo.InvariantCulture, $"""
            best AS (SELECT DISTINCT ON (unit) unit, f, te, back FROM ({deepest}) x ORDER BY unit, f DESC),
            starts AS (SELECT b.unit, b.f, min(x.ts) AS t1 FROM best b JOIN src x ON x.unit = b.unit
                WHERE x.m1 = 1 AND x.ts >= b.te - b.back AND x.ts <= b.te GROUP BY b.unit, b.f),
            times AS (SELECT s.unit, {firsts} FROM starts s JOIN ({reached}) r ON r.unit = s.unit AND r.l >= s.t1 AND r.k <= s.f GROUP BY s.unit),
            touch AS (SELECT DISTINCT ON (x.unit) x.unit, x.bd FROM src x JOIN starts e ON e.unit = x.unit AND e.t1 = x.ts WHERE x.m1 = 1 ORDER BY x.unit, {q.Dialect.OrderKey("x.id", idKind)})
            SELECT {q.Cast("p.unit", DataKind.Text)} AS unit, t.bd AS breakdown, p.t1 AS entered_at, CAST(p.f AS BIGINT) AS furthest_step, p.f = {n} AS converted,
                   CASE WHEN p.f = {n} THEN m.t{n} END AS converted_at, p.t1 AS step_1_at, {string.Join(", ", Enumerable.Range(2, n - 1).Select(k => $"m.t{k} AS step_{k}_at"))}
            FROM starts p JOIN touch t ON t.unit = p.unit LEFT JOIN times m ON m.unit = p.unit
            """);
        return sql.ToString();
    }

    // The chain plans' events: only the steps' events (for sessions, cut from all of a visitor's events first), each with
    // m1..mn (at most one is 1, as the steps' names differ).
    private static string ChainSource(FunnelParameters p, SqlBuilder q, ComponentContext context, bool inline, out string relevant)
    {
        var named = $"e.{q.Quote(p.EventColumn)} IN ({q.BindList(p.ParsedSteps.Select(s => (object?)s.Event), DataKind.Text)})";
        return Source(p, q, context, p.ParsedSteps, [], out relevant, textUnit: false, named, inline);
    }

    // The portable plan (PostgreSQL): the window passes described above, each unit's attempt picked with DISTINCT ON.
    private static string WindowChainUnits(FunnelParameters p, SqlBuilder q, ComponentContext context, DataKind idKind)
    {
        var n = p.Steps.Count;
        string Times(int from, string prefix = "") => string.Join(", ", Enumerable.Range(from, n - from + 1).Select(j => $"{prefix}t{j}"));
        string Nulls(int from) => string.Join(", ", Enumerable.Range(from, n - from + 1).Select(j => $"NULL AS t{j}"));
        string Nearest(int from) => string.Join(", ", Enumerable.Range(from, n - from + 1).Select(j => $"min(t{j}) OVER w AS t{j}"));
        const string Backward = "WINDOW w AS (PARTITION BY unit ORDER BY ts DESC, step DESC ROWS UNBOUNDED PRECEDING)";
        var sql = new StringBuilder("WITH ").Append(ChainSource(p, q, context, inline: false, out var relevant)).Append(",\n");
        var step = "CASE " + string.Join(" ", Enumerable.Range(1, n).Select(k => $"WHEN m{k} = 1 THEN {k}")) + " END";
        sql.Append(CultureInfo.InvariantCulture, $"ev AS (SELECT unit, id, ts, bd, {step} AS step FROM src WHERE {relevant}),\n");
        sql.Append(CultureInfo.InvariantCulture, $"c{n} AS (SELECT unit, ts, ts AS t{n} FROM ev WHERE step = {n}),\n");
        for (var k = n - 1; k >= 2; k--)
            sql.Append(CultureInfo.InvariantCulture, $"""
                c{k} AS (SELECT unit, ts, {Times(k)} FROM (
                    SELECT unit, ts, step, ts AS t{k}, {Nearest(k + 1)} FROM (
                        SELECT unit, ts, step, {Nulls(k + 1)} FROM ev WHERE step = {k}
                        UNION ALL SELECT unit, ts, {k + 1} AS step, {Times(k + 1)} FROM c{k + 1}) u
                    {Backward}) x WHERE step = {k}),

                """);
        sql.Append(CultureInfo.InvariantCulture, $"""
            c1 AS (SELECT unit, id, bd, ts AS t1, {Times(2)} FROM (
                SELECT unit, id, bd, ts, step, {Nearest(2)} FROM (
                    SELECT unit, id, bd, ts, step, {Nulls(2)} FROM ev WHERE step = 1
                    UNION ALL SELECT unit, NULL AS id, NULL AS bd, ts, 2 AS step, {Times(2)} FROM c2) u
                {Backward}) x WHERE step = 1),

            """);
        var window = q.Interval(p.Window);
        var cut = "CASE " + string.Join(" ", Enumerable.Range(2, n - 1).Select(k =>
            $"WHEN t{k} IS NULL OR t{k} > t1 + {window}{(p.StepWindow(k) is { } sw ? $" OR t{k} > t{k - 1} + {q.Interval(sw)}" : "")} THEN {k - 1}")) + $" ELSE {n} END";
        sql.Append(CultureInfo.InvariantCulture, $"""
            attempts AS (SELECT *, {cut} AS furthest FROM c1),
            picked AS (SELECT DISTINCT ON (unit) * FROM attempts ORDER BY unit, furthest DESC, t1, {q.Dialect.OrderKey("id", idKind)})
            SELECT {q.Cast("unit", DataKind.Text)} AS unit, bd AS breakdown, t1 AS entered_at, CAST(furthest AS BIGINT) AS furthest_step, furthest = {n} AS converted,
                   CASE WHEN furthest = {n} THEN t{n} END AS converted_at, t1 AS step_1_at,
                   {string.Join(", ", Enumerable.Range(2, n - 1).Select(k => $"CASE WHEN furthest >= {k} THEN t{k} END AS step_{k}_at"))}
            FROM picked
            """);
        return sql.ToString();
    }

    // From chain 1 of the ASOF plan (each step-1 event with its chain t2..tn): where the windows cut each attempt, and each unit's pick.
    private static string Picked(FunnelParameters p, SqlBuilder q, int n, DataKind idKind)
    {
        var window = q.Interval(p.Window);
        var times = string.Join(", ", Enumerable.Range(1, n).Select(j => $"t{j}"));
        var cut = "CASE " + string.Join(" ", Enumerable.Range(2, n - 1).Select(k =>
            $"WHEN t{k} IS NULL OR t{k} > t1 + {window}{(p.StepWindow(k) is { } sw ? $" OR t{k} > t{k - 1} + {q.Interval(sw)}" : "")} THEN {k - 1}")) + $" ELSE {n} END";
        // A unit's pick is its furthest attempt, the earliest such; step-1 events at one instant have the same chain, so
        // which of them is picked does not matter until the breakdown value, which comes from the one with the smallest
        // id, read back for the picked instants alone.
        return string.Create(CultureInfo.InvariantCulture, $"""
            attempts AS (SELECT unit, {times}, {cut} AS furthest FROM c1),
            picked AS (SELECT DISTINCT ON (unit) * FROM attempts ORDER BY unit, furthest DESC, t1),
            touch AS (SELECT DISTINCT ON (x.unit) x.unit, x.bd FROM src x JOIN picked e ON e.unit = x.unit AND e.t1 = x.ts WHERE x.m1 = 1 ORDER BY x.unit, {q.Dialect.OrderKey("x.id", idKind)})
            SELECT {q.Cast("p.unit", DataKind.Text)} AS unit, t.bd AS breakdown, p.t1 AS entered_at, CAST(p.furthest AS BIGINT) AS furthest_step, p.furthest = {n} AS converted,
                   CASE WHEN p.furthest = {n} THEN p.t{n} END AS converted_at, p.t1 AS step_1_at,
                   {string.Join(", ", Enumerable.Range(2, n - 1).Select(k => $"CASE WHEN p.furthest >= {k} THEN p.t{k} END AS step_{k}_at"))}
            FROM picked p JOIN touch t ON t.unit = p.unit
            """);
    }

    // Ordered and strict: the chain of required steps per attempt, then optional steps and exclusions. One window pass
    // numbers a unit's events (seq) and, for each required step, counts that step's events so far: the first event of
    // step k at or after an event is then the (count before it + 1)-th event of step k, a pointer an attempt follows with
    // one equi-join per step. Work grows with events plus attempts, never attempts x candidates. In ordered funnels
    // events at one instant are numbered by the first step they match, so a step's events at the instant of an earlier
    // step come after it (ties count as in order). A step whose pattern can match an earlier step's event (the same name,
    // or *) might point at an event the attempt already used; such a step, and only it, is matched by a join on the unit
    // that skips the used events.
    private static string OrderedUnits(FunnelParameters p, SqlBuilder q, ComponentContext context, DataKind idKind)
    {
        var steps = p.ParsedSteps;
        var exclusions = p.ParsedExclusions;
        var n = steps.Count;
        var strict = p.Ordering == FunnelOrdering.Strict;
        var required = Enumerable.Range(1, n).Where(k => !p.IsOptional(k)).ToList();
        bool Overlaps(int k) => steps[k - 1].Event is null || steps.Take(k - 1).Any(s => s.Event is null || s.Event == steps[k - 1].Event);
        var pointed = strict ? [] : required.Skip(1).Where(k => !Overlaps(k)).ToList();
        string Carry(int k, string alias)
        {
            var next = required.FirstOrDefault(r => r > k);
            return pointed.Contains(next) ? $", {alias}.n{next} - {alias}.m{next} + 1 AS p{next}" : "";
        }
        var sql = new StringBuilder("WITH ");
        sql.Append(Source(p, q, context, steps, exclusions, out var relevant, textUnit: false)).Append(",\n");
        // Strict needs every event of the unit to see what comes next, in order of time then id; ordered only the events it matches.
        var firstStep = "CASE " + string.Join(" ", Enumerable.Range(1, n).Select(k => $"WHEN m{k} = 1 THEN {k}")) + $" ELSE {n + 1} END";
        // n{k}: step k's events so far; c{k}: on a step-k event, its ordinal among them (null elsewhere, so that the join
        // key alone names the event: PostgreSQL then plans a hash join rather than a loop over a filtered CTE).
        var counts = string.Join("", pointed.Select(k =>
            $", count(CASE WHEN m{k} = 1 THEN 1 END) OVER o AS n{k}, CASE WHEN m{k} = 1 THEN count(CASE WHEN m{k} = 1 THEN 1 END) OVER o END AS c{k}"));
        var id = q.Dialect.OrderKey("id", idKind);
        sql.Append(strict
            ? $"ev AS (SELECT *, row_number() OVER (PARTITION BY unit ORDER BY ts, {id}) AS seq FROM src),\n"
            : $"ev AS (SELECT *, row_number() OVER o AS seq{counts} FROM src WHERE {relevant} WINDOW o AS (PARTITION BY unit ORDER BY ts, {firstStep}, {id} ROWS UNBOUNDED PRECEDING)),\n");
        sql.Append(CultureInfo.InvariantCulture, $"a1 AS (SELECT unit, seq AS s1, ts AS t1, bd AS bd1, ts + {q.Interval(p.Window)} AS deadline{Carry(1, "ev")} FROM ev WHERE m1 = 1),\n");
        var previous = "a1";
        for (var i = 1; i < required.Count; i++)
        {
            var k = required[i];
            var prior = required[i - 1];
            var stepWindow = p.StepWindow(k) is { } sw ? $" AND b.ts <= a.t{prior} + {q.Interval(sw)}" : "";
            // Only last-touch and step attribution read a later step's breakdown value.
            var columns = $"a.*, b.seq AS s{k}, b.ts AS t{k}{(p.BreakdownAttribution == BreakdownAttribution.FirstTouch ? "" : $", b.bd AS bd{k}")}{Carry(k, "b")}";
            if (strict || pointed.Contains(k))
            {
                var target = strict ? $"b.seq = a.s{prior} + 1 AND b.m{k} = 1" : $"b.c{k} = a.p{k}";
                sql.Append(CultureInfo.InvariantCulture, $"a{k} AS (SELECT {columns} FROM {previous} a LEFT JOIN ev b ON b.unit = a.unit AND {target} AND b.ts <= a.deadline{stepWindow}),\n");
            }
            else
            {
                var used = string.Join("", required.Take(i).Select(r => $" AND b.seq <> a.s{r}"));
                sql.Append(CultureInfo.InvariantCulture, $"""
                    j{k} AS (SELECT a.unit, a.s1, min(b.seq) AS s{k} FROM {previous} a JOIN ev b
                        ON b.unit = a.unit AND b.m{k} = 1 AND b.ts >= a.t{prior}{used} AND b.ts <= a.deadline{stepWindow} GROUP BY a.unit, a.s1),
                    a{k} AS (SELECT {columns} FROM {previous} a LEFT JOIN j{k} j ON j.unit = a.unit AND j.s1 = a.s1
                        LEFT JOIN ev b ON b.unit = j.unit AND b.seq = j.s{k}),

                    """);
            }
            previous = $"a{k}";
        }
        // An optional step counts when it happens between its neighbouring required steps (or the window's end).
        foreach (var k in Enumerable.Range(1, n).Where(p.IsOptional))
        {
            var before = required.Last(r => r < k);
            var after = required.FirstOrDefault(r => r > k);
            var end = after == 0 ? "a.deadline" : $"coalesce(a.t{after}, a.deadline)";
            var used = string.Join("", required.Select(r => $" AND b.seq <> coalesce(a.s{r}, -1)"));
            sql.Append(CultureInfo.InvariantCulture, $"""
                j{k} AS (SELECT a.unit, a.s1, min(b.seq) AS s{k} FROM {previous} a JOIN ev b
                    ON b.unit = a.unit AND b.m{k} = 1 AND b.ts >= a.t{before} AND b.ts <= {end}{used} GROUP BY a.unit, a.s1),
                a{k} AS (SELECT a.*, j.s{k}, b.ts AS t{k}, b.bd AS bd{k} FROM {previous} a LEFT JOIN j{k} j ON j.unit = a.unit AND j.s1 = a.s1
                    LEFT JOIN ev b ON b.unit = j.unit AND b.seq = j.s{k}),

                """);
            previous = $"a{k}";
        }
        var furthest = "CASE " + string.Join(" ", required.AsEnumerable().Reverse().Select(r => $"WHEN t{r} IS NOT NULL THEN {r}")) + " END";
        var voids = exclusions.Count == 0 ? "0" : "CASE WHEN " + string.Join(" OR ", exclusions.Select((x, i) =>
            $"EXISTS (SELECT 1 FROM ev x WHERE x.unit = a.unit AND x.x{i + 1} = 1 AND x.ts > a.t{x.From} AND x.ts < coalesce(a.t{x.To}, a.deadline))")) + " THEN 1 ELSE 0 END";
        var breakdown = p.BreakdownAttribution switch
        {
            BreakdownAttribution.FirstTouch => "bd1",
            BreakdownAttribution.Step => $"bd{p.BreakdownStep}",
            _ => "CASE " + string.Join(" ", required.AsEnumerable().Reverse().Select(r => $"WHEN t{r} IS NOT NULL THEN bd{r}")) + " END",
        };
        sql.Append(CultureInfo.InvariantCulture, $"""
            attempts AS (SELECT a.*, {furthest} AS furthest, {voids} AS voided FROM {previous} a),
            ranked AS (SELECT *, row_number() OVER (PARTITION BY unit ORDER BY furthest DESC, s1) AS pick{(exclusions.Count == 0 ? ", 0 AS unit_voided" : ",\n                  max(voided) OVER (PARTITION BY unit) AS unit_voided")} FROM attempts)
            SELECT {q.Cast("unit", DataKind.Text)} AS unit, {breakdown} AS breakdown, t1 AS entered_at, CAST(furthest AS BIGINT) AS furthest_step, furthest = {required[^1]} AS converted, t{required[^1]} AS converted_at,
                   {string.Join(", ", Enumerable.Range(1, n).Select(k => $"t{k} AS step_{k}_at"))}
            FROM ranked WHERE pick = 1 AND unit_voided = 0
            """);
        return sql.ToString();
    }

    // Unordered: from each event that matches a step, the earliest event of every step at or after it within the window.
    private static string UnorderedUnits(FunnelParameters p, SqlBuilder q, ComponentContext context, DataKind idKind)
    {
        var steps = p.ParsedSteps;
        var n = steps.Count;
        var window = q.Interval(p.Window);
        var source = Source(p, q, context, steps, [], out var relevant, textUnit: false);
        var next = string.Join(", ", Enumerable.Range(1, n).Select(k => $"min(CASE WHEN m{k} = 1 THEN ts END) OVER f AS n{k}"));
        var within = Enumerable.Range(1, n).Select(k => $"CASE WHEN n{k} <= ts + {window} THEN n{k} END").ToList();
        return $"""
            WITH {source},
            ev AS (SELECT * FROM src WHERE {relevant}),
            nexts AS (SELECT unit, id, ts, bd, {next} FROM ev WINDOW f AS (PARTITION BY unit ORDER BY ts RANGE BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING)),
            attempts AS (SELECT unit, id, ts, bd, {string.Join(", ", within.Select((x, i) => $"{x} AS t{i + 1}"))},
                                {string.Join(" + ", within.Select(x => $"CASE WHEN {x} IS NULL THEN 0 ELSE 1 END"))} AS furthest FROM nexts),
            ranked AS (SELECT *, row_number() OVER (PARTITION BY unit ORDER BY furthest DESC, ts, {q.Dialect.OrderKey("id", idKind)}) AS pick FROM attempts)
            SELECT {q.Cast("unit", DataKind.Text)} AS unit, bd AS breakdown, ts AS entered_at, CAST(furthest AS BIGINT) AS furthest_step, furthest = {n} AS converted, CASE WHEN furthest = {n} THEN {Greatest(n)} END AS converted_at,
                   {string.Join(", ", Enumerable.Range(1, n).Select(k => $"t{k} AS step_{k}_at"))}
            FROM ranked WHERE pick = 1
            """;
    }

    // The latest of t1..tn, spelled without GREATEST's engine differences over NULLs (none is NULL where it is used).
    private static string Greatest(int n) =>
        "CASE " + string.Join(" ", Enumerable.Range(1, n).Select(k => $"WHEN {string.Join(" AND ", Enumerable.Range(1, n).Where(j => j != k).Select(j => $"t{k} >= t{j}"))} THEN t{k}")) + " END";

    // Per step and breakdown (plus the "(all)" rows): units, drop-off, conversion and seconds from the previous required step.
    private static string StepsSql(FunnelParameters p, ISqlDialect d, string units)
    {
        var n = p.Steps.Count;
        var unordered = p.Ordering == FunnelOrdering.Unordered;
        var parts = new List<string>();
        for (var k = 1; k <= n; k++)
        {
            var before = Enumerable.Range(1, k - 1).LastOrDefault(r => !p.IsOptional(r));
            var reached = unordered ? $"furthest_step >= {k}" : $"step_{k}_at IS NOT NULL";
            var prevReached = before == 0 ? "TRUE" : unordered ? $"furthest_step >= {before}" : $"step_{before}_at IS NOT NULL";
            var seconds = unordered || before == 0 ? "CAST(NULL AS DOUBLE PRECISION)"
                : $"CASE WHEN {reached} THEN CAST(extract(epoch FROM step_{k}_at) - extract(epoch FROM step_{before}_at) AS DOUBLE PRECISION) END";
            var name = unordered ? $"{k} of {n} steps" : p.Steps[k - 1];
            parts.Add($"""
                SELECT b.breakdown, CAST({k} AS BIGINT) AS step, {d.Literal(name)} AS step_name, {(p.IsOptional(k) ? "TRUE" : "FALSE")} AS optional,
                       CAST(sum(CASE WHEN {reached} THEN 1 ELSE 0 END) AS BIGINT) AS units,
                       CAST(sum(CASE WHEN {prevReached} THEN 1 ELSE 0 END) - sum(CASE WHEN {reached} THEN 1 ELSE 0 END) AS BIGINT) AS dropped,
                       CAST(sum(CASE WHEN {reached} THEN 1 ELSE 0 END) AS DOUBLE PRECISION) / nullif(sum(CASE WHEN {prevReached} THEN 1 ELSE 0 END), 0) AS conversion_from_previous,
                       CAST(sum(CASE WHEN {reached} THEN 1 ELSE 0 END) AS DOUBLE PRECISION) / nullif(count(*), 0) AS conversion_from_first,
                       percentile_cont(0.5) WITHIN GROUP (ORDER BY {seconds}) AS median_seconds_to_convert, avg({seconds}) AS average_seconds_to_convert
                FROM labelled b GROUP BY b.breakdown
                """);
        }
        return $"""
            WITH labelled AS (
                SELECT {d.Literal(AllUnits)} AS breakdown, u.* FROM {units} u
                {(p.Breakdown is null ? "" : $"UNION ALL SELECT coalesce(u.breakdown, {d.Literal(NoValue)}), u.* FROM {units} u")})
            SELECT * FROM ({string.Join("\nUNION ALL\n", parts)}) s
            """.Replace("u.*", UnitStar(n), StringComparison.Ordinal);
    }

    // The units table's columns less its breakdown, which the labelled rows replace.
    private static string UnitStar(int n) =>
        "u.unit, u.entered_at, u.furthest_step, u.converted, u.converted_at, " + string.Join(", ", Enumerable.Range(1, n).Select(k => $"u.step_{k}_at"));

    private static string TimeToConvertSql(FunnelParameters p, ISqlDialect d, string units)
    {
        var n = p.Steps.Count;
        if (p.Ordering == FunnelOrdering.Unordered)
            return $"SELECT CAST(NULL AS {d.TypeName(DataKind.Text)}) AS breakdown, CAST(0 AS BIGINT) AS step, CAST(0 AS BIGINT) AS bucket, CAST(NULL AS {d.TypeName(DataKind.Text)}) AS bucket_label, " +
                   "CAST(0 AS DOUBLE PRECISION) AS from_seconds, CAST(0 AS DOUBLE PRECISION) AS to_seconds, CAST(0 AS BIGINT) AS units WHERE FALSE";
        var deltas = new List<string>();
        for (var k = 2; k <= n; k++)
        {
            var before = Enumerable.Range(1, k - 1).Last(r => !p.IsOptional(r));
            deltas.Add($"SELECT breakdown, CAST({k} AS BIGINT) AS step, CAST(extract(epoch FROM step_{k}_at) - extract(epoch FROM step_{before}_at) AS DOUBLE PRECISION) AS seconds FROM labelled WHERE step_{k}_at IS NOT NULL");
        }
        var bucket = "CASE " + string.Join(" ", Buckets.Select((b, i) => $"WHEN seconds < {(i == Buckets.Length - 1 ? "1e300" : b.To.ToString("R", CultureInfo.InvariantCulture))} THEN {i + 1}")) + " END";
        var values = string.Join(", ", Buckets.Select((b, i) =>
            $"({i + 1}, {d.Literal(b.Label)}, {b.From.ToString("R", CultureInfo.InvariantCulture)}, {(i == Buckets.Length - 1 ? "NULL" : b.To.ToString("R", CultureInfo.InvariantCulture))})"));
        return $"""
            WITH labelled AS (
                SELECT {d.Literal(AllUnits)} AS breakdown, u.* FROM {units} u
                {(p.Breakdown is null ? "" : $"UNION ALL SELECT coalesce(u.breakdown, {d.Literal(NoValue)}), u.* FROM {units} u")}),
            deltas AS ({string.Join("\nUNION ALL\n", deltas)}),
            bucketed AS (SELECT breakdown, step, {bucket} AS bucket FROM deltas),
            buckets AS (SELECT * FROM (VALUES {values}) AS v(bucket, bucket_label, from_seconds, to_seconds))
            SELECT c.breakdown, c.step, CAST(c.bucket AS BIGINT) AS bucket, b.bucket_label, CAST(b.from_seconds AS DOUBLE PRECISION) AS from_seconds,
                   CAST(b.to_seconds AS DOUBLE PRECISION) AS to_seconds, CAST(count(*) AS BIGINT) AS units
            FROM bucketed c JOIN buckets b ON b.bucket = c.bucket
            GROUP BY c.breakdown, c.step, c.bucket, b.bucket_label, b.from_seconds, b.to_seconds
            """.Replace("u.*", UnitStar(n), StringComparison.Ordinal);
    }
}
