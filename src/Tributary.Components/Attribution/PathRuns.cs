using Tributary.Core.Warehousing;

namespace Tributary.Components.Attribution;

/// <summary>
/// The attribution read's touches as the engine streams them in stored order, a path being a run of touches with one id
/// hash: each touch's position, (channel, campaign) key and age appended in arrival order, and per run its hash and first
/// touch. No outline query or map lookup per touch. The arrays are sized once, from the touch count the pairs query gives.
/// </summary>
internal sealed class PathRuns
{
    private readonly PathsByHash _pairs;
    private readonly int[] _keyOfPair;
    // Per touch its position (int.MaxValue for none: NULL positions sort last), key and age, in arrival order. Positions are
    // kept in 32 bits: a path's positions count its touches, and this read's arrays are most of the step's memory, whose
    // every new page costs the kernel a fault (bench/README.md, stop 30).
    private readonly int[] _positions;
    private readonly int[] _keys;
    private readonly double[] _ages;
    // Per run the hash of its path's id and its first touch (longer than Count).
    private long[] _hashes = new long[4096];
    private int[] _starts = new int[4097];

    /// <summary>
    /// Runs of at most <paramref name="capacity"/> touches, whose pair hashes are looked up in <paramref name="pairs"/> (pair
    /// <c>i</c> has key <c>keyOfPair[i]</c>).
    /// </summary>
    public PathRuns(int capacity, PathsByHash pairs, int[] keyOfPair)
    {
        (_pairs, _keyOfPair) = (pairs, keyOfPair);
        (_positions, _keys, _ages) = (GC.AllocateUninitializedArray<int>(capacity), GC.AllocateUninitializedArray<int>(capacity), GC.AllocateUninitializedArray<double>(capacity));
    }

    /// <summary>Touches read.</summary>
    public int TouchCount { get; private set; }

    /// <summary>Runs read.</summary>
    public int Count { get; private set; }

    /// <summary>Why the last <see cref="Add"/> or <see cref="ToPaths"/> refused the touches (then the two reads run instead).</summary>
    public string? Refusal { get; private set; }

