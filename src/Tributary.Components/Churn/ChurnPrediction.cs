using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Tributary.Analytics.Classification;
using Tributary.Analytics.Clv;
using Tributary.Components.Features;
using Tributary.Core.Components;
using Tributary.Core.Warehousing;

namespace Tributary.Components.Churn;

/// <summary>Parameters of <c>analytics.churn</c>.</summary>
public sealed record ChurnParameters : IValidatableObject
{
    /// <summary>Days without an order that count as churn.</summary>
    [Description("A customer has churned when they place no order within this many days after a snapshot; the model trains on the snapshot this many days before the latest. Default 90.")]
    [Range(7, 730)]
    public int LabelDays { get; init; } = 90;

    /// <summary>Boosting rounds.</summary>
    [Description("Boosting rounds of the gradient-boosted trees (LightGBM). Default 150.")]
    [Range(10, 5000)]
    public int Trees { get; init; } = 150;

    /// <summary>Leaves per tree.</summary>
    [Description("Leaves per tree. Default 7.")]
    [Range(2, 1024)]
    public int Leaves { get; init; } = 7;

    /// <summary>Learning rate.</summary>
    [Description("Shrinkage per boosting round. Default 0.05.")]
    [Range(0.001, 1)]
    public double LearningRate { get; init; } = 0.05;

    /// <summary>Fewest training rows per leaf.</summary>
    [Description("Fewest training customers in a leaf; larger is smoother. Lowered to a tenth of the training fold (at least 5) when that is smaller. Default 80.")]
    [Range(1, 100000)]
    public int MinCustomersPerLeaf { get; init; } = 80;

    /// <summary>Folds of the cross-fitting.</summary>
    [Description("Folds of the cross-fitting: the labelled customers outside the holdout are split into this many folds; each fold's trees train on the others, so every customer gets a margin from trees that never saw them, and the calibration (a logistic fit of that margin beside BG/NBD's log-odds) is fitted on all of them. Scoring averages the folds' trees. Default 5.")]
    [Range(2, 10)]
    public int CrossFitFolds { get; init; } = 5;

    /// <summary>Most labelled customers the trees train on.</summary>
    [Description("Most labelled customers the trees and the calibration use (a stable sample by customer id beyond it); the holdout is measured in full and every current customer is scored. Default 200000.")]
    [Range(1000, 100_000_000)]
    public int MaxTrainingCustomers { get; init; } = 200_000;

    /// <summary>Share of labelled customers held out for the model card.</summary>
    [Description("Share of the labelled customers held out to measure the model and the baselines. Default 0.2.")]
    [Range(0.05, 0.5)]
    public double HoldoutShare { get; init; } = 0.2;

    /// <summary>How the risk bands are cut.</summary>
    [Description("How customers are put in risk bands. rank (default): the high_risk_share of customers with the highest churn probability are high, the next medium_risk_share medium, the rest low, so the bands rank customers whatever the store's churn rate (ties at a cut go to the higher band). probability: fixed cuts at high_risk and medium_risk, which put most customers in one band where most churn.")]
    public ChurnRiskBands RiskBands { get; init; } = ChurnRiskBands.Rank;

    /// <summary>Share of customers in the high band by rank.</summary>
    [Description("For risk_bands rank: the share of scored customers, highest churn probability first, in the high band. Default 0.1 (the top decile).")]
    [Range(0, 1)]
    public double HighRiskShare { get; init; } = 0.1;

    /// <summary>Share of customers in the medium band by rank.</summary>
    [Description("For risk_bands rank: the share of scored customers in the medium band, next after the high band. Default 0.2 (the next two deciles).")]
    [Range(0, 1)]
    public double MediumRiskShare { get; init; } = 0.2;

    /// <summary>Probability from which a customer is high risk.</summary>
    [Description("For risk_bands probability: churn probability from which a customer is in the high risk band. Default 0.6.")]
    [Range(0, 1)]
    public double? HighRisk { get; init; }

    /// <summary>Probability from which a customer is medium risk.</summary>
    [Description("For risk_bands probability: churn probability from which a customer is in the medium risk band (below high_risk). Default 0.3.")]
    [Range(0, 1)]
    public double? MediumRisk { get; init; }

    internal const double DefaultHighRisk = 0.6;
    internal const double DefaultMediumRisk = 0.3;

