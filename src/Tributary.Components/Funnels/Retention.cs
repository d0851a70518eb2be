using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Tributary.Components.Standardize;
using Tributary.Core.Components;
using Tributary.Core.Warehousing;

namespace Tributary.Components.Funnels;

/// <summary>How a retention period counts a return.</summary>
public enum RetentionMode
{
    /// <summary>Retained in period k: returned during period k itself.</summary>
    NDay,
    /// <summary>Retained in period k: returned in period k or any later one.</summary>
    Unbounded,
}

/// <summary>Parameters of <c>analytics.retention</c>.</summary>
public sealed record RetentionParameters : IValidatableObject
{
    /// <summary>Start event.</summary>
    [Description("The event whose first occurrence puts a unit in its cohort ('*' for any event, optionally with 'where ...'). Default *.")]
    public string StartEvent { get; init; } = "*";

    /// <summary>Return event.</summary>
    [Description("The event that counts as a return ('*' for any event, optionally with 'where ...'). Default *.")]
    public string ReturnEvent { get; init; } = "*";

    /// <summary>Period.</summary>
    [Description("Cohort and return period: day, week (ISO, from Monday) or month, starting at midnight in the project's timezone (tributary.yaml, default UTC). Default week.")]
    [AllowedValues("day", "week", "month")]
    public string Period { get; init; } = "week";

    /// <summary>Number of periods.</summary>
    [Description("Periods after the cohort's own to report. Default 8.")]
    [Range(1, 400)]
    public int Periods { get; init; } = 8;

    /// <summary>Mode.</summary>
    [Description("n_day (returned during period k) or unbounded (returned in period k or later). Default n_day.")]
    public RetentionMode Mode { get; init; } = RetentionMode.NDay;

    /// <summary>Counting unit.</summary>
    [Description("person (pass the identity graph as the second input to stitch devices) or session. Default person.")]
    public CountingUnit Unit { get; init; } = CountingUnit.Person;

    /// <summary>A column holding the unit directly.</summary>
    [Description("A column of the events table that already holds the unit; overrides unit.")]
    public string? UnitColumn { get; init; }

    /// <summary>Event name column.</summary>
    [Description("Column holding the event name. Default event.")]
    public string EventColumn { get; init; } = "event";

    /// <summary>Timestamp column.</summary>
    [Description("Column holding the event time. Default occurred_at.")]
    public string TimeColumn { get; init; } = "occurred_at";

    /// <summary>Event id column.</summary>
    [Description("Column holding a unique event id. Default event_id.")]
    public string IdColumn { get; init; } = "event_id";

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (EventPattern.TryParse(StartEvent, out var e1) is null) yield return new ValidationResult($"start_event: {e1}", [nameof(StartEvent)]);
        if (EventPattern.TryParse(ReturnEvent, out var e2) is null) yield return new ValidationResult($"return_event: {e2}", [nameof(ReturnEvent)]);
    }
}

/// <summary>
/// Cohort retention in the warehouse: a unit's cohort is the period of its first start event; it is retained in period
/// k (k &gt;= 1) when it does the return event during period k (n_day) or in period k or later (unbounded). Period 0 is
/// the cohort itself, always reported. A period that ends after the last event in the data (the one holding it, and any
/// later) is left out, not reported as the share that returned in its first hours; a period ending exactly at the last
/// event is complete.
/// </summary>
public sealed class Retention : IComponent<RetentionParameters>
{
    /// <inheritdoc />
    public static string TypeName => "analytics.retention";
    /// <inheritdoc />
    public static string Description => "Cohort retention table: units by the period of their first start event, returning on a chosen event.";
    /// <inheritdoc />
    public static InputArity Inputs => new(1, 2);
    /// <inheritdoc />
    public static bool ReadsTimeZone => true;

    private static readonly (string Name, DataKind Kind)[] Columns =
        [("cohort", DataKind.Timestamp), ("period", DataKind.Integer), ("cohort_size", DataKind.Integer), ("retained", DataKind.Integer), ("retention", DataKind.Number)];

    private static readonly string[] IdentityColumns = ["identifier_type", "identifier_value", "profile_id"];

    /// <inheritdoc />
    public ComponentPlan Plan(RetentionParameters p, PlanContext context)
    {
        var needs = new List<string> { p.EventColumn, p.TimeColumn, p.IdColumn };
        needs.AddRange(p.UnitColumn is not null ? [p.UnitColumn] : ["user_id", "anonymous_id"]);
        foreach (var pattern in new[] { p.StartEvent, p.ReturnEvent }) needs.AddRange(EventPattern.TryParse(pattern, out _)!.Columns);
        var requires = needs.Distinct(StringComparer.Ordinal).Select(c => new ColumnRequirement(0, c, [])).ToList();
        if (context.Inputs.Count > 1) requires.AddRange(IdentityColumns.Select(c => new ColumnRequirement(1, c, [])));
        return new ComponentPlan(Schema.Of(Columns), requires) { MainDescription = "One cohort and period: units in the cohort, how many were retained, and the rate." };
    }

