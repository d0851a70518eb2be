using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Tributary.Analytics.Experiments;
using Tributary.Components.Standardize;
using Tributary.Core.Components;
using Tributary.Core.Warehousing;

namespace Tributary.Components.Experiments;

/// <summary>Corrections for testing every variant × metric of one role at once.</summary>
public enum MultipleTestingCorrection
{
    /// <summary>Holm's step-down (family-wise error rate).</summary>
    Holm,
    /// <summary>Benjamini–Hochberg (false discovery rate).</summary>
    BenjaminiHochberg,
    /// <summary>None: each test at α.</summary>
    None,
}

/// <summary>Parameters of <c>analytics.experiment</c>.</summary>
public sealed record ExperimentAnalysisParameters : IValidatableObject
{
    /// <summary>The roles <see cref="MetricRoles"/> may give; guardrails come from <see cref="Guardrails"/>.</summary>
    internal static readonly string[] Roles = ["primary", "secondary"];

    /// <summary>The control variant.</summary>
    [Description("Name of the control variant; default the first variant in alphabetical order.")]
    public string? Control { get; init; }

    /// <summary>Planned traffic shares.</summary>
    [Description("Planned traffic share per variant for the sample ratio mismatch test, e.g. { A: 0.5, B: 0.5 }; default an equal split.")]
    public IReadOnlyDictionary<string, double> Weights { get; init; } = new Dictionary<string, double>();

    /// <summary>Significance level.</summary>
    [Description("Significance level α of the intervals and tests (two-sided). Default 0.05.")]
    [Range(0.0001, 0.5)]
    public double Alpha { get; init; } = 0.05;

    /// <summary>SRM p-value that blocks the decision.</summary>
    [Description("Sample ratio mismatch p-value below which the results are flagged and the decision blocked. Default 0.001.")]
    [Range(0, 0.5)]
    public double SrmThreshold { get; init; } = 0.001;

    /// <summary>CUPED on the pre-exposure covariate.</summary>
    [Description("Adjust mean metrics by their pre-exposure value (CUPED, Deng et al. 2013). Default true.")]
    public bool Cuped { get; init; } = true;

    /// <summary>Post-stratify when the statistics have strata.</summary>
    [Description("Post-stratify by the statistics' stratum (experiment.metrics stratum_column) when there is more than one. Default true.")]
    public bool PostStratify { get; init; } = true;

    /// <summary>Multiple-testing correction.</summary>
    [Description("Correction that decides 'significant': holm, benjamini_hochberg or none, applied within each experiment to each metric role's family (primary metrics × variants, secondary metrics × variants, guardrails × variants), so guardrails and secondary metrics do not dilute the primary metric. Default holm.")]
    public MultipleTestingCorrection Correction { get; init; } = MultipleTestingCorrection.Holm;

    /// <summary>Confidence-sequence tuning.</summary>
    [Description("Units (both arms) at which the confidence sequence is tightest (GrowthBook's tuning parameter N*). Default 5000.")]
    [Range(10, 1_000_000_000)]
    public double SequentialTuningUnits { get; init; } = 5000;

    /// <summary>Prior mean of the relative lift.</summary>
    [Description("Mean of the normal prior on the relative lift (Bayesian). Default 0.")]
    [Range(-10, 10)]
    public double PriorMean { get; init; }

    /// <summary>Prior standard deviation of the relative lift.</summary>
    [Description("Standard deviation of the normal prior on the relative lift; 0 for a flat prior. Default 0.3.")]
    [Range(0, 100)]
    public double PriorStdDev { get; init; } = 0.3;

    /// <summary>Guardrail metrics and their tolerated harm.</summary>
    [Description("Guardrail metrics with the relative harm each tolerates, e.g. { refund_rate: 0.02 }: 'breached' when the interval shows harm, 'pass' when it rules out harm beyond the threshold.")]
    public IReadOnlyDictionary<string, double> Guardrails { get; init; } = new Dictionary<string, double>();

