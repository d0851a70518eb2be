using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Tributary.Analytics.Classification;
using Tributary.Analytics.Uplift;
using Tributary.Components.Features;
using Tributary.Core.Components;
using Tributary.Core.Warehousing;

namespace Tributary.Components.Propensity;

/// <summary>Which uplift learner writes the <c>uplift</c> column.</summary>
public enum UpliftLearner
{
    /// <summary>The X-learner (Künzel et al. 2019).</summary>
    X,
    /// <summary>The T-learner: two outcome models.</summary>
    T,
    /// <summary>The class-transformation approach (Jaśkowski &amp; Jaroszewicz 2012).</summary>
    ClassTransformation,
}

/// <summary>Parameters of <c>analytics.uplift</c>.</summary>
public sealed record UpliftParameters : IValidatableObject
{
    /// <summary>Days after the send in which an order counts as a conversion.</summary>
    [Description("A customer converted when they ordered within this many days after their send. Default 30.")]
    [Range(1, 365)]
    public int WindowDays { get; init; } = 30;

    /// <summary>The learner whose estimate is the uplift column.</summary>
    [Description("Learner whose estimate fills the uplift column and the groups: x, t or class_transformation; all three are measured and written side by side. Default x.")]
    public UpliftLearner Learner { get; init; } = UpliftLearner.X;

    /// <summary>Share of the send held out for the Qini curves.</summary>
    [Description("Share of the customers of the send held out to measure each learner (Qini, AUUC, uplift by decile). Default 0.3.")]
    [Range(0.1, 0.6)]
    public double HoldoutShare { get; init; } = 0.3;

    /// <summary>Boosting rounds.</summary>
    [Description("Boosting rounds of every gradient-boosted base model (LightGBM). Default 100.")]
    [Range(10, 5000)]
    public int Trees { get; init; } = 100;

    /// <summary>Leaves per tree.</summary>
    [Description("Leaves per tree. Default 7.")]
    [Range(2, 1024)]
    public int Leaves { get; init; } = 7;

    /// <summary>Learning rate.</summary>
    [Description("Shrinkage per boosting round. Default 0.05.")]
    [Range(0.001, 1)]
    public double LearningRate { get; init; } = 0.05;

    /// <summary>Fewest rows per leaf.</summary>
    [Description("Fewest customers in a leaf of a base model; lowered to a tenth of the smaller arm (at least 5) when that is smaller. Default 100.")]
    [Range(1, 100000)]
    public int MinCustomersPerLeaf { get; init; } = 100;

    /// <summary>Smallest effect that makes a persuadable, a do-not-disturb or an unproven customer.</summary>
    [Description("Estimated uplift from which a customer is persuadable when the holdout bin's 95% interval is above 0 (do_not_disturb: at or below its negative, the interval below 0), and unproven when the interval is not that confident or the customer was not in the send. Default 0.02.")]
    [Range(0, 1)]
    public double MinEffect { get; init; } = 0.02;

    /// <summary>Bins of the holdout by the chosen learner's estimate, for each customer's observed evidence.</summary>
    [Description("Equal-count bins the holdout is cut into by the chosen learner's estimate; a customer of the send is placed by the rank of their estimate among the send's customers scored now (estimates drift between snapshots), tied estimates in one bin, and their holdout_uplift is the observed uplift (treated minus control) of that bin, holdout_uplift_centre and holdout_uplift_se its Agresti–Caffo interval's centre and error. Ties can merge bins. Fewer bins, narrower intervals. Default 5.")]
    [Range(2, 20)]
    public int EvidenceBins { get; init; } = 5;

    /// <summary>P(convert without contact) from which an unmoved customer is a sure thing rather than a lost cause.</summary>
    [Description("Probability of converting without contact from which a customer whose estimated uplift is within min_effect of 0 is a sure_thing rather than a lost_cause. Default 0.3.")]
    [Range(0, 1)]
    public double SureThingProbability { get; init; } = 0.3;