    /// <summary>k of the recency rule baseline.</summary>
    [Description("Recency rule baseline: churned when days since the last order exceed k times the customer's own inter-purchase time. Default 2.")]
    [Range(0.1, 100)]
    public double RecencyRuleK { get; init; } = 2;

    /// <summary>Seed.</summary>
    [Description("Seed for the folds and the trees, so a run is reproducible. Default 42.")]
    public int Seed { get; init; } = 42;

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        // Bands by rank are the default: a probability cut given without risk_bands: probability would be ignored in silence.
        if (RiskBands == ChurnRiskBands.Rank && (HighRisk is not null || MediumRisk is not null))
            yield return new ValidationResult($"{(HighRisk is not null ? "high_risk" : "medium_risk")} cuts the bands by probability, but risk_bands is rank (the default: the top high_risk_share of customers are high); set risk_bands: probability to cut by probability, or use high_risk_share and medium_risk_share.",
                [HighRisk is not null ? nameof(HighRisk) : nameof(MediumRisk)]);
        if (MediumRisk.GetValueOrDefault(DefaultMediumRisk) > HighRisk.GetValueOrDefault(DefaultHighRisk))
            yield return new ValidationResult($"medium_risk ({MediumRisk.GetValueOrDefault(DefaultMediumRisk)}) must not exceed high_risk ({HighRisk.GetValueOrDefault(DefaultHighRisk)}).", [nameof(MediumRisk)]);
        if (HighRiskShare + MediumRiskShare > 1)
            yield return new ValidationResult($"high_risk_share ({HighRiskShare}) and medium_risk_share ({MediumRiskShare}) together exceed 1.", [nameof(MediumRiskShare)]);
    }
}

/// <summary>How <c>analytics.churn</c> cuts its risk bands.</summary>
public enum ChurnRiskBands
{
    /// <summary>By rank of churn probability: fixed shares of customers in the high and medium bands.</summary>
    Rank,
    /// <summary>By fixed churn probability cuts.</summary>
    Probability,
}

/// <summary>
/// Churn prediction. Labels come from the data: a customer in the snapshot <c>label_days</c> before the latest has
/// churned when they ordered nothing in the <c>label_days</c> after it. Gradient-boosted trees (LightGBM) learn from
/// the snapshot's features plus BG/NBD P(alive), expected purchases and P(no order) (BG/NBD fitted on the training snapshot
/// and applied unchanged to the scored one; a feature the snapshot leaves NULL reaches the trees as NaN, LightGBM's missing value); a logistic fit of the trees' margin and BG/NBD's log-odds on a held-out fold
/// calibrates them (Platt scaling with the baseline stacked, so the model does not lose where BG/NBD is the truth); a second held-out fold measures them beside two baselines (the recency rule and BG/NBD
/// 1 − P(alive)). The latest snapshot is then scored: probability, risk band (by rank of probability unless cut at fixed
/// probabilities), up to three reasons whose features push hardest toward churn (tree path contributions) among those
/// the customer's own values bear out, written as sentences, and value at risk when an LTV input is given.
/// Inputs in order: the snapshot (features.customer_snapshot with past_snapshots_days holding label_days), the orders
/// (customer_id, ordered_at) and optionally the LTV table (customer_id, clv).
/// </summary>
public sealed class ChurnPrediction : IComponent<ChurnParameters>
{
    /// <inheritdoc />
    public static string TypeName => "analytics.churn";
    /// <inheritdoc />
    public static string Description => "Predict churn with calibrated gradient-boosted trees on point-in-time features, with reasons and a model card against two baselines.";
    /// <inheritdoc />
    public static InputArity Inputs => new(2, 3);
    /// <inheritdoc />
    public static bool ReadsTimeZone => true;

