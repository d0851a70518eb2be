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

    /// <summary>Exposures column of the unit id.</summary>
    [Description("Column of the exposures (first input) holding the unit id. Default visitor_id.")]
    public string UnitColumn { get; init; } = "visitor_id";

    /// <summary>Exposures column of the first exposure time.</summary>
    [Description("Column of the exposures holding the first exposure time. Default first_exposed_at.")]
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

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Metrics.Count == 0) yield return new ValidationResult("metrics needs at least one metric.", [nameof(Metrics)]);
        foreach (var (name, text) in Metrics.OrderBy(m => m.Key, StringComparer.Ordinal))
            if (MetricDefinition.TryParse(name, text) is null)
                yield return new ValidationResult($"metric '{name}' is '{text}'; write {MetricDefinition.Syntax}.", [nameof(Metrics)]);
    }
}

/// <summary>
/// Per-unit experiment metrics reduced to sufficient statistics in one pushed-down query: for each experiment, variant,
/// metric, stratum and exposure day, the unit count and Σy, Σy², Σx, Σx², Σxy, where y is the unit's value after its
/// first exposure and x is the same metric's value in the pre-exposure window (a ratio's x is its denominator). Units
/// without events count with zeros. Keyed by unit, so a distributed warehouse can run it; events never leave it.
/// </summary>
public sealed class ExperimentMetrics : IComponent<ExperimentMetricsParameters>
{
    internal static readonly (string Name, DataKind Kind)[] Columns =
    [
        ("experiment", DataKind.Text), ("variant", DataKind.Text), ("metric", DataKind.Text), ("kind", DataKind.Text), ("stratum", DataKind.Text),
        ("exposure_day", DataKind.Date), ("units", DataKind.Integer), ("sum_y", DataKind.Number), ("sum_y2", DataKind.Number),
        ("sum_x", DataKind.Number), ("sum_x2", DataKind.Number), ("sum_xy", DataKind.Number),
    ];

