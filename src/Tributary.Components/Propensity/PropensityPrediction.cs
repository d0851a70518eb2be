using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Tributary.Analytics.Classification;
using Tributary.Components.Features;
using Tributary.Core.Components;
using Tributary.Core.Warehousing;

namespace Tributary.Components.Propensity;

/// <summary>Parameters of <c>analytics.propensity</c>.</summary>
public sealed record PropensityParameters : IValidatableObject
{
    /// <summary>The purchase window.</summary>
    [Description("Predict a purchase within this many days after the snapshot; the model trains on the snapshot this many days before the latest (set past_snapshots_days: [horizon_days] on features.customer_snapshot). Default 90.")]
    [Range(7, 730)]
    public int HorizonDays { get; init; } = 90;

    /// <summary>Boosting rounds.</summary>
    [Description("Boosting rounds of the gradient-boosted trees (LightGBM). Default 150.")]
    [Range(10, 5000)]
    public int Trees { get; init; } = 150;

    /// <summary>Leaves per tree.</summary>
    [Description("Leaves per tree. Default 15.")]
    [Range(2, 1024)]
    public int Leaves { get; init; } = 15;

    /// <summary>Learning rate.</summary>
    [Description("Shrinkage per boosting round. Default 0.05.")]
    [Range(0.001, 1)]
    public double LearningRate { get; init; } = 0.05;

    /// <summary>Fewest training rows per leaf.</summary>
    [Description("Fewest training customers in a leaf; lowered to a tenth of the training fold (at least 5) when that is smaller. Default 80.")]
    [Range(1, 100000)]
    public int MinCustomersPerLeaf { get; init; } = 80;

    /// <summary>Share held out for calibration.</summary>
    [Description("Share of the labelled customers held out to fit the calibration (Platt scaling of the trees' margin). Default 0.2.")]
    [Range(0.05, 0.5)]
    public double CalibrationShare { get; init; } = 0.2;

    /// <summary>Share held out for the model card.</summary>
    [Description("Share of the labelled customers held out to measure the model and the recency-frequency baseline. Default 0.2.")]
    [Range(0.05, 0.5)]
    public double HoldoutShare { get; init; } = 0.2;

    /// <summary>Seed.</summary>
    [Description("Seed for the folds and the trees, so a run is reproducible. Default 42.")]
    public int Seed { get; init; } = 42;

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (CalibrationShare + HoldoutShare > 0.7)
            yield return new ValidationResult($"calibration_share + holdout_share must leave at least 30% to train on, got {(CalibrationShare + HoldoutShare).ToString(CultureInfo.InvariantCulture)}.", [nameof(HoldoutShare)]);
    }
}

/// <summary>
/// Purchase propensity: the probability that a customer orders within <c>horizon_days</c>. Labels come from the data: a
/// customer in the snapshot <c>horizon_days</c> before the latest is positive when they ordered in the <c>horizon_days</c>
/// after it. Gradient-boosted trees (LightGBM) learn from the snapshot's features on one fold, Platt scaling on a second
/// calibrates them, and a third measures them beside a recency-frequency baseline (a logistic fit of log(1 + orders) and
/// log(1 + days since the last order) on the calibration fold): AUC, PR-AUC, Brier score, calibration and lift by decile,
/// cumulative gains. The latest snapshot is then scored: probability, decile (1 the most likely), the three reasons whose
/// features push hardest toward a purchase, and the customer's order value. Inputs in order: the snapshot
/// (features.customer_snapshot with past_snapshots_days holding horizon_days) and the orders (customer_id, ordered_at).
/// </summary>
public sealed class PropensityPrediction : IComponent<PropensityParameters>
{
    /// <inheritdoc />
    public static string TypeName => "analytics.propensity";
    /// <inheritdoc />
    public static string Description => "Predict a purchase within N days with calibrated gradient-boosted trees, with reasons, deciles, gains and a model card against a recency-frequency baseline.";
    /// <inheritdoc />
    public static InputArity Inputs => new(2, 2);
    /// <inheritdoc />
    public static bool ReadsTimeZone => true;

