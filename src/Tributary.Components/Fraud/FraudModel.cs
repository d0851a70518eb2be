using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Tributary.Analytics.Classification;
using Tributary.Core.Components;
using Tributary.Core.Warehousing;

namespace Tributary.Components.Fraud;

/// <summary>Parameters of <c>analytics.fraud_model</c>.</summary>
public sealed record FraudModelParameters
{
    /// <summary>The transaction id column of the input.</summary>
    [Description("Column of the input holding the transaction id. Default transaction_id.")]
    public string Id { get; init; } = "transaction_id";

    /// <summary>Feature columns.</summary>
    [Description("Number columns the model reads. Default: every feature features.transactions writes.")]
    public IReadOnlyList<string> Features { get; init; } = [];

    /// <summary>The analyst labels table.</summary>
    [Description("Warehouse table of analyst labels (transaction_id, label, labelled_by, labelled_at), as POST /api/fraud/feedback writes it; a label of fraud, 1, true or yes is fraud, anything else legitimate, the latest per transaction counts. A missing table means no labels. Default fraud_feedback.")]
    public string FeedbackTable { get; init; } = "fraud_feedback";

    /// <summary>Fewest labels before a model is trained.</summary>
    [Description("Fewest labelled transactions (with at least 5 of each class) before the model is trained; with fewer the step passes the unsupervised score through and says so in its metrics. Default 200.")]
    [Range(20, 10_000_000)]
    public int MinLabels { get; init; } = 200;

    /// <summary>The unsupervised score column to stack with.</summary>
    [Description("Optional number column of the input in [0, 1] (e.g. rule_score) stacked with the model's margin by cross-validated likelihood, and passed through as the probability while there are too few labels.")]
    public string? Baseline { get; init; }

    /// <summary>Seed.</summary>
    [Description("Seed of the folds and the trees. Default 42.")]
    public int Seed { get; init; } = 42;
}

/// <summary>
/// A supervised fraud model from analyst labels: gradient-boosted trees (<see cref="BoostedClassifier"/>) on the
/// transaction features, cross-fitted in five folds so that the calibration (<see cref="CrossFittedStacking"/> with the
/// unsupervised baseline, or Platt scaling without one) and the reported AUC come from transactions the trees did not
/// see, then refitted on every label to score all transactions. Until <c>min_labels</c> labels exist the probability is
/// the baseline (or empty) and the metrics output says the model is not trained. Each transaction's strongest positive
/// feature contribution becomes its reason.
/// </summary>
public sealed class FraudModel : IComponent<FraudModelParameters>
{
    /// <inheritdoc />
    public static string TypeName => "analytics.fraud_model";
    /// <inheritdoc />
    public static string Description => "Supervised fraud probability from analyst labels (gradient-boosted trees, calibrated), stacked with an unsupervised score.";
    /// <inheritdoc />
    public static InputArity Inputs => InputArity.One;

    private static readonly (string Name, DataKind Kind)[] Columns =
        [("transaction_id", DataKind.Text), ("fraud_probability", DataKind.Number), ("model_reason", DataKind.Text), ("model_trained", DataKind.Integer)];
    internal static readonly DeclaredOutput MetricsOutput = new("metrics", OutputRole.Diagnostics,
        "Model status (trained or passing the unsupervised score through), label counts and cross-validated AUC and PR-AUC.",
        Standardize.Schema.Of(("metric", DataKind.Text), ("value", DataKind.Number), ("detail", DataKind.Text)));
    internal static readonly DeclaredOutput ModelOutput = new("model", OutputRole.Model,
        "The trained model, for online scoring (POST /api/score/transaction): its trees and calibration in base64 split over rows in part order, with the feature names in order (comma-separated); no rows while untrained.",
        Standardize.Schema.Of(StoredModelParts.Columns("model")));
    private const int Folds = 5;
    private const int MinPerClass = 5;

    internal static IReadOnlyList<string> FeaturesOf(FraudModelParameters p) => p.Features.Count > 0 ? p.Features : TransactionFeatures.FeatureNames;

    /// <inheritdoc />
    public ComponentPlan Plan(FraudModelParameters p, PlanContext context) =>
        new(Standardize.Schema.Of(Columns),
            new[] { p.Id }.Concat(FeaturesOf(p)).Concat(p.Baseline is { Length: > 0 } b ? [b] : []).Distinct(StringComparer.Ordinal)
                .Select(c => new ColumnRequirement(0, c, [])).ToList())
        { SideOutputs = [MetricsOutput, ModelOutput], MainDescription = "One row per transaction: the model's fraud probability (the baseline while untrained), its strongest reason and whether the model is trained." };

