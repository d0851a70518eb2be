namespace Tributary.Components.Attribution;

/// <summary>
/// Path numbers by the 64-bit hash of their id, the lookup of every run of touches in the attribution read: open
/// addressing with linear probing over one array of slots, at most half full, so a lookup is mostly one cache line (a
/// <see cref="Dictionary{TKey, TValue}"/> reads its bucket and then its entry, two misses on a map of a million paths).
/// A slot is 8 bytes, the path's number and the top half of its hash; a slot whose half matches is confirmed against the
/// path's whole hash in the paths' own array, which the read looks at next anyway. Slots holding the whole hash beside the
/// number (16 bytes) were 67 MB at 1.4M paths (bench/README.md, stop 22).
/// </summary>
internal sealed class PathsByHash
{
    private readonly long[] _hashes;
    // Per slot: 0 when empty, else the top 32 bits of the hash above the path's number plus one.
    private readonly long[] _slots;
    private readonly int _shift;

    /// <summary>A map with room for <paramref name="paths"/> paths, path <c>p</c>'s hash being <c>hashes[p]</c> (read, never copied).</summary>
    public PathsByHash(long[] hashes, int paths)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(paths, hashes.Length);
        _hashes = hashes;
        var bits = Math.Max(4, 64 - long.LeadingZeroCount(Math.Max(1L, 2L * paths - 1)));
        _slots = new long[1 << (int)bits];
        _shift = 64 - (int)bits;
    }

    /// <summary>Adds <paramref name="path"/> under its hash; false when another path has that hash.</summary>
    public bool TryAdd(int path)
    {
        var hash = _hashes[path];
        var top = Top(hash);
        for (var i = Slot(hash); ; i = (i + 1) & (_slots.Length - 1))
        {
            var slot = _slots[i];
            if (slot == 0)
            {
                _slots[i] = top | (uint)(path + 1);
                return true;
            }
            if ((slot & TopMask) == top && _hashes[(int)(uint)slot - 1] == hash) return false;
        }
    }

    /// <summary>The path whose id has <paramref name="hash"/>.</summary>
    public bool TryGet(long hash, out int path)
    {
        var top = Top(hash);
        for (var i = Slot(hash); ; i = (i + 1) & (_slots.Length - 1))
        {
            var slot = _slots[i];
            if (slot == 0)
            {
                path = -1;
                return false;
            }
            if ((slot & TopMask) == top && _hashes[(int)(uint)slot - 1] == hash)
            {
                path = (int)(uint)slot - 1;
                return true;
            }
        }
    }

    private const long TopMask = unchecked((long)0xFFFF_FFFF_0000_0000UL);

    private static long Top(long hash) => hash & TopMask;

    // Fibonacci hashing (Knuth, TAOCP vol. 3, 6.4): the top bits of the product spread any key's bits over the table.
    private int Slot(long hash) => (int)((ulong)hash * 0x9E3779B97F4A7C15UL >> _shift);
}
