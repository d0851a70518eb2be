using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Tributary.Analytics.Classification;
using Tributary.Core.Components;
using Tributary.Core.Warehousing;

namespace Tributary.Components.Fraud;

/// <summary>Parameters of <c>analytics.risk_score</c>.</summary>
public sealed record RiskScoreParameters : IValidatableObject
{
    /// <summary>The rules input.</summary>
    [Description("Input id of the rules.fraud output: one row per transaction with transaction_id, created_at, profile_id, card_fingerprint, email, amount, rule_score and rule_reasons.")]
    public required string Rules { get; init; }

    /// <summary>Anomaly model inputs.</summary>
    [Description("Input ids of anomaly models (analytics.isolation_forest), each with transaction_id, anomaly_score and top_feature. Their part of the score is the mean evidence of their anomaly scores against the run's own scores of each (see rule_weight). Default none.")]
    public IReadOnlyList<string> Anomaly { get; init; } = [];

    /// <summary>The supervised model input.</summary>
    [Description("Input id of analytics.fraud_model (transaction_id, fraud_probability, model_reason); an empty probability (no model trained yet) leaves its part out. Default none.")]
    public string? Model { get; init; }

    /// <summary>The labels input.</summary>
    [Description("Input id of known fraud labels (e.g. the demo's ground_truth/fraud_labels.csv): one row per fraudulent transaction with its type; with it the evaluation output holds PR-AUC and recall at the alert rate per fraud type and per part. Default none.")]
    public string? Labels { get; init; }

    /// <summary>Labels column of the transaction id.</summary>
    [Description("Column of the labels holding the transaction id. Default transaction_id.")]
    public string LabelId { get; init; } = "transaction_id";

    /// <summary>Labels column of the fraud type.</summary>
    [Description("Column of the labels holding the fraud type. Default label.")]
    public string LabelColumn { get; init; } = "label";

    /// <summary>Weight of the rules.</summary>
    [Description("Weight of the rules in the combined score, the weighted mean of each part's evidence: -ln(p) / ln(n), p the share of the run's n scores of that part at or above the transaction's. Default 1.")]
    [Range(0, 100)]
    public double RuleWeight { get; init; } = 1;

    /// <summary>Weight of the anomaly models.</summary>
    [Description("Weight of the anomaly models' evidence in the combined score. Default 1.")]
    [Range(0, 100)]
    public double AnomalyWeight { get; init; } = 1;

    /// <summary>Weight of the supervised model.</summary>
    [Description("Weight of the trained model's evidence in the combined score (when it has one). Default 1.")]
    [Range(0, 100)]
    public double ModelWeight { get; init; } = 1;

    /// <summary>Review threshold.</summary>
    [Description("Risk score (0-100) from which a transaction goes to review. Default 50.")]
    [Range(0, 100)]
    public double Review { get; init; } = 50;

    /// <summary>Block threshold.</summary>
    [Description("Risk score (0-100) from which a transaction is blocked. Default 80.")]
    [Range(0, 100)]
    public double Block { get; init; } = 80;

    /// <summary>Alert rate of the evaluation.</summary>
    [Description("Share of transactions alerted on, for the evaluation's recall. Default 0.01.")]
    [Range(0.0001, 0.5)]
    public double AlertRate { get; init; } = 0.01;

    /// <summary>Most reasons per transaction.</summary>
    [Description("Most reasons written per transaction. Default 3.")]
    [Range(1, 10)]
    public int TopReasons { get; init; } = 3;

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Block < Review) yield return new ValidationResult($"block ({Block}) must be at least review ({Review}).", [nameof(Block)]);
        if (RuleWeight + AnomalyWeight + ModelWeight <= 0) yield return new ValidationResult("at least one of rule_weight, anomaly_weight and model_weight must be above 0.", [nameof(RuleWeight)]);
    }
}

/// <summary>
/// A 0–100 risk score per transaction combining the rule score, the anomaly models and the supervised model's
/// probability, each as evidence against the run's own scores of that part (<see cref="RiskCombination"/>: weighted
/// Fisher), as a weighted mean over the parts present; a decision (allow, review, block) by thresholds; and the top reasons (rules fired, the anomaly model's
/// most anomalous feature, the model's strongest contribution), strongest part first. With a labels input, the
/// evaluation output holds PR-AUC and recall at an alert rate for every part and the combination, per fraud type
/// (that type against the unlabelled transactions) and for all fraud.
/// </summary>
public sealed class RiskScore : IComponent<RiskScoreParameters>
{
    /// <inheritdoc />
    public static string TypeName => "analytics.risk_score";
    /// <inheritdoc />
    public static string Description => "0-100 fraud risk per transaction from rules, anomaly models and a supervised model, with reasons and an allow/review/block decision.";
    /// <inheritdoc />
    public static InputArity Inputs => InputArity.AtLeastOne;

