using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Tributary.Components.Standardize;
using Tributary.Core.Components;
using Tributary.Core.Warehousing;

namespace Tributary.Components.Experiments;

/// <summary>Parameters of <c>experiment.metrics</c>.</summary>
public sealed record ExperimentMetricsParameters : IValidatableObject
{
    /// <summary>Metrics by name.</summary>
    [Description("Metrics by name, each conversion:BASE, count:BASE, sum:BASE or ratio:NUMERATOR/DENOMINATOR, where BASE is a value of the events' metric column (e.g. orders: 'conversion:order', revenue: 'sum:order', revenue_per_session: 'ratio:order/session').")]
    public required IReadOnlyDictionary<string, string> Metrics { get; init; }

    /// <summary>Days after a unit's first exposure that count.</summary>
    [Description("Days after a unit's first exposure whose events count toward its metrics; 0 counts every later event. Default 0.")]
    [Range(0, 3650)]
    public int WindowDays { get; init; }

    /// <summary>Days before exposure for the CUPED covariate.</summary>
    [Description("Days before a unit's first exposure whose events form the pre-exposure value of each metric (the CUPED covariate); 0 turns it off. Default 30.")]
    [Range(0, 3650)]
    public int PreDays { get; init; } = 30;

    /// <summary>A second pre-exposure covariate per mean metric.</summary>
    [Description("A second pre-exposure covariate per mean metric for the regression adjustment (as Statsig's CURE and Eppo's CUPED++ add covariates), e.g. { revenue: 'count:view' }: the unit's conversion:BASE, count:BASE or sum:BASE over the pre-period, beside the metric's own pre-exposure value. Ratio metrics need none: their covariates are their pre-exposure numerator and denominator. Needs pre_days.")]
    public IReadOnlyDictionary<string, string> Covariates { get; init; } = new Dictionary<string, string>();

    /// <summary>Exposures column of the unit id.</summary>
    [Description("Column of the exposures (first input) holding the unit id. Default visitor_id.")]
    public string UnitColumn { get; init; } = "visitor_id";

    /// <summary>Exposures column of the first exposure time.</summary>
    [Description("Column of the exposures holding the first exposure time; its calendar day in the project's timezone (tributary.yaml, default UTC) is the exposure_day. Default first_exposed_at.")]
    public string ExposedAtColumn { get; init; } = "first_exposed_at";

    /// <summary>Exposures column for post-stratification.</summary>
    [Description("Optional column of the exposures to post-stratify by (e.g. country or platform); statistics are kept per stratum.")]
    public string? StratumColumn { get; init; }

    /// <summary>Events column of the unit id.</summary>
    [Description("Column of the metric events (second input) holding the unit id. Default visitor_id.")]
    public string EventUnitColumn { get; init; } = "visitor_id";

    /// <summary>Events column of the event time.</summary>
    [Description("Column of the metric events holding the event time. Default occurred_at.")]
    public string EventTimeColumn { get; init; } = "occurred_at";

    /// <summary>Events column naming the base metric.</summary>
    [Description("Column of the metric events naming the base metric of each row. Default metric.")]
    public string MetricColumn { get; init; } = "metric";

    /// <summary>Events column of the value.</summary>
    [Description("Column of the metric events holding the value summed by sum and ratio metrics. Default value.")]
    public string ValueColumn { get; init; } = "value";

    /// <summary>The parsed metrics, in name order.</summary>
    public IReadOnlyList<MetricDefinition> Definitions =>
        Metrics.OrderBy(m => m.Key, StringComparer.Ordinal).Select(m => MetricDefinition.TryParse(m.Key, m.Value)).OfType<MetricDefinition>().ToList();

