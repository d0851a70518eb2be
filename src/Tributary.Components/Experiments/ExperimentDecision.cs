using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Tributary.Components.Standardize;
using Tributary.Core.Components;
using Tributary.Core.Warehousing;

namespace Tributary.Components.Experiments;

/// <summary>Which evidence declares the primary metric's winner.</summary>
public enum DecisionEvidence
{
    /// <summary>The always-valid confidence sequence excludes 0 (safe to read at any time).</summary>
    Sequential,
    /// <summary>The corrected fixed-horizon test is significant (valid once the planned sample is reached).</summary>
    Frequentist,
    /// <summary>Chance to beat control above <c>min_chance_to_win</c>.</summary>
    Bayesian,
}

/// <summary>Parameters of <c>decision.experiment</c>: the rules.</summary>
public sealed record ExperimentDecisionParameters
{
    /// <summary>The metric the decision is about.</summary>
    [Description("The primary metric whose lift decides ship or stop.")]
    public required string PrimaryMetric { get; init; }

    /// <summary>Evidence for a winner.</summary>
    [Description("Evidence that declares a winner or loser on the primary metric: sequential (readable at any time), frequentist (at the planned sample) or bayesian. Default sequential.")]
    public DecisionEvidence Evidence { get; init; } = DecisionEvidence.Sequential;

    /// <summary>Largest expected loss to ship.</summary>
    [Description("Largest expected relative loss (Bayesian risk of shipping) accepted for a ship, e.g. 0.005 = 0.5%. Default 0.005.")]
    [Range(0, 1)]
    public double MaxRisk { get; init; } = 0.005;

    /// <summary>Chance to win needed with bayesian evidence.</summary>
    [Description("Chance to beat control needed to ship, and 1 minus it to stop, with evidence: bayesian. Default 0.95.")]
    [Range(0.5, 1)]
    public double MinChanceToWin { get; init; } = 0.95;

    /// <summary>Units per variant before any decision.</summary>
    [Description("Units per variant before any decision other than an SRM or guardrail stop. Default 100.")]
    [Range(0, long.MaxValue)]
    public long MinUnitsPerVariant { get; init; } = 100;

    /// <summary>Units per variant after which an inconclusive test stops.</summary>
    [Description("Units per variant after which a test with no winner stops as inconclusive; 0 keeps it running. Default 0.")]
    [Range(0, long.MaxValue)]
    public long MaxUnitsPerVariant { get; init; }
}

/// <summary>
/// Ship, stop or keep running per experiment variant, with every reason, by rules set in YAML: a sample ratio mismatch
/// blocks (stop and fix assignment); a breached guardrail stops; too few units keeps running; a winner on the primary
/// metric by the chosen evidence ships when its risk is under the threshold and no guardrail is unresolved; a loser stops;
/// past the maximum sample an inconclusive test stops.
/// </summary>
public sealed class ExperimentDecision : IComponent<ExperimentDecisionParameters>
{
    private static readonly (string, DataKind)[] Columns =
    [
        ("experiment", DataKind.Text), ("variant", DataKind.Text), ("decision", DataKind.Text), ("reasons", DataKind.Text), ("primary_metric", DataKind.Text),
        ("rel_lift", DataKind.Number), ("rel_low", DataKind.Number), ("rel_high", DataKind.Number), ("chance_to_beat_control", DataKind.Number), ("risk_variant", DataKind.Number),
        // The evidence the decision read and its interval (sequential: the confidence sequence; frequentist: rel_low and
        // rel_high; bayesian: none, it reads the chance to beat control), so a reader shows the decision beside its own evidence.
        ("evidence", DataKind.Text), ("evidence_low", DataKind.Number), ("evidence_high", DataKind.Number),
        // The primary metric's observed value per arm with its units, as a reader recomputes them; the lift is the adjusted one.
        ("kind", DataKind.Text), ("units_control", DataKind.Integer), ("units_variant", DataKind.Integer), ("observed_control", DataKind.Number), ("observed_variant", DataKind.Number),
    ];

