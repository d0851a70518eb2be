using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Tributary.Analytics.Experiments;
using Tributary.Components.Standardize;
using Tributary.Core.Components;
using Tributary.Core.Warehousing;

namespace Tributary.Components.Experiments;

/// <summary>Parameters of <c>experiment.plan</c>.</summary>
public sealed record ExperimentPlanParameters
{
    /// <summary>Relative effect to detect.</summary>
    [Description("Relative effect the test should detect, e.g. 0.05 for +5%. Default 0.05.")]
    [Range(0.0001, 10)]
    public double TargetLift { get; init; } = 0.05;

    /// <summary>Significance level.</summary>
    [Description("Two-sided significance level α. Default 0.05.")]
    [Range(0.0001, 0.5)]
    public double Alpha { get; init; } = 0.05;

    /// <summary>Power.</summary>
    [Description("Probability of detecting the target effect. Default 0.8.")]
    [Range(0.5, 0.999)]
    public double Power { get; init; } = 0.8;

    /// <summary>The control variant.</summary>
    [Description("Variant whose units give the baseline; default the first variant in alphabetical order.")]
    public string? Control { get; init; }

    /// <summary>Apply CUPED's expected reduction.</summary>
    [Description("Shrink the variance by CUPED's expected reduction (ρ² of each metric with its pre-exposure value). Default true.")]
    public bool Cuped { get; init; } = true;
}

/// <summary>
/// Power, minimum detectable effect and runtime per experiment and metric, from the control arm's baseline mean and unit
/// variance in <c>experiment.metrics</c> statistics (or a pre-period export of them), with CUPED's expected variance
/// reduction ρ² and the traffic observed per day.
/// </summary>
public sealed class ExperimentPlan : IComponent<ExperimentPlanParameters>
{
    private static readonly (string, DataKind)[] Columns =
    [
        ("experiment", DataKind.Text), ("metric", DataKind.Text), ("variants", DataKind.Integer), ("baseline_mean", DataKind.Number), ("unit_sd", DataKind.Number),
        ("cuped_reduction", DataKind.Number), ("target_lift", DataKind.Number), ("units_needed_per_variant", DataKind.Integer),
        ("units_per_variant", DataKind.Integer), ("mde", DataKind.Number), ("power_now", DataKind.Number), ("units_per_day", DataKind.Number),
        ("days_needed", DataKind.Number), ("days_run", DataKind.Integer), ("enough_units", DataKind.Boolean),
    ];

    /// <inheritdoc />
    public static string TypeName => "experiment.plan";
    /// <inheritdoc />
    public static string Description => "Power, minimum detectable effect and runtime of an experiment from a metric's baseline, variance and CUPED's expected reduction.";
    /// <inheritdoc />
    public static InputArity Inputs => InputArity.One;

    /// <inheritdoc />
    public ComponentPlan Plan(ExperimentPlanParameters p, PlanContext context) =>
        new(Schema.Of(Columns), ExperimentMetrics.Columns.Select(c => new ColumnRequirement(0, c.Name, [], "The input is an experiment.metrics table.")).ToList())
        {
            MainDescription = "The sample size, detectable effect and runtime of one experiment metric.",
        };

    /// <inheritdoc />
    public async Task<Materialization> MaterializeAsync(ExperimentPlanParameters p, ComponentContext context, CancellationToken cancellationToken)
    {
        var stats = await ExperimentStatistics.ReadAsync(context, context.Inputs[0], cancellationToken).ConfigureAwait(false);
        var rows = new List<object?[]>();
        foreach (var experiment in stats.GroupBy(s => s.Experiment).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var variants = experiment.Select(s => s.Variant).Distinct().ToList();
            var control = ExperimentStatistics.ControlOf(experiment.Key, variants, p.Control);
            var days = experiment.Select(s => s.Day).OfType<DateOnly>().Distinct().ToList();
            var daysRun = days.Count == 0 ? 0 : days.Max().DayNumber - days.Min().DayNumber + 1;
            foreach (var metric in experiment.GroupBy(s => s.Metric).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                var baseline = ExperimentStatistics.Sum(metric.Where(s => s.Variant == control));
                var all = ExperimentStatistics.Sum(metric);
                var shape = ExperimentStatistics.ShapeOf(metric.First().Kind);
                // A ratio's unit spread is its delta-method linearization; a mean's is the unit standard deviation.
                var (mean, sd) = shape == MetricShape.Ratio
                    ? (baseline.SumY / baseline.SumX, Math.Sqrt(Math.Max(0, baseline.VarianceY - 2 * (baseline.SumY / baseline.SumX) * baseline.Covariance
                        + Math.Pow(baseline.SumY / baseline.SumX, 2) * baseline.VarianceX)) / baseline.MeanX)
                    : (baseline.MeanY, Math.Sqrt(baseline.VarianceY));
                // CUPED's expected reduction: the R² of the regression adjustment on the baseline (ρ² with one covariate).
                var (adjusted, _) = LiftEstimator.EstimateArms([(baseline, baseline)], shape, p.Cuped);
                var r2 = adjusted.UnadjustedVariance > 0 ? Math.Clamp(1 - adjusted.Variance / adjusted.UnadjustedVariance, 0, 1) : 0;
                var perVariant = all.N / variants.Count;
                var perDay = daysRun > 0 ? all.N / (double)daysRun : 0;
                var plan = ExperimentPower.Plan(mean, sd, p.TargetLift, perVariant, perDay, variants.Count, p.Alpha, p.Power, r2);
                rows.Add([experiment.Key, metric.Key, (long)variants.Count, Finite(mean), Finite(sd), r2, p.TargetLift, plan.UnitsPerVariant,
                    perVariant, Finite(plan.MinimumDetectableEffect), Finite(plan.PowerNow), perDay, Finite(plan.DaysNeeded), (long)daysRun, perVariant >= plan.UnitsPerVariant]);
            }
        }
        var written = await context.Warehouse.ReplaceTableAsync(context.Asset, (b, ct) => b.CreateAndAppendAsync(Columns, rows, ct), cancellationToken).ConfigureAwait(false);
        return Materialization.Of(written);
    }

    private static double? Finite(double value) => double.IsFinite(value) ? value : null;
}