    /// <summary>Role of each metric, which sets its multiple-testing family.</summary>
    [Description("Role of each metric: primary or secondary, e.g. { conversion: primary }. The correction runs within each role's family. Metrics in guardrails are guardrails; any other metric not named here is secondary.")]
    public IReadOnlyDictionary<string, string> MetricRoles { get; init; } = new Dictionary<string, string>();

    /// <summary>Metrics where lower is better.</summary>
    [Description("Metrics where a decrease is the improvement (e.g. refund_rate).")]
    public IReadOnlyList<string> LowerIsBetter { get; init; } = [];

    /// <summary>The metric's role: guardrail when it has a guardrail threshold, else its declared role, else secondary.</summary>
    internal string RoleOf(string metric) => Guardrails.ContainsKey(metric) ? "guardrail" : MetricRoles.GetValueOrDefault(metric, "secondary");

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var (metric, role) in MetricRoles.OrderBy(r => r.Key, StringComparer.Ordinal))
        {
            if (Guardrails.ContainsKey(metric))
                yield return new ValidationResult($"metric_roles names '{metric}', which is a guardrail (guardrails); a guardrail is corrected with the other guardrails. Remove it from metric_roles.", [nameof(MetricRoles)]);
            else if (!Roles.Contains(role, StringComparer.Ordinal))
                yield return new ValidationResult($"metric_roles gives '{metric}' the role '{role}'; write primary or secondary (a guardrail goes in guardrails, with the harm it tolerates).", [nameof(MetricRoles)]);
        }
    }
}

/// <summary>
/// Every variant against control on every metric, from <c>experiment.metrics</c> statistics: sample ratio mismatch,
/// Welch/delta-method absolute and relative lift with CUPED and post-stratification beside each arm's observed value, Holm or
/// Benjamini–Hochberg within each metric role's family of variants × metrics, an always-valid confidence sequence, a Bayesian posterior of the relative lift with chance to beat
/// control and expected loss, and guardrail status. Side outputs: the cumulative lift by exposure day and the SRM test.
/// </summary>
public sealed class ExperimentAnalysis : IComponent<ExperimentAnalysisParameters>
{
    internal static readonly (string Name, DataKind Kind)[] Columns =
    [
        ("experiment", DataKind.Text), ("variant", DataKind.Text), ("control", DataKind.Text), ("metric", DataKind.Text), ("kind", DataKind.Text), ("role", DataKind.Text),
        ("units_control", DataKind.Integer), ("units_variant", DataKind.Integer),
        // Observed: the raw rate, mean or ratio per arm. Mean: the adjusted (CUPED, post-stratified) estimate the lift compares.
        ("observed_control", DataKind.Number), ("observed_variant", DataKind.Number), ("mean_control", DataKind.Number), ("mean_variant", DataKind.Number),
        ("abs_lift", DataKind.Number), ("abs_low", DataKind.Number), ("abs_high", DataKind.Number),
        ("rel_lift", DataKind.Number), ("rel_low", DataKind.Number), ("rel_high", DataKind.Number), ("p_value", DataKind.Number),
        ("p_adjusted", DataKind.Number), ("p_holm", DataKind.Number), ("p_bh", DataKind.Number), ("significant", DataKind.Boolean),
        ("seq_low", DataKind.Number), ("seq_high", DataKind.Number), ("seq_significant", DataKind.Boolean),
        ("bayes_mean", DataKind.Number), ("bayes_low", DataKind.Number), ("bayes_high", DataKind.Number),
        ("chance_to_beat_control", DataKind.Number), ("risk_variant", DataKind.Number), ("risk_control", DataKind.Number),
        ("variance_reduction", DataKind.Number), ("strata", DataKind.Integer), ("srm_p_value", DataKind.Number), ("srm_blocked", DataKind.Boolean),
        ("guardrail_threshold", DataKind.Number), ("guardrail_status", DataKind.Text),
    ];

    private static readonly int PAdjusted = Array.FindIndex(Columns, c => c.Name == "p_adjusted");