    internal static readonly (string Name, DataKind Kind)[] Columns =
    [
        ("transaction_id", DataKind.Text), ("created_at", DataKind.Timestamp), ("profile_id", DataKind.Text), ("card_fingerprint", DataKind.Text),
        ("email", DataKind.Text), ("amount", DataKind.Number), ("risk_score", DataKind.Number), ("decision", DataKind.Text), ("reasons", DataKind.Text),
        ("rule_part", DataKind.Number), ("anomaly_part", DataKind.Number), ("model_part", DataKind.Number),
    ];
    internal static readonly (string Name, DataKind Kind)[] EvaluationColumns =
    [
        ("fraud_type", DataKind.Text), ("score", DataKind.Text), ("transactions", DataKind.Integer), ("positives", DataKind.Integer),
        ("pr_auc", DataKind.Number), ("auc", DataKind.Number), ("alert_rate", DataKind.Number), ("recall_at_alert_rate", DataKind.Number),
        ("alert_recall_at_alert_rate", DataKind.Number),
    ];
    internal static readonly DeclaredOutput EvaluationOutput = new("evaluation", OutputRole.Diagnostics,
        "Against the labels input, per fraud type and score part (rules, each anomaly model, model, combined): PR-AUC, AUC, recall when the top alert rate of transactions is flagged, and recall when as many deduplicated alerts (one per customer, or card without one, and clock hour) are raised; empty without labels.",
        Standardize.Schema.Of(EvaluationColumns));
    private static readonly string[] AnomalyColumns = ["transaction_id", "anomaly_score", "top_feature"];
    private static readonly string[] ModelColumns = ["transaction_id", "fraud_probability", "model_reason", "model_trained"];
    private static readonly string[] RuleColumns = ["transaction_id", "created_at", "profile_id", "card_fingerprint", "email", "amount", "rule_score", "rule_reasons"];

    /// <inheritdoc />
    public ComponentPlan Plan(RiskScoreParameters p, PlanContext context)
    {
        var ids = context.Inputs.Select(i => i.Id).ToList();
        int Index(string role, string id) => ids.IndexOf(id) is var i and >= 0 ? i
            : throw new PlanException($"{role} '{id}' is not an input of this step (inputs: {string.Join(", ", ids)}).");
        var needs = new List<ColumnRequirement>();
        needs.AddRange(RuleColumns.Select(c => new ColumnRequirement(Index("rules", p.Rules), c, [], "The rules input must be a rules.fraud output over features.transactions.")));
        foreach (var a in p.Anomaly)
            needs.AddRange(AnomalyColumns.Select(c => new ColumnRequirement(Index("anomaly", a), c, [], "An anomaly input must be an analytics.isolation_forest output keyed by transaction_id.")));
        if (p.Model is { Length: > 0 } m)
            needs.AddRange(ModelColumns.Select(c => new ColumnRequirement(Index("model", m), c, [])));
        if (p.Labels is { Length: > 0 } l)
            needs.AddRange(new[] { p.LabelId, p.LabelColumn }.Select(c => new ColumnRequirement(Index("labels", l), c, [])));
        return new(Standardize.Schema.Of(Columns), needs)
        {
            SideOutputs = [EvaluationOutput], MainDescription = "One row per transaction: risk score 0-100, decision, reasons and the part of each signal.",
        };
    }

    internal sealed record Scored(object?[] Row, double Rule, double?[] Anomaly, double? AnomalyMean, double? Model, double Combined, string? Label);

