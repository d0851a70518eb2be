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

    // The runs by hash (and, for each, its run, its touch count and whether it has ages), made once the read is over.
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
        (_sortedHashes, _sortedRuns) = HashOrder.Sort(_hashes, Count);
        // Each sorted run's length and whether it has ages, read here on the scan's thread: from the hash order, these reads
        // of the runs are at random, and they were most of the merge's time on one core.
        (_sortedLengths, _sortedAged) = (new int[Count], new bool[Count]);
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
    /// path repeats a position (as it does where two paths' ids hash alike). The hash order is cut into
    /// <paramref name="partCount"/> parts, one per core for 0.
    /// </summary>
    // Paths numbered in their hashes' order, not in the order the engine stored them: a producer that writes its table in
    // another order on the next run (parallel window functions do) would otherwise change the float sums in the last digit,
    // and a second run over the same data must change no table (nor a webhook sync's content hash). The hash order is split
    // into parts, one per core, each a range of hashes (so of whole paths) found in every slice's sorted runs: the parts
    // count their paths side by side, and then, each knowing its first path, touch and age, merge their slices' runs again
    // and copy each path's touches straight into the arrays the models read (channels, keys, ages), sorted by position on
    // the way. The copy reads each run from wherever the engine stored it, cache misses that one core waited on alone; and
    // a merge of every run on one core, into arrays of its own, was a tenth of a second of the step (bench/README.md, stop 34).
    public static Paths? ToPaths(IReadOnlyList<PathRuns> slices, int[] channelOfKey, out string? refusal, int partCount = 0)
    {
        refusal = null;
        if (partCount <= 0) partCount = Math.Clamp(Environment.ProcessorCount, 1, 8);
        var sliced = slices.ToArray();
        foreach (var slice in sliced) slice.End();
        var outcomes = sliced.Length > 0 && sliced[0]._outcomes;
        var parts = Part.Split(sliced, partCount);
        Parallel.For(0, parts.Length, part => parts[part].Count(sliced));
        var (paths, touchCount, agedTouches, longest) = (0, 0, 0, 0);
        foreach (var part in parts)
        {
            (part.FirstPath, part.FirstTouch, part.FirstAge) = (paths, touchCount, agedTouches);
            (paths, touchCount, agedTouches, longest) = (paths + part.Paths, touchCount + part.Touches, agedTouches + part.AgedTouches, Math.Max(longest, part.Longest));
        }
        var (hashes, starts, ageStarts) = (HugePageArrays.Allocate<long>(paths), HugePageArrays.Allocate<int>(paths + 1), HugePageArrays.Allocate<int>(paths));
        starts[paths] = touchCount;
        // The ages of paths with some age other than 0, one after another; every other path's are the stretch of zeros after them.
        var (channels, keys, ages) = (HugePageArrays.Allocate<int>(touchCount), HugePageArrays.Allocate<int>(touchCount), HugePageArrays.Allocate<double>(agedTouches + longest));
        ages.AsSpan(agedTouches).Clear();
        var (converted, values, convertedAt) = outcomes ? (new bool[paths], new double[paths], new long[paths]) : (null, null, null);
        var arrays = new PathArrays(hashes, starts, ageStarts, agedTouches, channels, keys, ages, converted, values, convertedAt);
        var refusals = new string?[parts.Length];
        Parallel.For(0, parts.Length, part => refusals[part] = Copy(sliced, parts[part], channelOfKey, arrays));
        refusal = refusals.FirstOrDefault(r => r is not null);
        return refusal is null ? new Paths(paths, hashes, starts, channels, keys, ageStarts, ages, converted, values, convertedAt) : null;
    }

    // The arrays the paths are copied into (see Paths), and where the stretch of zeros for paths without ages starts.
    private sealed record PathArrays(long[] Hashes, int[] Starts, int[] AgeStarts, int ZeroAges, int[] Channels, int[] Keys, double[] Ages,
        bool[]? Converted, double[]? Values, long[]? ConvertedAt);

    // A part's paths: their runs merged from the slices, each path's touches copied into place, then put in position order;
    // a converting path's outcome the largest of its runs'. The refusal when a path repeats a position, else null.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static string? Copy(PathRuns[] slices, Part part, int[] channelOfKey, PathArrays into)
    {
        var (channels, keys, ages, converted, values, convertedAt) = (into.Channels, into.Keys, into.Ages, into.Converted, into.Values, into.ConvertedAt);
        var scratch = new int[256];
        // The runs of the path at hand, and the first run of the next.
        var (pathSlices, pathRuns) = (new int[16], new int[16]);
        var merge = part.Merge(slices);
        var next = merge.Next();
        var (path, at, age) = (part.FirstPath - 1, part.FirstTouch, part.FirstAge);
        while (next.Slice >= 0)
        {
            var hash = slices[next.Slice]._sortedHashes[next.Index];
            var (runCount, length, aged) = (0, 0, false);
            do
            {
                if (runCount == pathRuns.Length) (pathSlices, pathRuns) = (Resized(pathSlices, runCount), Resized(pathRuns, runCount));
                var slice = slices[next.Slice];
                Prefetch(slice, next.Index);
                (pathSlices[runCount], pathRuns[runCount++]) = (next.Slice, slice._sortedRuns[next.Index]);
                (length, aged) = (length + slice._sortedLengths[next.Index], aged | slice._sortedAged[next.Index]);
                next = merge.Next();
            }
            while (next.Slice >= 0 && slices[next.Slice]._sortedHashes[next.Index] == hash);
            path++;
            var ageStart = aged ? age : into.ZeroAges;
            (into.Hashes[path], into.Starts[path], into.AgeStarts[path]) = (hash, at, ageStart);
            if (values is not null) (values[path], convertedAt![path]) = (double.NegativeInfinity, PathOutlines.NoTime);
            if (length > scratch.Length) scratch = new int[Math.Max(2 * scratch.Length, length)];
            for (var (r, filled) = (0, 0); r < runCount; r++)
            {
                var (slice, run) = (slices[pathSlices[r]], pathRuns[r]);
                var (source, n) = (slice._starts[run], slice._starts[run + 1] - slice._starts[run]);
                // One loop for the three arrays: a run is ~10 touches, where a copy call per array paid its call and its cache
                // misses one after another.
                var (sourceKeys, keyOfPair) = (slice._keys, slice._keyOfPair);
                for (var k = 0; k < n; k++)
                {
                    var key = keyOfPair[sourceKeys[source + k]];
                    keys[at + filled + k] = key;
                    channels[at + filled + k] = channelOfKey[key];
                }
                if (slice._positionStarts[run] is var positionStart and >= 0) slice._positions.AsSpan(positionStart, n).CopyTo(scratch.AsSpan(filled, n));
                else
                    for (var (k, first) = (0, slice._firstPositions[run]); k < n; k++) scratch[filled + k] = first + k;
                if (aged)
                {
                    var ageInto = ages.AsSpan(ageStart + filled, n);
                    if (slice._ageStarts[run] is var sourceAge and >= 0) slice._ages.AsSpan(sourceAge, n).CopyTo(ageInto);
                    else ageInto.Clear();
                }
                filled += n;
                if (values is not null && slice._converted[run])
                    (converted![path], values[path], convertedAt![path]) = (true, Math.Max(values[path], slice._values[run]), Math.Max(convertedAt![path], slice._convertedAt[run]));
            }
            // A converting path without a value is worth 0, as the outline read's CAST(max(...)) of only NULLs reads.
            if (values is not null && double.IsNegativeInfinity(values[path])) values[path] = 0;
            // A path without ages shares its stretch of zeros: nothing of it to move.
            if (!InPositionOrder(scratch.AsSpan(0, length), channels.AsSpan(at, length), keys.AsSpan(at, length), aged ? ages.AsSpan(ageStart, length) : default))
                return "a path's touches repeat a position (or two paths' ids hash alike)";
            at += length;
            if (aged) age += length;
        }
        return null;
    }

    // Runs ahead of the copy, asked for from the cache in two steps: a run's first touch (its start) further ahead, then,
    // once that is in, the lines of its touches. The copy reads each run from wherever the engine stored it; one run's
    // misses at a time left it waiting on memory most of its time (bench/README.md, stop 31). Ahead in the run's own slice:
    // the merge takes from each slice in turn, so about as far ahead in the copy.
    private const int PrefetchRuns = 8;

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static void Prefetch(PathRuns slice, int index)
    {
        if (index + 2 * PrefetchRuns < slice.Count)
        {
            var far = slice._sortedRuns[index + 2 * PrefetchRuns];
            CachePrefetch.Read(slice._starts, far);
            CachePrefetch.Read(slice._ageStarts, far);
            CachePrefetch.Read(slice._positionStarts, far);
            CachePrefetch.Read(slice._firstPositions, far);
            if (slice._outcomes) CachePrefetch.Read(slice._converted, far);
        }
        if (index + PrefetchRuns >= slice.Count) return;
        var near = slice._sortedRuns[index + PrefetchRuns];
        var (first, last) = (slice._starts[near], slice._starts[near + 1] - 1);
        if (slice._positionStarts[near] is var positionStart and >= 0) CachePrefetch.Read(slice._positions, positionStart);
        CachePrefetch.Read(slice._keys, first);
        CachePrefetch.Read(slice._keys, last);
        if (slice._ageStarts[near] is var ageStart and >= 0)
        {
            CachePrefetch.Read(slice._ages, ageStart);
            CachePrefetch.Read(slice._ages, ageStart + last - first);
        }
    }

    // One range of the hash order: in each slice, the sorted runs [From, To) whose hashes fall in it; once counted, its
    // paths, touches, touches of paths with ages and longest path, and (set by ToPaths) its first path, touch and age.
    private sealed class Part(int[] from, int[] to)
    {
        public int Paths { get; private set; }
        public int Touches { get; private set; }
        public int AgedTouches { get; private set; }
        public int Longest { get; private set; }
        public int FirstPath { get; set; }
        public int FirstTouch { get; set; }
        public int FirstAge { get; set; }

        // The hash order cut into about equal parts at the largest slice's hashes: each slice's runs of a part are the ones
        // from the first at or above the part's first hash to the first at or above the next part's.
        public static Part[] Split(PathRuns[] slices, int count)
        {
            var largest = slices.MaxBy(s => s.Count);
            if (largest is null || largest.Count < count) count = 1;
            var cuts = Enumerable.Range(1, count - 1).Select(k => largest!._sortedHashes[(int)((long)largest.Count * k / count)]).ToArray();
            return Enumerable.Range(0, count).Select(k => new Part(
                slices.Select(s => k == 0 ? 0 : FirstAtOrAbove(s, cuts[k - 1])).ToArray(),
                slices.Select(s => k == count - 1 ? s.Count : FirstAtOrAbove(s, cuts[k])).ToArray())).ToArray();
        }

        private static int FirstAtOrAbove(PathRuns slice, long hash)
        {
            var (low, high) = (0, slice.Count);
            while (low < high)
            {
                var middle = (int)(((uint)low + (uint)high) >> 1);
                if (slice._sortedHashes[middle] < hash) low = middle + 1;
                else high = middle;
            }
            return low;
        }

        public RunMerge Merge(PathRuns[] slices) => new(slices, (int[])from.Clone(), to);

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
        public void Count(PathRuns[] slices)
        {
            var merge = Merge(slices);
            var (length, aged) = (0, false);
            for (var (next, last) = (merge.Next(), 0L); next.Slice >= 0; next = merge.Next())
            {
                var slice = slices[next.Slice];
                var hash = slice._sortedHashes[next.Index];
                if (length > 0 && hash != last) Close();
                (length, aged, last) = (length + slice._sortedLengths[next.Index], aged | slice._sortedAged[next.Index], hash);
            }
            if (length > 0) Close();

            void Close()
            {
                (Paths, Touches, Longest) = (Paths + 1, Touches + length, Math.Max(Longest, length));
                if (aged) AgedTouches += length;
                (length, aged) = (0, false);
            }
        }
    }

    // The runs of a part in hash order, one at a time: each slice's next run, the least hash first; slice −1 when done.
    private sealed class RunMerge(PathRuns[] slices, int[] next, int[] to)
    {
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        public (int Slice, int Index) Next()
        {
            var (s, hash) = (-1, 0L);
            for (var t = 0; t < slices.Length; t++)
                if (next[t] < to[t] && (s < 0 || slices[t]._sortedHashes[next[t]] < hash)) (s, hash) = (t, slices[t]._sortedHashes[next[t]]);
            return s < 0 ? (-1, 0) : (s, next[s]++);
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
