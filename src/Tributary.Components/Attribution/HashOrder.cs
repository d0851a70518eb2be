using System.Numerics;
using System.Runtime.CompilerServices;

namespace Tributary.Components.Attribution;

/// <summary>
/// Hashes put in order with their positions: a counting sort on the hashes' top bits, each bucket then ordered by insertion.
/// The engine's hashes of ids spread evenly, so a bucket holds two or three of them; a bucket of many (hashes crowded in one
/// place) is left to <see cref="Array.Sort{TKey, TValue}(TKey[], TValue[], int, int)"/>. Against that sort of the whole array,
/// which no ReadyToRun image holds for these types and the runtime ran unoptimized and then on-stack-replaced for most of its
/// 0.07 s per half of the attribution read's runs at 1M paths (bench/README.md, stop 34), it is two passes and a short one.
/// </summary>
internal static class HashOrder
{
    // Buckets per hash, about: fewer makes longer insertion sorts, more makes a larger table to scatter into.
    private const int HashesPerBucket = 2;

    // Buckets at most (4 MB of counts).
    private const int MaxBucketBits = 20;

    // Buckets longer than this are sorted by Array.Sort: an insertion sort is quadratic in its length.
    private const int InsertionLimit = 32;

    /// <summary>
    /// The first <paramref name="count"/> of <paramref name="hashes"/> in ascending order, and beside each its index in
    /// <paramref name="hashes"/> (equal hashes in any order); <paramref name="hashes"/> is left as it is.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static (long[] Hashes, int[] Positions) Sort(long[] hashes, int count)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, hashes.Length);
        var (sorted, positions) = (GC.AllocateUninitializedArray<long>(count), GC.AllocateUninitializedArray<int>(count));
        if (count == 0) return (sorted, positions);
        var (min, max) = (long.MaxValue, long.MinValue);
        for (var i = 0; i < count; i++) (min, max) = (Math.Min(min, hashes[i]), Math.Max(max, hashes[i]));
        // A hash's bucket: its distance from the smallest, shifted so that the largest distance has the bucket bits.
        var range = unchecked((ulong)max - (ulong)min);
        var bits = Math.Clamp(BitOperations.Log2((uint)count) - BitOperations.Log2(HashesPerBucket), 0, MaxBucketBits);
        // At most 63: a shift by 64 is a shift by 0 in C# (two or three hashes spanning all 64 bits would want one bucket).
        var shift = Math.Clamp(64 - BitOperations.LeadingZeroCount(range) - bits, 0, 63);
        var ends = new int[(int)(range >> shift) + 2];
        for (var i = 0; i < count; i++) ends[Bucket(hashes[i], min, shift) + 1]++;
        for (var b = 1; b < ends.Length; b++) ends[b] += ends[b - 1];
        // Scattered into place, each bucket's next slot counted up from its start: its end when done.
        for (var i = 0; i < count; i++)
        {
            var at = ends[Bucket(hashes[i], min, shift)]++;
            (sorted[at], positions[at]) = (hashes[i], i);
        }
        for (var (b, start) = (0, 0); b < ends.Length - 1; start = ends[b++])
        {
            var length = ends[b] - start;
            if (length > InsertionLimit) Array.Sort(sorted, positions, start, length);
            else if (length > 1) InOrder(sorted.AsSpan(start, length), positions.AsSpan(start, length));
        }
        return (sorted, positions);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Bucket(long hash, long min, int shift) => (int)(unchecked((ulong)hash - (ulong)min) >> shift);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void InOrder(Span<long> hashes, Span<int> positions)
    {
        for (var i = 1; i < hashes.Length; i++)
        {
            var (hash, position) = (hashes[i], positions[i]);
            var j = i - 1;
            for (; j >= 0 && hashes[j] > hash; j--) (hashes[j + 1], positions[j + 1]) = (hashes[j], positions[j]);
            (hashes[j + 1], positions[j + 1]) = (hash, position);
        }
    }
}
