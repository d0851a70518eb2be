using Tributary.Analytics.Experiments;
using static Tributary.Analytics.Tests.Experiments.ExperimentSimulation;

namespace Tributary.Analytics.Tests.Experiments;

/// <summary>CUPED for ratio metrics (delta-method linearization) and regression adjustment on a second covariate.</summary>
public sealed class RegressionAdjustmentTests
{
    [Fact]
    public void EstimateArms_RatioWithOneSessionPerUnit_IsCupedOnTheNumerator()
    {
        // Every unit has one session (x = w = 1), so the ratio is the mean of y and its linearization y − ȳ; z = pre-period numerator.
        // Both arms: z = 1, 2, 3, 4 (Σ(z − z̄)² = 5 each). Control y = 1, 3, 2, 6: Σ(z − z̄)(y − ȳ) = 3 + 0 − 0.5 + 4.5 = 7;
        // the variant's y is control's + 2, so 7 again: θ = 14/10 = 1.4. y − 1.4z: −0.4, 0.2, −2.2, 0.4 (Σ of squared
        // deviations 4.2), so the adjusted variance of the mean is 4.2/3/4 = 0.35 against 14/3/4 = 7/6 unadjusted.
        double[] ones = [1, 1, 1, 1], z = [1, 2, 3, 4];
        var control = ArmMoments.Of([1, 3, 2, 6], ones, z, ones);
        var treatment = ArmMoments.Of([3, 5, 4, 8], ones, z, ones);

        var (c, t) = LiftEstimator.EstimateArms([(control, treatment)], MetricShape.Ratio, cuped: true);

        Assert.Equal(3, c.Mean, 1e-12);
        Assert.Equal(5, t.Mean, 1e-12);
        Assert.Equal(0.35, c.Variance, 1e-12);
        Assert.Equal(7.0 / 6, c.UnadjustedVariance, 1e-12);
        Assert.Equal(0.7, LiftEstimator.Compare(c, t).VarianceReduction, 1e-12);
        // Without CUPED the ratio is the plain delta method.
        var (plain, _) = LiftEstimator.EstimateArms([(control, treatment)], MetricShape.Ratio, cuped: false);
        Assert.Equal(7.0 / 6, plain.Variance, 1e-12);
    }

    [Fact]
    public void EstimateArms_OutcomeExactlyTwoCovariates_RemovesAllVariance()
    {
        // y = x + 2z exactly: θ = (1, 2) and the adjusted values are constant; the variant adds 1.
        double[] x = [1, 4, 2, 7, 3], z = [2, 1, 5, 3, 0];
        var y = x.Zip(z, (a, b) => a + 2 * b).ToArray();
        var control = ArmMoments.Of(y, x, z, []);
        var treatment = ArmMoments.Of(y.Select(v => v + 1).ToArray(), x, z, []);

        var (c, t) = LiftEstimator.EstimateArms([(control, treatment)], MetricShape.Mean, cuped: true);

        Assert.Equal(1, t.Mean - c.Mean, 1e-12);
        Assert.Equal(0, c.Variance, 1e-12);
        Assert.Equal(1, LiftEstimator.Compare(c, t).VarianceReduction, 1e-12);
        // With only x (z left out), x alone cannot explain y: some variance stays.
        var (onlyX, _) = LiftEstimator.EstimateArms([(control with { Covariates = default }, treatment with { Covariates = default })], MetricShape.Mean, cuped: true);
        Assert.True(onlyX.Variance > 0.1);
    }

    [Fact]
    public void EstimateArms_SecondCovariateRepeatsTheFirst_FallsBackToOneCovariate()
    {
        double[] y = [3, 1, 4, 1, 5, 9, 2, 6], x = [2, 1, 3, 1, 4, 6, 2, 5];
        var control = ArmMoments.Of(y, x, x.Select(v => 3 * v).ToArray(), []);
        var treatment = ArmMoments.Of(y.Select(v => v + 1).ToArray(), x, x.Select(v => 3 * v).ToArray(), []);
        var (c, t) = LiftEstimator.EstimateArms([(control, treatment)], MetricShape.Mean, cuped: true);
        var (c1, t1) = LiftEstimator.EstimateArms([(ArmMoments.Of(y, x), ArmMoments.Of(y.Select(v => v + 1).ToArray(), x))], MetricShape.Mean, cuped: true);
        Assert.Equal(c1.Mean, c.Mean, 1e-12);
        Assert.Equal(t1.Variance, t.Variance, 1e-12);
    }

