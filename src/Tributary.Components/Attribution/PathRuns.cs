using Tributary.Core.Warehousing;

namespace Tributary.Components.Attribution;

/// <summary>
/// Touches read in the order the warehouse sends them, sorted into paths here: a touch whose path id is the one before
/// it belongs to the same path (a run), so only the first touch of a run looks its path up; a path's outcome
/// (converted, value, conversion time: repeated on every touch) is the maximum over its touches, as a GROUP BY would give.
/// While every run's id is above the one before (a table stored in path order) no lookup is needed at all and the touches
/// are already in path order; otherwise paths are found in a map and put in id order at the end, so the result does not
/// depend on the order the rows are stored in.
/// </summary>
internal sealed class PathRuns
{
    private readonly int[] _pathOf;
    private readonly int[] _keys;
    private readonly long[] _positions;
    private readonly double[] _ages;
    private int _touches;
    private string[] _ids = new string[1024];
    private bool[] _converted = new bool[1024];
    private double[] _values = new double[1024];
    private bool[] _valued = new bool[1024];
    private DateTime[] _convertedAt = new DateTime[1024];
    private bool[] _dated = new bool[1024];
    private int[] _counts = new int[1024];
    private int _paths;
    private Dictionary<string, int>? _lookup;
    private string? _currentId;
    private int _current = -1;

    /// <summary>Room for <paramref name="touches"/> touches, the count the input had when the read began.</summary>
    public PathRuns(int touches)
    {
        // Every slot is written before it is read (or the read fails), so the arrays need no clearing.
        _pathOf = GC.AllocateUninitializedArray<int>(touches);
        _keys = GC.AllocateUninitializedArray<int>(touches);
        _positions = GC.AllocateUninitializedArray<long>(touches);
        _ages = GC.AllocateUninitializedArray<double>(touches);
    }

    /// <summary>
    /// Takes one batch of the read: path id (text), (channel, campaign) key, position, converted, conversion value, age,
    /// conversion time. Optimized from its first call: run once per step over every touch, it would otherwise spend its
    /// first millions of iterations in the runtime's unoptimized and profiling tiers.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public void Add(ColumnBatch b)
    {
        if (b.Count > _pathOf.Length - _touches) throw Changed();
        var ids = b.Values<string>(0);
        var keys = b.Values<long>(1);
        var positions = b.Values<long>(2);
        var converted = b.Values<bool>(3);
        var values = b.Values<double>(4);
        var ages = b.Values<double>(5);
        var convertedAt = b.Values<DateTime>(6);
        var (positionNulls, valueNulls, dateNulls) = (b.HasNulls(2), b.HasNulls(4), b.HasNulls(6));
        var (currentId, current, at) = (_currentId, _current, _touches);
        for (var i = 0; i < b.Count; i++, at++)
        {
            var id = ids[i];
            // The reader hands a repeated id as the same string: a reference check tells most touches' paths.
            if (!ReferenceEquals(id, currentId) && !string.Equals(id, currentId, StringComparison.Ordinal)) (currentId, current) = (id, PathOf(id));
            _pathOf[at] = current;
            _keys[at] = (int)keys[i];
            // NULL positions sort last, as ORDER BY position puts them. A NULL age reads as 0.
            _positions[at] = positionNulls && b.IsNull(2, i) ? long.MaxValue : positions[i];
            _ages[at] = ages[i];
            _counts[current]++;
            if (converted[i]) _converted[current] = true;
            if (!valueNulls || !b.IsNull(4, i))
                if (!_valued[current] || values[i] > _values[current]) (_values[current], _valued[current]) = (values[i], true);
            if (!dateNulls || !b.IsNull(6, i))
                if (!_dated[current] || convertedAt[i] > _convertedAt[current]) (_convertedAt[current], _dated[current]) = (convertedAt[i], true);
        }
        (_currentId, _current, _touches) = (currentId, current, at);
    }

    // The path of a run's first touch: a new one while ids rise, else found in (or added to) the map of ids seen.
    private int PathOf(string id)
    {
        if (_lookup is null)
        {
            if (_paths == 0 || string.CompareOrdinal(id, _ids[_paths - 1]) > 0) return NewPath(id);
            _lookup = new Dictionary<string, int>(2 * _paths, StringComparer.Ordinal);
            for (var p = 0; p < _paths; p++) _lookup[_ids[p]] = p;
        }
        ref var path = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_lookup, id, out var seen);
        if (!seen) path = NewPath(id);
        return path;
    }

    private int NewPath(string id)
    {
        if (_paths == _ids.Length)
        {
            var size = 2 * _paths;
            Array.Resize(ref _ids, size);
            Array.Resize(ref _converted, size);
            Array.Resize(ref _values, size);
            Array.Resize(ref _valued, size);
            Array.Resize(ref _convertedAt, size);
            Array.Resize(ref _dated, size);
            Array.Resize(ref _counts, size);
        }
        _ids[_paths] = id;
        return _paths++;
    }

    /// <summary>
    /// The paths in id order (ordinal), each path's touches as a slice at <c>Offsets</c> of the touch arrays in the order
    /// they were read (not yet by position). A path without a conversion value has 0, without a conversion time none.
    /// </summary>
    public ReadPaths Finish()
    {
        if (_touches != _pathOf.Length) throw Changed();
        var n = _paths;
        // order[rank] = path; none while the ids rose, as the paths then came in id order.
        int[]? order = null;
        if (_lookup is not null)
        {
            order = new int[n];
            for (var p = 0; p < n; p++) order[p] = p;
            Array.Sort(_ids[..n], order, StringComparer.Ordinal);
        }
        var (ids, converted, values, convertedAt, offsets) = (new string[n], new bool[n], new double[n], new DateTime?[n], new int[n + 1]);
        for (var r = 0; r < n; r++)
        {
            var p = order is null ? r : order[r];
            (ids[r], converted[r], values[r], convertedAt[r]) = (_ids[p], _converted[p], _valued[p] ? _values[p] : 0, _dated[p] ? _convertedAt[p] : null);
            offsets[r + 1] = offsets[r] + _counts[p];
        }
        if (order is null) return new ReadPaths(ids, converted, values, convertedAt, offsets, _keys, _positions, _ages);
        var (keys, positions, ages) = (GC.AllocateUninitializedArray<int>(_touches), GC.AllocateUninitializedArray<long>(_touches), GC.AllocateUninitializedArray<double>(_touches));
        Scatter(order, offsets, keys, positions, ages);
        return new ReadPaths(ids, converted, values, convertedAt, offsets, keys, positions, ages);
    }

    // Each touch moved to its path's slice, a path's touches in the order they were read.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private void Scatter(int[] order, int[] offsets, int[] keys, long[] positions, double[] ages)
    {
        var filled = new int[order.Length];
        for (var r = 0; r < order.Length; r++) filled[order[r]] = offsets[r];
        for (var t = 0; t < _touches; t++)
        {
            var at = filled[_pathOf[t]]++;
            (keys[at], positions[at], ages[at]) = (_keys[t], _positions[t], _ages[t]);
        }
    }

    private static InvalidOperationException Changed() => new("the input changed while its paths were read; run the step again.");
}