    /// <inheritdoc />
    public async Task<Materialization> MaterializeAsync(RiskScoreParameters p, ComponentContext context, CancellationToken cancellationToken)
    {
        var w = context.Warehouse;
        var q = new SqlBuilder(w.Dialect);
        var ids = context.Inputs.ToList();
        string Table(string id) => q.Quote(context.Inputs[ids.IndexOf(id)]);
        var joins = new List<string>();
        var select = new List<string>(RuleColumns.Select(c => c == "created_at" ? $"r.{q.Quote(c)}" : $"CAST(r.{q.Quote(c)} AS {(c is "amount" or "rule_score" ? "DOUBLE PRECISION" : "VARCHAR")})"));
        foreach (var (a, i) in p.Anomaly.Select((a, i) => (a, i)))
        {
            joins.Add($"LEFT JOIN {Table(a)} a{i} ON CAST(a{i}.transaction_id AS VARCHAR) = CAST(r.transaction_id AS VARCHAR)");
            select.Add($"CAST(a{i}.anomaly_score AS DOUBLE PRECISION)");
            select.Add($"CAST(a{i}.top_feature AS VARCHAR)");
        }
        if (p.Model is { Length: > 0 } model)
        {
            joins.Add($"LEFT JOIN {Table(model)} m ON CAST(m.transaction_id AS VARCHAR) = CAST(r.transaction_id AS VARCHAR)");
            // An untrained model passes its baseline through; counting it would count that baseline twice.
            select.Add("CASE WHEN m.model_trained = 1 THEN CAST(m.fraud_probability AS DOUBLE PRECISION) END");
            select.Add("CAST(m.model_reason AS VARCHAR)");
        }
        if (p.Labels is { Length: > 0 } labels)
        {
            joins.Add($"LEFT JOIN (SELECT CAST({q.Quote(p.LabelId)} AS VARCHAR) AS id, min(CAST({q.Quote(p.LabelColumn)} AS VARCHAR)) AS label FROM {Table(labels)} GROUP BY CAST({q.Quote(p.LabelId)} AS VARCHAR)) l ON l.id = CAST(r.transaction_id AS VARCHAR)");
            select.Add("l.label");
        }
        var sql = $"SELECT {string.Join(", ", select)} FROM {Table(p.Rules)} r {string.Join("\n", joins)} ORDER BY 2, {q.Dialect.ByteOrder($"CAST(r.{q.Quote("transaction_id")} AS VARCHAR)")}";
        var scored = new List<Scored>();
        var hasModel = p.Model is { Length: > 0 };
        // Each part is ranked against the batch's own scores of it, read as the online scorer reads them.
        var combination = await RiskCombination.Of(p).WithReferencesAsync(w, context.Inputs[ids.IndexOf(p.Rules)], [.. p.Anomaly.Select(a => context.Inputs[ids.IndexOf(a)])],
            hasModel ? context.Inputs[ids.IndexOf(p.Model!)] : null, cancellationToken).ConfigureAwait(false);
        await foreach (var r in w.StreamAsync(sql, null, cancellationToken).ConfigureAwait(false))
        {
            var at = RuleColumns.Length;
            double? D(object? v) => v is null ? null : Convert.ToDouble(v, CultureInfo.InvariantCulture);
            var anomaly = p.Anomaly.Select((_, i) => D(r[at + 2 * i])).ToArray();
            var features = p.Anomaly.Select((_, i) => r[at + 2 * i + 1] as string).ToArray();
            at += 2 * p.Anomaly.Count;
            double? probability = hasModel ? D(r[at]) : null;
            var modelReason = hasModel ? r[at + 1] as string : null;
            if (hasModel) at += 2;
            var label = p.Labels is { Length: > 0 } ? r[at] as string : null;
            var rule = D(r[6]) ?? 0;
            var assessed = combination.Assess(rule, r[7] as string, anomaly, features, probability, modelReason);
            var (anomalyMean, combined, score, decision, text) = (assessed.AnomalyPart, assessed.Combined, assessed.Score, assessed.Decision, assessed.Reasons);
            var percentiles = anomaly.Select((a, k) => a is { } s ? combination.AnomalyPercentile(k, s) : (double?)null).ToArray();
            scored.Add(new Scored([r[0], r[1], r[2], r[3], r[4], r[5], score, decision, text, rule, anomalyMean, probability], rule, percentiles, anomalyMean, probability, combined, label));
        }
        var evaluation = p.Labels is { Length: > 0 } ? Evaluate(p, scored) : [];
        var written = await w.WriteTablesAsync(
        [
            new TableWrite(context.Asset, TableWriteMode.Replace, (t, ct) => t.CreateAndAppendAsync(Columns, scored.Select(s => s.Row), ct)),
            new TableWrite(context.Output(EvaluationOutput.Name), TableWriteMode.Replace, (t, ct) => t.CreateAndAppendAsync(EvaluationColumns, evaluation, ct)),
        ], cancellationToken).ConfigureAwait(false);
        var blocked = scored.Count(s => (string)s.Row[7]! == "block");
        var review = scored.Count(s => (string)s.Row[7]! == "review");
        context.Log($"{scored.Count:N0} transactions: {blocked:N0} to block, {review:N0} to review");
        return new Materialization(written[0], new Dictionary<string, object?> { ["block"] = (long)blocked, ["review"] = (long)review });
    }