    private static readonly (string, DataKind)[] CumulativeColumns =
    [
        ("experiment", DataKind.Text), ("variant", DataKind.Text), ("metric", DataKind.Text), ("day", DataKind.Date), ("units", DataKind.Integer),
        ("rel_lift", DataKind.Number), ("rel_low", DataKind.Number), ("rel_high", DataKind.Number), ("seq_low", DataKind.Number), ("seq_high", DataKind.Number),
    ];
    private static readonly (string, DataKind)[] SrmColumns =
    [
        ("experiment", DataKind.Text), ("variant", DataKind.Text), ("units", DataKind.Integer), ("expected_share", DataKind.Number),
        ("observed_share", DataKind.Number), ("chi_square", DataKind.Number), ("p_value", DataKind.Number), ("blocked", DataKind.Boolean),
    ];
    private static readonly DeclaredOutput CumulativeOutput = new("cumulative", OutputRole.Diagnostics,
        "Relative lift and its fixed-horizon and sequential intervals for the units exposed through each day.", Schema.Of(CumulativeColumns));
    private static readonly DeclaredOutput SrmOutput = new("srm", OutputRole.Diagnostics,
        "Units per variant against the planned split, with the chi-square test of sample ratio mismatch.", Schema.Of(SrmColumns));

    /// <inheritdoc />
    public static string TypeName => "analytics.experiment";
    /// <inheritdoc />
    public static string Description => "A/B analysis from sufficient statistics: SRM, frequentist (CUPED, post-stratification), sequential and Bayesian lift, multiple-testing corrections, guardrails.";
    /// <inheritdoc />
    public static InputArity Inputs => InputArity.One;

    /// <inheritdoc />
    public ComponentPlan Plan(ExperimentAnalysisParameters p, PlanContext context) =>
        new(Schema.Of(Columns), ExperimentMetrics.Columns.Select(c => new ColumnRequirement(0, c.Name, [], "The input is an experiment.metrics table.")).ToList())
        {
            SideOutputs = [CumulativeOutput, SrmOutput],
            MainDescription = "One variant against control on one metric: frequentist, sequential and Bayesian lift.",
        };