    /// <summary>
    /// Appends one batch of the read (path hash, pair hash, position, age); false (with <see cref="Refusal"/>) when a touch's
    /// pair is not one the pairs query found, there are more touches than it counted (the input changed in between), or a
    /// position does not fit in 32 bits.
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
        if (TouchCount + b.Count > _positions.Length) return Refuse("the touches differ from their pairs' count");
        var (pair, pairHash) = (-1, 0L);
        for (var i = 0; i < b.Count; i++)
        {
            var hash = hashes[i];
            if (Count == 0 || hash != _hashes[Count - 1])
            {
                if (Count + 1 == _hashes.Length) (_hashes, _starts) = (Resized(_hashes, Count), Resized(_starts, Count + 1));
                _hashes[Count] = hash;
                _starts[Count++] = TouchCount;
            }
            // A path's touches often repeat a pair: looked up only when it changes.
            if (pair < 0 || pairHashes[i] != pairHash)
            {
                pairHash = pairHashes[i];
                if (!_pairs.TryGet(pairHash, out pair)) return Refuse("the touches differ from their pairs' count");
            }
            var at = TouchCount++;
            if (positionNulls && b.IsNull(2, i)) _positions[at] = int.MaxValue;
            else if (position[i] is >= int.MinValue and < int.MaxValue) _positions[at] = (int)position[i];
            else return Refuse($"a touch's position ({position[i]}) is outside 32-bit integers");
            _keys[at] = _keyOfPair[pair];
            _ages[at] = age[i];
        }
        return true;
    }

    /// <summary>
    /// Ends the read and makes the runs paths, in the models' arrays: paths numbered in their ids' hash order, each path's
    /// touches together (a path's touches are mostly stored together, but not always: journey.conversion_paths splits 5 of
    /// 141k paths at 10k demo customers) and in position order, each touch's channel number (<paramref name="channelOfKey"/>
    /// of its key) beside its key and age. Returns the number of paths, their hashes (ascending), their first touches (and
    /// the touch count after the last) and the three touch arrays; null (with <see cref="Refusal"/>) when a path repeats a
    /// position (as it does where two paths' ids hash alike).
    /// </summary>
    // Paths numbered in their hashes' order, not in the order the engine stored them: a producer that writes its table in
    // another order on the next run (parallel window functions do) would otherwise change the float sums in the last digit,
    // and a second run over the same data must change no table (nor a webhook sync's content hash). The touches are copied
    // once, straight into the arrays the models read (channels, keys, ages), sorted by position on the way: an earlier
    // version moved them into path order first and numbered channels in a pass of its own, twice the new memory.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public (int Count, long[] Hashes, int[] Starts, int[] Channels, int[] Keys, double[] Ages)? ToPaths(int[] channelOfKey)
    {
        _starts[Count] = TouchCount;
        // Runs sorted by hash: a path stored in more than one run has its runs side by side.
        var runOrder = new int[Count];
        for (var run = 0; run < Count; run++) runOrder[run] = run;
        Array.Sort(_hashes, runOrder, 0, Count);
        var paths = 0;
        for (var r = 0; r < Count; r++)
            if (r == 0 || _hashes[r] != _hashes[r - 1]) paths++;

        var (hashes, starts) = (new long[paths], new int[paths + 1]);
        var (channels, keys, ages) = (GC.AllocateUninitializedArray<int>(TouchCount), GC.AllocateUninitializedArray<int>(TouchCount), GC.AllocateUninitializedArray<double>(TouchCount));
        var scratch = new int[256];
        var (path, at) = (-1, 0);
        for (var r = 0; r < Count; r++)
        {
            if (r == 0 || _hashes[r] != _hashes[r - 1])
            {
                if (path >= 0 && !InPositionOrder(scratch.AsSpan(0, at - starts[path]), channels.AsSpan(starts[path]..at), keys.AsSpan(starts[path]..at), ages.AsSpan(starts[path]..at)))
                    return null;
                hashes[++path] = _hashes[r];
                starts[path] = at;
            }
            var run = runOrder[r];
            var (from, n) = (_starts[run], _starts[run + 1] - _starts[run]);
            var filled = at - starts[path];
            if (filled + n > scratch.Length) Array.Resize(ref scratch, Math.Max(2 * scratch.Length, filled + n));
            // One loop for the four arrays: a run is ~10 touches, read from wherever the engine stored it, where a copy call
            // per array paid its call and its cache misses one after another.
            for (var k = 0; k < n; k++)
            {
                var key = _keys[from + k];
                scratch[filled + k] = _positions[from + k];
                keys[at + k] = key;
                ages[at + k] = _ages[from + k];
                channels[at + k] = channelOfKey[key];
            }
            at += n;
        }
        if (path >= 0 && !InPositionOrder(scratch.AsSpan(0, at - starts[path]), channels.AsSpan(starts[path]..at), keys.AsSpan(starts[path]..at), ages.AsSpan(starts[path]..at)))
            return null;
        starts[paths] = at;
        return (paths, hashes, starts, channels, keys, ages);
    }

    // One path's touches put in position order (an insertion sort, equal positions in arrival order: the touches mostly
    // arrive in order, so mostly one pass that moves nothing); false when a position repeats.
    private bool InPositionOrder(Span<int> positions, Span<int> channels, Span<int> keys, Span<double> ages)
    {
        for (var i = 1; i < positions.Length; i++)
        {
            if (positions[i] > positions[i - 1]) continue;
            var (position, channel, key, age) = (positions[i], channels[i], keys[i], ages[i]);
            var j = i - 1;
            for (; j >= 0 && positions[j] > position; j--) (positions[j + 1], channels[j + 1], keys[j + 1], ages[j + 1]) = (positions[j], channels[j], keys[j], ages[j]);
            (positions[j + 1], channels[j + 1], keys[j + 1], ages[j + 1]) = (position, channel, key, age);
        }
        for (var i = 1; i < positions.Length; i++)
            if (positions[i] == positions[i - 1]) return Refuse("a path's touches repeat a position (or two paths' ids hash alike)");
        return true;
    }

    private bool Refuse(string why)
    {
        Refusal = why;
        return false;
    }

    private static T[] Resized<T>(T[] column, int count)
    {
        var resized = GC.AllocateUninitializedArray<T>(2 * column.Length);
        column.AsSpan(0, count).CopyTo(resized);
        return resized;
    }
}