    /// <summary>The parsed second covariate of a metric, or null.</summary>
    public MetricDefinition? CovariateOf(string metric) =>
        Covariates.TryGetValue(metric, out var text) && MetricDefinition.TryParse(metric, text) is { Kind: not MetricKind.Ratio } covariate ? covariate : null;

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Metrics.Count == 0) yield return new ValidationResult("metrics needs at least one metric.", [nameof(Metrics)]);
        foreach (var (name, text) in Metrics.OrderBy(m => m.Key, StringComparer.Ordinal))
            if (MetricDefinition.TryParse(name, text) is null)
                yield return new ValidationResult($"metric '{name}' is '{text}'; write {MetricDefinition.Syntax}.", [nameof(Metrics)]);
        foreach (var (name, text) in Covariates.OrderBy(m => m.Key, StringComparer.Ordinal))
        {
            if (!Metrics.TryGetValue(name, out var metric))
                yield return new ValidationResult($"covariates names '{name}', which is not one of the metrics ({string.Join(", ", Metrics.Keys.Order(StringComparer.Ordinal))}).", [nameof(Covariates)]);
            else if (MetricDefinition.TryParse(name, metric)?.Kind == MetricKind.Ratio)
                yield return new ValidationResult($"covariates: '{name}' is a ratio metric, whose covariates are already its pre-exposure numerator and denominator.", [nameof(Covariates)]);
            if (CovariateOf(name) is null && Metrics.ContainsKey(name))
                yield return new ValidationResult($"covariate of '{name}' is '{text}'; write conversion:BASE, count:BASE or sum:BASE, where BASE names a metric in the events' metric column.", [nameof(Covariates)]);
        }
        if (Covariates.Count > 0 && PreDays == 0)
            yield return new ValidationResult("covariates are pre-exposure values; set pre_days above 0.", [nameof(Covariates), nameof(PreDays)]);
    }
}

/// <summary>
/// Per-unit experiment metrics reduced to sufficient statistics in one pushed-down query: for each experiment, variant,
/// metric, stratum and exposure day, the unit count and Σy, Σy², Σx, Σx², Σxy, where y is the unit's value after its
/// first exposure and x is the same metric's value in the pre-exposure window (a ratio's x is its denominator). One join
/// of the events to the exposures and one aggregation per unit give every metric's values at once; units without events
/// add zeros, so they count through the exposures alone. Expects one exposure row per unit and experiment (as
/// <c>standardize.experiment_exposures</c> writes). Keyed by unit, so a distributed warehouse can run it; events never leave it.
/// </summary>
public sealed class ExperimentMetrics : IComponent<ExperimentMetricsParameters>
{
    // The per-unit sums' fixed point: each value a whole number of 10^-10 (ExactSum's 10 decimals) in a BIGINT, which holds
    // it while |value| < 9.22e8; values from 9e8 up take the decimal sums instead.
    private const string FixedPointScale = "10000000000";
    private const string FixedPointBound = "900000000";

    internal static readonly (string Name, DataKind Kind)[] Columns =
    [
        ("experiment", DataKind.Text), ("variant", DataKind.Text), ("metric", DataKind.Text), ("kind", DataKind.Text), ("stratum", DataKind.Text),
        ("exposure_day", DataKind.Date), ("units", DataKind.Integer), ("sum_y", DataKind.Number), ("sum_y2", DataKind.Number),
        ("sum_x", DataKind.Number), ("sum_x2", DataKind.Number), ("sum_xy", DataKind.Number),
        ("sum_z", DataKind.Number), ("sum_z2", DataKind.Number), ("sum_yz", DataKind.Number), ("sum_xz", DataKind.Number),
        ("sum_w", DataKind.Number), ("sum_w2", DataKind.Number), ("sum_yw", DataKind.Number), ("sum_xw", DataKind.Number), ("sum_zw", DataKind.Number),
    ];

    /// <inheritdoc />
    public static string TypeName => "experiment.metrics";
    /// <inheritdoc />
    public static string Description => "Sufficient statistics (n, sums, squares, cross-products with the pre-exposure value) of experiment metrics per variant, computed in SQL.";
    /// <inheritdoc />
    public static InputArity Inputs => new(2, 2);
    /// <inheritdoc />
    public static bool ReadsTimeZone => true;

