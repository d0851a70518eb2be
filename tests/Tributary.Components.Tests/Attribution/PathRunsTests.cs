using Tributary.Components.Attribution;
using Tributary.Core.Warehousing;

namespace Tributary.Components.Tests.Attribution;

public sealed class PathRunsTests
{
    private static readonly DataKind[] Kinds = [DataKind.Integer, DataKind.Integer, DataKind.Integer, DataKind.Number];

    // Touches as the scan brings them: (path hash, pair hash, position, age).
    private static ColumnBatch Batch(params (long Path, long Pair, long Position, double Age)[] touches)
    {
        var b = new ColumnBatch(Kinds, touches.Length);
        b.Reset(touches.Length);
        for (var i = 0; i < touches.Length; i++)
            (b.Writable<long>(0)[i], b.Writable<long>(1)[i], b.Writable<long>(2)[i], b.Writable<double>(3)[i]) = touches[i];
        return b;
    }

    // The paths of ranges whose touches all have one pair (hash 0xA, key 0, channel 0), read to their end.
    private static PathRuns.Paths OnePairsPaths(params PathRuns[] slices)
    {
        foreach (var slice in slices)
        {
            slice.End();
            Assert.True(slice.ResolvePairs(Pairs([0xA]), [0]));
        }
        var paths = PathRuns.ToPaths(slices, [0], out var refusal);
        Assert.Null(refusal);
        return Assert.IsType<PathRuns.Paths>(paths);
    }

    private static PathsByHash Pairs(long[] hashes)
    {
        var pairs = new PathsByHash(hashes, hashes.Length);
        for (var p = 0; p < hashes.Length; p++) Assert.True(pairs.TryAdd(p));
        return pairs;
    }

    // Two ranges read side by side, each numbering the pairs in the order it met them (the pairs query answers after the
    // scans): the paths come out in hash order, a path straddling the ranges put together in position order, and each touch
    // carries the key the pairs query gave its pair, whatever number its range had given it.
    [Fact]
    public void ToPaths_TwoRangesNumberingPairsApart_PathsInHashOrderWithThePairsKeys()
    {
        const long A = 0xA, B = 0xB;
        var first = new PathRuns(8, outcomes: false);
        Assert.True(first.Add(Batch((30, A, 1, 0.5), (30, B, 2, 0.25), (10, B, 2, 1), (10, A, 1, 2))));
        var second = new PathRuns(8, outcomes: false);
        Assert.True(second.Add(Batch((10, A, 3, 3), (-5, B, 1, 4), (20, A, 1, 5))));
        first.End();
        second.End();
        // The pairs query's numbers: B is pair 0 (key 7), A pair 1 (key 4).
        var pairs = Pairs([B, A]);
        int[] keyOfPair = [7, 4];
        Assert.True(first.ResolvePairs(pairs, keyOfPair));
        Assert.True(second.ResolvePairs(pairs, keyOfPair));
        var channelOfKey = new int[8];
        (channelOfKey[4], channelOfKey[7]) = (1, 2);

        var paths = PathRuns.ToPaths([first, second], channelOfKey, out var refusal);

        Assert.Null(refusal);
        Assert.NotNull(paths);
        Assert.Equal([-5L, 10, 20, 30], paths.Hashes);
        Assert.Equal([0, 1, 4, 5, 7], paths.Starts);
        // Path 10: positions 1 (A, age 2), 2 (B, age 1) from the first range, 3 (A, age 3) from the second.
        Assert.Equal([7, 4, 7, 4, 4, 4, 7], paths.Keys[..7]);
        Assert.Equal([2, 1, 2, 1, 1, 1, 2], paths.Channels[..7]);
        Assert.Equal([[4.0], [2, 1, 3], [5], [0.5, 0.25]], Enumerable.Range(0, 4).Select(p => paths.AgesOf(p).ToArray()));
    }