    internal static readonly (string Name, DataKind Kind)[] MainColumns =
    [
        ("customer_id", DataKind.Text), ("as_of", DataKind.Date), ("churn_probability", DataKind.Number), ("risk_band", DataKind.Text),
        ("reason_code", DataKind.Text), ("reason", DataKind.Text), ("reason_code_2", DataKind.Text), ("reason_2", DataKind.Text),
        ("reason_code_3", DataKind.Text), ("reason_3", DataKind.Text), ("p_alive", DataKind.Number), ("bgnbd_churn_probability", DataKind.Number), ("recency_rule_score", DataKind.Number),
        ("recency_days", DataKind.Integer), ("orders", DataKind.Integer), ("clv", DataKind.Number), ("value_at_risk", DataKind.Number),
    ];
    private static readonly (string, DataKind)[] MetricColumns = [("model", DataKind.Text), ("metric", DataKind.Text), ("value", DataKind.Number), ("detail", DataKind.Text)];
    private static readonly (string, DataKind)[] CalibrationColumns =
        [("model", DataKind.Text), ("bin", DataKind.Integer), ("customers", DataKind.Integer), ("predicted", DataKind.Number), ("observed", DataKind.Number)];
    private static readonly (string, DataKind)[] ImportanceColumns = [("feature", DataKind.Text), ("reason_code", DataKind.Text), ("importance", DataKind.Number)];
    internal static readonly DeclaredOutput MetricsOutput = new("metrics", OutputRole.Diagnostics,
        "Model card: AUC, PR-AUC, Brier score, calibration error and lift at the top 10% on the holdout, for the model and both baselines, and the data windows.",
        Standardize.Schema.Of(MetricColumns));
    internal static readonly DeclaredOutput CalibrationOutput = new("calibration", OutputRole.Diagnostics,
        "Calibration by decile of predicted probability on the holdout: customers, mean predicted and observed churn rate.", Standardize.Schema.Of(CalibrationColumns));
    internal static readonly DeclaredOutput ImportanceOutput = new("importance", OutputRole.Model,
        "Gain-based importance of each feature in the trees, with the reason it belongs to.", Standardize.Schema.Of(ImportanceColumns));

    /// <summary>Snapshot features the model reads, then the three BG/NBD features added per snapshot.</summary>
    internal static readonly string[] Features = SnapshotRows.Features.Concat(["p_alive", "expected_purchases", "p_no_order"]).ToArray();
    private static readonly int PAlive = Features.Length - 3, Expected = Features.Length - 2, NoOrder = Features.Length - 1;

    /// <inheritdoc />
    public ComponentPlan Plan(ChurnParameters p, PlanContext context)
    {
        var requires = CustomerSnapshot.Columns.Select(c => new ColumnRequirement(0, c.Name, [], "The first input must be a features.customer_snapshot table.")).ToList();
        requires.Add(new ColumnRequirement(1, "customer_id", [], "The second input must hold orders with customer_id and ordered_at."));
        requires.Add(new ColumnRequirement(1, "ordered_at", [DataKind.Date, DataKind.Timestamp], "The second input must hold orders with customer_id and ordered_at."));
        if (context.Inputs.Count > 2)
        {
            requires.Add(new ColumnRequirement(2, "customer_id", [], "The third input must be an LTV table with customer_id and clv."));
            requires.Add(new ColumnRequirement(2, "clv", [DataKind.Number, DataKind.Integer], "The third input must be an LTV table with customer_id and clv."));
        }
        return new ComponentPlan(Standardize.Schema.Of(MainColumns), requires) { SideOutputs = [MetricsOutput, CalibrationOutput, ImportanceOutput] };
    }

    private sealed record Snapshot(List<string> Customers, List<float[]> Rows);

