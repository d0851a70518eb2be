using Tributary.Analytics.Classification;

namespace Tributary.Analytics.Tests.Classification;

public sealed class ClassifierMetricsTests
{
    // Scores of 3 positives (0.9, 0.6, 0.4) and 3 negatives (0.7, 0.4, 0.1).
    private static readonly double[] Scores = [0.9, 0.7, 0.6, 0.4, 0.4, 0.1];
    private static readonly bool[] Labels = [true, false, true, true, false, false];

    [Fact]
    public void Auc_HandCountedPairs_CountsTiesHalf()
    {
        // Pairs (positive, negative) ranked right: 0.9 beats all 3; 0.6 beats 0.4 and 0.1; 0.4 beats 0.1 and ties 0.4. (3 + 2 + 1.5) / 9.
        Assert.Equal(6.5 / 9, ClassifierMetrics.Auc(Scores, Labels), 1e-12);
    }

    [Fact]
    public void Auc_OneClassOrEmpty_IsNaN()
    {
        Assert.True(double.IsNaN(ClassifierMetrics.Auc([0.1, 0.2], [true, true])));
        Assert.True(double.IsNaN(ClassifierMetrics.Auc([], [])));
    }

    [Fact]
    public void AveragePrecision_HandComputed()
    {
        // Thresholds: 0.9 (1/1), 0.7 (1/2), 0.6 (2/3), 0.4 tie (3/5), 0.1. AP = 1/3·1 + 1/3·2/3 + 1/3·3/5.
        Assert.Equal((1 + 2.0 / 3 + 3.0 / 5) / 3, ClassifierMetrics.AveragePrecision(Scores, Labels), 1e-12);
    }

    [Fact]
    public void BrierAndLift_HandComputed()
    {
        Assert.Equal((0.01 + 0.49 + 0.16 + 0.36 + 0.16 + 0.01) / 6, ClassifierMetrics.Brier(Scores, Labels), 1e-12);
        // Top third (2 rows: 0.9, 0.7) holds 1 positive: rate 0.5 over the base 0.5.
        Assert.Equal(1.0, ClassifierMetrics.LiftAtTop(Scores, Labels, 1.0 / 3), 1e-12);
        Assert.Equal(2.0, ClassifierMetrics.LiftAtTop(Scores, Labels, 1.0 / 6), 1e-12);
    }

    [Fact]
    public void Calibration_TwoBins_MeansAndErrorByHand()
    {
        var bins = ClassifierMetrics.Calibration(Scores, Labels, 2);
        Assert.Equal(2, bins.Count);
        // Low half 0.1, 0.4, 0.4 (one positive); high half 0.6, 0.7, 0.9 (two).
        Assert.Equal((3, 0.3, 1.0 / 3), (bins[0].Count, bins[0].Predicted, bins[0].Observed), new ToleranceComparer());
        Assert.Equal((3, 2.2 / 3, 2.0 / 3), (bins[1].Count, bins[1].Predicted, bins[1].Observed), new ToleranceComparer());
        Assert.Equal((Math.Abs(0.3 - 1.0 / 3) + Math.Abs(2.2 / 3 - 2.0 / 3)) / 2, ClassifierMetrics.ExpectedCalibrationError(Scores, Labels, 2), 1e-12);
    }

    [Fact]
    public void StackedCalibration_ScoresWithKnownLogit_RecoversSlopeAndIntercept()
    {
        // Outcomes at P = σ(2s − 1) by rounded counts, and a second input of pure noise: weights ≈ (−1, 2, 0).
        var rows = new List<double[]>();
        var labels = new List<bool>();
        var n = 0;
        for (var s = -3.0; s <= 3.0; s += 0.5)
        {
            var p = 1 / (1 + Math.Exp(-2 * s + 1));
            var positives = (int)Math.Round(p * 2000);
            for (var k = 0; k < 2000; k++) { rows.Add([s, (n++ % 7) - 3]); labels.Add(k < positives); }
        }
        var fit = StackedCalibration.Fit(rows, labels);
        Assert.Equal(-1, fit.Weights[0], 0.02);
        Assert.Equal(2, fit.Weights[1], 0.02);
        Assert.Equal(0, fit.Weights[2], 0.02);
        Assert.Equal(1 / (1 + Math.Exp(-1.0)), fit.Probability([1, 0]), 0.005);
    }

    [Fact]
    public void StackedCalibration_Logit_ClampsZeroAndOne()
    {
        Assert.Equal(0, StackedCalibration.Logit(0.5), 1e-12);
        Assert.True(double.IsFinite(StackedCalibration.Logit(0)) && double.IsFinite(StackedCalibration.Logit(1)));
    }

    [Fact]
    public void BoostedClassifier_SignalInOneFeature_RanksByItAndContributionsSumToMargin()
    {
        var random = new Random(3);
        var rows = Enumerable.Range(0, 3000).Select(_ => new[] { (float)random.NextDouble(), (float)random.NextDouble() }).ToList();
        var labels = rows.Select(r => random.NextDouble() < r[0]).ToList();
        var model = BoostedClassifier.Train(rows, labels, new BoostedClassifierOptions(Trees: 50));
        var (margins, parts) = model.Score(rows, contributions: true);
        Assert.InRange(ClassifierMetrics.Auc(margins, labels.ToArray()), 0.7, 0.9); // the Bayes AUC of P = x is 0.83
        Assert.True(model.Importance[0] > 0.8, $"importance {model.Importance[0]}");
        Assert.True(parts![0].Length == 2 && rows.Select((r, i) => (r[0], parts[i][0])).Where(x => x.Item1 > 0.9).All(x => x.Item2 > 0));
    }

    private sealed class ToleranceComparer : IEqualityComparer<(int, double, double)>
    {
        public bool Equals((int, double, double) x, (int, double, double) y) => x.Item1 == y.Item1 && Math.Abs(x.Item2 - y.Item2) < 1e-12 && Math.Abs(x.Item3 - y.Item3) < 1e-12;
        public int GetHashCode((int, double, double) obj) => obj.Item1;
    }
}