    internal static readonly (string Name, DataKind Kind)[] MainColumns =
    [
        ("customer_id", DataKind.Text), ("as_of", DataKind.Date), ("purchase_probability", DataKind.Number), ("decile", DataKind.Integer),
        ("reason_code", DataKind.Text), ("reason", DataKind.Text), ("reason_code_2", DataKind.Text), ("reason_2", DataKind.Text),
        ("reason_code_3", DataKind.Text), ("reason_3", DataKind.Text), ("baseline_probability", DataKind.Number),
        ("recency_days", DataKind.Integer), ("orders", DataKind.Integer), ("average_order_value", DataKind.Number),
    ];
    private static readonly (string, DataKind)[] MetricColumns = [("model", DataKind.Text), ("metric", DataKind.Text), ("value", DataKind.Number), ("detail", DataKind.Text)];
    private static readonly (string, DataKind)[] CalibrationColumns =
        [("model", DataKind.Text), ("bin", DataKind.Integer), ("customers", DataKind.Integer), ("predicted", DataKind.Number), ("observed", DataKind.Number)];
    private static readonly (string, DataKind)[] GainsColumns =
    [
        ("model", DataKind.Text), ("decile", DataKind.Integer), ("customers", DataKind.Integer), ("buyers", DataKind.Integer), ("purchase_rate", DataKind.Number),
        ("lift", DataKind.Number), ("cumulative_share_of_customers", DataKind.Number), ("cumulative_share_of_buyers", DataKind.Number), ("cumulative_lift", DataKind.Number),
    ];
    private static readonly (string, DataKind)[] ImportanceColumns = [("feature", DataKind.Text), ("reason_code", DataKind.Text), ("importance", DataKind.Number)];
    internal static readonly DeclaredOutput MetricsOutput = new("metrics", OutputRole.Diagnostics,
        "Model card: AUC, PR-AUC, Brier score, calibration error and lift at the top 10% on the holdout for the model and the recency-frequency baseline, and the data windows.",
        Standardize.Schema.Of(MetricColumns));
    internal static readonly DeclaredOutput CalibrationOutput = new("calibration", OutputRole.Diagnostics,
        "Calibration by decile of predicted probability on the holdout: customers, mean predicted and observed purchase rate.", Standardize.Schema.Of(CalibrationColumns));
    internal static readonly DeclaredOutput GainsOutput = new("gains", OutputRole.Diagnostics,
        "Decile lift and cumulative gains on the holdout (decile 1 the highest score), for the model and the baseline.", Standardize.Schema.Of(GainsColumns));
    internal static readonly DeclaredOutput ImportanceOutput = new("importance", OutputRole.Model,
        "Gain-based importance of each feature in the trees, with the reason it belongs to.", Standardize.Schema.Of(ImportanceColumns));

    private static readonly string[] Features = SnapshotTable.Features;

    /// <inheritdoc />
    public ComponentPlan Plan(PropensityParameters p, PlanContext context)
    {
        var requires = CustomerSnapshot.Columns.Select(c => new ColumnRequirement(0, c.Name, [], "The first input must be a features.customer_snapshot table.")).ToList();
        requires.Add(new ColumnRequirement(1, "customer_id", [], "The second input must hold orders with customer_id and ordered_at."));
        requires.Add(new ColumnRequirement(1, "ordered_at", [DataKind.Date, DataKind.Timestamp], "The second input must hold orders with customer_id and ordered_at."));
        return new ComponentPlan(Standardize.Schema.Of(MainColumns), requires) { SideOutputs = [MetricsOutput, CalibrationOutput, GainsOutput, ImportanceOutput] };
    }

