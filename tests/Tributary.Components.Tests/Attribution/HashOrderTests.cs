using Tributary.Components.Attribution;

namespace Tributary.Components.Tests.Attribution;

public sealed class HashOrderTests
{
    // Hashes spread over the whole range, crowded in one place (a bucket of hundreds, past the insertion sort's reach),
    // repeated, at both extremes of 64 bits, and followed by entries beyond the count, which are not read.
    [Fact]
    public void Sort_SpreadCrowdedRepeatedAndExtremeHashes_AscendingWithTheirPositions()
    {
        var random = new Random(34);
        var hashes = Enumerable.Range(0, 5000).Select(_ => random.NextInt64(long.MinValue, long.MaxValue))
            .Concat(Enumerable.Range(0, 700).Select(i => 1_000_000L + i % 350))
            .Concat([long.MinValue, long.MaxValue, 0, -1, long.MinValue])
            .OrderBy(_ => random.Next()).ToList();
        var count = hashes.Count;
        var input = hashes.Concat([42L, 42L]).ToArray();

        var (sorted, positions) = HashOrder.Sort(input, count);

        Assert.Equal(hashes.Order(), sorted);
        Assert.Equal(Enumerable.Range(0, count), positions.Order());
        Assert.All(Enumerable.Range(0, count), i => Assert.Equal(input[positions[i]], sorted[i]));
    }

    // Two or three hashes spanning all 64 bits: one bucket's worth, whose shift would be 64, which C# takes as 0.
    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void Sort_FewHashesSpanningAll64Bits_AscendingWithTheirPositions(int count)
    {
        long[] hashes = [long.MaxValue, long.MinValue, 0];

        var (sorted, positions) = HashOrder.Sort(hashes, count);

        Assert.Equal(hashes.Take(count).Order(), sorted);
        Assert.Equal(count == 2 ? [1, 0] : [1, 2, 0], positions);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void Sort_FewHashes_AscendingWithTheirPositions(int count)
    {
        long[] hashes = [9, -3];

        var (sorted, positions) = HashOrder.Sort(hashes, count);

        Assert.Equal(hashes.Take(count).Order(), sorted);
        Assert.Equal(count == 2 ? [1, 0] : Enumerable.Range(0, count).ToArray(), positions);
    }
}