    /// <inheritdoc />
    public async Task<Materialization> MaterializeAsync(ChurnParameters p, ComponentContext context, CancellationToken cancellationToken)
    {
        var w = context.Warehouse;
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var latest = await w.ScalarAsync($"SELECT max(as_of) FROM {w.Dialect.Quote(context.Inputs[0])}", null, cancellationToken).ConfigureAwait(false) as DateOnly?
            ?? throw new InputDataException($"input '{context.Inputs[0]}' has no snapshot rows.");
        var trainDay = latest.AddDays(-p.LabelDays);
        var train = await ReadSnapshotAsync(context, trainDay, cancellationToken).ConfigureAwait(false);
        // BG/NBD fitted where the model trains, then applied unchanged to the scored snapshot: no later data, same meaning.
        var bgnbd = train.Rows.Count > 0 ? BgNbd.Fit(Summary(train.Rows).Compress().Distinct).Parameters : default;
        AddBgNbd(train.Rows, bgnbd, p.LabelDays);
        if (train.Customers.Count < 50)
            throw await CustomerSnapshot.TooFewToTrainAsync(w, context.Inputs[0], trainDay, latest, "label_days", p.LabelDays, train.Customers.Count, cancellationToken).ConfigureAwait(false);
        var current = await ReadSnapshotAsync(context, latest, cancellationToken).ConfigureAwait(false);
        AddBgNbd(current.Rows, bgnbd, p.LabelDays);
        var active = await ActiveAsync(context, trainDay, latest, cancellationToken).ConfigureAwait(false);
        var labels = train.Customers.Select(c => !active.Contains(c)).ToArray();
        if (labels.All(l => l) || labels.All(l => !l))
            throw new InputDataException($"every customer as of {CustomerSnapshot.Iso(trainDay)} {(labels[0] ? "churned" : "ordered again")} within {p.LabelDays} days; the model needs both outcomes.");
        context.Log($"read {train.Customers.Count:N0} labelled customers as of {CustomerSnapshot.Iso(trainDay)} ({labels.Count(l => l):N0} churned) and {current.Customers.Count:N0} to score as of {CustomerSnapshot.Iso(latest)} in {watch.Elapsed.TotalSeconds:0.0}s");
        watch.Restart();

        // Folds by a hash of the customer id, so a customer keeps its fold when others come and go: the holdout for the model
        // card, and cross-fitting folds for the rest (a stable sample of them on a very large store).
        var (fold, holdout) = Folds(train.Customers, p);
        var training = Enumerable.Range(0, fold.Length).Where(i => fold[i] >= 0).ToArray();
        // A small store cannot fill leaves of the configured size and the trees would never split (every reason empty):
        // leaves shrink to a tenth of a training fold there, never below 5.
        var foldSize = training.Length * (p.CrossFitFolds - 1) / p.CrossFitFolds;
        var minLeaf = Math.Min(p.MinCustomersPerLeaf, Math.Max(5, foldSize / 10));
        if (minLeaf < p.MinCustomersPerLeaf)
            context.Log($"min_customers_per_leaf {p.MinCustomersPerLeaf} lowered to {minLeaf}: a training fold has only {foldSize:N0} customers");
        var options = new BoostedClassifierOptions(p.Trees, p.Leaves, p.LearningRate, minLeaf, p.Seed);
        BoostedClassifier Train(IEnumerable<int> rows) => BoostedClassifier.Train(rows.Select(i => train.Rows[i]).ToList(), rows.Select(i => labels[i]).ToList(), options);

        // Cross-fitting: every training customer's margin comes from trees that never saw them, so the calibration is fitted
        // on all of them (not a small held-out slice) with margins that are as honest as the ones it will meet.
        var outOfFold = new double[fold.Length];
        for (var k = 0; k < p.CrossFitFolds; k++)
        {
            var own = training.Where(i => fold[i] == k).ToArray();
            var others = training.Where(i => fold[i] != k).ToArray();
            if (own.Length == 0) continue;
            var (foldMargins, _) = Train(others).Score(own.Select(i => train.Rows[i]).ToList(), contributions: false);
            for (var j = 0; j < own.Length; j++) outOfFold[own[j]] = foldMargins[j];
        }
        double[] Inputs(double margin, float[] row) => [margin, StackedCalibration.Logit(row[NoOrder])];
        var stacking = CrossFittedStacking.Fit(training.Select(i => Inputs(outOfFold[i], train.Rows[i])).ToList(), training.Select(i => labels[i]).ToList(),
            training.Select(i => fold[i]).ToList());
        var calibration = stacking.Calibration;
        // The trees that score: trained on every training customer, read through the calibration fitted on the folds.
        var model = Train(training);
        var (holdoutMargins, _) = model.Score(holdout.Select(i => train.Rows[i]).ToList(), contributions: false);
        var holdoutLabels = holdout.Select(i => labels[i]).ToArray();
        var unmeasured = UnmeasuredHoldout(p, holdoutLabels, labels.Length);
        var scores = new Dictionary<string, double[]>
        {
            ["model"] = holdout.Select((i, k) => calibration.Probability(Inputs(holdoutMargins[k], train.Rows[i]))).ToArray(),
            ["recency_rule"] = holdout.Select(i => RecencyScore(train.Rows[i])).ToArray(),
            ["bgnbd"] = holdout.Select(i => 1 - (double)train.Rows[i][PAlive]).ToArray(),
            ["bgnbd_no_order"] = holdout.Select(i => (double)train.Rows[i][NoOrder]).ToArray(),
        };
        context.Log($"trained on {training.Length:N0} in {p.CrossFitFolds} cross-fitted folds; calibration {stacking.Chosen} (weights {string.Join(", ", calibration.Weights.Select(x => x.ToString("0.###", CultureInfo.InvariantCulture)))}; cross-validated log loss: stacked {stacking.StackedLogLoss:0.0000}, BG/NBD alone {stacking.BaselineLogLoss:0.0000}), measured on {holdout.Length:N0} in {watch.Elapsed.TotalSeconds:0.0}s");
        watch.Restart();

        var (margins, contributions) = model.Score(current.Rows, contributions: true);
        var clv = context.Inputs.Count > 2 ? await ClvAsync(context, cancellationToken).ConfigureAwait(false) : null;
        var probabilities = current.Rows.Select((r, i) => calibration.Probability(Inputs(margins[i], r))).ToArray();
        var bands = Bands(p, probabilities);
        var rows = new object?[current.Customers.Count][];
        Parallel.For(0, rows.Length, new ParallelOptions { CancellationToken = cancellationToken }, i =>
            rows[i] = ScoreRow(latest, current.Customers[i], current.Rows[i], probabilities[i], bands[i], contributions![i], clv));
        context.Log($"risk bands by {(p.RiskBands == ChurnRiskBands.Rank ? "rank" : "probability")}: {string.Join(", ", BandNames.Select(b => $"{bands.Count(x => x == b):N0} {b}"))}");
        context.Log($"scored {rows.Length:N0} customers with reasons in {watch.Elapsed.TotalSeconds:0.0}s");

        var metrics = MetricRows(p, scores, holdoutLabels, trainDay, latest, training.Length, stacking, labels);
        if (unmeasured is not null) metrics.Add(["data", "holdout_note", null, unmeasured]);
        var calibrationTable = scores.SelectMany(s => ClassifierMetrics.Calibration(s.Key == "recency_rule" ? Squash(s.Value) : s.Value, holdoutLabels)
            .Select(b => new object?[] { s.Key, (long)b.Bin, (long)b.Count, b.Predicted, b.Observed })).ToList();
        var importance = Features.Select((f, k) => new object?[] { f, ChurnReasons.CodeOf(f), model.Importance[k] }).OrderByDescending(r => (double)r[2]!).ToList();
        var written = await w.WriteTablesAsync(
        [
            new TableWrite(context.Asset, TableWriteMode.Replace, (b, ct) => b.CreateAndAppendAsync(MainColumns, rows, ct)),
            new TableWrite(context.Output(MetricsOutput.Name), TableWriteMode.Replace, (b, ct) => b.CreateAndAppendAsync(MetricColumns, metrics, ct)),
            new TableWrite(context.Output(CalibrationOutput.Name), TableWriteMode.Replace, (b, ct) => b.CreateAndAppendAsync(CalibrationColumns, calibrationTable, ct)),
            new TableWrite(context.Output(ImportanceOutput.Name), TableWriteMode.Replace, (b, ct) => b.CreateAndAppendAsync(ImportanceColumns, importance, ct)),
        ], cancellationToken).ConfigureAwait(false);
        double? Metric(string m, string name) => (double?)metrics.First(r => (string)r[0]! == m && (string)r[1]! == name)[2];
        string Shown(double? x) => x?.ToString("0.000", CultureInfo.InvariantCulture) ?? "undefined";
        context.Log($"holdout AUC: model {Shown(Metric("model", "auc"))}, recency rule {Shown(Metric("recency_rule", "auc"))}, BG/NBD {Shown(Metric("bgnbd", "auc"))}; ECE {Shown(Metric("model", "ece"))}");
        return new Materialization(written[0], new Dictionary<string, object?>
        {
            ["as_of"] = CustomerSnapshot.Iso(latest), ["train_as_of"] = CustomerSnapshot.Iso(trainDay), ["auc"] = Metric("model", "auc"),
            ["auc_recency_rule"] = Metric("recency_rule", "auc"), ["auc_bgnbd"] = Metric("bgnbd", "auc"), ["auc_bgnbd_no_order"] = Metric("bgnbd_no_order", "auc"), ["ece"] = Metric("model", "ece"),
            ["metrics_table"] = context.Output(MetricsOutput.Name),
        }) { Warnings = unmeasured is null ? [] : [unmeasured] };
    }

    /// <summary>
    /// Why the holdout cannot measure the model, or null when it can: AUC, PR-AUC and lift need churned and retained
    /// customers both, and a small store's holdout (8 customers at 42 labelled) can hold one outcome only.
    /// </summary>
    internal static string? UnmeasuredHoldout(ChurnParameters p, bool[] holdout, int labelled)
    {
        var churned = holdout.Count(l => l);
        if (churned > 0 && churned < holdout.Length) return null;
        var which = holdout.Length == 0 ? "the holdout has no customers"
            : churned == 0 ? $"none of the {holdout.Length:N0} customers of the holdout churned"
            : $"the holdout has only churned customers ({holdout.Length:N0})";
        return $"{which}: AUC, PR-AUC and lift are undefined, so the model card cannot measure the model; " +
            $"{holdout.Length:N0} held-out customers (holdout_share {p.HoldoutShare.ToString(CultureInfo.InvariantCulture)} of {labelled:N0} labelled) are too few to measure it. " +
            "The scores are written, but nothing shows they rank customers better than the baselines: load more history, or raise holdout_share.";
    }

    // A measure undefined on the holdout (NaN) is NULL in the model card, not a number.
    private static double? Finite(double value) => double.IsFinite(value) ? value : null;

    /// <summary>A customer's value of a model feature as the reasons read it; NaN when it is missing.</summary>
    internal static double FeatureValue(float[] row, string feature)
    {
        var k = Array.IndexOf(Features, feature);
        return k < 0 ? double.NaN : row[k];
    }

    /// <summary>
    /// The model's row for one snapshot record (customer id, then the snapshot's feature columns), with room for the
    /// three BG/NBD features. A NULL (no second order, no visit, no open ticket) is NaN, LightGBM's missing value, never a
    /// number that a real value could also be: each split learns which side missing values go.
    /// </summary>
    internal static float[] FeatureRow(object?[] record) => SnapshotRows.Row(record, Features.Length);

    private static object?[] ScoreRow(DateOnly asOf, string customer, float[] row, double probability, string band, float[] parts, Dictionary<string, double>? clv)
    {
        double Value(string feature) => FeatureValue(row, feature);
        var reasons = ChurnReasons.Explain(Features, parts, Value, required: band != "low");
        string? Code(int n) => n < reasons.Count ? reasons[n].Code : null;
        string? Text(int n) => n < reasons.Count ? reasons[n].Text : null;
        double? value = clv is not null && clv.TryGetValue(customer, out var v) ? v : null;
        return [customer, asOf, probability, band, Code(0), Text(0), Code(1), Text(1), Code(2), Text(2), (double)row[PAlive], (double)row[NoOrder], RecencyScore(row),
            (long)Value("recency_days"), (long)Value("orders"), value, value * probability];
    }

    /// <summary>
    /// Each customer's risk band. By rank, the cut of the high band is the probability of the customer at rank
    /// ⌈high_risk_share · n⌉ (and of medium at ⌈(high + medium share) · n⌉), and ties at a cut go to the higher band,
    /// so equal scores always share a band.
    /// </summary>
    internal static string[] Bands(ChurnParameters p, double[] probabilities)
    {
        double high = p.HighRisk ?? ChurnParameters.DefaultHighRisk, medium = p.MediumRisk ?? ChurnParameters.DefaultMediumRisk;
        if (p.RiskBands == ChurnRiskBands.Rank)
        {
            var sorted = probabilities.OrderByDescending(x => x).ToArray();
            double Cut(double share)
            {
                var k = (int)Math.Ceiling(Math.Round(share * sorted.Length, 9));
                return k <= 0 ? double.PositiveInfinity : sorted[Math.Min(k, sorted.Length) - 1];
            }
            high = Cut(p.HighRiskShare);
            medium = Cut(p.HighRiskShare + p.MediumRiskShare);
        }
        return probabilities.Select(x => x >= high ? "high" : x >= medium ? "medium" : "low").ToArray();
    }

    // Days since the last order over the customer's own mean gap; one-time buyers against a 60-day gap.
    private static double RecencyScore(float[] row)
    {
        var recency = row[Array.IndexOf(Features, "recency_days")];
        var gap = row[Array.IndexOf(Features, "mean_interpurchase_days")];
        return recency / (gap > 0 ? gap : ChurnReasons.OneTimeBuyerGap);
    }

    private static readonly string[] BandNames = ["high", "medium", "low"];

    // The recency score as a probability-like number for the calibration table of the rule: ratio / (1 + ratio).
    private static double[] Squash(double[] ratios) => ratios.Select(r => r / (1 + r)).ToArray();

    // The cross-fitting fold of each labelled customer (-1 when left out of a very large store's sample) and the holdout.
    internal static (int[] Fold, int[] Holdout) Folds(List<string> customers, ChurnParameters p)
    {
        var fold = new int[customers.Count];
        var holdout = new List<int>();
        var hashes = customers.Select(c => Hash(c, p.Seed)).ToArray();
        var kept = Math.Min(1, p.MaxTrainingCustomers / Math.Max(1.0, customers.Count * (1 - p.HoldoutShare)));
        for (var i = 0; i < customers.Count; i++)
        {
            // Low bits place the customer (holdout or a fold), high bits sample; independent of each other.
            var u = (hashes[i] % 1_000_000) / 1_000_000.0;
            var v = (hashes[i] >> 32) / 4294967296.0;
            if (u < p.HoldoutShare) { fold[i] = -1; holdout.Add(i); continue; }
            fold[i] = v < kept ? Math.Min(p.CrossFitFolds - 1, (int)((u - p.HoldoutShare) / (1 - p.HoldoutShare) * p.CrossFitFolds)) : -1;
        }
        return (fold, holdout.ToArray());
    }

    private static ulong Hash(string customer, int seed)
    {
        // FNV-1a over the id, then a 64-bit mix with the seed: stable across processes, unlike string.GetHashCode.
        var h = 14695981039346656037UL;
        foreach (var c in customer) h = (h ^ c) * 1099511628211UL;
        h ^= (ulong)seed * 0x9E3779B97F4A7C15UL;
        h ^= h >> 31;
        h *= 0xBF58476D1CE4E5B9UL;
        h ^= h >> 29;
        h *= 0x94D049BB133111EBUL;
        return h ^ (h >> 32);
    }

    private static List<object?[]> MetricRows(ChurnParameters p, Dictionary<string, double[]> scores, bool[] labels, DateOnly trainDay, DateOnly latest,
        int trained, CrossFittedStacking stacking, bool[] all)
    {
        var rows = new List<object?[]>();
        // Ranking measures need both outcomes: on a holdout of churners only, PR-AUC and lift are 1 whatever the scores.
        var ranks = labels.Contains(true) && labels.Contains(false);
        double? Ranking(double value) => ranks ? Finite(value) : null;
        foreach (var (model, score) in scores)
        {
            var probability = model == "recency_rule" ? Squash(score) : score;
            rows.Add([model, "auc", Ranking(ClassifierMetrics.Auc(score, labels)), null]);
            rows.Add([model, "pr_auc", Ranking(ClassifierMetrics.AveragePrecision(score, labels)), null]);
            rows.Add([model, "brier", model == "recency_rule" ? null : Finite(ClassifierMetrics.Brier(probability, labels)), null]);
            rows.Add([model, "ece", model == "recency_rule" ? null : Finite(ClassifierMetrics.ExpectedCalibrationError(probability, labels)), null]);
            rows.Add([model, "lift_top_10pct", Ranking(ClassifierMetrics.LiftAtTop(score, labels, 0.1)), null]);
        }
        var rule = scores["recency_rule"].Select(s => s > p.RecencyRuleK).ToArray();
        var flagged = rule.Count(r => r);
        rows.Add(["recency_rule", "rule_precision", flagged == 0 ? null : (double)rule.Where((r, i) => r && labels[i]).Count() / flagged, $"days since last order > {p.RecencyRuleK} x own inter-purchase time"]);
        rows.Add(["recency_rule", "rule_recall", (double)rule.Where((r, i) => r && labels[i]).Count() / Math.Max(1, labels.Count(l => l)), null]);
        rows.Add(["data", "train_as_of", null, CustomerSnapshot.Iso(trainDay)]);
        rows.Add(["data", "label_window", p.LabelDays, $"{CustomerSnapshot.Iso(trainDay)} to {CustomerSnapshot.Iso(latest.AddDays(-1))}"]);
        rows.Add(["data", "scored_as_of", null, CustomerSnapshot.Iso(latest)]);
        rows.Add(["data", "train_customers", trained, null]);
        rows.Add(["data", "calibration_customers", trained, $"cross-fitted over {p.CrossFitFolds} folds"]);
        rows.Add(["data", "calibration", null,
            $"{stacking.Chosen}: cross-validated log loss stacked {stacking.StackedLogLoss.ToString("0.0000", CultureInfo.InvariantCulture)}, BG/NBD alone {stacking.BaselineLogLoss.ToString("0.0000", CultureInfo.InvariantCulture)}"]);
        rows.Add(["data", "holdout_customers", labels.Length, null]);
        rows.Add(["data", "churn_rate", all.Count(l => l) / (double)all.Length, null]);
        return rows;
    }

    private static async Task<Snapshot> ReadSnapshotAsync(ComponentContext context, DateOnly day, CancellationToken cancellationToken)
    {
        var (customers, rows) = await SnapshotRows.ReadAsync(context.Warehouse, context.Inputs[0], day, Features.Length, cancellationToken).ConfigureAwait(false);
        return new Snapshot(customers, rows);
    }

    private static RfmSummary Summary(List<float[]> rows)
    {
        int x = Array.IndexOf(Features, "frequency"), tx = Array.IndexOf(Features, "days_to_last_order"), t = Array.IndexOf(Features, "tenure_days");
        return new RfmSummary(rows.Select(r => (double)r[x]).ToArray(), rows.Select(r => r[tx] / 7.0).ToArray(), rows.Select(r => Math.Max(r[t], 1) / 7.0).ToArray());
    }

    // In weeks: P(alive), expected purchases and P(no purchase) over the label window, where the last is
    // (1 − P(alive)) + P(alive)·((α + T)/(α + T + τ))^(r + x), the posterior gamma's zero-count probability (FHL 2005, eq. 2 with the posterior of λ).
    private static void AddBgNbd(List<float[]> rows, BgNbdParameters parameters, int labelDays)
    {
        if (rows.Count == 0) return;
        var (distinct, indexOf) = Summary(rows).Compress();
        var tau = labelDays / 7.0;
        var alive = new double[distinct.Count];
        var expected = new double[distinct.Count];
        var none = new double[distinct.Count];
        for (var j = 0; j < distinct.Count; j++)
        {
            double x = distinct.Frequency[j], tx = distinct.Recency[j], t = distinct.Age[j];
            alive[j] = BgNbd.ProbabilityAlive(parameters, x, tx, t);
            expected[j] = BgNbd.ExpectedPurchases(parameters, x, tx, t, tau);
            none[j] = 1 - alive[j] + alive[j] * Math.Exp((parameters.R + x) * Math.Log((parameters.Alpha + t) / (parameters.Alpha + t + tau)));
        }
        for (var i = 0; i < rows.Count; i++)
        {
            rows[i][PAlive] = (float)alive[indexOf[i]];
            rows[i][Expected] = (float)expected[indexOf[i]];
            rows[i][NoOrder] = (float)none[indexOf[i]];
        }
    }

    private static async Task<HashSet<string>> ActiveAsync(ComponentContext context, DateOnly from, DateOnly to, CancellationToken cancellationToken)
    {
        var q = new SqlBuilder(context.Warehouse.Dialect);
        // The label window's days are the reporting zone's, as the snapshots' are.
        var at = await ReportingZone.LocalAsync(context, q, context.Inputs[1], "ordered_at", cancellationToken).ConfigureAwait(false);
        var sql = $"SELECT DISTINCT CAST(customer_id AS VARCHAR) FROM {q.Quote(context.Inputs[1])} WHERE {at} >= {q.Bind(CustomerSnapshot.Iso(from), DataKind.Date)} AND {at} < {q.Bind(CustomerSnapshot.Iso(to), DataKind.Date)} AND customer_id IS NOT NULL";
        var set = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var r in context.Warehouse.StreamAsync(sql, q.Parameters, cancellationToken).ConfigureAwait(false)) set.Add((string)r[0]!);
        return set;
    }

    private static async Task<Dictionary<string, double>> ClvAsync(ComponentContext context, CancellationToken cancellationToken)
    {
        var q = new SqlBuilder(context.Warehouse.Dialect);
        var result = new Dictionary<string, double>(StringComparer.Ordinal);
        await foreach (var r in context.Warehouse.StreamAsync($"SELECT CAST(customer_id AS VARCHAR), CAST(clv AS DOUBLE PRECISION) FROM {q.Quote(context.Inputs[2])} WHERE clv IS NOT NULL", null, cancellationToken).ConfigureAwait(false))
            result[(string)r[0]!] = Convert.ToDouble(r[1], CultureInfo.InvariantCulture);
        return result;
    }
}
