using Tributary.Core.Memory;
using Tributary.Core.Warehousing;

namespace Tributary.Components.Attribution;

/// <summary>
/// The attribution read's touches as the engine streams them in stored order, a path being a run of touches with one id
/// hash: each touch's position, (channel, campaign) pair and age appended in arrival order, and per run its hash and first
/// touch. No outline query, and a map lookup only where the pair changes from the touch before (pairs are numbered as they
/// come, and given their keys by <see cref="ResolvePairs"/>). One table may be read as several ranges side by side, each
/// into a PathRuns of its own, its runs sorted by hash when it ends (<see cref="End"/>), and their runs made paths together
/// (<see cref="ToPaths"/>).
/// </summary>
internal sealed class PathRuns
{
    // The (channel, campaign) pairs in the order this read first met them, by hash: a touch's key is its pair's number
    // here until ResolvePairs gives each its key (the pairs query runs beside the scans, not before them).
    // An open-addressed map over the pairs' hashes (a Dictionary's bucket-then-entry lookup was 1.6% of the read's CPU).
    private long[] _pairHashes = new long[64];
    private int _pairCount;
    private PathsByHash _pairs;
    private int[] _keyOfPair = [];
    // Per touch its key, in arrival order, and its position (int.MaxValue for none: NULL positions sort last) only for
    // runs whose positions do not count up by one from their first (a producer numbers a path's touches 1, 2, 3... and
    // stores them in that order). Positions are kept in 32 bits: a path's positions count its touches, and this read's
    // arrays are most of the step's memory, whose every new page costs the kernel a fault (bench/README.md, stops 30, 32).
    private int[] _positions;
    private int _positionCount;
    private int[] _keys;
    // The touches' ages, only for runs with an age other than 0: a touch's age is 0 unless its path converted (two thirds
    // of the touches in the bench), and the pages never written are never faulted in (bench/README.md, stop 32).
    private double[] _ages;
    private int _ageCount;
    // Per run the hash of its path's id, its first touch (longer than Count), its first touch's position and its first
    // position in _positions (-1: counting up from the first), and its first age in _ages (-1: all 0).
    private long[] _hashes;
    private int[] _starts;
    private int[] _firstPositions;
    private int[] _positionStarts;
    private int[] _ageStarts;
    // Per run, when the read brings each touch's outcome: whether a touch converted, the largest conversion value of its
    // converting touches (negative infinity for none) and their latest conversion time in ticks (NoTime for none).
    private readonly bool _outcomes;
    private bool[] _converted = [];
    private double[] _values = [];
    private long[] _convertedAt = [];

    /// <summary>
    /// Runs of about <paramref name="capacity"/> touches (the arrays grow past it); with <paramref name="outcomes"/>, the
    /// read's batches also bring each touch's outcome and the paths' outcomes come from them.
    /// </summary>
    public PathRuns(int capacity, bool outcomes)
    {
        _outcomes = outcomes;
        _pairs = new PathsByHash(_pairHashes, _pairHashes.Length);
        // The runs' arrays sized for paths of 8 touches or more (the bench's average is 10): doubled from a few thousand,
        // they were copied and faulted in anew each time.
        var runs = capacity / 8 + 4096;
        (_hashes, _starts, _firstPositions, _positionStarts, _ageStarts) = (new long[runs], new int[runs + 1], new int[runs], new int[runs], new int[runs]);
        if (outcomes) (_converted, _values, _convertedAt) = (new bool[runs], new double[runs], new long[runs]);
        (_positions, _keys, _ages) = (HugePageArrays.Allocate<int>(capacity), HugePageArrays.Allocate<int>(capacity), HugePageArrays.Allocate<double>(capacity));
    }

    /// <summary>Touches read.</summary>
    public int TouchCount { get; private set; }

    /// <summary>Runs read.</summary>
    public int Count { get; private set; }

    /// <summary>Why the last <see cref="Add"/> or <see cref="ToPaths"/> refused the touches (then the two reads run instead).</summary>
    public string? Refusal { get; private set; }