    /// <inheritdoc />
    public async Task<Materialization> MaterializeAsync(FraudModelParameters p, ComponentContext context, CancellationToken cancellationToken)
    {
        var w = context.Warehouse;
        var q = new SqlBuilder(w.Dialect);
        var features = FeaturesOf(p);
        var baseline = p.Baseline is { Length: > 0 } b ? $"CAST({q.Quote(b)} AS DOUBLE PRECISION)" : "CAST(NULL AS DOUBLE PRECISION)";
        var ids = new List<string>();
        var rows = new List<float[]>();
        var baselines = new List<double?>();
        var sql = $"SELECT CAST({q.Quote(p.Id)} AS VARCHAR), {baseline}, {string.Join(", ", features.Select(f => $"CAST({q.Quote(f)} AS DOUBLE PRECISION)"))} FROM {q.Quote(context.Inputs[0])} ORDER BY {w.Dialect.ByteOrder($"CAST({q.Quote(p.Id)} AS VARCHAR)")}";
        await foreach (var r in w.StreamAsync(sql, null, cancellationToken).ConfigureAwait(false))
        {
            ids.Add((string)r[0]!);
            baselines.Add(r[1] is null ? null : Convert.ToDouble(r[1], CultureInfo.InvariantCulture));
            rows.Add(r.Skip(2).Select(v => v is null ? float.NaN : (float)Convert.ToDouble(v, CultureInfo.InvariantCulture)).ToArray());
        }
        var labels = await LabelsAsync(p, w, q.Dialect, cancellationToken).ConfigureAwait(false);
        var at = ids.Select((id, i) => (id, i)).ToDictionary(x => x.id, x => x.i, StringComparer.Ordinal);
        var labelled = labels.Where(l => at.ContainsKey(l.Key)).Select(l => (Row: at[l.Key], Fraud: l.Value)).OrderBy(l => l.Row).ToList();
        var positives = labelled.Count(l => l.Fraud);
        var metrics = new List<object?[]> { M("labels", labelled.Count, null), M("fraud_labels", positives, null) };
        var probability = baselines.ToArray();
        var reasons = new string?[ids.Count];
        TrainedFraudModel? trainedModel = null;
        if (labelled.Count < p.MinLabels || positives < MinPerClass || labelled.Count - positives < MinPerClass)
        {
            var why = $"not trained: {labelled.Count:N0} labelled transactions ({positives:N0} fraud) of the {p.MinLabels:N0} needed with {MinPerClass} of each class; the probability is {(p.Baseline is { Length: > 0 } ? $"the unsupervised {p.Baseline}" : "empty")}";
            metrics.Add(M("trained", 0, why));
            context.Log(why);
        }
        else
        {
            var (auc, prAuc, chosen, model) = Fit(p, rows, baselines, labelled);
            trainedModel = model;
            // Every row through the stored model's own scoring, so that the online scorer gives the same probability and reason.
            Parallel.For(0, ids.Count, () => new double[model.Features.Count], (i, _, parts) =>
            {
                (probability[i], reasons[i]) = model.Score(rows[i], baselines[i], parts);
                return parts;
            }, _ => { });
            metrics.Add(M("trained", 1, $"trained on {labelled.Count:N0} labels ({positives:N0} fraud); calibration: {chosen}"));
            metrics.Add(M("cv_auc", auc, "out-of-fold, 5 folds"));
            metrics.Add(M("cv_pr_auc", prAuc, "out-of-fold, 5 folds"));
            context.Log($"trained on {labelled.Count:N0} labels; cross-validated AUC {auc:0.000}, PR-AUC {prAuc:0.000}");
        }
        var trained = metrics.Any(m => (string)m[0]! == "trained" && (double)m[1]! == 1);
        var output = ids.Select((id, i) => new object?[] { id, probability[i], reasons[i], trained ? 1L : 0L }).ToList();
        var written = await w.WriteTablesAsync(
        [
            new TableWrite(context.Asset, TableWriteMode.Replace, (t, ct) => t.CreateAndAppendAsync(Columns, output, ct)),
            new TableWrite(context.Output(MetricsOutput.Name), TableWriteMode.Replace, (t, ct) => t.CreateAndAppendAsync(
                [("metric", DataKind.Text), ("value", DataKind.Number), ("detail", DataKind.Text)], metrics, ct)),
            new TableWrite(context.Output(ModelOutput.Name), TableWriteMode.Replace, (t, ct) => t.CreateAndAppendAsync(StoredModelParts.Columns("model"),
                trainedModel is null ? [] : StoredModelParts.Rows(trainedModel.ToBytes(), features), ct)),
        ], cancellationToken).ConfigureAwait(false);
        return new Materialization(written[0], new Dictionary<string, object?> { ["labels"] = (long)labelled.Count, ["trained"] = trained });
    }