    /// <inheritdoc />
    public static string TypeName => "decision.experiment";
    /// <inheritdoc />
    public static string Description => "Ship, stop or keep running per experiment variant, with the reasons, from analytics.experiment results and rules in YAML.";
    /// <inheritdoc />
    public static InputArity Inputs => InputArity.One;

    /// <inheritdoc />
    public ComponentPlan Plan(ExperimentDecisionParameters p, PlanContext context) =>
        new(Schema.Of(Columns), ExperimentAnalysis.Columns.Select(c => new ColumnRequirement(0, c.Name, [], "The input is an analytics.experiment table.")).ToList())
        {
            MainDescription = "The decision for one variant of one experiment, with its reasons.",
        };

    /// <inheritdoc />
    public async Task<Materialization> MaterializeAsync(ExperimentDecisionParameters p, ComponentContext context, CancellationToken cancellationToken)
    {
        var d = context.Warehouse.Dialect;
        var sql = $"""
            SELECT experiment, variant, metric, units_control, units_variant, rel_lift, rel_low, rel_high, significant, seq_low, seq_high,
                   chance_to_beat_control, risk_variant, srm_blocked, srm_p_value, guardrail_status, guardrail_threshold, observed_control, observed_variant, kind
            FROM {d.Quote(context.Inputs[0])}
            """;
        var results = new List<ResultRow>();
        await foreach (var r in context.Warehouse.StreamAsync(sql, null, cancellationToken).ConfigureAwait(false))
            results.Add(new ResultRow((string)r[0]!, (string)r[1]!, (string)r[2]!, Long(r[3]), Long(r[4]), Num(r[5]), Num(r[6]), Num(r[7]), r[8] is true,
                Num(r[9]), Num(r[10]), Num(r[11]), Num(r[12]), r[13] is true, Num(r[14]), (string?)r[15], Num(r[16])) { ObservedControl = Num(r[17]), ObservedVariant = Num(r[18]), Kind = (string?)r[19] });
        var rows = new List<object?[]>();
        foreach (var variant in results.GroupBy(r => (r.Experiment, r.Variant)).OrderBy(g => g.Key.Experiment, StringComparer.Ordinal).ThenBy(g => g.Key.Variant, StringComparer.Ordinal))
        {
            var primary = variant.FirstOrDefault(r => r.Metric == p.PrimaryMetric) ?? throw new ArgumentException(
                $"experiment '{variant.Key.Experiment}' has no metric '{p.PrimaryMetric}' (metrics: {string.Join(", ", variant.Select(r => r.Metric))}); set primary_metric to one of them.");
            var (decision, reasons) = Decide(p, primary, variant.Where(r => r.GuardrailStatus is not null).ToList());
            var (low, high) = p.Evidence switch
            {
                DecisionEvidence.Sequential => (primary.SeqLow, primary.SeqHigh),
                DecisionEvidence.Frequentist => (primary.Low, primary.High),
                _ => ((double?)null, (double?)null),
            };
            rows.Add([variant.Key.Experiment, variant.Key.Variant, decision, string.Join("; ", reasons), p.PrimaryMetric, primary.Relative, primary.Low, primary.High,
                primary.ChanceToWin, primary.Risk, p.Evidence.ToString().ToLowerInvariant(), low, high,
                primary.Kind, primary.UnitsControl, primary.UnitsVariant, primary.ObservedControl, primary.ObservedVariant]);
            context.Log($"{variant.Key.Experiment}/{variant.Key.Variant}: {decision} ({string.Join("; ", reasons)})");
        }
        var written = await context.Warehouse.ReplaceTableAsync(context.Asset, (b, ct) => b.CreateAndAppendAsync(Columns, rows, ct), cancellationToken).ConfigureAwait(false);
        return new Materialization(written, new Dictionary<string, object?> { ["decisions"] = string.Join(", ", rows.Select(r => $"{r[1]}={r[2]}")) });
    }

    internal sealed record ResultRow(string Experiment, string Variant, string Metric, long UnitsControl, long UnitsVariant, double? Relative, double? Low, double? High,
        bool Significant, double? SeqLow, double? SeqHigh, double? ChanceToWin, double? Risk, bool SrmBlocked, double? SrmP, string? GuardrailStatus, double? GuardrailThreshold)
    {
        public double? ObservedControl { get; init; }
        public double? ObservedVariant { get; init; }
        public string? Kind { get; init; }
    }