    /// <summary>
    /// Appends one batch of the read (path hash, pair hash, position, age and, with outcomes, whether the touch converted,
    /// its conversion value and time, a time before year 1000 for none); false (with <see cref="Refusal"/>) when a position
    /// does not fit in 32 bits.
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
        var converting = _outcomes ? b.Values<bool>(4) : default;
        if (_ended) throw new InvalidOperationException("The read has ended.");
        if (TouchCount + b.Count > _keys.Length) Grow(TouchCount + b.Count);
        var (pair, pairHash) = (-1, 0L);
        for (var i = 0; i < b.Count; i++)
        {
            var hash = hashes[i];
            if (Count == 0 || hash != _hashes[Count - 1])
            {
                if (Count + 1 == _hashes.Length)
                {
                    (_hashes, _starts, _ageStarts) = (Resized(_hashes, Count), Resized(_starts, Count + 1), Resized(_ageStarts, Count));
                    (_firstPositions, _positionStarts) = (Resized(_firstPositions, Count), Resized(_positionStarts, Count));
                    if (_outcomes) (_converted, _values, _convertedAt) = (Resized(_converted, Count), Resized(_values, Count), Resized(_convertedAt, Count));
                }
                if (_outcomes) (_converted[Count], _values[Count], _convertedAt[Count]) = (false, double.NegativeInfinity, PathOutlines.NoTime);
                (_hashes[Count], _ageStarts[Count], _positionStarts[Count]) = (hash, -1, -1);
                _starts[Count++] = TouchCount;
            }
            // A path's touches often repeat a pair: looked up only when it changes.
            if (pair < 0 || pairHashes[i] != pairHash)
            {
                pairHash = pairHashes[i];
                if (!_pairs.TryGet(pairHash, out pair)) pair = NewPair(pairHash);
            }
            var at = TouchCount++;
            int p;
            if (positionNulls && b.IsNull(2, i)) p = int.MaxValue;
            else if (position[i] is >= int.MinValue and < int.MaxValue) p = (int)position[i];
            else return Refuse($"a touch's position ({position[i]}) is outside 32-bit integers");
            var run = Count - 1;
            if (_positionStarts[run] >= 0) _positions[_positionCount++] = p;
            else if (at == _starts[run]) _firstPositions[run] = p;
            else if (p != (long)_firstPositions[run] + (at - _starts[run])) Positioned(p);
            _keys[at] = pair;
            if (_ageStarts[Count - 1] >= 0) _ages[_ageCount++] = age[i];
            else if (age[i] != 0) Aged(age[i]);
            if (_outcomes && converting[i]) Converting(b, i);
        }
        return true;
    }

    /// <summary>
    /// Gives each pair this read met its key: <c>keyOfPair[p]</c> for the pair that <paramref name="pairs"/> finds as
    /// <c>p</c> by its hash; false (with <see cref="Refusal"/>) for a pair the pairs query did not see (the input changed
    /// in between).
    /// </summary>
    public bool ResolvePairs(PathsByHash pairs, int[] keyOfPair)
    {
        _keyOfPair = new int[_pairCount];
        for (var number = 0; number < _pairCount; number++)
        {
            if (!pairs.TryGet(_pairHashes[number], out var pair)) return Refuse("the touches differ from their pairs' count");
            _keyOfPair[number] = keyOfPair[pair];
        }
        return true;
    }

    // The runs by hash (and, for each, its run and its touch count), made once the read is over (the hashes in _hashes' array).
    private long[] _sortedHashes = [];
    private int[] _sortedRuns = [];
    private int[] _sortedLengths = [];
    private bool[] _sortedAged = [];
    private bool _ended;

    /// <summary>
    /// Ends the read: its runs sorted by hash, on the thread that read them (each range's scan sorts its own, side by side,
    /// and <see cref="ToPaths"/> merges them); called again, nothing more.
    /// </summary>
    public void End()
    {
        if (_ended) return;
        _ended = true;
        _starts[Count] = TouchCount;
        // The runs' hashes are not read by run after this: sorted where they are.
        (_sortedHashes, _sortedRuns, _sortedLengths, _sortedAged) = (_hashes, new int[Count], new int[Count], new bool[Count]);
        for (var run = 0; run < Count; run++) _sortedRuns[run] = run;
        Array.Sort(_sortedHashes, _sortedRuns, 0, Count);
        for (var i = 0; i < Count; i++)
            (_sortedLengths[i], _sortedAged[i]) = (_starts[_sortedRuns[i] + 1] - _starts[_sortedRuns[i]], _ageStarts[_sortedRuns[i]] >= 0);
    }

    // A pair met for the first time, numbered next; the map rebuilt twice as large when full.
    private int NewPair(long hash)
    {
        if (_pairCount == _pairHashes.Length)
        {
            Array.Resize(ref _pairHashes, 2 * _pairHashes.Length);
            _pairs = new PathsByHash(_pairHashes, _pairHashes.Length);
            for (var p = 0; p < _pairCount; p++) _pairs.TryAdd(p);
        }
        _pairHashes[_pairCount] = hash;
        _pairs.TryAdd(_pairCount);
        return _pairCount++;
    }

    // The current run's first position that does not count up from its first: the positions before it stored, and the
    // run's later ones stored as they come.
    private void Positioned(int position)
    {
        var run = Count - 1;
        var before = TouchCount - 1 - _starts[run];
        _positionStarts[run] = _positionCount;
        for (var k = 0; k < before; k++) _positions[_positionCount++] = _firstPositions[run] + k;
        _positions[_positionCount++] = position;
    }

    // The current run's first age other than 0: its earlier touches' ages (0) stored before it, and the run's later ones
    // stored as they come.
    private void Aged(double age)
    {
        var run = Count - 1;
        var before = TouchCount - 1 - _starts[run];
        _ageStarts[run] = _ageCount;
        _ages.AsSpan(_ageCount, before).Clear();
        _ageCount += before;
        _ages[_ageCount++] = age;
    }

    // Conversion times before this year are the read's stand-in for none (year 100, see AttributionModels).
    private const int NoTimeBefore = 1000;

    // A converting touch's value and time taken into its run's, as max() over the path's converting touches would: a NULL
    // value or time is no value or time.
    private void Converting(ColumnBatch b, int i)
    {
        var run = Count - 1;
        _converted[run] = true;
        if (!b.IsNull(5, i)) _values[run] = Math.Max(_values[run], b.Values<double>(5)[i]);
        var at = b.Values<DateTime>(6)[i];
        if (!b.IsNull(6, i) && at.Year >= NoTimeBefore) _convertedAt[run] = Math.Max(_convertedAt[run], at.Ticks);
    }

    /// <summary>
    /// Ends the reads of <paramref name="slices"/> (one table read as ranges side by side, in range order) and makes their
    /// runs paths, in the models' arrays: paths numbered in their ids' hash order, each path's touches together (a path's
    /// touches are mostly stored together, but not always: journey.conversion_paths splits 5 of 141k paths at 10k demo
    /// customers, and a path may straddle two ranges) and in position order, each touch's channel number
    /// (<paramref name="channelOfKey"/> of its key) beside its key and age. Null (with <paramref name="refusal"/>) when a
    /// path repeats a position (as it does where two paths' ids hash alike).
    /// </summary>
    // Paths numbered in their hashes' order, not in the order the engine stored them: a producer that writes its table in
    // another order on the next run (parallel window functions do) would otherwise change the float sums in the last digit,
    // and a second run over the same data must change no table (nor a webhook sync's content hash). The touches are copied
    // once, straight into the arrays the models read (channels, keys, ages), sorted by position on the way, the paths split
    // between the cores: the copy reads each run from wherever the engine stored it, cache misses that one core waited on
    // alone (an earlier version moved them into path order first and numbered channels in a pass of its own: twice the memory).
    public static Paths? ToPaths(IReadOnlyList<PathRuns> slices, int[] channelOfKey, out string? refusal)
    {
        refusal = null;
        var (runCount, touchCount) = (0, 0);
        foreach (var slice in slices)
        {
            slice.End();
            (runCount, touchCount) = (runCount + slice.Count, touchCount + slice.TouchCount);
        }
        var outcomes = slices.Count > 0 && slices[0]._outcomes;
        // Every run by hash (its slice in the top bits of its reference), the slices' sorted runs merged: a path stored in
        // more than one run has its runs side by side.
        var (runHashes, runs, runLengths, runAged) = (new long[runCount], new long[runCount], new int[runCount], new bool[runCount]);
        var next = new int[slices.Count];
        for (var r = 0; r < runCount; r++)
        {
            var s = -1;
            for (var t = 0; t < slices.Count; t++)
                if (next[t] < slices[t].Count && (s < 0 || slices[t]._sortedHashes[next[t]] < slices[s]._sortedHashes[next[s]])) s = t;
            var i = next[s]++;
            (runHashes[r], runs[r], runLengths[r], runAged[r]) = (slices[s]._sortedHashes[i], ((long)s << 32) | (uint)slices[s]._sortedRuns[i], slices[s]._sortedLengths[i], slices[s]._sortedAged[i]);
        }
        var paths = 0;
        for (var r = 0; r < runCount; r++)
            if (r == 0 || runHashes[r] != runHashes[r - 1]) paths++;

        // Each path's hash, first run and first touch, and whether some run of it has ages other than 0.
        var (hashes, starts, firstRun, aged) = (new long[paths], new int[paths + 1], new int[paths + 1], new bool[paths]);
        for (var (r, path, at) = (0, -1, 0); r < runCount; r++)
        {
            if (r == 0 || runHashes[r] != runHashes[r - 1]) (hashes[++path], starts[path], firstRun[path]) = (runHashes[r], at, r);
            aged[path] |= runAged[r];
            at += runLengths[r];
        }
        (starts[paths], firstRun[paths]) = (touchCount, runCount);
        // The ages of paths with some age other than 0, one after another; every other path's are a stretch of zeros after them.
        var (ageStarts, agedTouches, longest) = (new int[paths], 0, 0);
        for (var path = 0; path < paths; path++)
        {
            var n = starts[path + 1] - starts[path];
            longest = Math.Max(longest, n);
            if (!aged[path]) continue;
            ageStarts[path] = agedTouches;
            agedTouches += n;
        }
        for (var path = 0; path < paths; path++)
            if (!aged[path]) ageStarts[path] = agedTouches;

        var (channels, keys, ages) = (HugePageArrays.Allocate<int>(touchCount), HugePageArrays.Allocate<int>(touchCount), HugePageArrays.Allocate<double>(agedTouches + longest));
        ages.AsSpan(agedTouches).Clear();
        var (converted, values, convertedAt) = outcomes ? (new bool[paths], new double[paths], new long[paths]) : (null, null, null);
        var parts = Math.Clamp(Environment.ProcessorCount, 1, 8);
        var refusals = new string?[parts];
        Parallel.For(0, parts, part =>
        {
            var (from, to) = ((int)((long)paths * part / parts), (int)((long)paths * (part + 1) / parts));
            refusals[part] = Copy(slices, runs, firstRun, starts, from, to, channelOfKey, channels, keys, aged, ageStarts, ages, converted, values, convertedAt);
        });
        refusal = refusals.FirstOrDefault(r => r is not null);
        return refusal is null ? new Paths(paths, hashes, starts, channels, keys, ageStarts, ages, converted, values, convertedAt) : null;
    }

    // Paths [from, to): their runs' touches copied into place, then put in position order; a converting path's outcome the
    // largest of its runs'. The refusal when a path repeats a position, else null.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static string? Copy(IReadOnlyList<PathRuns> slices, long[] runs, int[] firstRun, int[] starts, int from, int to, int[] channelOfKey,
        int[] channels, int[] keys, bool[] aged, int[] ageStarts, double[] ages, bool[]? converted, double[]? values, long[]? convertedAt)
    {
        var scratch = new int[256];
        var end = firstRun[to];
        for (var path = from; path < to; path++)
        {
            var at = starts[path];
            if (values is not null) (values[path], convertedAt![path]) = (double.NegativeInfinity, PathOutlines.NoTime);
            for (var r = firstRun[path]; r < firstRun[path + 1]; r++)
            {
                Prefetch(slices, runs, r, end);
                var slice = slices[(int)(runs[r] >> 32)];
                var run = (int)(uint)runs[r];
                var (source, n) = (slice._starts[run], slice._starts[run + 1] - slice._starts[run]);
                var filled = at - starts[path];
                if (filled + n > scratch.Length) Array.Resize(ref scratch, Math.Max(2 * scratch.Length, filled + n));
                // One loop for the three arrays: a run is ~10 touches, where a copy call per array paid its call and its cache
                // misses one after another.
                var (sourceKeys, keyOfPair) = (slice._keys, slice._keyOfPair);
                for (var k = 0; k < n; k++)
                {
                    var key = keyOfPair[sourceKeys[source + k]];
                    keys[at + k] = key;
                    channels[at + k] = channelOfKey[key];
                }
                if (slice._positionStarts[run] is var positionStart and >= 0) slice._positions.AsSpan(positionStart, n).CopyTo(scratch.AsSpan(filled, n));
                else
                    for (var (k, first) = (0, slice._firstPositions[run]); k < n; k++) scratch[filled + k] = first + k;
                if (aged[path])
                {
                    var into = ages.AsSpan(ageStarts[path] + filled, n);
                    if (slice._ageStarts[run] is var ageStart and >= 0) slice._ages.AsSpan(ageStart, n).CopyTo(into);
                    else into.Clear();
                }
                at += n;
                if (values is not null && slice._converted[run])
                    (converted![path], values[path], convertedAt![path]) = (true, Math.Max(values[path], slice._values[run]), Math.Max(convertedAt![path], slice._convertedAt[run]));
            }
            // A converting path without a value is worth 0, as the outline read's CAST(max(...)) of only NULLs reads.
            if (values is not null && double.IsNegativeInfinity(values[path])) values[path] = 0;
            var (start, length) = (starts[path], at - starts[path]);
            // A path without ages shares its stretch of zeros: nothing of it to move.
            if (!InPositionOrder(scratch.AsSpan(0, length), channels.AsSpan(start, length), keys.AsSpan(start, length), aged[path] ? ages.AsSpan(ageStarts[path], length) : default))
                return "a path's touches repeat a position (or two paths' ids hash alike)";
        }
        return null;
    }

    // Runs ahead of the copy, asked for from the cache in two steps: a run's first touch (its start) further ahead, then,
    // once that is in, the lines of its touches. The copy reads each run from wherever the engine stored it; one run's
    // misses at a time left it waiting on memory most of its time (bench/README.md, stop 31).
    private const int PrefetchRuns = 8;

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static void Prefetch(IReadOnlyList<PathRuns> slices, long[] runs, int r, int end)
    {
        if (r + 2 * PrefetchRuns < end)
        {
            var far = runs[r + 2 * PrefetchRuns];
            var farSlice = slices[(int)(far >> 32)];
            CachePrefetch.Read(farSlice._starts, (int)(uint)far);
            CachePrefetch.Read(farSlice._ageStarts, (int)(uint)far);
            CachePrefetch.Read(farSlice._positionStarts, (int)(uint)far);
            CachePrefetch.Read(farSlice._firstPositions, (int)(uint)far);
            if (farSlice._outcomes) CachePrefetch.Read(farSlice._converted, (int)(uint)far);
        }
        if (r + PrefetchRuns >= end) return;
        var near = runs[r + PrefetchRuns];
        var slice = slices[(int)(near >> 32)];
        var (first, last) = (slice._starts[(int)(uint)near], slice._starts[(int)(uint)near + 1] - 1);
        if (slice._positionStarts[(int)(uint)near] is var positionStart and >= 0) CachePrefetch.Read(slice._positions, positionStart);
        CachePrefetch.Read(slice._keys, first);
        CachePrefetch.Read(slice._keys, last);
        if (slice._ageStarts[(int)(uint)near] is var ageStart and >= 0)
        {
            CachePrefetch.Read(slice._ages, ageStart);
            CachePrefetch.Read(slice._ages, ageStart + last - first);
        }
    }

    // One path's touches put in position order (an insertion sort, equal positions in arrival order: the touches mostly
    // arrive in order, so mostly one pass that moves nothing; a long path out of order by an index sort, as an insertion
    // sort is quadratic in its length); false when a position repeats.
    private static bool InPositionOrder(Span<int> positions, Span<int> channels, Span<int> keys, Span<double> ages)
    {
        var ordered = 1;
        while (ordered < positions.Length && positions[ordered] > positions[ordered - 1]) ordered++;
        if (ordered == positions.Length) return true;
        // Ages empty where the path has none to move: a stretch of the same length, never read, stands in for them.
        if (ages.IsEmpty) ages = new double[positions.Length];
        if (positions.Length > 64)
        {
            // Equal positions are refused below, so the index sort need not keep them in arrival order.
            var (order, sorted) = (new int[positions.Length], positions.ToArray());
            for (var i = 0; i < order.Length; i++) order[i] = i;
            Array.Sort(sorted, order);
            var (c, k, a) = (channels.ToArray(), keys.ToArray(), ages.ToArray());
            for (var i = 0; i < order.Length; i++) (positions[i], channels[i], keys[i], ages[i]) = (sorted[i], c[order[i]], k[order[i]], a[order[i]]);
        }
        else
            for (var i = ordered; i < positions.Length; i++)
            {
                if (positions[i] > positions[i - 1]) continue;
                var (position, channel, key, age) = (positions[i], channels[i], keys[i], ages[i]);
                var j = i - 1;
                for (; j >= 0 && positions[j] > position; j--) (positions[j + 1], channels[j + 1], keys[j + 1], ages[j + 1]) = (positions[j], channels[j], keys[j], ages[j]);
                (positions[j + 1], channels[j + 1], keys[j + 1], ages[j + 1]) = (position, channel, key, age);
            }
        for (var i = 1; i < positions.Length; i++)
            if (positions[i] == positions[i - 1]) return false;
        return true;
    }

    private bool Refuse(string why)
    {
        Refusal = why;
        return false;
    }

    // The touch arrays past their estimate (a range of the table held more touches than its share): doubled, copied.
    private void Grow(int needed)
    {
        var capacity = Math.Max(needed, 2 * _keys.Length);
        (_positions, _keys, _ages) = (Grown(_positions, capacity, _positionCount), Grown(_keys, capacity, TouchCount), Grown(_ages, capacity, _ageCount));

        static T[] Grown<T>(T[] column, int length, int count) where T : unmanaged
        {
            var grown = HugePageArrays.Allocate<T>(length);
            column.AsSpan(0, count).CopyTo(grown);
            return grown;
        }
    }

    private static T[] Resized<T>(T[] column, int count)
    {
        var resized = GC.AllocateUninitializedArray<T>(2 * column.Length);
        column.AsSpan(0, count).CopyTo(resized);
        return resized;
    }

    /// <summary>
    /// The read's paths: how many, their hashes (ascending), first touches (and the touch count after the last), each
    /// touch's channel number and key, each path's first age in <see cref="Ages"/> (paths without an age other than 0
    /// share a stretch of zeros) and, when the read brought outcomes, per path whether it converted, its value and its
    /// conversion time in ticks (<see cref="PathOutlines.NoTime"/> for none).
    /// </summary>
    internal sealed record Paths(int Count, long[] Hashes, int[] Starts, int[] Channels, int[] Keys, int[] AgeStarts, double[] Ages, bool[]? Converted, double[]? Values, long[]? ConvertedAt)
    {
        /// <summary>Path <paramref name="path"/>'s touches' ages, in position order.</summary>
        public ReadOnlySpan<double> AgesOf(int path) => Ages.AsSpan(AgeStarts[path], Starts[path + 1] - Starts[path]);
    }
}
