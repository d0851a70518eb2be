using Tributary.Core.Memory;

namespace Tributary.Core.Tests.Memory;

public sealed class CachePrefetchTests
{
    // A prefetch is a hint: an index at, past or before the array's ends (the copy asks for runs ahead of the one it
    // copies, up to the end) is ignored rather than read, and the array is unchanged.
    [Fact]
    public void Read_AnyIndex_NeverThrowsNorChangesTheArray()
    {
        int[] values = [3, 1, 4, 1, 5];
        foreach (var index in new[] { 0, 4, 5, 6, -1, int.MaxValue, int.MinValue })
            CachePrefetch.Read(values, index);
        CachePrefetch.Read(Array.Empty<double>(), 0);
        Assert.Equal([3, 1, 4, 1, 5], values);
    }
}
