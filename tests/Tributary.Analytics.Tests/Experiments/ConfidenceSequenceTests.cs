using Tributary.Analytics.Experiments;
using static Tributary.Analytics.Tests.Experiments.ExperimentSimulation;

namespace Tributary.Analytics.Tests.Experiments;

public sealed class ConfidenceSequenceTests
{
    [Fact]
    public void HalfWidth_HandCase_MatchesFormula()
    {
        // α = 0.05, N* = 5000: ρ² = (5.99146 + ln 6.99146)/5000 = 0.0015872. At N = 5000, se = 0.01: σ = 0.70711,
        // half-width = σ·√(2(Nρ² + 1)/(N²ρ²)·ln(√(Nρ² + 1)/α)) = 0.030352.
        Assert.Equal(0.0015872, ConfidenceSequence.Rho2(0.05, 5000), 1e-7);
        Assert.Equal(0.0303521, ConfidenceSequence.HalfWidth(0.01, 5000), 1e-5);
        // Wider than the fixed-horizon 1.96·se everywhere.
        Assert.True(ConfidenceSequence.HalfWidth(0.01, 5000) > 1.96 * 0.01);
    }

    [Fact]
    public void HalfWidth_PeekingEvery100Units_KeepsFalsePositivesAtMostAlpha()
    {
        // A/A tests read after every 100 units (50 per arm) up to 5,000 units: a false positive is any look that excludes 0.
        var random = new Random(100);
        const int tests = 2000;
        int sequential = 0, naive = 0;
        for (var i = 0; i < tests; i++)
        {
            ArmMoments c = default, t = default;
            bool sequentialHit = false, naiveHit = false;
            for (var look = 1; look <= 50; look++)
            {
                for (var k = 0; k < 50; k++) { c = c.Add(10 + 3 * Gaussian(random)); t = t.Add(10 + 3 * Gaussian(random)); }
                var lift = Compare(c, t);
                naiveHit |= lift.PValue < 0.05;
                sequentialHit |= Math.Abs(lift.Absolute) > ConfidenceSequence.HalfWidth(lift.AbsoluteStdError, c.N + t.N);
            }
            if (sequentialHit) sequential++;
            if (naiveHit) naive++;
        }
        TestContext.Current.TestOutputHelper?.WriteLine($"peeking 50 times: confidence sequence {sequential / (double)tests:P2}, naive fixed-horizon test {naive / (double)tests:P2}");
        Assert.True(sequential / (double)tests <= 0.05, $"sequential false-positive rate {sequential / (double)tests:P2}");
        // The peeking problem the sequence solves: the naive test's rate is several times α.
        Assert.True(naive / (double)tests > 0.15, $"naive false-positive rate {naive / (double)tests:P2}");
    }
}
