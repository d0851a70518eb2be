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
    }

    [Fact]
    public void ObservedUplift_SmallArms_IntervalIsCentredAtTheAdjustedDifference()
    {
        // 3 of 3 treated, 0 of 3 control: raw 1.0; p̃ = 4/5 and 1/5, centre 0.6, se = √(2·0.16/5) = 0.25298…
        var o = ObservedUplift.Of(3, 3, 3, 0);
        Assert.Equal(1.0, o.Uplift, 12);
        Assert.Equal(0.6, o.Centre, 12);
        Assert.Equal(0.2529822128, o.StandardError, 9);
        Assert.Equal(0.1041548629, o.Low(), 9);
        Assert.Equal(1.0958451371, o.High(), 9);
        // 5 of 10 and 2 of 10: centre 6/12 − 3/12 = 0.25, not the raw 0.3.
        var p = ObservedUplift.Of(10, 5, 10, 2);
        Assert.Equal(0.25 - 1.96 * Math.Sqrt(0.4375 / 12), p.Low(), 12);
        Assert.Equal(0.25 + 1.96 * Math.Sqrt(0.4375 / 12), p.High(), 12);
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
    public void Fit_FourCustomersTwoBins_MeasuresEachBinAndAssignsByRank()
    {
        // By descending score: T converted, C not | T not, C converted.
        var c = UpliftCalibration.Fit([0.9, 0.7, 0.5, 0.1], [true, false, true, false], [true, false, false, true], bins: 2);
        Assert.Equal([1.0, -1.0], c.Bins.Select(b => b.Uplift));
        Assert.Equal([2, 1, 1, 2], c.Assign([0.3, 5, 0.8, -5]));
        Assert.Throws<ArgumentException>(() => UpliftCalibration.Fit([0.1], [true], [true], bins: 2));
    }

    [Fact]
    public void Assign_ScoresDriftedAboveEveryHoldoutScore_SpreadsByRankNotIntoTheTopBin()
    {
        // The holdout was scored in [0, 1); now every score is 10 higher. Score levels would put everyone in bin 1.
        var holdout = Enumerable.Range(0, 100).Select(i => i / 100.0).ToArray();
        var flags = holdout.Select((_, i) => i % 2 == 0).ToArray();
        var c = UpliftCalibration.Fit(holdout, flags, flags, bins: 5);
        var bins = c.Assign(holdout.Select(s => s + 10).ToArray());
        Assert.Equal([20, 20, 20, 20, 20], Enumerable.Range(1, 5).Select(b => bins.Count(x => x == b)));
        Assert.Equal(5, bins[0]);
        Assert.Equal(1, bins[99]);
    }

    [Fact]
    public void FitAndAssign_TiedScores_KeepEachTieGroupInOneBin()
    {
        // A constant score carries no ranking: one bin, the whole holdout, whatever the input order.
        var treated = new[] { true, false, true, false, true, false };
        var converted = new[] { true, false, false, false, false, true };
        var constant = UpliftCalibration.Fit([0.2, 0.2, 0.2, 0.2, 0.2, 0.2], treated, converted, bins: 3);
        Assert.Single(constant.Bins);
        Assert.Equal(ObservedUplift.Of(3, 1, 3, 1), constant.Bins[0]);
        Assert.All(constant.Assign([7.0, 7.0, 7.0]), b => Assert.Equal(1, b));
        // Four tied at the top of six: the cut at 3 moves to 4, the tie group's end.
        var tied = UpliftCalibration.Fit([0.9, 0.9, 0.9, 0.9, 0.1, 0.0], treated, converted, bins: 2);
        Assert.Equal([ObservedUplift.Of(2, 1, 2, 0), ObservedUplift.Of(1, 0, 1, 1)], tied.Bins);
        // Five tied of six now: their middle share 0.5 is under the holdout's 4/6, so all five share bin 1.
        Assert.Equal([1, 1, 1, 1, 1, 2], tied.Assign([3.0, 3.0, 3.0, 3.0, 3.0, 1.0]));
    }

    // 200 holdout customers scored 0 to 199, alternately treated: the top 100 unmoved (20 of 50 convert in each arm), the
    // bottom 100 harmed on average (5 of 50 treated against 30 of 50 control).
    private static UpliftCalibration HarmedBottomHalf()
    {
        var scores = Enumerable.Range(0, 200).Select(i => (double)i).ToArray();
        var treated = scores.Select((_, i) => i % 2 == 0).ToArray();
        var converted = scores.Select((_, i) => i < 100 ? (treated[i] ? i / 2 < 5 : i / 2 < 30) : i / 2 % 50 < 20).ToArray();
        return UpliftCalibration.Fit(scores, treated, converted, bins: 2);
    }

    [Fact]
    public void ConfirmedHarm_ConfidentlyNegativeBin_MarksOnlyAsManyOfItsLowestAsItsIntervalProvesHarmed()
    {
        var calibration = HarmedBottomHalf();
        // p̃ = 6/52 and 31/52: centre −0.4808, se 0.0812, upper end −0.3216; 20 customers now in that bin hold at least 6.43 harmed.
        Assert.Equal(-0.3216, calibration.Bins[1].High(), 4);
        Assert.True(calibration.Bins[0].High() > 0);
        var now = Enumerable.Range(0, 40).Select(i => i + 0.5).ToArray();

        var harmed = calibration.ConfirmedHarm(now);

        Assert.Equal(Enumerable.Range(0, 40).Select(i => i < 6).ToArray(), harmed);
    }

    [Fact]
    public void ConfirmedHarm_TieAcrossTheBound_IsLeftOutWhole()
    {
        var now = Enumerable.Range(0, 40).Select(i => i == 6 ? 5.0 : i).ToArray(); // the 6th and 7th lowest tie

        var harmed = HarmedBottomHalf().ConfirmedHarm(now);

        Assert.Equal(Enumerable.Range(0, 40).Select(i => i < 5).ToArray(), harmed);
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