    /// <inheritdoc />
    public async Task<Materialization> MaterializeAsync(PropensityParameters p, ComponentContext context, CancellationToken cancellationToken)
    {
        var w = context.Warehouse;
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var latest = await w.ScalarAsync($"SELECT max(as_of) FROM {w.Dialect.Quote(context.Inputs[0])}", null, cancellationToken).ConfigureAwait(false) as DateOnly?
            ?? throw new InputDataException($"input '{context.Inputs[0]}' has no snapshot rows.");
        var trainDay = latest.AddDays(-p.HorizonDays);
        var train = await SnapshotTable.ReadAsync(w, context.Inputs[0], trainDay, cancellationToken).ConfigureAwait(false);
        if (train.Customers.Count < 50)
            throw await CustomerSnapshot.TooFewToTrainAsync(w, context.Inputs[0], trainDay, latest, "horizon_days", p.HorizonDays, train.Customers.Count, cancellationToken).ConfigureAwait(false);
        var current = await SnapshotTable.ReadAsync(w, context.Inputs[0], latest, cancellationToken).ConfigureAwait(false);
        var buyers = await SnapshotTable.BuyersAsync(context, context.Inputs[1], trainDay, latest, cancellationToken).ConfigureAwait(false);
        var labels = train.Customers.Select(buyers.Contains).ToArray();
        if (labels.All(l => l) || labels.All(l => !l))
            throw new InputDataException($"every customer as of {CustomerSnapshot.Iso(trainDay)} {(labels[0] ? "ordered" : "ordered nothing")} within {p.HorizonDays} days; the model needs both outcomes.");
        context.Log($"read {train.Customers.Count:N0} labelled customers as of {CustomerSnapshot.Iso(trainDay)} ({labels.Count(l => l):N0} ordered) and {current.Customers.Count:N0} to score as of {CustomerSnapshot.Iso(latest)} in {watch.Elapsed.TotalSeconds:0.0}s");
        watch.Restart();

        var fold = train.Customers.Select(c => SnapshotTable.Share(c, p.Seed) is var u && u < p.HoldoutShare ? 2 : u < p.HoldoutShare + p.CalibrationShare ? 1 : 0).ToArray();
        int[] Where(int f) => Enumerable.Range(0, fold.Length).Where(i => fold[i] == f).ToArray();
        var (fit, calibrate, holdout) = (Where(0), Where(1), Where(2));
        var minLeaf = Math.Min(p.MinCustomersPerLeaf, Math.Max(5, fit.Length / 10));
        var model = BoostedClassifier.Train(fit.Select(i => train.Rows[i]).ToList(), fit.Select(i => labels[i]).ToList(),
            new BoostedClassifierOptions(p.Trees, p.Leaves, p.LearningRate, minLeaf, p.Seed));
        var (calibrationMargins, _) = model.Score(calibrate.Select(i => train.Rows[i]).ToList(), contributions: false);
        var calibrateLabels = calibrate.Select(i => labels[i]).ToList();
        var platt = StackedCalibration.Fit(calibrationMargins.Select(m => new[] { m }).ToList(), calibrateLabels);
        var baseline = StackedCalibration.Fit(calibrate.Select(i => Baseline(train.Rows[i])).ToList(), calibrateLabels);
        var (holdoutMargins, _) = model.Score(holdout.Select(i => train.Rows[i]).ToList(), contributions: false);
        var holdoutLabels = holdout.Select(i => labels[i]).ToArray();
        var scores = new Dictionary<string, double[]>
        {
            ["model"] = holdoutMargins.Select(m => platt.Probability([m])).ToArray(),
            ["recency_frequency"] = holdout.Select(i => baseline.Probability(Baseline(train.Rows[i]))).ToArray(),
        };
        context.Log($"trained on {fit.Length:N0}, calibrated on {calibrate.Length:N0}, measured on {holdout.Length:N0} in {watch.Elapsed.TotalSeconds:0.0}s");
        watch.Restart();

        var (margins, contributions) = model.Score(current.Rows, contributions: true);
        var probabilities = margins.Select(m => platt.Probability([m])).ToArray();
        var deciles = Deciles(probabilities);
        var rows = new object?[current.Customers.Count][];
        Parallel.For(0, rows.Length, new ParallelOptions { CancellationToken = cancellationToken }, i =>
            rows[i] = ScoreRow(latest, current.Customers[i], current.Rows[i], probabilities[i], deciles[i], contributions![i], baseline.Probability(Baseline(current.Rows[i]))));
        context.Log($"scored {rows.Length:N0} customers with reasons in {watch.Elapsed.TotalSeconds:0.0}s");

        var metrics = MetricRows(p, scores, holdoutLabels, trainDay, latest, fit.Length, calibrate.Length, labels);
        var calibrationTable = scores.SelectMany(s => ClassifierMetrics.Calibration(s.Value, holdoutLabels)
            .Select(b => new object?[] { s.Key, (long)b.Bin, (long)b.Count, b.Predicted, b.Observed })).ToList();
        var gains = scores.SelectMany(s => Gains(s.Key, s.Value, holdoutLabels)).ToList();
        var importance = Features.Select((f, k) => new object?[] { f, PropensityReasons.CodeOf(f), model.Importance[k] }).OrderByDescending(r => (double)r[2]!).ToList();
        var written = await w.WriteTablesAsync(
        [
            new TableWrite(context.Asset, TableWriteMode.Replace, (b, ct) => b.CreateAndAppendAsync(MainColumns, rows, ct)),
            new TableWrite(context.Output(MetricsOutput.Name), TableWriteMode.Replace, (b, ct) => b.CreateAndAppendAsync(MetricColumns, metrics, ct)),
            new TableWrite(context.Output(CalibrationOutput.Name), TableWriteMode.Replace, (b, ct) => b.CreateAndAppendAsync(CalibrationColumns, calibrationTable, ct)),
            new TableWrite(context.Output(GainsOutput.Name), TableWriteMode.Replace, (b, ct) => b.CreateAndAppendAsync(GainsColumns, gains, ct)),
            new TableWrite(context.Output(ImportanceOutput.Name), TableWriteMode.Replace, (b, ct) => b.CreateAndAppendAsync(ImportanceColumns, importance, ct)),
        ], cancellationToken).ConfigureAwait(false);
        double? Metric(string m, string name) => (double?)metrics.First(r => (string)r[0]! == m && (string)r[1]! == name)[2];
        string Shown(double? x) => x?.ToString("0.000", CultureInfo.InvariantCulture) ?? "undefined";
        context.Log($"holdout AUC: model {Shown(Metric("model", "auc"))}, recency-frequency baseline {Shown(Metric("recency_frequency", "auc"))}; Brier {Shown(Metric("model", "brier"))}");
        return new Materialization(written[0], new Dictionary<string, object?>
        {
            ["as_of"] = CustomerSnapshot.Iso(latest), ["train_as_of"] = CustomerSnapshot.Iso(trainDay), ["auc"] = Metric("model", "auc"),
            ["auc_recency_frequency"] = Metric("recency_frequency", "auc"), ["brier"] = Metric("model", "brier"), ["metrics_table"] = context.Output(MetricsOutput.Name),
        });
    }