    /// <summary>Seed.</summary>
    [Description("Seed for the holdout and the trees. Default 42.")]
    public int Seed { get; init; } = 42;

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext) => [];
}

/// <summary>
/// Uplift from a past randomized send: the change in a customer's probability of ordering within <c>window_days</c> if
/// contacted. Features are the customer snapshot on the latest snapshot day on or before the send; the outcome is any
/// order in the window after the customer's send. The T-learner, the X-learner and the class-transformation approach are
/// fitted on gradient-boosted base models (LightGBM) on one part of the send and measured on the rest beside a random
/// ordering and the propensity ordering (P(order) with no regard to the contact): Qini curve, Qini coefficient, AUUC and
/// observed uplift by decile. The latest snapshot is then scored by every learner, and each customer is put into one of
/// five groups by the chosen learner: persuadable, unproven, sure_thing, lost_cause or do_not_disturb. Each customer also carries the
/// holdout's evidence (the observed uplift of the holdout bin their estimate's rank among the send's customers falls in), and a permutation test says whether
/// the chosen learner beats random targeting at all; customers outside the send get its average. Inputs in order: the snapshot
/// (features.customer_snapshot with a snapshot on the send day, e.g. past_snapshots_days), the orders (customer_id,
/// ordered_at) and the send (customer_id, treated boolean, sent_at).
/// </summary>
public sealed class UpliftModelling : IComponent<UpliftParameters>
{
    /// <inheritdoc />
    public static string TypeName => "analytics.uplift";
    /// <inheritdoc />
    public static string Description => "Estimate each customer's uplift from a past randomized send: T-learner, X-learner and class transformation on boosted trees, with Qini curves and the five groups.";
    /// <inheritdoc />
    public static InputArity Inputs => new(3, 3);
    /// <inheritdoc />
    public static bool ReadsTimeZone => true;

    internal static readonly (string Name, DataKind Kind)[] MainColumns =
    [
        ("customer_id", DataKind.Text), ("as_of", DataKind.Date), ("uplift", DataKind.Number), ("uplift_group", DataKind.Text),
        ("p_if_contacted", DataKind.Number), ("p_if_not_contacted", DataKind.Number), ("uplift_x", DataKind.Number), ("uplift_t", DataKind.Number),
        ("uplift_class_transformation", DataKind.Number), ("uplift_decile", DataKind.Integer), ("average_order_value", DataKind.Number),
        ("in_send", DataKind.Boolean), ("holdout_uplift", DataKind.Number), ("holdout_uplift_se", DataKind.Number), ("holdout_bin", DataKind.Integer),
        ("uplift_beats_random", DataKind.Boolean), ("holdout_uplift_centre", DataKind.Number),
    ];
    private static readonly (string, DataKind)[] MetricColumns = [("learner", DataKind.Text), ("metric", DataKind.Text), ("value", DataKind.Number), ("detail", DataKind.Text)];
    private static readonly (string, DataKind)[] QiniColumns =
        [("learner", DataKind.Text), ("fraction", DataKind.Number), ("incremental_conversions", DataKind.Number), ("uplift_curve", DataKind.Number)];
    private static readonly (string, DataKind)[] DecileColumns =
    [
        ("learner", DataKind.Text), ("decile", DataKind.Integer), ("customers", DataKind.Integer), ("treated", DataKind.Integer), ("control", DataKind.Integer),
        ("treated_rate", DataKind.Number), ("control_rate", DataKind.Number), ("observed_uplift", DataKind.Number), ("predicted_uplift", DataKind.Number),
    ];
    internal static readonly (string Name, DataKind Kind)[] HoldoutColumns =
    [
        ("customer_id", DataKind.Text), ("treated", DataKind.Boolean), ("converted", DataKind.Boolean), ("uplift", DataKind.Number),
        ("average_order_value", DataKind.Number), ("uplift_group", DataKind.Text),
    ];
    internal static readonly DeclaredOutput HoldoutOutput = new("holdout", OutputRole.Diagnostics,
        "The send's holdout, which the learners never saw, scored as of the send by the chosen learner: arm, conversion, estimate, order value and group, to value a targeting rule on the randomized send.",
        Standardize.Schema.Of(HoldoutColumns));
    internal static readonly DeclaredOutput MetricsOutput = new("metrics", OutputRole.Diagnostics,
        "Model card: Qini coefficient and AUUC on the holdout per learner, beside random and propensity orderings, and the send's data.", Standardize.Schema.Of(MetricColumns));
    internal static readonly DeclaredOutput QiniOutput = new("qini", OutputRole.Diagnostics,
        "Qini and uplift curves on the holdout per learner, at 101 shares of customers targeted.", Standardize.Schema.Of(QiniColumns));
    internal static readonly DeclaredOutput DecilesOutput = new("deciles", OutputRole.Diagnostics,
        "Observed uplift by decile of each learner's estimate on the holdout (decile 1 the highest).", Standardize.Schema.Of(DecileColumns));

