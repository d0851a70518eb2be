using Tributary.Analytics.Recommendations;

namespace Tributary.Analytics.Tests.Recommendations;

public sealed class ItemSimilarityTests
{
    [Fact]
    public void Compute_ThreeUsers_ShrunkCosineAndMinimumSupportByHand()
    {
        // u0 {A, B}, u1 {A, B}, u2 {A, C}: cos(A, B) = 2/(√3·√2), shared by 2 users, shrunk by 2/(2 + 1);
        // A and C share one user, under min_support 2.
        var r = InteractionMatrix.FromTriplets(3, 3, [0, 0, 1, 1, 2, 2], [0, 1, 0, 1, 0, 2], [1, 1, 1, 1, 1, 1]);
        var n = ItemSimilarity.Compute(r, new ItemSimilarityOptions(Neighbours: 5, Shrinkage: 1, MinSupport: 2), TestContext.Current.CancellationToken);
        var expected = 2 / (Math.Sqrt(3) * Math.Sqrt(2)) * 2 / 3.0;
        Assert.Equal([1], n.Neighbour[n.Start[0]..n.Start[1]]);
        Assert.Equal(expected, n.Score[n.Start[0]], 12);
        Assert.Equal(2, n.Support[n.Start[0]]);
        Assert.Equal([0], n.Neighbour[n.Start[1]..n.Start[2]]);
        Assert.Empty(n.Neighbour[n.Start[2]..n.Start[3]]);
    }

    [Fact]
    public void Compute_TopK_KeepsTheMostSimilarBestFirst()
    {
        // Item 0 shares 3 users with item 1, 2 with item 2, 1 with item 3.
        var r = InteractionMatrix.FromTriplets(3, 4, [0, 0, 0, 0, 1, 1, 1, 2, 2], [0, 1, 2, 3, 0, 1, 2, 0, 1], Enumerable.Repeat(1.0, 9).ToArray());
        var n = ItemSimilarity.Compute(r, new ItemSimilarityOptions(Neighbours: 2, Shrinkage: 0, MinSupport: 1), TestContext.Current.CancellationToken);
        Assert.Equal([1, 2], n.Neighbour[n.Start[0]..n.Start[1]]);
    }

    [Fact]
    public void Score_SumsWeightedSimilaritiesAndNamesTheStrongestReason()
    {
        var neighbours = new ItemNeighbours([0, 2, 3, 3], [1, 2, 2], [0.5, 0.1, 0.4], [2, 2, 2]);
        var scores = new double[3];
        var because = new int[3];
        ItemSimilarity.Score(neighbours, [0, 1], [1, 2], scores, because);
        Assert.Equal(0.5, scores[1], 12);
        Assert.Equal(0.1 + 0.8, scores[2], 12);
        Assert.Equal(1, because[2]);
        Assert.Equal(-1, because[0]);
    }
}