    // The baseline's inputs: log(1 + orders) and log(1 + days since the last order).
    private static double[] Baseline(float[] row) =>
        [Math.Log(1 + Math.Max(0, row[SnapshotTable.IndexOf("orders")])), Math.Log(1 + Math.Max(0, row[SnapshotTable.IndexOf("recency_days")]))];

    // Decile by probability, 1 the highest; ties go to the same decile as their first member.
    internal static int[] Deciles(double[] probabilities)
    {
        var order = Enumerable.Range(0, probabilities.Length).OrderByDescending(i => probabilities[i]).ToArray();
        var result = new int[probabilities.Length];
        for (var k = 0; k < order.Length; k++) result[order[k]] = (int)((long)k * 10 / order.Length) + 1;
        return result;
    }

    private static object?[] ScoreRow(DateOnly asOf, string customer, float[] row, double probability, int decile, float[] parts, double baseline)
    {
        var byCode = new Dictionary<string, double>();
        for (var k = 0; k < Features.Length; k++)
        {
            var code = PropensityReasons.CodeOf(Features[k]);
            byCode[code] = byCode.GetValueOrDefault(code) + parts[k];
        }
        var top = byCode.Where(c => c.Value > 0).OrderByDescending(c => c.Value).Take(3).Select(c => c.Key).ToList();
        double Value(string feature) => SnapshotTable.Value(row, feature);
        string? Code(int n) => n < top.Count ? top[n] : null;
        string? Text(int n) => n < top.Count ? PropensityReasons.Sentence(top[n], Value) : null;
        return [customer, asOf, probability, (long)decile, Code(0), Text(0), Code(1), Text(1), Code(2), Text(2), baseline,
            (long)Value("recency_days"), (long)Value("orders"), Value("average_order_value")];
    }