    /// <inheritdoc />
    public ComponentPlan Plan(ExperimentMetricsParameters p, PlanContext context)
    {
        List<ColumnRequirement> needs =
        [
            new(0, "experiment", [], "The first input is the exposures table (standardize.experiment_exposures)."),
            new(0, "variant", []),
            new(0, p.UnitColumn, [], "Set unit_column to the exposures' unit id column."),
            new(0, p.ExposedAtColumn, [DataKind.Timestamp], "Set exposed_at_column to a TIMESTAMP column."),
            new(1, p.EventUnitColumn, [], "Set event_unit_column to the events' unit id column."),
            new(1, p.EventTimeColumn, [DataKind.Timestamp], "Set event_time_column to a TIMESTAMP column."),
            new(1, p.MetricColumn, [], "The second input holds one row per metric event: unit, time, metric, value."),
            new(1, p.ValueColumn, [DataKind.Number, DataKind.Integer], "Set value_column to a numeric column."),
        ];
        if (p.StratumColumn is not null) needs.Add(new(0, p.StratumColumn, [], "Set stratum_column to a column of the exposures."));
        return new ComponentPlan(Schema.Of(Columns), needs) { MainDescription = "Sufficient statistics of one metric for one variant, stratum and exposure day." };
    }

    /// <inheritdoc />
    public async Task<Materialization> MaterializeAsync(ExperimentMetricsParameters p, ComponentContext context, CancellationToken cancellationToken)
    {
        var d = context.Warehouse.Dialect;
        var q = new SqlBuilder(d);
        var metrics = p.Definitions;
        var text = d.TypeName(DataKind.Text);
        var number = d.TypeName(DataKind.Number);
        var bases = metrics.SelectMany(m => new[] { m.Base, m.Denominator, p.CovariateOf(m.Name)?.Base }).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        var boundBases = bases.Select(b => q.Bind(b, DataKind.Text)).ToList();
        var covariate = p.PreDays > 0;
        // Whether every event value fits the per-unit fixed point (below): a range filter on the raw column, which DuckDB answers
        // from its row groups' min/max without reading the values (0.00 CPU s at 50M events, against 0.4 for max(abs(value))).
        var summed = metrics.Any(m => m.Kind is MetricKind.Sum or MetricKind.Ratio || p.CovariateOf(m.Name)?.Kind == MetricKind.Sum);
        var valueColumn = d.Quote(p.ValueColumn);
        var fixedPoint = summed && Convert.ToInt64(await context.Warehouse.ScalarAsync(
            $"SELECT count(*) FROM {d.Quote(context.Inputs[1])} v WHERE v.{valueColumn} >= {FixedPointBound} OR v.{valueColumn} <= -{FixedPointBound}", null, cancellationToken)
            .ConfigureAwait(false), CultureInfo.InvariantCulture) == 0;
        var scale = q.Cast(FixedPointScale, DataKind.Number);
        var unitValues = metrics.Select(m => UnitValues(m, p.CovariateOf(m.Name), bases, covariate, fixedPoint ? (scale, number) : null)).ToList();
        // Only the per-unit aggregates some metric reads: post/pre sum and count of each base metric.
        var used = unitValues.SelectMany(v => v.Reads).Distinct().Order().ToList();
        var t = "e.occurred_at";
        var value = $"CAST(e.value AS {number})";
        // Each joined event gets its slot (base metric and side of the exposure) once; the per-unit aggregates then filter on
        // one integer instead of comparing the metric text and the time again for each aggregate (half the CPU at 5M events).
        // The base's part comes from a join of the events to the bases' (name, 2 × index) rows: one hash of the metric text
        // per event instead of an IN list and a CASE comparing it up to once per base each (10% fewer instructions at 2M events).
        var baseSlots = $"(VALUES {string.Join(", ", boundBases.Select((b, k) => $"({b}, {2 * k})"))}) b(base_name, base_slot)";
        var slot = $"e.base_slot + CASE WHEN {t} >= u.exposed_at THEN 1 ELSE 0 END";
        // Counts stay integers (as conversions, their products and their sums), so only the sums of values need ExactSum's
        // decimals: both are exact and independent of row order, and the integer sums skip the per-value conversion to a
        // decimal, which was most of the exact sums' cost (count metrics' statistics are half the products). Where every value
        // fits, a unit's sum is itself an integer: each value rounded to a whole number of 10^-10 as a BIGINT (DuckDB's
        // conversion to a 128-bit decimal costs ~6× that), summed exactly (128-bit in DuckDB, numeric in PostgreSQL) and kept
        // so into the second level, whose linear sums then need no conversion: 9% fewer instructions for the query at 2M events.
        var perUnit = used.Select(a => (!a.Sum ? $"count(*) FILTER (WHERE j.slot = {a.Slot})"
            : fixedPoint ? $"coalesce(sum({q.Cast($"j.value * {scale}", DataKind.Integer)}) FILTER (WHERE j.slot = {a.Slot}), 0)"
            : $"coalesce({q.ExactSum("j.value", $"j.slot = {a.Slot}")}, 0)") + $" AS {a}").ToList();
        // Σ of each value and of each product of two, per metric; a product with a value that is always 0 is left out (0).
        // Real values (squares and products of sums) are summed in binary fixed point (FixedPointSum: integer sums, as exact
        // and order-independent as the decimals, 6% fewer instructions for the query at 2M events).
        string Sum(string expression, SumKind kind) => kind switch
        {
            SumKind.Integer => q.IntegerSum(expression),
            // A unit's sum in 10^-10 (fixed point above): summed as the integer it is, then scaled once.
            SumKind.Scaled => $"({q.IntegerSum(expression)} / {scale})",
            _ => q.FixedPointSum(expression),
        };
        var sums = unitValues.Select((v, k) => Products(v).Where(s => s.Expression is not null)
            .Select(s => (Sql: $"{Sum(s.Expression!, s.Kind)} AS {s.Column}_{k}", s.Column, Metric: k)).ToList()).ToList();
        string Pick(string column)
        {
            var cases = sums.SelectMany(m => m).Where(s => s.Column == column).Select(s => $"WHEN {s.Metric} THEN s.{column}_{s.Metric} ").ToList();
            return cases.Count == 0 ? q.Cast("0", DataKind.Number) : q.Cast($"coalesce(CASE m.k {string.Concat(cases)}END, 0)", DataKind.Number);
        }
        var metricRows = string.Join(", ", metrics.Select((m, k) => $"({k}, {q.Bind(m.Name, DataKind.Text)}, {q.Bind(m.KindName, DataKind.Text)})"));
        var stratum = p.StratumColumn is null ? "''" : $"coalesce(CAST(x.{d.Quote(p.StratumColumn)} AS {text}), '')";
        // The window's start is computed in the join condition rather than carried on the join's build side (a smaller
        // hash table; less CPU at 5M events, not shown at 50M).
        var windowStart = covariate ? $"u.exposed_at - {d.Interval(TimeSpan.FromDays(p.PreDays))}" : "u.exposed_at";
        var windowEnd = p.WindowDays > 0 ? $" AND {t} < u.exposed_at + {d.Interval(TimeSpan.FromDays(p.WindowDays))}" : "";
        // Units without events in either window add zeros to every sum, so only the join's units are aggregated; the unit
        // counts come from the exposures. Units are keyed by (cell, unit id), a cell being one experiment, variant, stratum and day.
        // The exposures are read twice (the cells' counts, the units) rather than materialized once: DuckDB otherwise
        // writes all exposure rows to a buffer and reads them back twice, which cost 3.5% of the query's instructions at
        // 2M events / 200k units (and 11% of its last-level cache misses) against a second scan of the table.
        // Where the engine groups faster over sorted input (DuckDB), the joined rows are sorted by unit before the per-unit aggregation: the events come in any unit order, so
        // without it nearly every update of the per-unit hash table (4.1M units at 50M events, far larger than the caches)
        // is a memory miss, while sorted each unit's rows arrive together and each DuckDB thread aggregates a range of
        // units of its own. The sort costs less than the misses it saves (bench/README.md, stop 20). PostgreSQL keeps the
        // plain aggregation: an ORDER BY there is a sort its planner would not otherwise do, not measured to pay.
        // A unit's exposure day is the reporting zone's calendar day.
        var exposureDay = q.Day($"x.{d.Quote(p.ExposedAtColumn)}", DataKind.Timestamp, context.TimeZone);
        var perUnitSource = d.GroupsFasterOverSortedInput ? "(SELECT * FROM joined ORDER BY unit_id)" : "joined";
        var sql = $"""
            WITH exposed AS NOT MATERIALIZED (
                SELECT CAST(x.experiment AS {text}) AS experiment, CAST(x.variant AS {text}) AS variant, {stratum} AS stratum,
                       x.{d.Quote(p.UnitColumn)} AS unit_id, x.{d.Quote(p.ExposedAtColumn)} AS exposed_at, {exposureDay} AS exposure_day
                FROM {d.Quote(context.Inputs[0])} x
                WHERE x.{d.Quote(p.UnitColumn)} IS NOT NULL AND x.{d.Quote(p.ExposedAtColumn)} IS NOT NULL AND x.variant IS NOT NULL AND x.experiment IS NOT NULL),
            cells AS (
                SELECT experiment, variant, stratum, exposure_day, count(*) AS units, row_number() OVER (ORDER BY experiment, variant, stratum, exposure_day) AS cell
                FROM exposed GROUP BY experiment, variant, stratum, exposure_day),
            units AS (
                SELECT c.cell, x.unit_id, x.exposed_at
                FROM exposed x JOIN cells c ON c.experiment = x.experiment AND c.variant = x.variant AND c.stratum = x.stratum AND c.exposure_day = x.exposure_day),
            joined AS (
                SELECT u.cell, u.unit_id, {value} AS value, {slot} AS slot
                FROM units u JOIN (
                    SELECT v.{d.Quote(p.EventUnitColumn)} AS unit_id, v.{d.Quote(p.EventTimeColumn)} AS occurred_at, v.{d.Quote(p.ValueColumn)} AS value, b.base_slot
                    FROM {d.Quote(context.Inputs[1])} v JOIN {baseSlots} ON v.{d.Quote(p.MetricColumn)} = b.base_name) e ON e.unit_id = u.unit_id
                WHERE {t} >= {windowStart}{windowEnd}),
            per_unit AS (
                SELECT j.cell, {string.Join(", ", perUnit)}
                FROM {perUnitSource} j
                GROUP BY j.cell, j.unit_id),
            sums AS (SELECT cell, {string.Join(", ", sums.SelectMany(m => m).Select(s => s.Sql))} FROM per_unit GROUP BY cell)
            SELECT c.experiment, c.variant, m.metric, m.kind, c.stratum, c.exposure_day, {q.Cast("c.units", DataKind.Integer)} AS units,
                   {string.Join(", ", Columns.Skip(7).Select(c => $"{Pick(c.Name[4..])} AS {c.Name}"))}
            FROM cells c CROSS JOIN (VALUES {metricRows}) m(k, metric, kind) LEFT JOIN sums s ON s.cell = c.cell
            ORDER BY c.experiment, c.variant, m.metric, c.stratum, c.exposure_day
            """;
        var written = await context.Warehouse.ReplaceTableAsync(context.Asset, (b, ct) => b.CreateAsSelectAsync(sql, q.Parameters, ct), cancellationToken).ConfigureAwait(false);
        var variants = Convert.ToInt64(await context.Warehouse.ScalarAsync($"SELECT count(DISTINCT variant) FROM {d.Quote(context.Asset)}", null, cancellationToken).ConfigureAwait(false),
            CultureInfo.InvariantCulture);
        context.Log($"{metrics.Count} metrics over {variants} variants: {written} statistic rows");
        return new Materialization(written, new Dictionary<string, object?> { ["metrics"] = metrics.Count, ["variants"] = variants });
    }