    private static List<object?[]> Evaluate(RiskScoreParameters p, List<Scored> scored)
    {
        var parts = new List<(string Name, Func<Scored, double?> Of)> { ("rules", s => s.Rule) };
        foreach (var (a, i) in p.Anomaly.Select((a, i) => (a, i))) parts.Add((a, s => s.Anomaly[i]));
        if (p.Anomaly.Count > 1) parts.Add(("anomaly", s => s.AnomalyMean));
        if (p.Model is { Length: > 0 } && scored.Any(s => s.Model is not null)) parts.Add(("model", s => s.Model));
        parts.Add(("combined", s => s.Combined));
        var types = scored.Select(s => s.Label).OfType<string>().Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).Prepend("all").ToList();
        var rows = new List<object?[]>();
        foreach (var type in types)
        {
            var subset = scored.Where(s => s.Label is null || type == "all" || s.Label == type).ToList();
            var labels = subset.Select(s => s.Label is not null).ToArray();
            foreach (var (name, of) in parts)
            {
                // A missing part ranks last, as a system without that signal would have it.
                var all = scored.Select(s => of(s) ?? -1).ToArray();
                var scores = subset.Select(s => of(s) ?? -1).ToArray();
                rows.Add([type, name, (long)subset.Count, (long)labels.Count(l => l), ClassifierMetrics.AveragePrecision(scores, labels), ClassifierMetrics.Auc(scores, labels),
                    p.AlertRate, RecallAt(all, scores, labels, p.AlertRate), AlertRecallAt(scored, of, type, p.AlertRate)]);
            }
        }
        return rows;
    }

    /// <summary>
    /// Share of the positives of <paramref name="type"/> covered when transactions are flagged from the highest score down
    /// until <paramref name="rate"/> × transactions deduplicated alerts are open, an alert covering every flagged
    /// transaction of its customer (card without one) in the same clock hour.
    /// </summary>
    internal static double AlertRecallAt(List<Scored> scored, Func<Scored, double?> of, string type, double rate)
    {
        bool Positive(Scored s) => s.Label is not null && (type == "all" || s.Label == type);
        var positives = scored.Count(Positive);
        if (positives == 0) return double.NaN;
        var budget = Math.Max(1, (int)Math.Ceiling(rate * scored.Count));
        var alerts = new HashSet<string>(StringComparer.Ordinal);
        var caught = 0;
        foreach (var s in scored.OrderByDescending(s => of(s) ?? -1))
        {
            var at = Convert.ToDateTime(s.Row[1], CultureInfo.InvariantCulture);
            var key = $"{s.Row[2] ?? s.Row[3]}|{at:yyyyMMddHH}";
            if (!alerts.Contains(key))
            {
                if (alerts.Count == budget) break;
                alerts.Add(key);
            }
            if (Positive(s)) caught++;
        }
        return (double)caught / positives;
    }

    /// <summary>
    /// Share of the positives among the top <paramref name="rate"/> of all transactions by score; at the threshold's
    /// ties, the remaining alerts fall on the tied transactions at random (the expected recall).
    /// </summary>
    internal static double RecallAt(double[] all, double[] scores, bool[] labels, double rate)
    {
        var positives = labels.Count(l => l);
        if (positives == 0 || all.Length == 0) return double.NaN;
        var alerts = Math.Max(1, (int)Math.Ceiling(rate * all.Length));
        var sorted = all.OrderDescending().ToArray();
        var threshold = sorted[Math.Min(alerts, sorted.Length) - 1];
        var above = sorted.Count(s => s > threshold);
        var tied = sorted.Count(s => s == threshold);
        var share = (double)(alerts - above) / tied;
        var caught = 0.0;
        for (var i = 0; i < scores.Length; i++)
            if (labels[i]) caught += scores[i] > threshold ? 1 : scores[i] == threshold ? share : 0;
        return caught / positives;
    }
}
