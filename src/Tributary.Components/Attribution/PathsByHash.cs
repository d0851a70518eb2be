namespace Tributary.Components.Attribution;

/// <summary>
/// Path numbers by the 64-bit hash of their id, the lookup of every run of touches in the attribution read: open
/// addressing with linear probing over one array of (hash, path) slots, at most half full, so a lookup is mostly one
/// cache line (a <see cref="Dictionary{TKey, TValue}"/> reads its bucket and then its entry, two misses on a map of a
/// million paths).
/// </summary>
internal sealed class PathsByHash
{
    private readonly (long Hash, int PathPlusOne)[] _slots;
    private readonly int _shift;

    /// <summary>A map with room for <paramref name="paths"/> paths.</summary>
    public PathsByHash(int paths)
    {
        var bits = Math.Max(4, 64 - long.LeadingZeroCount(Math.Max(1L, 2L * paths - 1)));
        _slots = new (long, int)[1 << (int)bits];
        _shift = 64 - (int)bits;
    }

    /// <summary>Adds <paramref name="hash"/> as <paramref name="path"/>'s; false when another path has that hash.</summary>
    public bool TryAdd(long hash, int path)
    {
        for (var i = Slot(hash); ; i = (i + 1) & (_slots.Length - 1))
        {
            ref var slot = ref _slots[i];
            if (slot.PathPlusOne == 0)
            {
                slot = (hash, path + 1);
                return true;
            }
            if (slot.Hash == hash) return false;
        }
    }

    /// <summary>The path whose id has <paramref name="hash"/>.</summary>
    public bool TryGet(long hash, out int path)
    {
        for (var i = Slot(hash); ; i = (i + 1) & (_slots.Length - 1))
        {
            var slot = _slots[i];
            if (slot.PathPlusOne == 0)
            {
                path = -1;
                return false;
            }
            if (slot.Hash == hash)
            {
                path = slot.PathPlusOne - 1;
                return true;
            }
        }
    }

    // Fibonacci hashing (Knuth, TAOCP vol. 3, 6.4): the top bits of the product spread any key's bits over the table.
    private int Slot(long hash) => (int)((ulong)hash * 0x9E3779B97F4A7C15UL >> _shift);
}
