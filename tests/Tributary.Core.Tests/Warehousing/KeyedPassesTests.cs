using Tributary.Core.Warehousing;

namespace Tributary.Core.Tests.Warehousing;

/// <summary>How many passes a keyed build takes: enough for a pass's working set to fit the memory limit, at most <see cref="KeyedPasses.MaxPasses"/>.</summary>
public sealed class KeyedPassesTests
{
    [Theory]
    // The sessions statement's 300 bytes an event against DuckDB's 1GB: 25k demo customers (2.73M events) in one pass,
    // 50k (5.48M) in two, 100k (10.97M) in four.
    [InlineData(2_754_114L, 300L, 1_000_000_000L, 1)]
    [InlineData(5_478_993L, 300L, 1_000_000_000L, 2)]
    [InlineData(10_973_747L, 300L, 1_000_000_000L, 4)]
    // A smaller limit takes more passes for the same rows.
    [InlineData(10_973_747L, 300L, 400_000_000L, 9)]
    [InlineData(0L, 300L, 1_000_000_000L, 1)]
    // Past the cap, passes stop growing (each rescans the input).
    [InlineData(1_000_000_000L, 300L, 64_000_000L, KeyedPasses.MaxPasses)]
    public void ForRows_GrowsWithTheRowsAndShrinksWithTheMemory(long rows, long bytesPerRow, long memory, int expected) =>
        Assert.Equal(expected, KeyedPasses.ForRows(rows, bytesPerRow, memory).Count);

    [Fact]
    public void ForRows_NoMemoryLimit_IsOnePass() => Assert.Equal(1, KeyedPasses.ForRows(10_000_000_000L, 300, null).Count);

    [Fact]
    public void Of_OutOfRange_IsRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => KeyedPasses.Of(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => KeyedPasses.Of(KeyedPasses.MaxPasses + 1));
    }
}