    private static object?[] M(string metric, double value, string? detail) => [metric, value, detail];

    private static async Task<Dictionary<string, bool>> LabelsAsync(FraudModelParameters p, IWarehouse w, ISqlDialect dialect, CancellationToken cancellationToken)
    {
        var labels = new Dictionary<string, bool>(StringComparer.Ordinal);
        if (await w.DescribeTableAsync(p.FeedbackTable, cancellationToken).ConfigureAwait(false) is not { } schema) return labels;
        var when = schema.Find("labelled_at") is null ? "transaction_id" : dialect.Quote("labelled_at");
        var sql = $"SELECT CAST(transaction_id AS VARCHAR), lower(CAST(label AS VARCHAR)) FROM {dialect.Quote(p.FeedbackTable)} WHERE transaction_id IS NOT NULL AND label IS NOT NULL ORDER BY {when}";
        await foreach (var r in w.StreamAsync(sql, null, cancellationToken).ConfigureAwait(false))
            labels[(string)r[0]!] = (string)r[1]! is "fraud" or "1" or "true" or "yes";
        return labels;
    }

    private static (double Auc, double PrAuc, string Chosen, TrainedFraudModel Model) Fit(FraudModelParameters p, List<float[]> rows, List<double?> baselines, List<(int Row, bool Fraud)> labelled)
    {
        var random = new Random(p.Seed);
        var folds = labelled.Select(_ => random.Next(Folds)).ToArray();
        var y = labelled.Select(l => l.Fraud).ToList();
        var options = new BoostedClassifierOptions(Trees: 150, MinExamplesPerLeaf: Math.Clamp(labelled.Count / 50, 3, 40), Seed: p.Seed);
        var oof = new double[labelled.Count];
        for (var k = 0; k < Folds; k++)
        {
            var fit = Enumerable.Range(0, labelled.Count).Where(i => folds[i] != k).ToList();
            var test = Enumerable.Range(0, labelled.Count).Where(i => folds[i] == k).ToList();
            if (test.Count == 0) continue;
            if (fit.Select(i => y[i]).Distinct().Count() < 2) { foreach (var i in test) oof[i] = 0; continue; }
            var model = BoostedClassifier.Train(fit.Select(i => rows[labelled[i].Row]).ToList(), fit.Select(i => y[i]).ToList(), options);
            var (margins, _) = model.Score(test.Select(i => rows[labelled[i].Row]).ToList(), contributions: false);
            for (var j = 0; j < test.Count; j++) oof[test[j]] = margins[j];
        }
        var hasBaseline = p.Baseline is { Length: > 0 };
        double Base(int row) => StackedCalibration.Logit(baselines[row] ?? 0);
        StackedCalibration calibration;
        string chosen;
        if (hasBaseline)
        {
            var stacking = CrossFittedStacking.Fit(labelled.Select((l, i) => new[] { oof[i], Base(l.Row) }).ToList(), y, folds);
            (calibration, chosen) = (stacking.Calibration, stacking.Chosen);
        }
        else
        {
            calibration = StackedCalibration.Fit(oof.Select(m => new[] { m }).ToList(), y);
            chosen = "Platt scaling of the margin";
        }
        var cv = labelled.Select((l, i) => calibration.Probability(hasBaseline ? [oof[i], Base(l.Row)] : [oof[i]])).ToArray();
        var auc = ClassifierMetrics.Auc(cv, y.ToArray());
        var prAuc = ClassifierMetrics.AveragePrecision(cv, y.ToArray());
        var final = BoostedClassifier.Train(labelled.Select(l => rows[l.Row]).ToList(), y, options);
        return (auc, prAuc, chosen, new TrainedFraudModel(final.Ensemble, FeaturesOf(p), calibration, p.Baseline));
    }
}
