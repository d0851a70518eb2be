using Tributary.Analytics.Uplift;

namespace Tributary.Analytics.Tests.Uplift;

public sealed class UpliftCalibrationTests
{
    [Fact]
    public void ObservedUplift_HandCountedArms_IsTheRateDifferenceWithAgrestiCaffoError()
    {
        // 5 of 10 treated and 2 of 10 control: 0.5 − 0.2; p̃ = 6/12 and 3/12, Var = 0.25/12 + 0.1875/12.
        var o = ObservedUplift.Of(10, 5, 10, 2);
        Assert.Equal(0.3, o.Uplift, 12);
        Assert.Equal(Math.Sqrt(0.4375 / 12), o.StandardError, 12);
        Assert.Equal(0.3 - 1.96 * o.StandardError, o.Low(), 12);
    }

    [Fact]
    public void ObservedUplift_EmptyArmOrNoConversions_IsNaNOrStillHasAWidth()
    {
        Assert.True(double.IsNaN(ObservedUplift.Of(10, 5, 0, 0).Uplift));
        var none = ObservedUplift.Of(10, 0, 10, 0);
        Assert.Equal(0, none.Uplift);
        Assert.True(none.StandardError > 0.1);
    }

    [Fact]
    public void Fit_FourCustomersTwoBins_MeasuresEachBinAndPlacesNewScores()
    {
        // By descending score: T converted, C not | T not, C converted.
        var c = UpliftCalibration.Fit([0.9, 0.7, 0.5, 0.1], [true, false, true, false], [true, false, false, true], bins: 2);
        Assert.Equal([1.0, -1.0], c.Bins.Select(b => b.Uplift));
        Assert.Equal(1, c.BinOf(0.7));
        Assert.Equal(1, c.BinOf(5));
        Assert.Equal(2, c.BinOf(0.69));
        Assert.Equal(2, c.BinOf(-5));
        Assert.Throws<ArgumentException>(() => UpliftCalibration.Fit([0.1], [true], [true], bins: 2));
    }

    [Fact]
    public void Evidence_ScoreThatIsNoise_GivesIntervalsThatHoldTheAverageEffect()
    {
        // Every customer's true effect is +0.1; a score of pure noise must not make its top bin look better than that.
        var random = new Random(3);
        var n = 2000;
        var scores = Enumerable.Range(0, n).Select(_ => random.NextDouble()).ToArray();
        var treated = Enumerable.Range(0, n).Select(_ => random.NextDouble() < 0.5).ToArray();
        var converted = treated.Select(t => random.NextDouble() < 0.2 + (t ? 0.1 : 0)).ToArray();
        var c = UpliftCalibration.Fit(scores, treated, converted, bins: 5);
        Assert.All(c.Bins, b => Assert.InRange(0.1, b.Low(), b.High()));
    }

    [Fact]
    public void QiniPermutationPValue_TrueEffectAgainstNoise_IsSmallForTheTruthOnly()
    {
        // Effect +0.3 for the top tenth of x, 0 elsewhere.
        var random = new Random(4);
        var n = 3000;
        var x = Enumerable.Range(0, n).Select(_ => random.NextDouble()).ToArray();
        var treated = Enumerable.Range(0, n).Select(_ => random.NextDouble() < 0.5).ToArray();
        var converted = Enumerable.Range(0, n).Select(i => random.NextDouble() < 0.2 + (treated[i] && x[i] > 0.9 ? 0.3 : 0)).ToArray();
        Assert.InRange(UpliftMetrics.QiniPermutationPValue(x, treated, converted, new Random(5)), 0, 0.01);
        // Orderings of pure noise: p-values spread over (0, 1], seldom below 0.05.
        var noise = Enumerable.Range(0, 20).Select(_ => UpliftMetrics.QiniPermutationPValue(
            Enumerable.Range(0, n).Select(_ => random.NextDouble()).ToArray(), treated, converted, new Random(5))).ToList();
        Assert.InRange(noise.Average(), 0.3, 0.7);
        Assert.InRange(noise.Count(v => v < 0.05), 0, 3);
        Assert.True(double.IsNaN(UpliftMetrics.QiniPermutationPValue([], [], [], new Random(5))));
    }
}
