using Tributary.Components.Attribution;

namespace Tributary.Components.Tests.Attribution;

public sealed class PathsByHashTests
{
    [Fact]
    public void TryGet_EveryAddedHash_FindsItsPath_AndNoOther()
    {
        // Hashes that share their low bits and their top bits (the halves a slot keeps), so the probing runs past taken slots
        // and past slots whose top half matches another hash's.
        var hashes = Enumerable.Range(0, 5000).Select(i => (long)i << 40 | 0x5A5A).Concat(Enumerable.Range(0, 5000).Select(i => (long)i)).ToArray();
        var map = new PathsByHash(hashes, hashes.Length);
        for (var path = 0; path < hashes.Length; path++) Assert.True(map.TryAdd(path));

        for (var path = 0; path < hashes.Length; path++)
        {
            Assert.True(map.TryGet(hashes[path], out var found));
            Assert.Equal(path, found);
        }
        Assert.False(map.TryGet(5001L << 40 | 0x5A5A, out var missing));
        Assert.Equal(-1, missing);
        Assert.False(map.TryGet(5001, out _));
        Assert.False(map.TryGet(-1, out _));
    }

    [Fact]
    public void TryAdd_AHashTakenByAnotherPath_IsRefused_AndTheFirstPathKept()
    {
        var map = new PathsByHash([42, 42], 2);
        Assert.True(map.TryAdd(0));
        Assert.False(map.TryAdd(1));
        Assert.True(map.TryGet(42, out var path));
        Assert.Equal(0, path);
    }

    [Fact]
    public void TryAdd_AsManyPathsAsSized_AllFit()
    {
        var map = new PathsByHash([long.MaxValue, 7], 1);
        Assert.True(map.TryAdd(0));
        Assert.True(map.TryGet(long.MaxValue, out var path));
        Assert.Equal(0, path);
        Assert.False(map.TryGet(0, out _));
        Assert.False(map.TryGet(7, out _));
    }
}
