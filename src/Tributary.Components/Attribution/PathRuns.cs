using Tributary.Core.Warehousing;

namespace Tributary.Components.Attribution;

/// <summary>
/// The attribution read's touches as the engine streams them in stored order, a path being a run of touches with one id
/// hash: each touch's position, (channel, campaign) key and age appended in arrival order, and per run its hash and first
/// touch. No outline query, map lookup per touch or scatter into slices (but for paths stored in more than one run, see
/// <see cref="ToPaths"/>). The arrays are sized once, from the touch count the pairs query gives.
/// </summary>
internal sealed class PathRuns
{
    private readonly PathsByHash _pairs;
    private readonly int[] _keyOfPair;

    /// <summary>
    /// Runs of at most <paramref name="capacity"/> touches, whose pair hashes are looked up in <paramref name="pairs"/> (pair
    /// <c>i</c> has key <c>keyOfPair[i]</c>).
    /// </summary>
    public PathRuns(int capacity, PathsByHash pairs, int[] keyOfPair)
    {
        (_pairs, _keyOfPair) = (pairs, keyOfPair);
        (Positions, Keys, Ages) = (GC.AllocateUninitializedArray<long>(capacity), GC.AllocateUninitializedArray<int>(capacity), GC.AllocateUninitializedArray<double>(capacity));
    }

    /// <summary>Per touch its position (<see cref="long.MaxValue"/> for none: NULL positions sort last), in arrival order.</summary>
    public long[] Positions { get; }

    /// <summary>Per touch its (channel, campaign) key.</summary>
    public int[] Keys { get; }

    /// <summary>Per touch its age in days at conversion (0 for touches of paths that did not convert).</summary>
    public double[] Ages { get; }

    /// <summary>Touches read.</summary>
    public int TouchCount { get; private set; }

    /// <summary>Runs read.</summary>
    public int Count { get; private set; }

    /// <summary>Per run the hash of its path's id (longer than <see cref="Count"/>).</summary>
    public long[] Hashes { get; private set; } = new long[4096];

    /// <summary>Per run its first touch (longer than <see cref="Count"/>).</summary>
    public int[] Starts { get; private set; } = new int[4097];

    /// <summary>
    /// Appends one batch of the read (path hash, pair hash, position, age); false when a touch's pair is not one the pairs
    /// query found or there are more touches than it counted (the input changed in between).
    /// </summary>
    // Optimized from its first call, as the other loops over every touch (AttributionModels.Place).
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public bool Add(ColumnBatch b)
    {
        var hashes = b.Values<long>(0);
        var pairHashes = b.Values<long>(1);
        var position = b.Values<long>(2);
        var age = b.Values<double>(3);
        var positionNulls = b.HasNulls(2);
        if (TouchCount + b.Count > Positions.Length) return false;
        var (pair, pairHash) = (-1, 0L);
        for (var i = 0; i < b.Count; i++)
        {
            var hash = hashes[i];
            if (Count == 0 || hash != Hashes[Count - 1])
            {
                if (Count + 1 == Hashes.Length) (Hashes, Starts) = (Resized(Hashes, Count), Resized(Starts, Count + 1));
                Hashes[Count] = hash;
                Starts[Count++] = TouchCount;
            }
            // A path's touches often repeat a pair: looked up only when it changes.
            if (pair < 0 || pairHashes[i] != pairHash)
            {
                pairHash = pairHashes[i];
                if (!_pairs.TryGet(pairHash, out pair)) return false;
            }
            var at = TouchCount++;
            Positions[at] = positionNulls && b.IsNull(2, i) ? long.MaxValue : position[i];
            Keys[at] = _keyOfPair[pair];
            Ages[at] = age[i];
        }
        return true;
    }

    /// <summary>
    /// Ends the read and makes the runs paths: runs of one hash are one path (a path's touches are mostly stored together,
    /// but not always: journey.conversion_paths splits 5 of 141k paths at 10k demo customers), paths in their hashes' order,
    /// each path's touches in run order. Returns the number of paths, their hashes, first touches (and the touch count
    /// after the last), the touch arrays moved into path order and a map of the paths by hash.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public (int Count, long[] Hashes, int[] Starts, long[] Positions, int[] Keys, double[] Ages, PathsByHash ByHash) ToPaths()
    {
        Starts[Count] = TouchCount;
        var byHash = new PathsByHash(Hashes, Count);
        var pathOfRun = new int[Count];
        var paths = 0;
        for (var run = 0; run < Count; run++)
        {
            if (byHash.TryAdd(run))
            {
                pathOfRun[run] = paths++;
                continue;
            }
            byHash.TryGet(Hashes[run], out var first);
            pathOfRun[run] = pathOfRun[first];
        }

        // Paths numbered in the order of their ids' hashes, not in the order the engine stored them: a producer that writes
        // its table in another order on the next run (parallel window functions do) would otherwise change the float sums
        // in the last digit, and a second run over the same data must change no table (nor a webhook sync's content hash).
        var hashes = new long[paths];
        for (var run = 0; run < Count; run++) hashes[pathOfRun[run]] = Hashes[run];
        var order = new int[paths];
        for (var path = 0; path < paths; path++) order[path] = path;
        Array.Sort(hashes, order);
        var rank = new int[paths];
        for (var i = 0; i < paths; i++) rank[order[i]] = i;
        for (var run = 0; run < Count; run++) pathOfRun[run] = rank[pathOfRun[run]];

        // Every run's touches moved into its path's slice (a path stored in more than one run is put back together).
        var starts = new int[paths + 1];
        for (var run = 0; run < Count; run++) starts[pathOfRun[run] + 1] += Starts[run + 1] - Starts[run];
        for (var path = 0; path < paths; path++) starts[path + 1] += starts[path];
        var filled = starts.AsSpan(0, paths).ToArray();
        var (positions, keys, moved) = (GC.AllocateUninitializedArray<long>(TouchCount), GC.AllocateUninitializedArray<int>(TouchCount), GC.AllocateUninitializedArray<double>(TouchCount));
        for (var run = 0; run < Count; run++)
        {
            var (from, n) = (Starts[run], Starts[run + 1] - Starts[run]);
            var at = filled[pathOfRun[run]];
            Positions.AsSpan(from, n).CopyTo(positions.AsSpan(at));
            Keys.AsSpan(from, n).CopyTo(keys.AsSpan(at));
            Ages.AsSpan(from, n).CopyTo(moved.AsSpan(at));
            filled[pathOfRun[run]] += n;
        }
        byHash = new PathsByHash(hashes, paths);
        for (var path = 0; path < paths; path++) byHash.TryAdd(path);
        return (paths, hashes, starts, positions, keys, moved, byHash);
    }

    private static T[] Resized<T>(T[] column, int count)
    {
        var resized = GC.AllocateUninitializedArray<T>(2 * column.Length);
        column.AsSpan(0, count).CopyTo(resized);
        return resized;
    }
}