    // y, x, z, w of one unit from the per-unit aggregates it reads ("0" when unused): a mean metric's x is its pre-exposure
    // value and z the optional second covariate; a ratio's x is its denominator, z and w its pre-exposure numerator and denominator.
    // With a scale, the per-unit sums are integers in units of 1 / scale (the fixed point), read as numbers by dividing.
    private static UnitValue UnitValues(MetricDefinition m, MetricDefinition? second, List<string> bases, bool covariate, (string Scale, string Number)? fixedPoint)
    {
        var reads = new List<Aggregate>();
        Value Read(MetricKind kind, string name, bool post)
        {
            var a = new Aggregate(bases.IndexOf(name), post, Sum: kind is MetricKind.Sum or MetricKind.Ratio);
            reads.Add(a);
            if (a.Sum && fixedPoint is (var scale, var number)) return new Value($"(CAST({a} AS {number}) / {scale})", Integer: false, Scaled: $"{a}");
            return new Value(kind == MetricKind.Conversion ? $"CASE WHEN {a} > 0 THEN 1 ELSE 0 END" : $"{a}", Integer: !a.Sum);
        }
        if (m.Kind == MetricKind.Ratio)
            return new UnitValue(Read(m.Kind, m.Base, true), Read(m.Kind, m.Denominator!, true),
                covariate ? Read(m.Kind, m.Base, false) : Value.Zero, covariate ? Read(m.Kind, m.Denominator!, false) : Value.Zero, reads);
        var y = Read(m.Kind, m.Base, true);
        var x = covariate ? Read(m.Kind, m.Base, false) : Value.Zero;
        var z = covariate && second is not null ? Read(second.Kind, second.Base, false) : Value.Zero;
        return new UnitValue(y, x, z, Value.Zero, reads);
    }

