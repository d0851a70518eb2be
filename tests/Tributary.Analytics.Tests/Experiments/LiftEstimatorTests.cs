using Tributary.Analytics.Experiments;
using static Tributary.Analytics.Tests.Experiments.ExperimentSimulation;

namespace Tributary.Analytics.Tests.Experiments;

public sealed class LiftEstimatorTests
{
    [Fact]
    public void Compare_HandCase_MatchesWelchAndDeltaMethod()
    {
        // Control 1000 units, 100 conversions; variant 1000 units, 120 conversions (bench/peers/experiment.py repeats this in scipy).
        var lift = Compare(new ArmMoments(1000, 100, 100, 0, 0, 0), new ArmMoments(1000, 120, 120, 0, 0, 0));

        // Var of a mean: p(1 − p)·n/(n − 1)/n; 0.1·0.9/999 = 9.009e-5 and 0.12·0.88/999 = 1.05706e-4.
        Assert.Equal(0.02, lift.Absolute, 1e-12);
        Assert.Equal(Math.Sqrt(0.09 / 999 + 0.1056 / 999), lift.AbsoluteStdError, 1e-12);
        Assert.Equal(0.2, lift.Relative, 1e-12);
        // Delta method: √(v_t/m_c² + m_t²·v_c/m_c⁴) = √(0.0105706 + 0.0129730).
        Assert.Equal(Math.Sqrt(0.1056 / 999 / 0.01 + 0.0144 * 0.09 / 999 / 0.0001), lift.RelativeStdError, 1e-12);
        // Welch df = (v_t + v_c)² / (v_t²/999 + v_c²/999) = 1985.37; t quantile 1.961160 (scipy.stats.t.ppf).
        Assert.Equal(1985.37, lift.DegreesOfFreedom, 0.01);
        Assert.Equal(0.2 - 1.9611596 * lift.RelativeStdError, lift.RelativeLow, 1e-6);
        Assert.Equal(0.1925726, lift.PValue, 1e-6);
        Assert.Equal(0, lift.VarianceReduction);
    }

    [Fact]
    public void Compare_ControlMeanZero_RelativeIsNotANumber()
    {
        var lift = Compare(new ArmMoments(10, 0, 0, 0, 0, 0), new ArmMoments(10, 1, 1, 0, 0, 0));
        Assert.True(double.IsNaN(lift.PValue) || double.IsInfinity(lift.Relative));
        Assert.Equal(0.1, lift.Absolute, 1e-12);
    }

    [Fact]
    public void EstimateArms_Ratio_UsesDeltaMethodOfSums()
    {
        // y = revenue, x = sessions; ratio = Σy/Σx.
        double[] y = [10, 0, 30, 5], x = [2, 1, 3, 1];
        var m = ArmMoments.Of(y, x);
        var (c, _) = LiftEstimator.EstimateArms([(m, m)], MetricShape.Ratio, cuped: true);
        Assert.Equal(45.0 / 7, c.Mean, 1e-12);
        // Var y = 172.9167, Var x = 0.9167, Cov = 12.0833, x̄ = 1.75: (172.9167 − 2R·11.25 + R²·0.9167)/(4·1.75²).
        var r = 45.0 / 7;
        Assert.Equal((172.91666666666666 - 2 * r * 12.083333333333334 + r * r * 0.91666666666666663) / (4 * 1.75 * 1.75), c.Variance, 1e-9);
    }

    [Fact]
    public void EstimateArms_PostStratified_WeightsStrataByPooledShares()
    {
        // Stratum one: 300 units, means 1 and 2; stratum two: 100 units, means 5 and 5. Weights 0.75 and 0.25.
        var s1 = (Control: Arm(200, 1), Treatment: Arm(100, 2));
        var s2 = (Control: Arm(20, 5), Treatment: Arm(80, 5));
        var (c, t) = LiftEstimator.EstimateArms([s1, s2], MetricShape.Mean, cuped: false);
        Assert.Equal(0.75 * 1 + 0.25 * 5, c.Mean, 1e-9);
        Assert.Equal(0.75 * 2 + 0.25 * 5, t.Mean, 1e-9);
        // Unstratified, the imbalance in stratum two would inflate the variant: (100·2 + 80·5)/180 = 3.33.
        var (_, pooled) = LiftEstimator.EstimateArms([(s1.Control + s2.Control, s1.Treatment + s2.Treatment)], MetricShape.Mean, cuped: false);
        Assert.Equal(600.0 / 180, pooled.Mean, 1e-9);

        static ArmMoments Arm(int n, double mean)
        {
            // Values mean ± 1 alternating, so the variance is known.
            var m = default(ArmMoments);
            for (var i = 0; i < n; i++) m = m.Add(mean + (i % 2 == 0 ? 1 : -1));
            return m;
        }
    }