    internal static (string Decision, List<string> Reasons) Decide(ExperimentDecisionParameters p, ResultRow primary, IReadOnlyList<ResultRow> guardrails)
    {
        var reasons = new List<string>();
        if (primary.SrmBlocked)
            return ("stop", [$"sample ratio mismatch (p = {F(primary.SrmP, "G3")}): assignment or logging is broken, so no result can be trusted; fix it and restart"]);
        var breached = guardrails.Where(g => g.GuardrailStatus == "breached").ToList();
        if (breached.Count > 0)
            return ("stop", breached.Select(g => $"guardrail {g.Metric} breached: lift {F(g.Relative, "+0.0%;-0.0%")} [{F(g.Low, "+0.0%;-0.0%")}, {F(g.High, "+0.0%;-0.0%")}]").ToList());
        if (Math.Min(primary.UnitsControl, primary.UnitsVariant) < p.MinUnitsPerVariant)
            return ("keep_running", [$"not enough units yet: {Math.Min(primary.UnitsControl, primary.UnitsVariant)} of {p.MinUnitsPerVariant} per variant"]);
        var (win, lose, evidence) = p.Evidence switch
        {
            DecisionEvidence.Sequential => (primary.SeqLow > 0, primary.SeqHigh < 0, $"confidence sequence [{F(primary.SeqLow, "+0.0%;-0.0%")}, {F(primary.SeqHigh, "+0.0%;-0.0%")}]"),
            DecisionEvidence.Frequentist => (primary.Significant && primary.Relative > 0, primary.Significant && primary.Relative < 0,
                $"interval [{F(primary.Low, "+0.0%;-0.0%")}, {F(primary.High, "+0.0%;-0.0%")}], significant after correction: {(primary.Significant ? "yes" : "no")}"),
            _ => (primary.ChanceToWin >= p.MinChanceToWin, primary.ChanceToWin <= 1 - p.MinChanceToWin, $"chance to beat control {F(primary.ChanceToWin, "0.0%")}"),
        };
        var pending = guardrails.Where(g => g.GuardrailStatus == "inconclusive").Select(g => g.Metric).ToList();
        if (win)
        {
            reasons.Add($"{primary.Metric} wins: lift {F(primary.Relative, "+0.0%;-0.0%")}, {evidence}");
            if (primary.Risk > p.MaxRisk)
            {
                reasons.Add($"risk of shipping {F(primary.Risk, "0.00%")} is above max_risk {p.MaxRisk.ToString("0.00%", CultureInfo.InvariantCulture)}");
                return ("keep_running", reasons);
            }
            if (pending.Count > 0)
            {
                reasons.Add($"guardrails not yet resolved: {string.Join(", ", pending)}");
                return ("keep_running", reasons);
            }
            reasons.Add($"risk of shipping {F(primary.Risk, "0.00%")} is within max_risk");
            return ("ship", reasons);
        }
        if (lose) return ("stop", [$"{primary.Metric} loses: lift {F(primary.Relative, "+0.0%;-0.0%")}, {evidence}"]);
        reasons.Add($"no winner yet on {primary.Metric}: lift {F(primary.Relative, "+0.0%;-0.0%")}, {evidence}");
        if (p.MaxUnitsPerVariant > 0 && Math.Min(primary.UnitsControl, primary.UnitsVariant) >= p.MaxUnitsPerVariant)
        {
            reasons.Add($"reached max_units_per_variant {p.MaxUnitsPerVariant}: stop as inconclusive");
            return ("stop", reasons);
        }
        return ("keep_running", reasons);
    }

    private static string F(double? value, string format) => value is { } v ? v.ToString(format, CultureInfo.InvariantCulture) : "n/a";
    private static double? Num(object? value) => value is null ? null : Convert.ToDouble(value, CultureInfo.InvariantCulture);
    private static long Long(object? value) => value is null ? 0 : Convert.ToInt64(value, CultureInfo.InvariantCulture);
}