    [Fact]
    public void EstimateArms_RatioCuped_MatchesRegressionOfTheLinearizedUnits()
    {
        // An independent per-unit computation: linearize each arm's units l = (y − R·x)/x̄, regress l on (z, w) with
        // within-arm centring pooled over both arms, and adjust each arm's ratio by θ·(arm covariate means − pooled means).
        var random = new Random(11);
        var arms = new[] { Units(random, 60, 5.0), Units(random, 70, 5.5) };
        var (c, t) = LiftEstimator.EstimateArms([(Moments(arms[0]), Moments(arms[1]))], MetricShape.Ratio, cuped: true);

        var linearized = arms.Select(a =>
        {
            var ratio = a.Sum(u => u.Y) / a.Sum(u => u.X);
            var meanX = a.Average(u => u.X);
            return a.Select(u => (L: (u.Y - ratio * u.X) / meanX, u.Z, u.W)).ToArray();
        }).ToArray();
        double szz = 0, sww = 0, szw = 0, slz = 0, slw = 0;
        foreach (var a in linearized)
        {
            double lz = a.Average(u => u.Z), lw = a.Average(u => u.W), ll = a.Average(u => u.L);
            foreach (var u in a)
            {
                szz += (u.Z - lz) * (u.Z - lz); sww += (u.W - lw) * (u.W - lw); szw += (u.Z - lz) * (u.W - lw);
                slz += (u.L - ll) * (u.Z - lz); slw += (u.L - ll) * (u.W - lw);
            }
        }
        var det = szz * sww - szw * szw;
        var (thetaZ, thetaW) = ((sww * slz - szw * slw) / det, (szz * slw - szw * slz) / det);
        var all = arms.SelectMany(a => a).ToArray();
        for (var k = 0; k < 2; k++)
        {
            var a = arms[k];
            var residuals = linearized[k].Select(u => u.L - thetaZ * u.Z - thetaW * u.W).ToArray();
            var mean = residuals.Average();
            var variance = residuals.Sum(r => (r - mean) * (r - mean)) / (a.Length - 1) / a.Length;
            var adjusted = a.Sum(u => u.Y) / a.Sum(u => u.X) - thetaZ * (a.Average(u => u.Z) - all.Average(u => u.Z)) - thetaW * (a.Average(u => u.W) - all.Average(u => u.W));
            var estimate = k == 0 ? c : t;
            Assert.Equal(adjusted, estimate.Mean, 1e-9);
            Assert.Equal(variance, estimate.Variance, 1e-12);
        }

        static (double Y, double X, double Z, double W)[] Units(Random random, int n, double ratio) => Enumerable.Range(0, n).Select(_ =>
        {
            double x = 1 + random.Next(5), w = 1 + random.Next(5), u = Gaussian(random);
            return (ratio * x + 2 * (0.7 * u + 0.7 * Gaussian(random)), x, 4 * w + 2 * u, w);
        }).ToArray();

        static ArmMoments Moments((double Y, double X, double Z, double W)[] units) =>
            ArmMoments.Of(units.Select(u => u.Y).ToArray(), units.Select(u => u.X).ToArray(), units.Select(u => u.Z).ToArray(), units.Select(u => u.W).ToArray());
    }

    [Fact]
    public void Compare_RatioCupedAtRho07_RemovesRhoSquaredOfVarianceAndKeepsCoverage()
    {
        // Revenue per session: a unit has 1–5 sessions x (pre-period w, independent); revenue y = R·x + 5e, pre-period revenue
        // z = 8·w + 5u, e = 0.7u + √0.51·v, so the linearized metric correlates ρ = 0.7 with the pre-period one. R = 10 in
        // control and 10.3 (+3%) in the variant; 1,000 units per arm, 2,000 datasets.
        var random = new Random(21);
        const int datasets = 2000;
        double reduction = 0;
        var covered = 0;
        for (var i = 0; i < datasets; i++)
        {
            var control = RatioArm(random, 1000, 10);
            var treatment = RatioArm(random, 1000, 10.3);
            var (c, t) = LiftEstimator.EstimateArms([(control, treatment)], MetricShape.Ratio, cuped: true);
            var lift = LiftEstimator.Compare(c, t);
            reduction += lift.VarianceReduction;
            if (lift.RelativeLow <= 0.03 && 0.03 <= lift.RelativeHigh) covered++;
        }
        reduction /= datasets;
        TestContext.Current.TestOutputHelper?.WriteLine($"ratio CUPED variance reduction {reduction:P1} (ρ² = 49%), coverage {covered / (double)datasets:P1}");
        Assert.InRange(reduction, 0.49 - 0.05, 0.49 + 0.05);
        Assert.InRange(covered / (double)datasets, 0.93, 0.97);

        static ArmMoments RatioArm(Random random, int n, double ratio)
        {
            var m = default(ArmMoments);
            for (var i = 0; i < n; i++)
            {
                double x = 1 + random.Next(5), w = 1 + random.Next(5), u = Gaussian(random);
                m = m.Add(ratio * x + 5 * (0.7 * u + Math.Sqrt(0.51) * Gaussian(random)), x, 8 * w + 5 * u, w);
            }
            return m;
        }
    }

    [Fact]
    public void Compare_TwoCovariates_RemoveTheirJointRSquaredAndKeepCoverage()
    {
        // y = 10 + 2(0.5a + 0.5b + √0.5·e) with a the metric's own pre-period value (x) and b a second covariate (z), all
        // independent N(0, 1): x alone explains R² = 0.25, x and z together 0.5. The variant adds 0.2; 1,000 units per arm.
        var random = new Random(33);
        const int datasets = 2000;
        double both = 0, one = 0;
        var covered = 0;
        for (var i = 0; i < datasets; i++)
        {
            var control = Arm(random, 1000, 10);
            var treatment = Arm(random, 1000, 10.2);
            var lift = Compare(control, treatment, cuped: true);
            both += lift.VarianceReduction;
            one += Compare(control with { Covariates = default }, treatment with { Covariates = default }, cuped: true).VarianceReduction;
            if (lift.AbsoluteLow <= 0.2 && 0.2 <= lift.AbsoluteHigh) covered++;
        }
        TestContext.Current.TestOutputHelper?.WriteLine($"variance reduction: x and z {both / datasets:P1} (R² = 50%), x alone {one / datasets:P1} (25%); coverage {covered / (double)datasets:P1}");
        Assert.InRange(both / datasets, 0.45, 0.55);
        Assert.InRange(one / datasets, 0.20, 0.30);
        Assert.InRange(covered / (double)datasets, 0.93, 0.97);

        static ArmMoments Arm(Random random, int n, double mean)
        {
            var m = default(ArmMoments);
            for (var i = 0; i < n; i++)
            {
                double a = Gaussian(random), b = Gaussian(random);
                m = m.Add(mean + 2 * (0.5 * a + 0.5 * b + Math.Sqrt(0.5) * Gaussian(random)), a, b, 0);
            }
            return m;
        }
    }
}
