using Tributary.Analytics.Recommendations;

namespace Tributary.Analytics.Tests.Recommendations;

public sealed class InteractionMatrixTests
{
    [Fact]
    public void FromTriplets_RepeatedPairs_AreSummedAndRowsSorted()
    {
        var m = InteractionMatrix.FromTriplets(2, 3, [1, 0, 1, 1], [2, 1, 0, 2], [1, 4, 2, 3]);
        Assert.Equal([0, 1, 3], m.RowStart);
        Assert.Equal([1, 0, 2], m.Columns);
        Assert.Equal([4.0, 2, 4], m.Values);
    }

    [Fact]
    public void FromTriplets_OutOfRange_SaysWhich()
    {
        var e = Assert.Throws<ArgumentException>(() => InteractionMatrix.FromTriplets(1, 1, [0], [3], [1]));
        Assert.Equal("entry 0: (0, 3) is outside 1 × 1.", e.Message);
    }

    [Fact]
    public void Transpose_SwapsRowsAndColumns()
    {
        var t = InteractionMatrix.FromTriplets(2, 3, [0, 1, 1], [2, 0, 2], [1, 2, 3]).Transpose();
        Assert.Equal(3, t.Users);
        Assert.Equal([0, 1, 1, 3], t.RowStart);
        Assert.Equal([1, 0, 1], t.Columns);
        Assert.Equal([2.0, 1, 3], t.Values);
    }

    [Fact]
    public void TopIndexes_Ties_GoToTheSmallerIndex()
    {
        Assert.Equal([1, 2, 0], TopN.Indexes([1, 3, 3, 0], 3));
        Assert.Equal([2, 0], TopN.Indexes([1, 3, 3, 0], 2, i => i == 1));
    }
}