    /// <inheritdoc />
    public async Task<Materialization> MaterializeAsync(ExperimentAnalysisParameters p, ComponentContext context, CancellationToken cancellationToken)
    {
        var stats = await ExperimentStatistics.ReadAsync(context, context.Inputs[0], cancellationToken).ConfigureAwait(false);
        if (stats.Count == 0) throw new InputDataException($"input '{context.Inputs[0]}' has no statistics: no exposures matched.");
        var results = new List<object?[]>();
        var cumulative = new List<object?[]>();
        var srmRows = new List<object?[]>();
        var pValues = new List<double>();
        var families = new List<(string Experiment, string Role)>();
        var blockedExperiments = new List<string>();
        foreach (var experiment in stats.GroupBy(s => s.Experiment).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var variants = experiment.Select(s => s.Variant).Distinct().Order(StringComparer.Ordinal).ToList();
            var control = ExperimentStatistics.ControlOf(experiment.Key, variants, p.Control);
            // Units per variant: every metric row counts the same units, so read them from one metric.
            var firstMetric = experiment.First().Metric;
            var units = variants.Select(v => experiment.Where(s => s.Variant == v && s.Metric == firstMetric).Sum(s => s.Moments.N)).ToList();
            var weights = variants.Select(v => p.Weights.Count == 0 ? 1.0 : p.Weights.GetValueOrDefault(v)).ToList();
            var (chi, srmP) = SampleRatioMismatch.Test(units, weights);
            var blocked = srmP < p.SrmThreshold;
            if (blocked) blockedExperiments.Add(experiment.Key);
            for (var i = 0; i < variants.Count; i++)
                srmRows.Add([experiment.Key, variants[i], units[i], weights[i] / weights.Sum(), units[i] / (double)units.Sum(), chi, srmP, blocked]);

            foreach (var metric in experiment.GroupBy(s => s.Metric).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                var shape = ExperimentStatistics.ShapeOf(metric.First().Kind);
                var lowerBetter = p.LowerIsBetter.Contains(metric.Key);
                foreach (var variant in variants.Where(v => v != control))
                {
                    var strata = p.PostStratify ? metric.Select(s => s.Stratum).Distinct().Order(StringComparer.Ordinal).ToList() : [""];
                    var pairs = strata.Select(st => (
                        ExperimentStatistics.Sum(metric.Where(s => s.Variant == control && (!p.PostStratify || s.Stratum == st))),
                        ExperimentStatistics.Sum(metric.Where(s => s.Variant == variant && (!p.PostStratify || s.Stratum == st))))).ToList();
                    var (c, t) = LiftEstimator.EstimateArms(pairs, shape, p.Cuped);
                    var lift = LiftEstimator.Compare(c, t, p.Alpha);
                    var seq = ConfidenceSequence.HalfWidth(lift.RelativeStdError, c.Units + t.Units, p.Alpha, p.SequentialTuningUnits);
                    var sign = lowerBetter ? -1 : 1;
                    var posterior = BayesianLift.Posterior(sign * lift.Relative, lift.RelativeStdError, sign * p.PriorMean, p.PriorStdDev, 1 - p.Alpha);
                    var (bMean, bLow, bHigh) = lowerBetter ? (-posterior.Mean, -posterior.High, -posterior.Low) : (posterior.Mean, posterior.Low, posterior.High);
                    var guardrail = p.Guardrails.TryGetValue(metric.Key, out var threshold) ? GuardrailStatus(lift, threshold, lowerBetter) : null;
                    pValues.Add(lift.PValue);
                    families.Add((experiment.Key, p.RoleOf(metric.Key)));
                    var observedControl = ExperimentStatistics.Sum(metric.Where(s => s.Variant == control));
                    var observedVariant = ExperimentStatistics.Sum(metric.Where(s => s.Variant == variant));
                    results.Add([experiment.Key, variant, control, metric.Key, metric.First().Kind, p.RoleOf(metric.Key), c.Units, t.Units,
                        Finite(observedControl.Observed(shape)), Finite(observedVariant.Observed(shape)), c.Mean, t.Mean,
                        Finite(lift.Absolute), Finite(lift.AbsoluteLow), Finite(lift.AbsoluteHigh), Finite(lift.Relative), Finite(lift.RelativeLow), Finite(lift.RelativeHigh),
                        Finite(lift.PValue), null, null, null, null, Finite(lift.Relative - seq), Finite(lift.Relative + seq), double.IsFinite(seq) && Math.Abs(lift.Relative) > seq,
                        Finite(bMean), Finite(bLow), Finite(bHigh), Finite(posterior.ChanceToBeatControl), Finite(posterior.RiskOfShipping), Finite(posterior.RiskOfKeepingControl),
                        Finite(lift.VarianceReduction), (long)pairs.Count, Finite(srmP), blocked, guardrail is null ? null : threshold, guardrail]);
                    cumulative.AddRange(Cumulative(experiment.Key, variant, metric.Key, metric.Where(s => s.Variant == control).ToList(),
                        metric.Where(s => s.Variant == variant).ToList(), shape, p));
                }
            }
        }
        // One family per experiment and metric role: a primary metric's p is not multiplied by the guardrails' count.
        foreach (var family in Enumerable.Range(0, results.Count).GroupBy(i => families[i]))
        {
            var members = family.ToList();
            var holm = MultipleComparisons.Holm(members.Select(i => pValues[i]).ToList());
            var bh = MultipleComparisons.BenjaminiHochberg(members.Select(i => pValues[i]).ToList());
            for (var k = 0; k < members.Count; k++)
            {
                var i = members[k];
                var adjusted = p.Correction switch { MultipleTestingCorrection.Holm => holm[k], MultipleTestingCorrection.BenjaminiHochberg => bh[k], _ => pValues[i] };
                results[i][PAdjusted] = Finite(adjusted);
                results[i][PAdjusted + 1] = Finite(holm[k]);
                results[i][PAdjusted + 2] = Finite(bh[k]);
                results[i][PAdjusted + 3] = adjusted < p.Alpha;
            }
        }
        foreach (var unknown in p.MetricRoles.Keys.Where(m => !stats.Any(s => s.Metric == m)).Order(StringComparer.Ordinal))
            context.Log($"warning: metric_roles names '{unknown}', which is none of the statistics' metrics ({string.Join(", ", stats.Select(s => s.Metric).Distinct().Order(StringComparer.Ordinal))}).");
        foreach (var e in blockedExperiments)
            context.Log($"warning: experiment '{e}' fails the sample ratio mismatch test (p < {p.SrmThreshold}); its decision is blocked until assignment is fixed.");
        var written = await context.Warehouse.WriteTablesAsync(
        [
            new TableWrite(context.Asset, TableWriteMode.Replace, (b, ct) => b.CreateAndAppendAsync(Columns, results, ct)),
            new TableWrite(context.Output(CumulativeOutput.Name), TableWriteMode.Replace, (b, ct) => b.CreateAndAppendAsync(CumulativeColumns, cumulative, ct)),
            new TableWrite(context.Output(SrmOutput.Name), TableWriteMode.Replace, (b, ct) => b.CreateAndAppendAsync(SrmColumns, srmRows, ct)),
        ], cancellationToken).ConfigureAwait(false);
        context.Log($"{results.Count} comparisons, {results.Count(r => r[PAdjusted + 3] is true)} significant after {p.Correction} correction");
        return new Materialization(written[0], new Dictionary<string, object?>
        {
            ["comparisons"] = results.Count, ["srm_blocked"] = blockedExperiments.Count, ["cumulative_table"] = context.Output(CumulativeOutput.Name),
        });
    }

