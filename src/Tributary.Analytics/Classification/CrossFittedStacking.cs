namespace Tributary.Analytics.Classification;

/// <summary>
/// Chooses, by cross-validated likelihood, between a stacked calibration of a model's margin beside a baseline's log-odds
/// and the baseline's log-odds alone (both logistic, <see cref="StackedCalibration"/>), then fits the winner on every row.
/// The rows carry out-of-fold margins (cross-fitting), and the choice uses the same folds: for each fold both fits are
/// made on the others and scored on it, so the margin is kept only when it lowers the log loss on customers neither
/// the trees nor the calibration saw. Where the baseline is the true model the margin adds only noise, the baseline
/// wins and the result ranks exactly as the baseline does.
/// </summary>
/// <param name="Calibration">The chosen calibration over the full inputs (the margin's weight is 0 when the baseline won).</param>
/// <param name="Chosen"><see cref="Stacked"/> or <see cref="BaselineOnly"/>.</param>
/// <param name="StackedLogLoss">Cross-validated mean log loss of the stacked fit.</param>
/// <param name="BaselineLogLoss">Cross-validated mean log loss of the baseline alone.</param>
public sealed record CrossFittedStacking(StackedCalibration Calibration, string Chosen, double StackedLogLoss, double BaselineLogLoss)
{
    /// <summary>The margin and the baseline stacked.</summary>
    public const string Stacked = "stacked";
    /// <summary>The baseline's log-odds alone, recalibrated.</summary>
    public const string BaselineOnly = "baseline alone";

    /// <summary>Fits on rows of inputs whose last column is the baseline's log-odds, with each row's fold.</summary>
    /// <exception cref="ArgumentException">Rows, labels and folds differ in length, or a row has no baseline column.</exception>
    public static CrossFittedStacking Fit(IReadOnlyList<double[]> rows, IReadOnlyList<bool> labels, IReadOnlyList<int> folds)
    {
        if (rows.Count != labels.Count || rows.Count != folds.Count) throw new ArgumentException("rows, labels and folds need the same length.", nameof(rows));
        if (rows.Any(r => r.Length == 0)) throw new ArgumentException("every row needs the baseline's log-odds as its last input.", nameof(rows));
        var baseline = rows.Select(r => new[] { r[^1] }).ToList();
        double stackedLoss = 0, baselineLoss = 0;
        var scored = 0;
        foreach (var k in folds.Distinct())
        {
            var fit = Enumerable.Range(0, rows.Count).Where(i => folds[i] != k).ToList();
            var test = Enumerable.Range(0, rows.Count).Where(i => folds[i] == k).ToList();
            if (fit.Count == 0) continue;
            List<double[]> Pick(IReadOnlyList<double[]> source, List<int> at) => at.Select(i => source[i]).ToList();
            var fitLabels = fit.Select(i => labels[i]).ToList();
            var testLabels = test.Select(i => labels[i]).ToList();
            stackedLoss += test.Count * StackedCalibration.Fit(Pick(rows, fit), fitLabels).LogLoss(Pick(rows, test), testLabels);
            baselineLoss += test.Count * StackedCalibration.Fit(Pick(baseline, fit), fitLabels).LogLoss(Pick(baseline, test), testLabels);
            scored += test.Count;
        }
        stackedLoss = scored == 0 ? double.NaN : stackedLoss / scored;
        baselineLoss = scored == 0 ? double.NaN : baselineLoss / scored;
        // Ties (and a single fold, which cannot tell) go to the simpler fit.
        if (stackedLoss < baselineLoss)
            return new CrossFittedStacking(StackedCalibration.Fit(rows, labels), Stacked, stackedLoss, baselineLoss);
        var alone = StackedCalibration.Fit(baseline, labels).Weights;
        var weights = new double[rows.Count == 0 ? 2 : rows[0].Length + 1];
        weights[0] = alone[0];
        weights[^1] = alone[1];
        return new CrossFittedStacking(new StackedCalibration(weights), BaselineOnly, stackedLoss, baselineLoss);
    }
}
