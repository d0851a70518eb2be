namespace Tributary.Analytics.Identity;

/// <summary>
/// Interns (type, value) pairs as dense keys 0, 1, 2… in order of first sight. Values are copied into one growing
/// character array rather than kept as strings, so millions of identifiers are a few arrays the garbage collector
/// never has to trace (as strings they made full collections the larger part of a resolution's time).
/// </summary>
internal sealed class IdentifierTable
{
    private char[] _chars;
    private int _used;
    // Open addressing with linear probing; a slot holds key + 1, 0 when empty.
    private int[] _slots;
    // A key's start, length, type and hash side by side: a probe that finds a key reads one cache line for them, not four
    // (on a table of millions, each read of a separate array was a cache miss of its own).
    private Entry[] _entries;

    private record struct Entry(int Start, int Length, int Type, int Hash);

    /// <summary>An empty table with room for <paramref name="capacity"/> keys before any array grows.</summary>
    public IdentifierTable(int capacity = 0)
    {
        var keys = Math.Max(1 << 10, capacity);
        // At most half the slots in use (see GetOrAdd), in a power of two for the mask.
        _slots = new int[(int)Math.Min(1L << 30, System.Numerics.BitOperations.RoundUpToPowerOf2((uint)keys * 2u))];
        _entries = new Entry[keys];
        // Room for identifiers of 16 characters on average; longer ones grow the array once or twice.
        _chars = new char[(int)Math.Min(Array.MaxLength, Math.Max(1L << 16, keys * 16L))];
    }

    /// <summary>Number of distinct pairs.</summary>
    public int Count { get; private set; }

    /// <summary>The hash the table files (<paramref name="type"/>, <paramref name="value"/>) under.</summary>
    public static int Hash(int type, ReadOnlySpan<char> value) => HashCode.Combine(type, string.GetHashCode(value));

    /// <summary>The key of (<paramref name="type"/>, <paramref name="value"/>), adding it when new.</summary>
    public int GetOrAdd(int type, ReadOnlySpan<char> value, out bool added) => GetOrAdd(type, value, Hash(type, value), out added);

    /// <summary>As <see cref="GetOrAdd(int, ReadOnlySpan{char}, out bool)"/>, with the pair's <see cref="Hash"/> worked out already.</summary>
    public int GetOrAdd(int type, ReadOnlySpan<char> value, int hash, out bool added)
    {
        var slot = Probe(type, value, hash);
        added = _slots[slot] == 0;
        if (!added) return _slots[slot] - 1;
        var key = Count++;
        if (key == _entries.Length) Array.Resize(ref _entries, _entries.Length * 2);
        if (value.Length > _chars.Length - _used)
        {
            var size = Math.Max((long)_chars.Length * 2, (long)_used + value.Length);
            if (size > Array.MaxLength)
                throw new InvalidOperationException($"identifiers hold more than {Array.MaxLength:N0} characters in all; resolve them in smaller batches.");
            Array.Resize(ref _chars, (int)size);
        }
        value.CopyTo(_chars.AsSpan(_used));
        _entries[key] = new Entry(_used, value.Length, type, hash);
        _used += value.Length;
        _slots[slot] = key + 1;
        if (Count * 2 > _slots.Length) Rehash();
        return key;
    }

    /// <summary>The key of (<paramref name="type"/>, <paramref name="value"/>) whose <see cref="Hash"/> is <paramref name="hash"/>, or -1 when it was never added.</summary>
    public int Find(int type, ReadOnlySpan<char> value, int hash) => _slots[Probe(type, value, hash)] - 1;

    /// <summary>The type of <paramref name="key"/>.</summary>
    public int TypeOf(int key) => _entries[key].Type;

    /// <summary>The value of <paramref name="key"/>.</summary>
    public ReadOnlySpan<char> ValueOf(int key) => _chars.AsSpan(_entries[key].Start, _entries[key].Length);

    private int Probe(int type, ReadOnlySpan<char> value, int hash)
    {
        var mask = _slots.Length - 1;
        for (var i = hash & mask; ; i = (i + 1) & mask)
        {
            var k = _slots[i] - 1;
            if (k < 0) return i;
            ref readonly var entry = ref _entries[k];
            if (entry.Hash == hash && entry.Type == type && value.SequenceEqual(_chars.AsSpan(entry.Start, entry.Length))) return i;
        }
    }

    private void Rehash()
    {
        _slots = new int[_slots.Length * 2];
        var mask = _slots.Length - 1;
        for (var k = 0; k < Count; k++)
        {
            var i = _entries[k].Hash & mask;
            while (_slots[i] != 0) i = (i + 1) & mask;
            _slots[i] = k + 1;
        }
    }
}