    // Ages are kept only for runs with one other than 0 (a touch's age is 0 unless its path converted), yet each path reads
    // every touch's age: a run whose first touches are 0 before its first other age (in a later batch), a path stored as
    // two runs of which one has no age, and paths whose touches are all 0 (which share a stretch of zeros).
    [Fact]
    public void ToPaths_AgesKeptOnlyForRunsWithOne_EveryPathReadsEachTouchsAge()
    {
        const long A = 0xA;
        var first = new PathRuns(8, outcomes: false);
        Assert.True(first.Add(Batch((40, A, 1, 0), (40, A, 2, 0), (10, A, 1, 0), (10, A, 2, 0))));
        Assert.True(first.Add(Batch((10, A, 3, 1.5), (10, A, 4, 0), (30, A, 2, 0), (30, A, 1, 0))));
        var second = new PathRuns(8, outcomes: false);
        Assert.True(second.Add(Batch((30, A, 3, 2.5), (20, A, 2, 0), (20, A, 1, 0))));
        var paths = OnePairsPaths(first, second);

        Assert.Equal([10L, 20, 30, 40], paths.Hashes);
        double[][] ages = [[0, 0, 1.5, 0], [0, 0], [0, 0, 2.5], [0, 0]];
        Assert.Equal(ages, Enumerable.Range(0, 4).Select(p => paths.AgesOf(p).ToArray()));
        // Only paths 10 and 30 keep ages of their own; 20 and 40 read the same zeros after them.
        Assert.Equal(paths.AgeStarts[1], paths.AgeStarts[3]);
        Assert.Equal(7, paths.AgeStarts[1]);
    }

    // Positions are kept only for runs that do not count up by one from their first, yet every path comes out in position
    // order (here each touch's age names it): a run counting up, one out of order whose disorder starts in a later batch,
    // one with a gap, a path stored as two runs each counting up, and a path repeating a position, which is refused.
    [Fact]
    public void ToPaths_PositionsKeptOnlyForRunsNotCountingUp_EveryPathInPositionOrder()
    {
        const long A = 0xA;
        var first = new PathRuns(8, outcomes: false);
        Assert.True(first.Add(Batch((10, A, 1, 1.1), (10, A, 2, 1.2), (10, A, 3, 1.3), (20, A, 5, 2.5), (20, A, 6, 2.6))));
        Assert.True(first.Add(Batch((20, A, 4, 2.4), (30, A, 1, 3.1), (30, A, 2, 3.2), (30, A, 5, 3.5), (40, A, 3, 4.3))));
        var second = new PathRuns(8, outcomes: false);
        Assert.True(second.Add(Batch((40, A, 1, 4.1), (40, A, 2, 4.2))));
        var paths = OnePairsPaths(first, second);

        double[][] inOrder = [[1.1, 1.2, 1.3], [2.4, 2.5, 2.6], [3.1, 3.2, 3.5], [4.1, 4.2, 4.3]];
        Assert.Equal(inOrder, Enumerable.Range(0, 4).Select(p => paths.AgesOf(p).ToArray()));

        var repeated = new PathRuns(8, outcomes: false);
        Assert.True(repeated.Add(Batch((10, A, 1, 1), (10, A, 2, 2), (10, A, 2, 3))));
        repeated.End();
        Assert.True(repeated.ResolvePairs(Pairs([A]), [0]));
        Assert.Null(PathRuns.ToPaths([repeated], [0], out var refusal));
        Assert.Equal("a path's touches repeat a position (or two paths' ids hash alike)", refusal);
    }

