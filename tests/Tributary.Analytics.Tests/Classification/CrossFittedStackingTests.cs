using Tributary.Analytics.Classification;

namespace Tributary.Analytics.Tests.Classification;

public sealed class CrossFittedStackingTests
{
    // Outcomes drawn from σ(z) with z the baseline's log-odds (the baseline is the true model), beside a margin that is
    // either pure noise or carries a second, independent signal s the outcome also depends on.
    private static (List<double[]> Rows, List<bool> Labels, List<int> Folds) Sample(bool marginInformative, int n = 4000, int seed = 3)
    {
        var random = new Random(seed);
        double Normal() => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        var rows = new List<double[]>();
        var labels = new List<bool>();
        var folds = new List<int>();
        for (var i = 0; i < n; i++)
        {
            var z = 1.5 * Normal();
            var s = Normal();
            var truth = marginInformative ? z + 1.5 * s : z;
            labels.Add(random.NextDouble() < 1 / (1 + Math.Exp(-truth)));
            rows.Add([marginInformative ? s : Normal(), z]);
            folds.Add(i % 5);
        }
        return (rows, labels, folds);
    }

    [Fact]
    public void Fit_BaselineIsTheTruth_DropsTheNoiseMarginAndRanksAsTheBaseline()
    {
        var (rows, labels, folds) = Sample(marginInformative: false);

        var fit = CrossFittedStacking.Fit(rows, labels, folds);

        Assert.Equal(CrossFittedStacking.BaselineOnly, fit.Chosen);
        Assert.True(fit.BaselineLogLoss <= fit.StackedLogLoss, $"baseline {fit.BaselineLogLoss} stacked {fit.StackedLogLoss}");
        Assert.Equal(0, fit.Calibration.Weights[1]);
        // The truth is σ(0 + 1·z): the refit recovers it, and its ranking is the baseline's exactly.
        Assert.Equal(0, fit.Calibration.Weights[0], 0.15);
        Assert.Equal(1, fit.Calibration.Weights[2], 0.15);
        var probabilities = rows.Select(r => fit.Calibration.Probability(r)).ToArray();
        Assert.Equal(ClassifierMetrics.Auc(rows.Select(r => r[1]).ToArray(), labels.ToArray()), ClassifierMetrics.Auc(probabilities, labels.ToArray()), 12);
    }

    [Fact]
    public void Fit_MarginCarriesMoreSignal_StacksBothWithTheirTrueWeights()
    {
        var (rows, labels, folds) = Sample(marginInformative: true);

        var fit = CrossFittedStacking.Fit(rows, labels, folds);

        Assert.Equal(CrossFittedStacking.Stacked, fit.Chosen);
        Assert.True(fit.StackedLogLoss < fit.BaselineLogLoss - 0.01, $"baseline {fit.BaselineLogLoss} stacked {fit.StackedLogLoss}");
        Assert.Equal(1.5, fit.Calibration.Weights[1], 0.25);
        Assert.Equal(1, fit.Calibration.Weights[2], 0.2);
    }

    [Fact]
    public void LogLoss_HandComputed()
    {
        // σ(0) = 0.5 for both rows: −(ln 0.5 + ln 0.5) / 2 = ln 2.
        var calibration = new StackedCalibration([0, 1]);
        Assert.Equal(Math.Log(2), calibration.LogLoss([[0.0], [0.0]], [true, false]), 12);
        Assert.True(double.IsNaN(calibration.LogLoss([], [])));
    }

    [Fact]
    public void Fit_MismatchedLengths_Throws()
    {
        Assert.Throws<ArgumentException>(() => CrossFittedStacking.Fit([[0.0, 1.0]], [true, false], [0]));
    }
}