    // The value columns and their products, named as the statistics' columns without sum_ (y, y2, x, ..., zw); null when 0.
    // A product of two integer values (counts, conversions) is an integer; a fixed-point sum is summed as its integer.
    private static IEnumerable<(string Column, string? Expression, SumKind Kind)> Products(UnitValue v)
    {
        (string Name, Value Value)[] values = [("y", v.Y), ("x", v.X), ("z", v.Z), ("w", v.W)];
        static SumKind KindOf(bool integer) => integer ? SumKind.Integer : SumKind.Real;
        foreach (var (name, value) in values)
            yield return (name, value.IsZero ? null : value.Scaled ?? value.Sql, value.Scaled is not null ? SumKind.Scaled : KindOf(value.Integer));
        foreach (var (name, value) in values) yield return (name + "2", value.IsZero ? null : $"({value.Sql}) * ({value.Sql})", KindOf(value.Integer));
        for (var i = 0; i < values.Length; i++)
            for (var j = i + 1; j < values.Length; j++)
            {
                var (a, b) = (values[i].Value, values[j].Value);
                yield return (i == 0 && j == 1 ? "xy" : values[i].Name + values[j].Name, a.IsZero || b.IsZero ? null : $"({a.Sql}) * ({b.Sql})", KindOf(a.Integer && b.Integer));
            }
    }