    /// <summary>Decile lift and cumulative gains rows of one score, decile 1 the highest.</summary>
    internal static IEnumerable<object?[]> Gains(string model, double[] scores, bool[] labels)
    {
        var order = Enumerable.Range(0, scores.Length).OrderByDescending(i => scores[i]).ToArray();
        var total = labels.Count(l => l);
        var rate = scores.Length == 0 ? 0 : (double)total / scores.Length;
        long seen = 0, hits = 0;
        for (var d = 0; d < 10; d++)
        {
            var from = (int)((long)order.Length * d / 10);
            var to = (int)((long)order.Length * (d + 1) / 10);
            if (to <= from) continue;
            var buyers = 0;
            for (var k = from; k < to; k++) if (labels[order[k]]) buyers++;
            seen += to - from;
            hits += buyers;
            var decileRate = (double)buyers / (to - from);
            yield return [model, (long)(d + 1), (long)(to - from), (long)buyers, decileRate, rate > 0 ? decileRate / rate : null,
                (double)seen / order.Length, total > 0 ? (double)hits / total : null, rate > 0 ? (double)hits / seen / rate : null];
        }
    }

    private static List<object?[]> MetricRows(PropensityParameters p, Dictionary<string, double[]> scores, bool[] labels, DateOnly trainDay, DateOnly latest,
        int trained, int calibrated, bool[] all)
    {
        var rows = new List<object?[]>();
        foreach (var (model, score) in scores)
        {
            rows.Add([model, "auc", Finite(ClassifierMetrics.Auc(score, labels)), null]);
            rows.Add([model, "pr_auc", Finite(ClassifierMetrics.AveragePrecision(score, labels)), null]);
            rows.Add([model, "brier", Finite(ClassifierMetrics.Brier(score, labels)), null]);
            rows.Add([model, "ece", Finite(ClassifierMetrics.ExpectedCalibrationError(score, labels)), null]);
            rows.Add([model, "lift_top_10pct", Finite(ClassifierMetrics.LiftAtTop(score, labels, 0.1)), null]);
        }
        rows.Add(["model", "lift_vs_baseline_top_10pct", Finite(ClassifierMetrics.LiftAtTop(scores["model"], labels, 0.1) / ClassifierMetrics.LiftAtTop(scores["recency_frequency"], labels, 0.1)),
            "the model's top-decile purchase rate over the recency-frequency baseline's"]);
        rows.Add(["data", "train_as_of", null, CustomerSnapshot.Iso(trainDay)]);
        rows.Add(["data", "label_window", p.HorizonDays, $"{CustomerSnapshot.Iso(trainDay)} to {CustomerSnapshot.Iso(latest.AddDays(-1))}"]);
        rows.Add(["data", "scored_as_of", null, CustomerSnapshot.Iso(latest)]);
        rows.Add(["data", "train_customers", trained, null]);
        rows.Add(["data", "calibration_customers", calibrated, null]);
        rows.Add(["data", "holdout_customers", labels.Length, null]);
        rows.Add(["data", "purchase_rate", all.Count(l => l) / (double)all.Length, null]);
        return rows;
    }

    // A measure undefined on the holdout (NaN: one outcome only, or no customers) is NULL in the model card, not a number.
    private static double? Finite(double value) => double.IsFinite(value) ? value : null;
}