    /// <inheritdoc />
    public static string TypeName => "experiment.metrics";
    /// <inheritdoc />
    public static string Description => "Sufficient statistics (n, sums, squares, cross-products with the pre-exposure value) of experiment metrics per variant, computed in SQL.";
    /// <inheritdoc />
    public static InputArity Inputs => new(2, 2);

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
        var bases = metrics.SelectMany(m => m.Denominator is null ? [m.Base] : new[] { m.Base, m.Denominator }).Distinct(StringComparer.Ordinal).ToList();
        var t = $"e.{d.Quote(p.EventTimeColumn)}";
        var post = p.WindowDays > 0 ? $"{t} >= u.exposed_at AND {t} < u.exposed_at + {d.Interval(TimeSpan.FromDays(p.WindowDays))}" : $"{t} >= u.exposed_at";
        var pre = p.PreDays > 0 ? $"{t} < u.exposed_at AND {t} >= u.exposed_at - {d.Interval(TimeSpan.FromDays(p.PreDays))}" : "1 = 0";
        var value = $"CAST(e.{d.Quote(p.ValueColumn)} AS {d.TypeName(DataKind.Number)})";
        // First per unit and base metric (four aggregates per event), then one row per unit with the bases side by side.
        var boundBases = bases.Select(b => q.Bind(b, DataKind.Text)).ToList();
        var keys = string.Join(", ", boundBases);
        var perBase = boundBases.Select((key, i) => $"""
            sum(CASE WHEN j.metric = {key} THEN j.ps ELSE 0 END) AS ps{i}, sum(CASE WHEN j.metric = {key} THEN j.pc ELSE 0 END) AS pc{i},
            sum(CASE WHEN j.metric = {key} THEN j.qs ELSE 0 END) AS qs{i}, sum(CASE WHEN j.metric = {key} THEN j.qc ELSE 0 END) AS qc{i}
            """);
        var sums = new List<string>();
        foreach (var m in metrics)
        {
            var (y, x) = UnitValues(m, bases, p.PreDays > 0);
            sums.Add(q.Cast($"sum({y})", DataKind.Number));
            sums.Add(q.Cast($"sum(({y}) * ({y}))", DataKind.Number));
            sums.Add(q.Cast($"sum({x})", DataKind.Number));
            sums.Add(q.Cast($"sum(({x}) * ({x}))", DataKind.Number));
            sums.Add(q.Cast($"sum(({x}) * ({y}))", DataKind.Number));
        }
        var stratum = p.StratumColumn is null ? "''" : $"coalesce(CAST(x.{d.Quote(p.StratumColumn)} AS {d.TypeName(DataKind.Text)}), '')";
        var sql = $"""
            WITH units AS (
                SELECT CAST(x.experiment AS {d.TypeName(DataKind.Text)}) AS experiment, CAST(x.variant AS {d.TypeName(DataKind.Text)}) AS variant,
                       x.{d.Quote(p.UnitColumn)} AS unit_id, x.{d.Quote(p.ExposedAtColumn)} AS exposed_at, {stratum} AS stratum
                FROM {d.Quote(context.Inputs[0])} x
                WHERE x.{d.Quote(p.UnitColumn)} IS NOT NULL AND x.{d.Quote(p.ExposedAtColumn)} IS NOT NULL AND x.variant IS NOT NULL),
            per_metric AS (
                SELECT u.experiment, u.unit_id, CAST(e.{d.Quote(p.MetricColumn)} AS {d.TypeName(DataKind.Text)}) AS metric,
                       sum(CASE WHEN {post} THEN {value} ELSE 0 END) AS ps, sum(CASE WHEN {post} THEN 1 ELSE 0 END) AS pc,
                       sum(CASE WHEN {pre} THEN {value} ELSE 0 END) AS qs, sum(CASE WHEN {pre} THEN 1 ELSE 0 END) AS qc
                FROM units u
                JOIN {d.Quote(context.Inputs[1])} e ON e.{d.Quote(p.EventUnitColumn)} = u.unit_id AND e.{d.Quote(p.MetricColumn)} IN ({keys})
                WHERE ({post}) OR ({pre})
                GROUP BY u.experiment, u.unit_id, e.{d.Quote(p.MetricColumn)}),
            per_unit AS (
                SELECT u.experiment, min(u.variant) AS variant, min(u.stratum) AS stratum, CAST(min(u.exposed_at) AS DATE) AS exposure_day,
                       {string.Join(",\n", perBase)}
                FROM units u
                LEFT JOIN per_metric j ON j.experiment = u.experiment AND j.unit_id = u.unit_id
                GROUP BY u.experiment, u.unit_id)
            SELECT experiment, variant, stratum, exposure_day, count(*) AS units, {string.Join(", ", sums)}
            FROM per_unit GROUP BY experiment, variant, stratum, exposure_day
            ORDER BY experiment, variant, stratum, exposure_day
            """;
        var rows = new List<object?[]>();
        await foreach (var r in context.Warehouse.StreamAsync(sql, q.Parameters, cancellationToken).ConfigureAwait(false))
        {
            var units = Convert.ToInt64(r[4], CultureInfo.InvariantCulture);
            for (var k = 0; k < metrics.Count; k++)
            {
                var s = Enumerable.Range(0, 5).Select(j => r[5 + 5 * k + j] is null ? 0.0 : Convert.ToDouble(r[5 + 5 * k + j], CultureInfo.InvariantCulture)).ToArray();
                rows.Add([r[0], r[1], metrics[k].Name, metrics[k].KindName, r[2], r[3], units, s[0], s[1], s[2], s[3], s[4]]);
            }
        }
        var written = await context.Warehouse.ReplaceTableAsync(context.Asset, (b, ct) => b.CreateAndAppendAsync(Columns, rows, ct), cancellationToken).ConfigureAwait(false);
        var variants = rows.Select(r => (string?)r[1]).Distinct().Count();
        context.Log($"{metrics.Count} metrics over {variants} variants: {rows.Count} statistic rows");
        return new Materialization(written, new Dictionary<string, object?> { ["metrics"] = metrics.Count, ["variants"] = variants });
    }

    // y and x of one unit from the per-base columns; x is the pre-exposure value, or a ratio's denominator.
    private static (string Y, string X) UnitValues(MetricDefinition m, List<string> bases, bool covariate)
    {
        var i = bases.IndexOf(m.Base);
        return m.Kind switch
        {
            MetricKind.Conversion => ($"CASE WHEN pc{i} > 0 THEN 1 ELSE 0 END", covariate ? $"CASE WHEN qc{i} > 0 THEN 1 ELSE 0 END" : "0"),
            MetricKind.Count => ($"pc{i}", covariate ? $"qc{i}" : "0"),
            MetricKind.Sum => ($"ps{i}", covariate ? $"qs{i}" : "0"),
            _ => ($"ps{i}", $"ps{bases.IndexOf(m.Denominator!)}"),
        };
    }
}