    /// <inheritdoc />
    public ComponentPlan Plan(UpliftParameters p, PlanContext context)
    {
        var requires = CustomerSnapshot.Columns.Select(c => new ColumnRequirement(0, c.Name, [], "The first input must be a features.customer_snapshot table.")).ToList();
        const string orders = "The second input must hold orders with customer_id and ordered_at.";
        requires.Add(new ColumnRequirement(1, "customer_id", [], orders));
        requires.Add(new ColumnRequirement(1, "ordered_at", [DataKind.Date, DataKind.Timestamp], orders));
        const string sends = "The third input must hold the send: customer_id, treated (true for the contacted group) and sent_at.";
        requires.Add(new ColumnRequirement(2, "customer_id", [], sends));
        requires.Add(new ColumnRequirement(2, "treated", [DataKind.Boolean], sends));
        requires.Add(new ColumnRequirement(2, "sent_at", [DataKind.Date, DataKind.Timestamp], sends));
        return new ComponentPlan(Standardize.Schema.Of(MainColumns), requires) { SideOutputs = [MetricsOutput, QiniOutput, DecilesOutput, HoldoutOutput] };
    }

    /// <inheritdoc />
    public async Task<Materialization> MaterializeAsync(UpliftParameters p, ComponentContext context, CancellationToken cancellationToken)
    {
        var w = context.Warehouse;
        var q = new SqlBuilder(w.Dialect);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var (snapshot, orders, sends) = (context.Inputs[0], context.Inputs[1], context.Inputs[2]);
        // The send's day in the reporting zone, the days the snapshots are taken on.
        var sendDay = new SqlBuilder(w.Dialect);
        var sentOn = sendDay.Cast(await ReportingZone.LocalAsync(context, sendDay, sends, "sent_at", cancellationToken).ConfigureAwait(false), DataKind.Date);
        var first = await w.ScalarAsync($"SELECT min({sentOn}) FROM {q.Quote(sends)}", sendDay.Parameters, cancellationToken).ConfigureAwait(false) as DateOnly?
            ?? throw new InputDataException($"input '{sends}' has no sends.");
        var days = await SnapshotTable.DaysAsync(w, snapshot, cancellationToken).ConfigureAwait(false);
        if (days.Count == 0) throw new InputDataException($"input '{snapshot}' has no snapshot rows.");
        var featureDays = days.Where(d => d <= first).ToList();
        if (featureDays.Count == 0)
            throw new InputDataException($"input '{snapshot}' has no snapshot on or before the first send ({CustomerSnapshot.Iso(first)}); its snapshots are {string.Join(", ", days.Select(CustomerSnapshot.Iso))}. Add past_snapshots_days on the features.customer_snapshot step so one falls on the send day.");
        var featureDay = featureDays[^1];
        var latest = days[^1];

        var treated = new Dictionary<string, bool>(StringComparer.Ordinal);
        await foreach (var r in w.StreamAsync($"SELECT CAST(customer_id AS VARCHAR), treated FROM {q.Quote(sends)} WHERE customer_id IS NOT NULL AND treated IS NOT NULL", null, cancellationToken).ConfigureAwait(false))
            treated[(string)r[0]!] = r[1] is true;
        var converted = new HashSet<string>(StringComparer.Ordinal);
        var sql = $"""
            SELECT DISTINCT CAST(s.customer_id AS VARCHAR) FROM {q.Quote(sends)} s JOIN {q.Quote(orders)} o ON o.customer_id = s.customer_id
            WHERE o.ordered_at >= s.sent_at AND o.ordered_at < s.sent_at + {q.Interval(TimeSpan.FromDays(p.WindowDays))}
            """;
        await foreach (var r in w.StreamAsync(sql, null, cancellationToken).ConfigureAwait(false)) converted.Add((string)r[0]!);
        var features = await SnapshotTable.ReadAsync(w, snapshot, featureDay, cancellationToken).ConfigureAwait(false);
        var inSend = Enumerable.Range(0, features.Customers.Count).Where(i => treated.ContainsKey(features.Customers[i])).ToArray();
        if (inSend.Length < 100)
            throw new InputDataException($"only {inSend.Length} customers of the send '{sends}' have features as of {CustomerSnapshot.Iso(featureDay)}; the learners need at least 100.");
        var holdout = inSend.Where(i => SnapshotTable.Share(features.Customers[i], p.Seed + 1) < p.HoldoutShare).ToArray();
        var fit = inSend.Except(holdout).ToArray();
        UpliftSample Sample(int[] rows) => new(rows.Select(i => features.Rows[i]).ToList(), rows.Select(i => treated[features.Customers[i]]).ToList(),
            rows.Select(i => converted.Contains(features.Customers[i])).ToList());
        var train = Sample(fit);
        var test = Sample(holdout);
        context.Log($"read {inSend.Length:N0} customers of the send with features as of {CustomerSnapshot.Iso(featureDay)} ({train.Treated.Count(t => t) + test.Treated.Count(t => t):N0} treated, {inSend.Count(i => converted.Contains(features.Customers[i])):N0} converted within {p.WindowDays} days) in {watch.Elapsed.TotalSeconds:0.0}s");
        watch.Restart();

        var smallerArm = Math.Min(train.Treated.Count(t => t), train.Treated.Count(t => !t));
        var minLeaf = Math.Min(p.MinCustomersPerLeaf, Math.Max(5, smallerArm / 10));
        var options = new BoostedClassifierOptions(p.Trees, p.Leaves, p.LearningRate, minLeaf, p.Seed);
        var x = XLearner.Fit(train, options);
        var learners = new Dictionary<string, IUpliftModel>
        {
            ["x"] = x, ["t"] = x.Outcomes, ["class_transformation"] = ClassTransformationLearner.Fit(train, options),
        };
        context.Log($"fitted the learners on {fit.Length:N0} customers in {watch.Elapsed.TotalSeconds:0.0}s");
        watch.Restart();

        // Holdout orderings: each learner, random, and the propensity ordering (P(order) whatever the contact).
        var share = train.TreatedShare;
        var random = new Random(p.Seed);
        var orderings = learners.ToDictionary(l => l.Key, l => l.Value.Uplift(test.Rows));
        orderings["propensity"] = Pooled(x.Outcomes, test.Rows, share);
        orderings["random"] = test.Rows.Select(_ => random.NextDouble()).ToArray();
        var t = test.Treated.ToArray();
        var y = test.Converted.ToArray();
        var metrics = new List<object?[]>();
        var qini = new List<object?[]>();
        var deciles = new List<object?[]>();
        foreach (var (name, scores) in orderings)
        {
            metrics.Add([name, "qini", UpliftMetrics.QiniCoefficient(scores, t, y), "mean over k of Q(k) − (k/N)·Q(N), per customer of the holdout"]);
            metrics.Add([name, "auuc", UpliftMetrics.Auuc(scores, t, y), "mean over k of the uplift curve, per customer of the holdout"]);
            qini.AddRange(UpliftMetrics.Curve(scores, t, y).Select(c => new object?[] { name, c.Fraction, c.Qini, c.Uplift }));
            deciles.AddRange(UpliftMetrics.ByBin(scores, t, y).Select(b => new object?[]
                { name, (long)b.Bin, (long)b.Customers, (long)b.Treated, (long)b.Control, Finite(b.TreatedRate), Finite(b.ControlRate), Finite(b.ObservedUplift), b.PredictedUplift }));
        }
        var chosenName = p.Learner switch { UpliftLearner.T => "t", UpliftLearner.ClassTransformation => "class_transformation", _ => "x" };
        var permutations = new Random(p.Seed + 2);
        var pValues = orderings.Keys.Where(k => k != "random").ToDictionary(k => k, k => UpliftMetrics.QiniPermutationPValue(orderings[k], t, y, permutations));
        foreach (var (name, pValue) in pValues)
            metrics.Add([name, "qini_p_value", pValue, "share of 199 random orderings of the holdout with a Qini at least as high; below 0.05, the ordering beats random targeting"]);
        var signal = pValues[chosenName] < SignalLevel;
        // The holdout's own customers, binned by the chosen learner: evidence the model never saw, free of the winner's curse.
        var calibration = UpliftCalibration.Fit(orderings[chosenName], t, y, Math.Min(p.EvidenceBins, t.Length));
        foreach (var (bin, k) in calibration.Bins.Select((b, k) => (b, k + 1)))
            metrics.Add([chosenName, $"holdout_bin_{k}_uplift", Finite(bin.Uplift), $"observed uplift of bin {k} of {calibration.Bins.Count} (highest estimates first), 95% Agresti–Caffo interval {bin.Low():+0.000;-0.000} to {bin.High():+0.000;-0.000}; {bin.Treated} treated, {bin.Control} control"]);
        var everyone = ObservedUplift.Of(inSend.Select(i => treated[features.Customers[i]]).ToList(), inSend.Select(i => converted.Contains(features.Customers[i])).ToList());
        double Rate(bool arm) => Enumerable.Range(0, t.Length).Where(i => t[i] == arm).Average(i => y[i] ? 1.0 : 0.0);
        metrics.Add(["data", "observed_uplift", Rate(true) - Rate(false), "treated minus control conversion rate on the holdout"]);
        metrics.Add(["data", "send_uplift", Finite(everyone.Uplift), $"treated minus control conversion rate over the whole send, 95% interval {everyone.Low():+0.000;-0.000} to {everyone.High():+0.000;-0.000}: the estimate for customers who were not in it"]);
        metrics.Add(["data", "uplift_beats_random", signal ? 1 : 0, signal
            ? $"the {chosenName} learner's holdout Qini beats random targeting (permutation p = {pValues[chosenName]:0.000})"
            : $"the uplift model does not beat random targeting on the holdout (permutation p = {pValues[chosenName]:0.000}); expected figures from its estimates are not reliable"]);
        metrics.Add(["data", "features_as_of", null, CustomerSnapshot.Iso(featureDay)]);
        metrics.Add(["data", "window_days", p.WindowDays, null]);
        metrics.Add(["data", "train_customers", fit.Length, null]);
        metrics.Add(["data", "holdout_customers", holdout.Length, null]);
        metrics.Add(["data", "treated_share", share, null]);
        metrics.Add(["data", "scored_as_of", null, CustomerSnapshot.Iso(latest)]);

        // The holdout scored as of the send, grouped as the latest scores are, so a targeting rule can be replayed on it.
        var aov = SnapshotTable.IndexOf("average_order_value");
        var holdoutAlone = x.Outcomes.Probabilities(test.Rows).Alone;
        var holdoutBins = calibration.Assign(orderings[chosenName]);
        var holdoutHarmed = calibration.ConfirmedHarm(orderings[chosenName]);
        var holdoutRows = Enumerable.Range(0, holdout.Length).Select(k => new object?[]
        {
            features.Customers[holdout[k]], t[k], y[k], orderings[chosenName][k], SnapshotTable.OrNull(test.Rows[k][aov]),
            Group(p, orderings[chosenName][k], holdoutAlone[k], true, calibration.Bins[holdoutBins[k] - 1], holdoutHarmed[k]),
        }).ToList();

        var current = await SnapshotTable.ReadAsync(w, snapshot, latest, cancellationToken).ConfigureAwait(false);
        // μ₁ and μ₀ are scored once: the T-learner's uplift is their difference, and they are written beside it.
        var outcomes = x.Outcomes.Probabilities(current.Rows);
        var (contacted, alone) = outcomes;
        var estimates = learners.ToDictionary(l => l.Key, l => l.Key == "t" ? TLearner.Uplift(outcomes) : l.Value.Uplift(current.Rows));
        // A customer outside the send has no evidence of their own: the model would only extrapolate, so they get the send's average.
        var covered = current.Customers.Select(treated.ContainsKey).ToArray();
        var chosen = estimates[chosenName].Select((u, i) => covered[i] ? u : everyone.Uplift).ToArray();
        // Bins by rank among the send's customers scored now, not by holdout score levels: the latest snapshot's scores drift.
        var inSendNow = Enumerable.Range(0, covered.Length).Where(i => covered[i]).ToArray();
        var binOf = new int[covered.Length];
        foreach (var (i, bin) in inSendNow.Zip(calibration.Assign(inSendNow.Select(i => chosen[i]).ToArray()))) binOf[i] = bin;
        var harmed = new bool[covered.Length];
        foreach (var (i, confirmed) in inSendNow.Zip(calibration.ConfirmedHarm(inSendNow.Select(i => chosen[i]).ToArray()))) harmed[i] = confirmed;
        var evidence = chosen.Select((u, i) => covered[i] ? (Bin: binOf[i], Observed: calibration.Bins[binOf[i] - 1]) : (Bin: 0, Observed: everyone)).ToArray();
        var decile = PropensityPrediction.Deciles(chosen);
        var rows = Enumerable.Range(0, current.Customers.Count).Select(i => new object?[]
        {
            current.Customers[i], latest, chosen[i], Group(p, chosen[i], alone[i], covered[i], evidence[i].Observed, harmed[i]), contacted[i], alone[i], estimates["x"][i], estimates["t"][i],
            estimates["class_transformation"][i], (long)decile[i], SnapshotTable.OrNull(current.Rows[i][aov]),
            covered[i], Finite(evidence[i].Observed.Uplift), Finite(evidence[i].Observed.StandardError), (long)evidence[i].Bin, signal,
            Finite(evidence[i].Observed.Centre),
        }).ToList();
        var written = await w.WriteTablesAsync(
        [
            new TableWrite(context.Asset, TableWriteMode.Replace, (b, ct) => b.CreateAndAppendAsync(MainColumns, rows, ct)),
            new TableWrite(context.Output(MetricsOutput.Name), TableWriteMode.Replace, (b, ct) => b.CreateAndAppendAsync(MetricColumns, metrics, ct)),
            new TableWrite(context.Output(QiniOutput.Name), TableWriteMode.Replace, (b, ct) => b.CreateAndAppendAsync(QiniColumns, qini, ct)),
            new TableWrite(context.Output(DecilesOutput.Name), TableWriteMode.Replace, (b, ct) => b.CreateAndAppendAsync(DecileColumns, deciles, ct)),
            new TableWrite(context.Output(HoldoutOutput.Name), TableWriteMode.Replace, (b, ct) => b.CreateAndAppendAsync(HoldoutColumns, holdoutRows, ct)),
        ], cancellationToken).ConfigureAwait(false);
        double Metric(string l) => (double)metrics.First(r => (string)r[0]! == l && (string)r[1]! == "qini")[2]!;
        context.Log($"holdout Qini: x {Metric("x"):0.0000}, t {Metric("t"):0.0000}, class transformation {Metric("class_transformation"):0.0000}, propensity {Metric("propensity"):0.0000}, random {Metric("random"):0.0000}; scored {rows.Count:N0} in {watch.Elapsed.TotalSeconds:0.0}s");
        context.Log(signal
            ? $"the {chosenName} learner beats random targeting on the holdout (permutation p = {pValues[chosenName]:0.000}); observed uplift by bin of its estimate, highest first: {string.Join(", ", calibration.Bins.Select(b => $"{b.Uplift:+0.000;-0.000} ({b.Low():+0.000;-0.000} to {b.High():+0.000;-0.000})"))}"
            : $"warning: the uplift model does not beat random targeting on the holdout (permutation p = {pValues[chosenName]:0.000}); expected figures from its estimates are not reliable. Observed uplift by bin of its estimate, highest first: {string.Join(", ", calibration.Bins.Select(b => $"{b.Uplift:+0.000;-0.000} ({b.Low():+0.000;-0.000} to {b.High():+0.000;-0.000})"))}");
        var outside = covered.Count(c => !c);
        if (outside > 0)
            context.Log($"{outside:N0} of {rows.Count:N0} customers were not in the send: their uplift is the send's average, {everyone.Uplift:+0.000;-0.000} (95% interval {everyone.Low():+0.000;-0.000} to {everyone.High():+0.000;-0.000}), not an extrapolation of the model");
        return new Materialization(written[0], new Dictionary<string, object?>
        {
            ["as_of"] = CustomerSnapshot.Iso(latest), ["features_as_of"] = CustomerSnapshot.Iso(featureDay), ["qini_x"] = Metric("x"), ["qini_t"] = Metric("t"),
            ["qini_class_transformation"] = Metric("class_transformation"), ["qini_propensity"] = Metric("propensity"), ["metrics_table"] = context.Output(MetricsOutput.Name),
            ["qini_p_value"] = pValues[chosenName], ["uplift_beats_random"] = signal, ["customers_outside_send"] = outside,
            ["do_not_disturb"] = rows.Count(r => (string)r[3]! == "do_not_disturb"),
        });
    }