    // 'breached' when the interval lies wholly on the harmful side, 'pass' when it rules out harm beyond the threshold, else 'inconclusive'.
    private static string GuardrailStatus(LiftEstimate lift, double threshold, bool lowerIsBetter)
    {
        var (worst, best) = lowerIsBetter ? (-lift.RelativeHigh, -lift.RelativeLow) : (lift.RelativeLow, lift.RelativeHigh);
        if (!double.IsFinite(worst)) return "inconclusive";
        if (best < 0) return "breached";
        return worst > -threshold ? "pass" : "inconclusive";
    }

    // The lift for the units exposed through each day (all strata together), as the experiment would have read on that day.
    private static IEnumerable<object?[]> Cumulative(string experiment, string variant, string metric, List<StatisticRow> control, List<StatisticRow> treatment,
        MetricShape shape, ExperimentAnalysisParameters p)
    {
        var days = control.Concat(treatment).Select(r => r.Day).OfType<DateOnly>().Distinct().Order().ToList();
        var controlByDay = control.Where(r => r.Day is not null).GroupBy(r => r.Day!.Value).ToDictionary(g => g.Key, ExperimentStatistics.Sum);
        var treatmentByDay = treatment.Where(r => r.Day is not null).GroupBy(r => r.Day!.Value).ToDictionary(g => g.Key, ExperimentStatistics.Sum);
        ArmMoments c = default, t = default;
        foreach (var day in days)
        {
            c += controlByDay.GetValueOrDefault(day);
            t += treatmentByDay.GetValueOrDefault(day);
            if (c.N < 2 || t.N < 2) continue;
            var (ec, et) = LiftEstimator.EstimateArms([(c, t)], shape, p.Cuped);
            var lift = LiftEstimator.Compare(ec, et, p.Alpha);
            var seq = ConfidenceSequence.HalfWidth(lift.RelativeStdError, c.N + t.N, p.Alpha, p.SequentialTuningUnits);
            yield return [experiment, variant, metric, day, c.N + t.N, Finite(lift.Relative), Finite(lift.RelativeLow), Finite(lift.RelativeHigh),
                Finite(lift.Relative - seq), Finite(lift.Relative + seq)];
        }
    }

    private static double? Finite(double value) => double.IsFinite(value) ? value : null;
}