    // How a statistic is summed over the units: an integer (IntegerSum), a per-unit fixed-point integer scaled after its sum,
    // or a real number (FixedPointSum).
    private enum SumKind { Integer, Scaled, Real }

    private sealed record UnitValue(Value Y, Value X, Value Z, Value W, List<Aggregate> Reads);

    // One per-unit value's SQL; Integer when it is a count or a conversion (a BIGINT count, not a decimal sum); Scaled the
    // per-unit sum's fixed-point integer, when it has one (Sql then divides it by the scale).
    private sealed record Value(string Sql, bool Integer, string? Scaled = null)
    {
        public static readonly Value Zero = new("0", Integer: true);

        public bool IsZero => Sql == "0";
    }

    // One per-unit column: the sum or count of one base metric's events after (post) or before exposure, named ps0, pc0, qs0, qc0...
    private readonly record struct Aggregate(int Base, bool Post, bool Sum) : IComparable<Aggregate>
    {
        // The joined events' slot this aggregate reads: 2 × base + 1 after exposure, 2 × base before.
        public int Slot => 2 * Base + (Post ? 1 : 0);

        public override string ToString() => $"{(Post ? 'p' : 'q')}{(Sum ? 's' : 'c')}{Base}";

        public int CompareTo(Aggregate other) => string.CompareOrdinal(ToString(), other.ToString());
    }
}
