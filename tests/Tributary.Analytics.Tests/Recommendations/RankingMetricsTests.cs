using Tributary.Analytics.Recommendations;

namespace Tributary.Analytics.Tests.Recommendations;

public sealed class RankingMetricsTests
{
    private static readonly HashSet<int> Relevant = [2, 4];

    [Fact]
    public void Metrics_HitsAtRanksTwoAndFour_ByHand()
    {
        int[] ranked = [1, 2, 3, 4];
        Assert.Equal(0.5, RankingMetrics.Precision(ranked, Relevant, 4), 12);
        Assert.Equal(1.0, RankingMetrics.Recall(ranked, Relevant, 4), 12);
        Assert.Equal((1 / 2.0 + 2 / 4.0) / 2, RankingMetrics.AveragePrecision(ranked, Relevant, 4), 12);
        Assert.Equal((1 / Math.Log2(3) + 1 / Math.Log2(5)) / (1 + 1 / Math.Log2(3)), RankingMetrics.Ndcg(ranked, Relevant, 4), 12);
        Assert.Equal(0.0, RankingMetrics.Ndcg(ranked, Relevant, 1), 12);
    }

    [Fact]
    public void Metrics_NoRelevantItems_AreZero()
    {
        Assert.Equal(0, RankingMetrics.Ndcg([1], new HashSet<int>(), 10));
        Assert.Equal(0, RankingMetrics.Recall([1], new HashSet<int>(), 10));
        Assert.Equal(0, RankingMetrics.Evaluate([[1]], [new HashSet<int>()], 10, [0.5, 0.5]).Users);
    }

    [Fact]
    public void Evaluate_TwoUsers_AveragesAndCountsCoverageAndNovelty()
    {
        var scores = RankingMetrics.Evaluate([[0, 1], [0, 2]], [new HashSet<int> { 1 }, new HashSet<int> { 3 }], 2, [0.5, 0.25, 0.25, 0.125]);
        Assert.Equal(2, scores.Users);
        Assert.Equal(0.25, scores.Precision, 12);
        Assert.Equal(0.5, scores.HitRate, 12);
        Assert.Equal(0.75, scores.Coverage, 12);
        Assert.Equal((1 + 2 + 1 + 2) / 4.0, scores.Novelty, 12);
        Assert.Equal(1 / Math.Log2(3) / 2, scores.Ndcg, 12);
    }
}