    // The hash order cut into parts that are merged and copied side by side: every path is stored as runs in two
    // ranges (so that each cut falls on a path stored apart, whose runs must all land in one part), and the paths come out
    // as with one part, in hash order, each touch in position order with its key and age.
    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(7)]
    public void ToPaths_HashOrderCutIntoParts_EveryPathWholeAndAsWithOnePart(int parts)
    {
        const long A = 0xA, B = 0xB;
        var random = new Random(34);
        var slices = Enumerable.Range(0, 3).Select(_ => new List<(long, long, long, double)>()).ToArray();
        var expected = new SortedDictionary<long, (int[] Keys, double[] Ages)>();
        while (expected.Count < 200)
        {
            var hash = random.NextInt64(long.MinValue, long.MaxValue);
            if (expected.ContainsKey(hash)) continue;
            var n = random.Next(2, 7);
            var aged = random.Next(2) == 0;
            // Position p's pair is A when p is even, B when odd; its age p / 10 when the path has ages.
            expected[hash] = (Enumerable.Range(1, n).Select(p => p % 2 == 0 ? 0 : 1).ToArray(), Enumerable.Range(1, n).Select(p => aged ? p / 10.0 : 0).ToArray());
            // Its touches in a shuffled order, dealt to two or three of the ranges.
            var order = Enumerable.Range(1, n).OrderBy(_ => random.Next()).ToArray();
            var dealt = random.Next(1, n);
            var (first, second) = (random.Next(3), random.Next(1, 3));
            foreach (var (position, i) in order.Select((p, i) => (p, i)))
                slices[i < dealt ? first : (first + second) % 3].Add((hash, position % 2 == 0 ? A : B, position, aged ? position / 10.0 : 0));
        }
        PathRuns.Paths Read(int partCount)
        {
            var runs = slices.Select(touches =>
            {
                var slice = new PathRuns(touches.Count, outcomes: false);
                Assert.True(slice.Add(Batch([.. touches])));
                slice.End();
                Assert.True(slice.ResolvePairs(Pairs([A, B]), [0, 1]));
                return slice;
            }).ToArray();
            var paths = PathRuns.ToPaths(runs, [5, 6], out var refusal, partCount);
            Assert.Null(refusal);
            return Assert.IsType<PathRuns.Paths>(paths);
        }

        var (whole, cut) = (Read(1), Read(parts));

        Assert.Equal(expected.Keys, cut.Hashes);
        Assert.Equal(expected.Values.Select(p => p.Keys), Enumerable.Range(0, 200).Select(p => cut.Keys[cut.Starts[p]..cut.Starts[p + 1]]));
        Assert.Equal(expected.Values.Select(p => p.Keys.Select(k => k + 5)), Enumerable.Range(0, 200).Select(p => cut.Channels[cut.Starts[p]..cut.Starts[p + 1]]));
        Assert.Equal(expected.Values.Select(p => p.Ages), Enumerable.Range(0, 200).Select(p => cut.AgesOf(p).ToArray()));
        Assert.Equal(whole.Starts, cut.Starts);
        Assert.Equal(whole.AgeStarts, cut.AgeStarts);
        Assert.Equal(whole.Ages, cut.Ages);
    }

    // More pairs than the scan's first map holds (it grows as it meets them): each touch still carries its pair's key.
    [Fact]
    public void ToPaths_HundredsOfPairs_EachTouchCarriesItsPairsKey()
    {
        const int Count = 300;
        var runs = new PathRuns(Count, outcomes: false);
        // Path 1's touches, each with a pair of its own, met in the order 0, 1, ... (hash 1000 + i).
        Assert.True(runs.Add(Batch(Enumerable.Range(0, Count).Select(i => (1L, 1000L + i, (long)i, 0.0)).ToArray())));
        runs.End();
        // The pairs query lists them the other way round, and key k is pair k's.
        var hashes = Enumerable.Range(0, Count).Select(i => 1000L + Count - 1 - i).ToArray();
        Assert.True(runs.ResolvePairs(Pairs(hashes), Enumerable.Range(0, Count).ToArray()));

        var paths = PathRuns.ToPaths([runs], new int[Count], out var refusal);

        Assert.Null(refusal);
        Assert.NotNull(paths);
        Assert.Equal(Enumerable.Range(0, Count).Select(i => Count - 1 - i), paths.Keys[..Count]);
    }

    // A pair the scan met that the pairs query did not count (the input changed in between): refused, and the read falls
    // back to the two reads.
    [Fact]
    public void ResolvePairs_APairThePairsQueryDidNotSee_IsRefused()
    {
        var runs = new PathRuns(4, outcomes: false);
        Assert.True(runs.Add(Batch((1, 0xA, 1, 0), (1, 0xC, 2, 0))));
        runs.End();

        Assert.False(runs.ResolvePairs(Pairs([0xA, 0xB]), [0, 1]));
        Assert.Equal("the touches differ from their pairs' count", runs.Refusal);
    }

    [Fact]
    public void Add_AfterEnd_Throws()
    {
        var runs = new PathRuns(4, outcomes: false);
        runs.End();
        Assert.Throws<InvalidOperationException>(() => runs.Add(Batch((1, 0xA, 1, 0))));
    }
}
