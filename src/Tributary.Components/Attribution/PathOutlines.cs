using Tributary.Core.Warehousing;

namespace Tributary.Components.Attribution;

/// <summary>
/// The attribution read's outline of every path, one array per column, filled batch by batch: per path whether it
/// converted, its value, touch count and id hash; per converting path, in path order, its id and conversion time (no reader
/// needs those of the others, four in five paths at the demo's sizes). The arrays then serve the models and the write as
/// they are (longer than their count), but for the two the path set takes, which <see cref="Trim"/> cuts. A list of one
/// tuple per path (id, converted, value, nullable time, count: 40 bytes, 1.4M paths in a list of 2M at 100k demo customers),
/// a list of the hashes and per-path arrays copied from them were held at once before (bench/README.md, stop 22).
/// </summary>
internal sealed class PathOutlines(bool hashed)
{
    /// <summary>The conversion time of a converting path without one in <see cref="ConvertedAt"/>: no time has negative ticks.</summary>
    public const long NoTime = -1;

    private const int InitialCapacity = 4096;

    /// <summary>Paths read.</summary>
    public int Count { get; private set; }

    /// <summary>Converting paths read.</summary>
    public int ConvertingCount { get; private set; }

    /// <summary>Per path whether it converted.</summary>
    public bool[] Converted { get; private set; } = new bool[InitialCapacity];

    /// <summary>Per path its conversion value.</summary>
    public double[] Values { get; private set; } = new double[InitialCapacity];

    /// <summary>Per path its number of touches.</summary>
    public int[] Touches { get; private set; } = new int[InitialCapacity];

    /// <summary>Per path the engine's hash of its id, when the outline reads it (else null).</summary>
    public long[]? Hashes { get; private set; } = hashed ? new long[InitialCapacity] : null;

    /// <summary>Per converting path (the i-th converting path in path order at i) its id.</summary>
    public string?[] Ids { get; private set; } = new string?[InitialCapacity];

    /// <summary>Per converting path its conversion time in ticks, or <see cref="NoTime"/>.</summary>
    public long[] ConvertedAt { get; private set; } = new long[InitialCapacity];

    /// <summary>
    /// Adds the rows of a batch of the outline read: id (text, NULL unless converted), converted, value, conversion time,
    /// touch count and, when the outline is hashed, the id's hash, in that order.
    /// </summary>
    public void Add(ColumnBatch b)
    {
        if (Count + b.Count > Converted.Length)
        {
            var capacity = Math.Max(Count + b.Count, 2 * Converted.Length);
            (Converted, Values, Touches) = (Resized(Converted, Count, capacity), Resized(Values, Count, capacity), Resized(Touches, Count, capacity));
            if (Hashes is not null) Hashes = Resized(Hashes, Count, capacity);
        }
        var ids = b.Values<string>(0);
        var converted = b.Values<bool>(1);
        var amounts = b.Values<double>(2);
        var convertedAt = b.Values<DateTime>(3);
        var counts = b.Values<long>(4);
        var timeNulls = b.HasNulls(3);
        for (var i = 0; i < b.Count; i++)
        {
            var path = Count + i;
            Converted[path] = converted[i];
            Values[path] = amounts[i];
            Touches[path] = (int)counts[i];
            if (!converted[i]) continue;
            if (ConvertingCount == Ids.Length)
            {
                var capacity = 2 * Ids.Length;
                (Ids, ConvertedAt) = (Resized(Ids, ConvertingCount, capacity), Resized(ConvertedAt, ConvertingCount, capacity));
            }
            Ids[ConvertingCount] = ids[i];
            ConvertedAt[ConvertingCount++] = timeNulls && b.IsNull(3, i) ? NoTime : convertedAt[i].Ticks;
        }
        if (Hashes is not null) b.Values<long>(5).CopyTo(Hashes.AsSpan(Count));
        Count += b.Count;
    }

    /// <summary>Cuts <see cref="Converted"/> and <see cref="Values"/> to <see cref="Count"/>: the path set takes arrays of the paths' length.</summary>
    public void Trim() => (Converted, Values) = (Resized(Converted, Count, Count), Resized(Values, Count, Count));

    private static T[] Resized<T>(T[] column, int count, int capacity)
    {
        if (column.Length == capacity) return column;
        var resized = GC.AllocateUninitializedArray<T>(capacity);
        column.AsSpan(0, count).CopyTo(resized);
        return resized;
    }
}