    /// <inheritdoc />
    public async Task<Materialization> MaterializeAsync(RetentionParameters p, ComponentContext context, CancellationToken cancellationToken)
    {
        var w = context.Warehouse;
        var q = new SqlBuilder(w.Dialect);
        var unit = Enum.Parse<DateUnit>(p.Period, ignoreCase: true);
        var start = EventPattern.TryParse(p.StartEvent, out _)!.Sql(q, "e", p.EventColumn);
        var back = EventPattern.TryParse(p.ReturnEvent, out _)!.Sql(q, "e", p.EventColumn);
        var source = EventUnits.Ctes(q, "src", context.Inputs[0], context.Inputs.Count > 1 ? context.Inputs[1] : null, p.Unit, p.UnitColumn, TimeSpan.FromMinutes(30),
            p.TimeColumn, p.IdColumn, [$"CASE WHEN {start} THEN 1 ELSE 0 END AS ms", $"CASE WHEN {back} THEN 1 ELSE 0 END AS mr"]);
        // Cohorts and periods start at the reporting zone's midnight.
        var kind = await ReportingZone.KindAsync(context, context.Inputs[0], p.TimeColumn, cancellationToken).ConfigureAwait(false);
        string Local(string ts) => q.Local(ts, kind, context.TimeZone);
        string Between(string earlier, string later) => unit switch
        {
            DateUnit.Day => q.DaysBetween(earlier, later),
            DateUnit.Week => $"CAST(floor({q.DaysBetween(earlier, later)} / 7.0) AS BIGINT)",
            _ => $"CAST(12 * (extract(year FROM {later}) - extract(year FROM {earlier})) + extract(month FROM {later}) - extract(month FROM {earlier}) AS BIGINT)",
        };
        var periods = string.Join(", ", Enumerable.Range(0, p.Periods + 1).Select(k => $"({k.ToString(CultureInfo.InvariantCulture)})"));
        var returned = p.Mode == RetentionMode.NDay
            ? "SELECT cohort, k, count(DISTINCT unit) AS n FROM returns GROUP BY cohort, k"
            : "SELECT m.cohort, g.k, count(*) AS n FROM (SELECT unit, cohort, max(k) AS kmax FROM returns GROUP BY unit, cohort) m JOIN periods g ON g.k >= 1 AND g.k <= m.kmax GROUP BY m.cohort, g.k";
        var sql = $"""
            WITH {source},
            firsts AS (SELECT unit, min(ts) AS first_ts FROM src WHERE ms = 1 GROUP BY unit),
            cohorts AS (SELECT unit, first_ts, {q.DateTrunc(unit, Local("first_ts"))} AS cohort FROM firsts),
            returns AS (SELECT c.unit, c.cohort, {Between("c.cohort", q.DateTrunc(unit, Local("r.ts")))} AS k
                        FROM cohorts c JOIN src r ON r.unit = c.unit AND r.mr = 1 AND r.ts >= c.first_ts),
            sizes AS (SELECT cohort, count(*) AS size FROM cohorts GROUP BY cohort),
            latest AS (SELECT {q.DateTrunc(unit, Local("max(ts)"))} AS last_period FROM src),
            periods AS (SELECT * FROM (VALUES {periods}) AS v(k)),
            hits AS ({returned})
            SELECT s.cohort, CAST(g.k AS BIGINT) AS period, CAST(s.size AS BIGINT) AS cohort_size,
                   CAST(CASE WHEN g.k = 0 THEN s.size ELSE coalesce(h.n, 0) END AS BIGINT) AS retained,
                   CAST(CASE WHEN g.k = 0 THEN s.size ELSE coalesce(h.n, 0) END AS DOUBLE PRECISION) / s.size AS retention
            FROM sizes s CROSS JOIN latest l JOIN periods g ON g.k = 0 OR g.k < {Between("s.cohort", "l.last_period")}
            LEFT JOIN hits h ON h.cohort = s.cohort AND h.k = g.k
            """;
        var rows = await w.ReplaceTableAsync(context.Asset, (b, ct) => b.CreateAsSelectAsync(sql, q.Parameters, ct), cancellationToken).ConfigureAwait(false);
        context.Log($"{rows:N0} cohort periods");
        return Materialization.Of(rows);
    }
}