    [Fact]
    public void EstimateArms_CupedWithConstantCovariate_LeavesEstimateUnchanged()
    {
        var m = ArmMoments.Of([1, 2, 3, 4], [7, 7, 7, 7]);
        var (c, _) = LiftEstimator.EstimateArms([(m, m)], MetricShape.Mean, cuped: true);
        Assert.Equal(2.5, c.Mean, 1e-12);
        Assert.Equal(c.UnadjustedVariance, c.Variance, 1e-12);
    }

    [Fact]
    public void Compare_TenThousandAaTests_FalsePositiveRateWithinBinomialBand()
    {
        // No effect: 10,000 A/A tests of revenue-like means (N(10, 3²), 100 units per arm) and of conversions (p = 0.2, 500 per arm).
        var random = new Random(20261202);
        int meanPositives = 0, conversionPositives = 0;
        const int tests = 10_000;
        for (var i = 0; i < tests; i++)
        {
            if (Compare(NormalArm(random, 100, 10, 3), NormalArm(random, 100, 10, 3)).PValue < 0.05) meanPositives++;
            if (Compare(ConversionArm(random, 500, 0.2), ConversionArm(random, 500, 0.2)).PValue < 0.05) conversionPositives++;
        }
        TestContext.Current.TestOutputHelper?.WriteLine($"A/A false-positive rate: means {meanPositives / (double)tests:P2}, conversions {conversionPositives / (double)tests:P2}");
        // The binomial 99.9% band around 5% for 10,000 tests.
        Assert.InRange(meanPositives / (double)tests, 0.043, 0.057);
        Assert.InRange(conversionPositives / (double)tests, 0.043, 0.057);
    }

    [Fact]
    public void Compare_CupedAtRho07_RemovesRhoSquaredOfVarianceAndKeepsCoverage()
    {
        // y correlates ρ = 0.7 with its pre-period x; the variant adds 0.3 to a mean of 10 (sd 2), 1,000 units per arm.
        var random = new Random(7);
        const int datasets = 2000;
        double reduction = 0;
        int covered = 0, coveredPlain = 0;
        for (var i = 0; i < datasets; i++)
        {
            var control = NormalArm(random, 1000, 10, 2, rho: 0.7);
            var treatment = NormalArm(random, 1000, 10.3, 2, rho: 0.7);
            var adjusted = Compare(control, treatment, cuped: true);
            var plain = Compare(control, treatment);
            reduction += adjusted.VarianceReduction;
            if (adjusted.AbsoluteLow <= 0.3 && 0.3 <= adjusted.AbsoluteHigh) covered++;
            if (plain.AbsoluteLow <= 0.3 && 0.3 <= plain.AbsoluteHigh) coveredPlain++;
        }
        reduction /= datasets;
        TestContext.Current.TestOutputHelper?.WriteLine($"CUPED variance reduction {reduction:P1} (ρ² = 49%), coverage {covered / (double)datasets:P1}, unadjusted {coveredPlain / (double)datasets:P1}");
        Assert.InRange(reduction, 0.49 - 0.05, 0.49 + 0.05);
        Assert.InRange(covered / (double)datasets, 0.93, 0.97);
    }

    [Fact]
    public void Compare_SimulatedConversionTests_RelativeIntervalCoversTrueLift()
    {
        // The demo's experiment in miniature: base conversion 10%, the variant lifts it 15% (to 11.5%), 5,000 units per arm; 2,000 datasets.
        var random = new Random(15);
        const int datasets = 2000;
        var covered = 0;
        for (var i = 0; i < datasets; i++)
        {
            var lift = Compare(ConversionArm(random, 5000, 0.10), ConversionArm(random, 5000, 0.115));
            if (lift.RelativeLow <= 0.15 && 0.15 <= lift.RelativeHigh) covered++;
        }
        TestContext.Current.TestOutputHelper?.WriteLine($"coverage of the true 15% lift: {covered / (double)datasets:P1}");
        Assert.InRange(covered / (double)datasets, 0.93, 0.97);
    }
}
