using Tributary.Analytics.Uplift;

namespace Tributary.Analytics.Tests.Uplift;

public sealed class UpliftMetricsTests
{
    // Four customers by descending score: T converted, C not, T not, C converted.
    private static readonly double[] Scores = [0.9, 0.7, 0.5, 0.1];
    private static readonly bool[] Treated = [true, false, true, false];
    private static readonly bool[] Converted = [true, false, false, true];

    [Fact]
    public void Curve_FourCustomers_MatchesHandCountedQini()
    {
        // k=1: Y_T=1, no control -> Q=1. k=2: 1 − 0·1/1 = 1. k=3: 1 − 0·2/1 = 1. k=4: 1 − 1·2/2 = 0.
        var curve = UpliftMetrics.Curve(Scores, Treated, Converted, points: 4);
        Assert.Equal([0, 1, 1, 1, 0], curve.Select(p => p.Qini));
        // Uplift curve: k=2: (1/1 − 0/1)·2 = 2; k=3: (1/2 − 0)·3 = 1.5; k=4: (1/2 − 1/2)·4 = 0.
        Assert.Equal([0, 1, 2, 1.5, 0], curve.Select(p => p.Uplift));
        Assert.Equal([0, 0.25, 0.5, 0.75, 1], curve.Select(p => p.Fraction));
    }

    [Fact]
    public void QiniCoefficientAndAuuc_FourCustomers_AreTheMeanAreas()
    {
        // Q(N) = 0, so the random line is flat: (1 + 1 + 1 + 0) / 4 / 4.
        Assert.Equal(3.0 / 16, UpliftMetrics.QiniCoefficient(Scores, Treated, Converted), 12);
        Assert.Equal((1 + 2 + 1.5 + 0) / 16, UpliftMetrics.Auuc(Scores, Treated, Converted), 12);
        // The reverse ordering is worse than random.
        Assert.True(UpliftMetrics.QiniCoefficient(Scores.Select(s => -s).ToArray(), Treated, Converted) < 0);
    }

    [Fact]
    public void ByBin_TwoBins_SplitsHighestFirstWithObservedRates()
    {
        var bins = UpliftMetrics.ByBin(Scores, Treated, Converted, bins: 2);
        Assert.Equal(new UpliftBin(1, 2, 1, 1, 1, 0, 1, 0.8), bins[0]);
        Assert.Equal(2, bins[1].Customers);
        Assert.Equal(-1, bins[1].ObservedUplift);
        Assert.Equal(0.3, bins[1].PredictedUplift, 12);
    }

    [Fact]
    public void QiniPermutationPValue_ConstantScoreWithConvertersFirst_DoesNotBeatRandom()
    {
        // Treated converters first in the input: breaking ties by input order would make a constant score look like a strong ranking.
        var n = 400;
        var treated = Enumerable.Range(0, n).Select(i => i % 2 == 0).ToArray();
        var converted = Enumerable.Range(0, n).Select(i => treated[i] ? i < n / 2 : i >= n / 2).ToArray();
        var constant = new double[n];
        Assert.Equal(0, UpliftMetrics.QiniCoefficient(constant, treated, converted), 12);
        Assert.InRange(UpliftMetrics.QiniPermutationPValue(constant, treated, converted, new Random(5)), 0.2, 1);
    }

    [Fact]
    public void QiniCoefficient_TiedScores_DoesNotDependOnInputOrder()
    {
        var random = new Random(6);
        var n = 300;
        var scores = Enumerable.Range(0, n).Select(_ => (double)random.Next(4)).ToArray();
        var treated = Enumerable.Range(0, n).Select(_ => random.NextDouble() < 0.5).ToArray();
        var converted = Enumerable.Range(0, n).Select(i => random.NextDouble() < 0.2 + (treated[i] ? 0.05 * scores[i] : 0)).ToArray();
        var shuffle = Enumerable.Range(0, n).OrderBy(_ => random.Next()).ToArray();
        Assert.Equal(UpliftMetrics.QiniCoefficient(scores, treated, converted),
            UpliftMetrics.QiniCoefficient(shuffle.Select(i => scores[i]).ToArray(), shuffle.Select(i => treated[i]).ToArray(), shuffle.Select(i => converted[i]).ToArray()), 12);
        Assert.Equal(UpliftMetrics.Auuc(scores, treated, converted),
            UpliftMetrics.Auuc(shuffle.Select(i => scores[i]).ToArray(), shuffle.Select(i => treated[i]).ToArray(), shuffle.Select(i => converted[i]).ToArray()), 12);
    }
}