    // P(order) whatever the contact, as the send's mix: share·μ₁ + (1 − share)·μ₀.
    private static double[] Pooled(TLearner outcomes, IReadOnlyList<float[]> rows, double share)
    {
        var p1 = outcomes.Treated.Predict(rows);
        var p0 = outcomes.Control.Predict(rows);
        return p1.Select((v, i) => share * v + (1 - share) * p0[i]).ToArray();
    }

    /// <summary>Permutation p-value below which the chosen learner's holdout Qini counts as beating random targeting.</summary>
    internal const double SignalLevel = 0.05;

    /// <summary>
    /// The five groups: persuadable and do_not_disturb need a customer of the send, an estimate past min_effect and evidence
    /// on the holdout, the 95% interval of the observed uplift of customers estimated alike, on the same side of 0 (a
    /// negative point estimate alone is noise for most); do_not_disturb also needs the customer among the bin's lowest
    /// estimates that its interval shows are harmed (<paramref name="harmConfirmed"/>, <see cref="UpliftCalibration.ConfirmedHarm"/>):
    /// a confidently negative bin is mostly unmoved customers. An estimate past min_effect either way without that evidence
    /// is unproven; everyone else, estimated within min_effect of 0, is a sure_thing or a lost_cause by P(order without contact).
    /// </summary>
    internal static string Group(UpliftParameters p, double uplift, double withoutContact, bool inSend, ObservedUplift evidence, bool harmConfirmed) =>
        inSend && uplift >= p.MinEffect && uplift > 0 && evidence.Low() > 0 ? "persuadable"
        : inSend && uplift <= -p.MinEffect && uplift < 0 && evidence.High() < 0 && harmConfirmed ? "do_not_disturb"
        // Past min_effect but not confirmed: calling it sure_thing or lost_cause would contradict the band and the targeting.
        : Math.Abs(uplift) >= p.MinEffect && uplift != 0 ? "unproven"
        : withoutContact >= p.SureThingProbability ? "sure_thing" : "lost_cause";

    private static double? Finite(double value) => double.IsFinite(value) ? value : null;
}
