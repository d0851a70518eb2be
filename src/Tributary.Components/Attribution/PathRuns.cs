using Tributary.Core.Memory;
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
    // Per run, when the read brings each touch's outcome: whether a touch converted, the largest conversion value of its
    // converting touches (negative infinity for none) and their latest conversion time in ticks (NoTime for none).
    private readonly bool _outcomes;
    private bool[] _converted = [];
    private double[] _values = [];
    private long[] _convertedAt = [];

    /// <summary>
    /// Runs of at most <paramref name="capacity"/> touches, whose pair hashes are looked up in <paramref name="pairs"/> (pair
    /// <c>i</c> has key <c>keyOfPair[i]</c>); with <paramref name="outcomes"/>, the read's batches also bring each touch's
    /// outcome and the paths' outcomes come from them.
    /// </summary>
    public PathRuns(int capacity, PathsByHash pairs, int[] keyOfPair, bool outcomes)
    {
        (_pairs, _keyOfPair, _outcomes) = (pairs, keyOfPair, outcomes);
        if (outcomes) (_converted, _values, _convertedAt) = (new bool[_hashes.Length], new double[_hashes.Length], new long[_hashes.Length]);
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
    /// its conversion value and time, a time before year 1000 for none); false (with <see cref="Refusal"/>) when a touch's
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
        var converting = _outcomes ? b.Values<bool>(4) : default;
        if (TouchCount + b.Count > _positions.Length) return Refuse("the touches differ from their pairs' count");
        var (pair, pairHash) = (-1, 0L);
        for (var i = 0; i < b.Count; i++)
        {
            var hash = hashes[i];
            if (Count == 0 || hash != _hashes[Count - 1])
            {
                if (Count + 1 == _hashes.Length)
                {
                    (_hashes, _starts) = (Resized(_hashes, Count), Resized(_starts, Count + 1));
                    if (_outcomes) (_converted, _values, _convertedAt) = (Resized(_converted, Count), Resized(_values, Count), Resized(_convertedAt, Count));
                }
                if (_outcomes) (_converted[Count], _values[Count], _convertedAt[Count]) = (false, double.NegativeInfinity, PathOutlines.NoTime);
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
            if (_outcomes && converting[i]) Converting(b, i);
        }
        return true;
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
    public Paths? ToPaths(int[] channelOfKey)
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
        var (converted, values, convertedAt) = _outcomes ? (new bool[paths], new double[paths], new long[paths]) : (null, null, null);
        var (channels, keys, ages) = (HugePageArrays.Allocate<int>(TouchCount), HugePageArrays.Allocate<int>(TouchCount), HugePageArrays.Allocate<double>(TouchCount));
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
                if (_outcomes) (values![path], convertedAt![path]) = (double.NegativeInfinity, PathOutlines.NoTime);
            }
            var run = runOrder[r];
            if (_outcomes && _converted[run])
                (converted![path], values![path], convertedAt![path]) = (true, Math.Max(values![path], _values[run]), Math.Max(convertedAt![path], _convertedAt[run]));
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
        // A converting path without a value is worth 0, as the outline read's CAST(max(...)) of only NULLs reads.
        for (var p = 0; values is not null && p < paths; p++)
            if (double.IsNegativeInfinity(values[p])) values[p] = 0;
        return new Paths(paths, hashes, starts, channels, keys, ages, converted, values, convertedAt);
    }

    /// <summary>
    /// The read's paths: how many, their hashes (ascending), first touches (and the touch count after the last), each
    /// touch's channel number, key and age and, when the read brought outcomes, per path whether it converted, its value
    /// and its conversion time in ticks (<see cref="PathOutlines.NoTime"/> for none).
    /// </summary>
    internal sealed record Paths(int Count, long[] Hashes, int[] Starts, int[] Channels, int[] Keys, double[] Ages, bool[]? Converted, double[]? Values, long[]? ConvertedAt);

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
