using System.Globalization;
using System.Runtime.InteropServices;

namespace Tributary.Analytics.Identity;

/// <summary>
/// Collects identity records one at a time into compact arrays (identifiers interned once as numbers, their text in
/// one character array, each record a run of numbers), so a caller can stream millions of rows in without holding them;
/// <see cref="Link"/> then links them as <see cref="IdentityGraph"/> describes.
/// </summary>
public sealed class IdentityGraphBuilder
{
    private readonly IdentityOptions _options;
    private readonly Func<Identifier, bool>? _usable;
    private readonly Dictionary<string, int> _typeIndex = new(StringComparer.Ordinal);
    private readonly List<string> _types = [];
    private readonly List<int> _typeRank = [];
    // The identifier table split by hash into parts that can be filled on separate threads (see Intern); a key is a part's
    // own key shifted left by _partBits with the part's number in the low bits.
    private readonly IdentifierTable[] _parts;
    private readonly int _partBits;
    // Per part, per key of the part: its node, or -1 when the identifier is not usable (decided once, on first sight).
    private readonly List<int>[] _nodeOfKey;
    private readonly List<int> _nodeKey;
    private readonly List<int> _nodeRank;
    // Times as ticks (0 = unknown) and sources as indexes keep these lists free of references and nullable wrappers.
    private readonly List<long> _first;
    private readonly List<long> _last;
    private readonly List<int> _sources;
    private readonly List<string> _sourceNames = [];
    // Each record's distinct identifiers, strongest first, one run per record.
    private readonly List<int> _members;
    private readonly List<int> _recordStart = [0];
    // Per record: whether it stands for several occurrences (see RepeatsMatter), its first time (ticks, 0 unknown) and source.
    private readonly List<bool> _repeated = [];
    private readonly List<long> _recordFirst = [];
    private readonly List<int> _recordSource = [];
    // Last run's profile ids: per node an index into _previousIds (-1 none), and the highest number of the prefix seen.
    private readonly List<int> _nodePrevious;
    private readonly List<string> _previousIds = [];
    private readonly Dictionary<string, int> _previousIndex = new(StringComparer.Ordinal);
    private long _maxSequence;

    /// <summary>An empty graph under <paramref name="options"/>; identifiers for which <paramref name="usable"/> is false are left out (asked once per distinct identifier).</summary>
    public IdentityGraphBuilder(IdentityOptions options, Func<Identifier, bool>? usable = null) : this(options, usable, 0)
    {
    }

    /// <summary>
    /// An empty graph sized for about <paramref name="expectedIdentifiers"/> identifier values (a count of the non-null values to
    /// be added, say; fewer or more are fine): its arrays are made once at that size rather than grown by doubling, which
    /// copied each of them and touched twice the memory on the way to millions of identifiers.
    /// </summary>
    public IdentityGraphBuilder(IdentityOptions options, Func<Identifier, bool>? usable, int expectedIdentifiers) : this(options, usable, expectedIdentifiers, 1)
    {
    }

    /// <summary>
    /// As <see cref="IdentityGraphBuilder(IdentityOptions, Func{Identifier, bool}?, int)"/>, with the identifier table split into
    /// <paramref name="parts"/> (1, 2, 4 or 8) by hash, so that <see cref="Intern"/> can fill the parts on as many threads at once
    /// while <see cref="AddInterned"/> takes the records on another. The graph, its node numbers and its profiles are the same
    /// for any number of parts.
    /// </summary>
    public IdentityGraphBuilder(IdentityOptions options, Func<Identifier, bool>? usable, int expectedIdentifiers, int parts)
    {
        if (parts is not (1 or 2 or 4 or 8)) throw new ArgumentOutOfRangeException(nameof(parts), parts, "parts must be 1, 2, 4 or 8.");
        (_options, _usable) = (options, usable);
        var capacity = Math.Clamp(expectedIdentifiers, 0, MaxPresize);
        _partBits = System.Numerics.BitOperations.Log2((uint)parts);
        _parts = [.. Enumerable.Range(0, parts).Select(_ => new IdentifierTable(capacity / parts))];
        _nodeOfKey = [.. Enumerable.Range(0, parts).Select(_ => new List<int>(capacity / parts))];
        (_nodeKey, _nodeRank, _sources, _nodePrevious, _members) = (new(capacity), new(capacity), new(capacity), new(capacity), new(capacity));
        (_first, _last) = (new(capacity), new(capacity));
    }

    /// <summary>Number of parts the identifier table is split into (see <see cref="Intern"/>).</summary>
    public int Parts => _parts.Length;

    /// <summary>
    /// The number of identifier type <paramref name="type"/>, for <see cref="Hash"/>, <see cref="Intern"/> and
    /// <see cref="AddInterned"/>. Ask for every type before interning on several threads: a new type changes the builder.
    /// </summary>
    public int TypeNumber(string type) => TypeIndex(type);

    /// <summary>The hash of an identifier of type number <paramref name="type"/>; it decides the identifier's part.</summary>
    public static int Hash(int type, ReadOnlySpan<char> value) => IdentifierTable.Hash(type, value);

    /// <summary>The part (0 to <see cref="Parts"/> - 1) of an identifier whose <see cref="Hash"/> is <paramref name="hash"/>.</summary>
    // The hash's high bits: its low bits place the key in its part's slots.
    public int PartOf(int hash) => _partBits == 0 ? 0 : (int)((uint)hash >> (32 - _partBits));

    /// <summary>
    /// The key of an identifier (type number, value, <see cref="Hash"/>), adding it to its part's table when new. Calls for
    /// identifiers of different parts may run on different threads at once; <see cref="AddInterned"/> must then take the
    /// records in the order each part's identifiers were interned (a part's keys are numbered in order of first sight).
    /// </summary>
    public int Intern(int type, ReadOnlySpan<char> value, int hash)
    {
        var part = PartOf(hash);
        return (_parts[part].GetOrAdd(type, value, hash, out _) << _partBits) | part;
    }

    private int KeyType(int key) => _parts[key & ((1 << _partBits) - 1)].TypeOf(key >> _partBits);

    private ReadOnlySpan<char> KeyValue(int key) => _parts[key & ((1 << _partBits) - 1)].ValueOf(key >> _partBits);

    // Beyond this many the arrays grow as needed: a wrong count must not reserve gigabytes.
    private const int MaxPresize = 1 << 27;

    /// <summary>Number of records added that hold at least one usable identifier.</summary>
    public int Records { get; private set; }

    /// <summary>Adds one record: identifiers seen together, when, and in which source.</summary>
    public void Add(ReadOnlySpan<Identifier> identifiers, DateTime? at, string source) => Add(identifiers, at, at, source, 1);

    /// <summary>
    /// Adds <paramref name="occurrences"/> records of the same identifiers at once, first seen at <paramref name="first"/> and
    /// last at <paramref name="last"/> (the earliest and latest of their known times), in the place of the first of them: a
    /// caller reading distinct combinations in order of first occurrence gets the profiles of adding every record, unless
    /// <see cref="RepeatsMatter"/> says a refused link could have come out otherwise at a later occurrence.
    /// </summary>
    public void Add(ReadOnlySpan<Identifier> identifiers, DateTime? first, DateTime? last, string source, int occurrences)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(occurrences, 1);
        var record = BeginRecord(first, last, source);
        foreach (var identifier in identifiers)
        {
            var type = TypeIndex(identifier.Type);
            AddMember(ref record, identifier, type, Intern(type, identifier.Value, Hash(type, identifier.Value)));
        }
        EndRecord(record, occurrences);
    }

    /// <summary>
    /// <see cref="Add(ReadOnlySpan{Identifier}, DateTime?, DateTime?, string, int)"/> for identifiers already interned:
    /// <paramref name="types"/> and <paramref name="keys"/> are each identifier's <see cref="TypeNumber"/> and
    /// <see cref="Intern"/> key. Records must come in the order their identifiers were interned in, part by part.
    /// </summary>
    public void AddInterned(ReadOnlySpan<Identifier> identifiers, ReadOnlySpan<int> types, ReadOnlySpan<int> keys, DateTime? first, DateTime? last, string source,
        int occurrences)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(occurrences, 1);
        if (types.Length != identifiers.Length || keys.Length != identifiers.Length) throw new ArgumentException("one type and one key per identifier are needed.");
        var record = BeginRecord(first, last, source);
        for (var i = 0; i < identifiers.Length; i++) AddMember(ref record, identifiers[i], types[i], keys[i]);
        EndRecord(record, occurrences);
    }

    // A record being added: its times as ticks, its source's index (-1 until a usable identifier names it), where its
    // members begin, and how many of its identifiers are usable.
    private struct RecordInProgress
    {
        public long First;
        public long Last;
        public int Source;
        public int Begin;
        public int Usable;
        public string SourceName;
    }

    private RecordInProgress BeginRecord(DateTime? first, DateTime? last, string source) => new()
    {
        First = first?.Ticks ?? 0, Last = last?.Ticks ?? 0, Begin = _members.Count, SourceName = source,
        Source = _sourceNames.Count > 0 && _sourceNames[^1] == source ? _sourceNames.Count - 1 : _sourceNames.IndexOf(source),
    };

    // A key is new to the graph when it is the next of its part: parts number their keys in order of first sight, and the
    // graph takes them in the same order.
    private void AddMember(ref RecordInProgress record, Identifier identifier, int type, int key)
    {
        var (nodeOfKey, local) = (_nodeOfKey[key & ((1 << _partBits) - 1)], key >> _partBits);
        if (local > nodeOfKey.Count) throw new InvalidOperationException("identifiers were added in another order than they were interned in.");
        var added = local == nodeOfKey.Count;
        if (added) nodeOfKey.Add(_usable is null || _usable(identifier) ? NewNode(key, type) : -1);
        var n = nodeOfKey[local];
        if (n < 0) return;
        record.Usable++;
        if (record.Source < 0)
        {
            record.Source = _sourceNames.Count;
            _sourceNames.Add(record.SourceName);
        }
        if (added) (_first[n], _last[n], _sources[n]) = (record.First, record.Last, record.Source);
        else
        {
            if (record.First != 0 && (_first[n] == 0 || record.First < _first[n])) _first[n] = record.First;
            if (record.Last > _last[n]) _last[n] = record.Last;
        }
        // Insertion by rank (records hold a handful of identifiers), skipping repeats; stable for equal ranks.
        var begin = record.Begin;
        var position = _members.Count;
        for (var i = begin; i < _members.Count; i++)
            if (_members[i] == n) return;
        _members.Add(n);
        while (position > begin && _nodeRank[_members[position - 1]] > _nodeRank[n])
        {
            _members[position] = _members[position - 1];
            position--;
        }
        _members[position] = n;
    }

    private void EndRecord(in RecordInProgress record, int occurrences)
    {
        if (record.Usable > 0) Records += occurrences;
        // A record of one identifier links nothing: its identifier is kept, the record is not.
        var begin = record.Begin;
        if (_members.Count - begin > 1)
        {
            _recordStart.Add(_members.Count);
            _repeated.Add(occurrences > 1);
            _recordFirst.Add(record.First);
            _recordSource.Add(record.Source);
        }
        else if (_members.Count > begin) _members.RemoveAt(begin);
    }

    /// <summary>
    /// After <see cref="Link"/>: whether a link refused at a record added with several occurrences broke a cap whose type
    /// would not make the weaker identifier shared, while a stronger capped type could have been the one broken at a later
    /// occurrence (components only grow). Only then can adding every record one by one give other profiles; the caller
    /// adds them so instead.
    /// </summary>
    public bool RepeatsMatter { get; private set; }

    /// <summary>
    /// Tells the graph that last run put (<paramref name="type"/>, <paramref name="value"/>) in <paramref name="profileId"/>,
    /// so its profile keeps that id; identifiers not in the graph only raise the number new ids start after.
    /// </summary>
    public void AddPrevious(string type, string value, string profileId)
    {
        var sequence = Sequence(profileId);
        if (sequence != ForeignSequence) _maxSequence = Math.Max(_maxSequence, sequence);
        if (!_typeIndex.TryGetValue(type, out var t)) return;
        var hash = Hash(t, value);
        var part = PartOf(hash);
        if (_parts[part].Find(t, value, hash) is var key && key < 0 || _nodeOfKey[part][key] is var n && n < 0) return;
        ref var index = ref CollectionsMarshal.GetValueRefOrAddDefault(_previousIndex, profileId, out var exists);
        if (!exists)
        {
            index = _previousIds.Count;
            _previousIds.Add(profileId);
        }
        _nodePrevious[n] = index;
    }

    /// <summary>Links the records into profiles; <paramref name="previous"/> maps identifiers to last run's profile ids.</summary>
    public IdentityResolution Resolve(IReadOnlyDictionary<Identifier, string>? previous = null)
    {
        foreach (var (identifier, profile) in previous ?? new Dictionary<Identifier, string>()) AddPrevious(identifier.Type, identifier.Value, profile);
        var profiles = Link();
        return new IdentityResolution(profiles.Assignments().ToArray(), profiles.Merges, profiles.Refused, profiles.Count);
    }

    /// <summary>Links the records into profiles (with the ids given to <see cref="AddPrevious"/>), keeping the result compact.</summary>
    public IdentityProfiles Link()
    {
        RepeatsMatter = false;
        var nodeCount = _nodeKey.Count;
        var members = CollectionsMarshal.AsSpan(_members);
        var recordStart = CollectionsMarshal.AsSpan(_recordStart);
        var nodeRank = CollectionsMarshal.AsSpan(_nodeRank);

        // Capped types present in the data get a count per component; the rest are unlimited.
        var capped = _options.Caps.Keys.Where(_typeIndex.ContainsKey).OrderBy(k => k, StringComparer.Ordinal).ToArray();
        var capOf = capped.Select(t => _options.Caps[t]).ToArray();
        var capRank = capped.Select(RankOf).ToArray();
        var slotOfType = _types.Select(t => Array.IndexOf(capped, t)).ToArray();
        var slotOf = new int[nodeCount];
        ForChunks(nodeCount, (start, end) =>
        {
            for (var n = start; n < end; n++) slotOf[n] = slotOfType[KeyType(_nodeKey[n])];
        });
        var (nodeOrder, position) = NodeOrder();
        var recordOrder = RecordOrder(position);

        // A weak identifier that would join profiles holding more values of a stronger capped type than the cap allows
        // (a kiosk seen with several user ids) is shared: it joins none of them. Linking is run again without the shared
        // ones until no new one appears, so which user came first in the data does not decide where it goes.
        var shared = new bool[nodeCount];
        var sharedBy = new Dictionary<int, int>();
        var parent = new int[nodeCount];
        List<(int A, int B, int Broken)> refusals;
        while (true)
        {
            refusals = Union(members, recordStart, recordOrder, nodeRank, slotOf, capOf, shared, parent, CollectionsMarshal.AsSpan(_repeated), capRank, out var repeatsMatter);
            RepeatsMatter |= repeatsMatter;
            var added = false;
            foreach (var (a, b, broken) in refusals)
                if (broken >= 0 && nodeRank[b] > capRank[broken] && !shared[b])
                {
                    shared[b] = added = true;
                    sharedBy[b] = broken;
                }
            if (!added) break;
        }

        var refused = new List<RefusedLink>();
        var refusedPairs = new HashSet<(int, int)>();
        foreach (var (a, b, broken) in refusals)
        {
            if (!refusedPairs.Add((a, b))) continue;
            var to = IdentifierOf(b);
            var reason = broken >= 0
                ? $"would put more than {capOf[broken]} {capped[broken]} value(s) in one profile"
                : $"{to.Type} '{to.Value}' is shared: it links more than {capOf[sharedBy[b]]} {capped[sharedBy[b]]} value(s), so it joins none of their profiles";
            refused.Add(new RefusedLink(IdentifierOf(a), to, reason));
        }
        return Assign(parent, nodeOrder, refused);
    }

    // When known times are equal or missing (0 sorts last), what decides is the data: type priority, type, value; never the
    // order rows were read in, which a warehouse does not keep (a grouped read, a parallel scan).
    private static long TimeKey(long ticks) => ticks == 0 ? long.MaxValue : ticks;

    // Nodes in the order of the data: first seen, then type priority, type and value (ordinal). Profiles are numbered in this
    // order, so ids do not depend on the order of the records. Returns the order and each node's position in it.
    // Each node is sorted as a key of plain numbers (time, type priority and name, a prefix of its value packed so that
    // comparing the numbers compares the characters); only keys equal so far compare whole values. A comparison delegate
    // that compared the strings themselves took about a sixth of a 2.6M-identifier resolution (string compares whose
    // values are scattered in memory, for data without times on every pair).
    private (int[] Order, int[] Position) NodeOrder()
    {
        var nodeCount = _nodeKey.Count;
        var typeOrder = new int[_types.Count];
        var byName = Enumerable.Range(0, _types.Count).OrderBy(t => _types[t], StringComparer.Ordinal).ToArray();
        for (var i = 0; i < byName.Length; i++) typeOrder[byName[i]] = i;
        var prefixes = ValuePrefixes();
        var keys = new NodeSortKey[nodeCount];
        ForChunks(nodeCount, (start, end) =>
        {
            for (var n = start; n < end; n++)
            {
                var type = KeyType(_nodeKey[n]);
                keys[n] = new NodeSortKey(TimeKey(_first[n]), ((long)_nodeRank[n] << 32) | (uint)typeOrder[type], prefixes[type].Of(KeyValue(_nodeKey[n])), n);
            }
        });
        keys = SortThenBreakTies<NodeSortKey, NodeKeyComparer>(keys, new NodeKeyComparer(this));
        var order = new int[nodeCount];
        var position = new int[nodeCount];
        ForChunks(nodeCount, (start, end) =>
        {
            for (var i = start; i < end; i++)
            {
                order[i] = keys[i].Node;
                position[order[i]] = i;
            }
        });
        return (order, position);
    }

    // Per type, how a value's prefix becomes a number: skip the characters every value of the type shares (e.g. "anon-"),
    // then take the next 8 characters a byte each when all values have them under 256 there, else the next 4 at 16 bits.
    // A value that ends early is padded with zeros, so a shorter value never packs above a longer one it begins.
    // Both passes run over chunks of the nodes at once: a type's common prefix is the least of its chunks' common prefixes
    // and of each chunk's first value's common prefix with the type's first value.
    private ValuePrefix[] ValuePrefixes()
    {
        var (types, chunks) = (_types.Count, Chunks(_nodeKey.Count));
        var chunkCommon = new int[chunks * types];
        var chunkFirst = new int[chunks * types];
        Array.Fill(chunkCommon, -1);
        ForChunks(_nodeKey.Count, chunks, (chunk, start, end) =>
        {
            var common = chunkCommon.AsSpan(chunk * types, types);
            var first = chunkFirst.AsSpan(chunk * types, types);
            for (var n = start; n < end; n++)
            {
                var key = _nodeKey[n];
                var type = KeyType(key);
                if (common[type] < 0) (first[type], common[type]) = (key, KeyValue(key).Length);
                else if (common[type] > 0) common[type] = Math.Min(common[type], KeyValue(first[type]).CommonPrefixLength(KeyValue(key)));
            }
        });
        var common = new int[types];
        var first = new int[types];
        Array.Fill(common, -1);
        for (var chunk = 0; chunk < chunks; chunk++)
            for (var type = 0; type < types; type++)
            {
                var (skip, key) = (chunkCommon[chunk * types + type], chunkFirst[chunk * types + type]);
                if (skip < 0) continue;
                if (common[type] < 0) (first[type], common[type]) = (key, skip);
                else common[type] = Math.Min(common[type], Math.Min(skip, KeyValue(first[type]).CommonPrefixLength(KeyValue(key))));
            }
        var wide = new bool[chunks * types];
        ForChunks(_nodeKey.Count, chunks, (chunk, start, end) =>
        {
            var isWide = wide.AsSpan(chunk * types, types);
            for (var n = start; n < end; n++)
            {
                var key = _nodeKey[n];
                var type = KeyType(key);
                if (isWide[type]) continue;
                var value = KeyValue(key);
                var window = value[Math.Min(value.Length, common[type])..];
                foreach (var c in window.Length > 8 ? window[..8] : window)
                    if (c > 0xFF)
                    {
                        isWide[type] = true;
                        break;
                    }
            }
        });
        return common.Select((skip, t) => new ValuePrefix(Math.Max(0, skip), !Enumerable.Range(0, chunks).Any(c => wide[c * types + t]))).ToArray();
    }

    // From this many nodes or records a pass over them runs in chunks on every core: each chunk's items are its own.
    private const int ParallelPassFrom = 1 << 16;

    private static int Chunks(int count) => count < ParallelPassFrom || Environment.ProcessorCount < 2 ? 1 : Environment.ProcessorCount * 4;

    private static void ForChunks(int count, Action<int, int> body) => ForChunks(count, Chunks(count), (_, start, end) => body(start, end));

    // Calls body(chunk, start, end) for `chunks` consecutive ranges that cover 0 to count, on the thread pool when more than one.
    private static void ForChunks(int count, int chunks, Action<int, int, int> body)
    {
        if (chunks == 1)
        {
            body(0, 0, count);
            return;
        }
        Parallel.For(0, chunks, c => body(c, (int)((long)count * c / chunks), (int)((long)count * (c + 1) / chunks)));
    }

    private readonly record struct ValuePrefix(int Skip, bool Narrow)
    {
        public ulong Of(ReadOnlySpan<char> value)
        {
            var window = value[Math.Min(Skip, value.Length)..];
            var (count, bits) = Narrow ? (8, 8) : (4, 16);
            ulong packed = 0;
            for (var i = 0; i < count; i++) packed = (packed << bits) | (i < window.Length ? window[i] : 0u);
            return packed;
        }
    }

    // Sorts by the keys' numbers alone (a struct's own CompareTo, which the sort calls directly: through an IComparer the
    // runtime's sort calls a delegate per comparison, most of a 2.6M-key sort's time), then sorts each run of keys whose
    // numbers tie (a handful, rarely more) with the full comparer: the same order as sorting everything with it.
    // Returns the sorted keys, in keys itself or in a new array.
    private static TKey[] SortThenBreakTies<TKey, TComparer>(TKey[] keys, TComparer full)
        where TKey : struct, IComparable<TKey>, ISortNumbers<TKey>
        where TComparer : IComparer<TKey>
    {
        keys = Sort(keys);
        for (var i = 0; i < keys.Length;)
        {
            var j = i + 1;
            while (j < keys.Length && keys[j].NumbersEqual(keys[i])) j++;
            if (j - i > 1) keys.AsSpan(i, j - i).Sort(full);
            i = j;
        }
        return keys;
    }

    // From this many keys a sort uses two cores.
    private const int ParallelSortFrom = 1 << 16;

    // Sorts distinct keys (each holds its own index, so no two compare equal and there is one sorted order): with two cores
    // or more each half is sorted on its own thread, then the halves are merged from both ends at once, the smallest half
    // of the result from the front and the largest from the back (Knuth, TAOCP vol. 3, 5.2.4, two-way merging). The node
    // and record sorts of a 2.6M-identifier graph were about 0.6 s on one core.
    private static TKey[] Sort<TKey>(TKey[] keys) where TKey : struct, IComparable<TKey>
    {
        if (keys.Length < ParallelSortFrom || Environment.ProcessorCount < 2)
        {
            keys.AsSpan().Sort();
            return keys;
        }
        var (n, half) = (keys.Length, keys.Length / 2);
        Parallel.Invoke(() => keys.AsSpan(0, half).Sort(), () => keys.AsSpan(half).Sort());
        var merged = GC.AllocateUninitializedArray<TKey>(n);
        Parallel.Invoke(
            () =>
            {
                int a = 0, b = half;
                for (var k = 0; k < half; k++) merged[k] = b >= n || (a < half && keys[a].CompareTo(keys[b]) < 0) ? keys[a++] : keys[b++];
            },
            () =>
            {
                int a = half - 1, b = n - 1;
                for (var k = n - 1; k >= half; k--) merged[k] = b < half || (a >= 0 && keys[a].CompareTo(keys[b]) > 0) ? keys[a--] : keys[b--];
            });
        return merged;
    }

    private interface ISortNumbers<T>
    {
        // Whether every number but the item's own index ties with other's.
        bool NumbersEqual(T other);
    }

    private readonly record struct NodeSortKey(long Time, long Type, ulong Prefix, int Node) : IComparable<NodeSortKey>, ISortNumbers<NodeSortKey>
    {
        public int CompareTo(NodeSortKey other)
        {
            var c = Time.CompareTo(other.Time);
            if (c != 0) return c;
            if ((c = Type.CompareTo(other.Type)) != 0) return c;
            if ((c = Prefix.CompareTo(other.Prefix)) != 0) return c;
            return Node.CompareTo(other.Node);
        }

        public bool NumbersEqual(NodeSortKey other) => Time == other.Time && Type == other.Type && Prefix == other.Prefix;
    }

    private readonly struct NodeKeyComparer(IdentityGraphBuilder graph) : IComparer<NodeSortKey>
    {
        public int Compare(NodeSortKey a, NodeSortKey b)
        {
            var c = a.Time.CompareTo(b.Time);
            if (c != 0) return c;
            if ((c = a.Type.CompareTo(b.Type)) != 0) return c;
            if ((c = a.Prefix.CompareTo(b.Prefix)) != 0) return c;
            return graph.KeyValue(graph._nodeKey[a.Node]).SequenceCompareTo(graph.KeyValue(graph._nodeKey[b.Node]));
        }
    }

    // Records in the order of the data: first time, source, then their identifiers by node position. A distinct combination
    // added once with its earliest time takes the place its first row takes among every row added one by one. Sorted as
    // keys of numbers (time; source and first identifier's position) with the rest of the identifiers compared only on a tie.
    private int[] RecordOrder(int[] position)
    {
        var count = _recordStart.Count - 1;
        var sourceRank = new int[_sourceNames.Count];
        var sorted = Enumerable.Range(0, _sourceNames.Count).OrderBy(i => _sourceNames[i], StringComparer.Ordinal).ToArray();
        for (var i = 0; i < sorted.Length; i++) sourceRank[sorted[i]] = i;
        var keys = new RecordSortKey[count];
        ForChunks(count, (start, end) =>
        {
            for (var r = start; r < end; r++)
                keys[r] = new RecordSortKey(TimeKey(_recordFirst[r]), ((long)sourceRank[_recordSource[r]] << 32) | (uint)position[_members[_recordStart[r]]], r);
        });
        keys = SortThenBreakTies<RecordSortKey, RecordKeyComparer>(keys, new RecordKeyComparer(_recordStart, _members, position));
        var order = new int[count];
        for (var r = 0; r < count; r++) order[r] = keys[r].Record;
        return order;
    }

    private readonly record struct RecordSortKey(long Time, long SourceAndFirst, int Record) : IComparable<RecordSortKey>, ISortNumbers<RecordSortKey>
    {
        public int CompareTo(RecordSortKey other)
        {
            var c = Time.CompareTo(other.Time);
            if (c != 0) return c;
            if ((c = SourceAndFirst.CompareTo(other.SourceAndFirst)) != 0) return c;
            return Record.CompareTo(other.Record);
        }

        public bool NumbersEqual(RecordSortKey other) => Time == other.Time && SourceAndFirst == other.SourceAndFirst;
    }

    private readonly struct RecordKeyComparer(List<int> recordStart, List<int> members, int[] position) : IComparer<RecordSortKey>
    {
        public int Compare(RecordSortKey x, RecordSortKey y)
        {
            var c = x.Time.CompareTo(y.Time);
            if (c != 0) return c;
            if ((c = x.SourceAndFirst.CompareTo(y.SourceAndFirst)) != 0) return c;
            int a = x.Record, b = y.Record;
            int i = recordStart[a] + 1, j = recordStart[b] + 1;
            for (; i < recordStart[a + 1] && j < recordStart[b + 1]; i++, j++)
                if ((c = position[members[i]].CompareTo(position[members[j]])) != 0) return c;
            if ((c = (recordStart[a + 1] - i).CompareTo(recordStart[b + 1] - j)) != 0) return c;
            // Identical records: any order links the same; the record number makes the sort's result one.
            return a.CompareTo(b);
        }
    }

    // Union-find with union by size and path halving, links applied bucket by bucket from the strongest type: in each
    // record a star from its strongest identifier that is not shared. Returns the refused links (Broken = the capped
    // type's slot, or -1 for a link to a shared identifier).
    private static List<(int A, int B, int Broken)> Union(ReadOnlySpan<int> members, ReadOnlySpan<int> recordStart, int[] recordOrder, ReadOnlySpan<int> nodeRank,
        int[] slotOf, int[] capOf, bool[] shared, int[] parent, ReadOnlySpan<bool> repeated, int[] capRank, out bool repeatsMatter)
    {
        repeatsMatter = false;
        var nodeCount = parent.Length;
        var width = Math.Max(1, capOf.Length);
        var size = new int[nodeCount];
        var counts = new int[nodeCount * width];
        for (var n = 0; n < nodeCount; n++)
        {
            parent[n] = n;
            size[n] = 1;
            if (slotOf[n] >= 0) counts[n * width + slotOf[n]] = 1;
        }
        int Find(int x)
        {
            while (parent[x] != x) x = parent[x] = parent[parent[x]];
            return x;
        }
        var maxRank = 0;
        foreach (var r in nodeRank) maxRank = Math.Max(maxRank, r);
        var refused = new List<(int, int, int)>();
        var hubs = new int[recordStart.Length - 1];
        for (var record = 0; record < hubs.Length; record++)
        {
            hubs[record] = -1;
            for (var i = recordStart[record]; i < recordStart[record + 1] && hubs[record] < 0; i++)
                if (!shared[members[i]]) hubs[record] = i;
        }
        for (var bucket = 0; bucket <= maxRank; bucket++)
            foreach (var record in recordOrder)
            {
                var h = hubs[record];
                if (h < 0) continue;
                var hub = members[h];
                for (var i = recordStart[record]; i < recordStart[record + 1]; i++)
                {
                    var n = members[i];
                    if (i == h || nodeRank[n] < bucket) continue;
                    if (nodeRank[n] > bucket) break;
                    if (shared[n])
                    {
                        refused.Add((hub, n, -1));
                        continue;
                    }
                    int ra = Find(hub), rb = Find(n);
                    if (ra == rb) continue;
                    var broken = -1;
                    for (var t = 0; t < capOf.Length && broken < 0; t++)
                        if (counts[ra * width + t] + counts[rb * width + t] > capOf[t]) broken = t;
                    if (broken >= 0)
                    {
                        refused.Add((hub, n, broken));
                        // Later occurrences break the first capped type over its cap, which can only move to a lower slot.
                        if (repeated[record] && nodeRank[n] <= capRank[broken])
                            for (var t = 0; t < broken && !repeatsMatter; t++) repeatsMatter = capRank[t] < nodeRank[n];
                        continue;
                    }
                    if (size[ra] < size[rb]) (ra, rb) = (rb, ra);
                    parent[rb] = ra;
                    size[ra] += size[rb];
                    for (var t = 0; t < capOf.Length; t++) counts[ra * width + t] += counts[rb * width + t];
                }
            }
        // Every node points at its root, which Assign groups by: one halving pass leaves a node of a deep tree under an
        // ancestor that is not the root (a long chain of records split into several profiles).
        for (var n = 0; n < nodeCount; n++)
        {
            var root = n;
            while (parent[root] != root) root = parent[root];
            parent[n] = root;
        }
        return refused;
    }

    // Stable ids: each component takes the oldest earlier id among its identifiers not claimed by an earlier component.
    // Nodes are grouped by root with a counting sort; components are visited in the order of their first node in nodeOrder.
    private IdentityProfiles Assign(int[] parent, int[] nodeOrder, List<RefusedLink> refused)
    {
        var nodeCount = _nodeKey.Count;
        var start = new int[nodeCount + 1];
        for (var n = 0; n < nodeCount; n++) start[parent[n] + 1]++;
        for (var r = 0; r < nodeCount; r++) start[r + 1] += start[r];
        var order = new int[nodeCount];
        var fill = (int[])start.Clone();
        for (var n = 0; n < nodeCount; n++) order[fill[parent[n]]++] = n;

        var sequenceOf = _previousIds.Select(Sequence).ToArray();
        var claimed = new bool[_previousIds.Count];
        var next = _maxSequence + 1;
        var merges = new List<ProfileMerge>();
        // Per component (numbered in order of first node) a new number, or -1 - i for last run's id _previousIds[i].
        var profiles = new List<long>();
        var profileOfRoot = new int[nodeCount];
        Array.Fill(profileOfRoot, -1);
        var earlier = new List<int>();
        var seenBy = new int[_previousIds.Count];
        foreach (var n in nodeOrder)
        {
            var root = parent[n];
            if (profileOfRoot[root] >= 0) continue;
            profileOfRoot[root] = profiles.Count;
            earlier.Clear();
            for (var i = start[root]; i < start[root + 1]; i++)
                if (_nodePrevious[order[i]] is var p && p >= 0 && !claimed[p] && seenBy[p] != profiles.Count + 1)
                {
                    seenBy[p] = profiles.Count + 1;
                    earlier.Add(p);
                }
            if (earlier.Count == 0)
            {
                profiles.Add(next++);
                continue;
            }
            earlier.Sort((x, y) => sequenceOf[x] != sequenceOf[y] ? sequenceOf[x].CompareTo(sequenceOf[y]) : string.CompareOrdinal(_previousIds[x], _previousIds[y]));
            profiles.Add(-1 - earlier[0]);
            foreach (var p in earlier) claimed[p] = true;
            merges.AddRange(earlier.Skip(1).Select(m => new ProfileMerge(_previousIds[earlier[0]], _previousIds[m])));
        }
        var profileOf = new int[nodeCount];
        ForChunks(nodeCount, (begin, end) =>
        {
            for (var n = begin; n < end; n++) profileOf[n] = profileOfRoot[parent[n]];
        });
        return new IdentityProfiles(this, profileOf, profiles.ToArray(), merges, refused);
    }

    /// <summary>The assignment of node <paramref name="n"/> to the profile <paramref name="profile"/>.</summary>
    internal IdentityAssignment AssignmentOf(int n, string profile) =>
        new(IdentifierOf(n), profile, _first[n] == 0 ? null : new DateTime(_first[n]), _last[n] == 0 ? null : new DateTime(_last[n]), _sourceNames[_sources[n]]);

    /// <summary>Node <paramref name="n"/>'s assignment to profile number <paramref name="profile"/>, read in place.</summary>
    internal IdentityAssignmentView ViewOf(int n, int profile) =>
        new(_types[KeyType(_nodeKey[n])], KeyValue(_nodeKey[n]), profile, _first[n], _last[n], _sourceNames[_sources[n]]);

    /// <summary>Last run's profile id number <paramref name="index"/>.</summary>
    internal string PreviousId(int index) => _previousIds[index];

    private Identifier IdentifierOf(int n) => new(_types[KeyType(_nodeKey[n])], KeyValue(_nodeKey[n]).ToString());

    private int NewNode(int key, int type)
    {
        var n = _nodeKey.Count;
        _nodeKey.Add(key);
        _nodeRank.Add(_typeRank[type]);
        _first.Add(0);
        _last.Add(0);
        _sources.Add(0);
        _nodePrevious.Add(-1);
        return n;
    }

    private int TypeIndex(string type)
    {
        // Callers pass the same few type strings for millions of identifiers: those seen are compared by reference before the
        // dictionary hashes the name.
        foreach (var (name, known) in _typeStrings)
            if (ReferenceEquals(name, type)) return known;
        var found = TypeIndexOf(type);
        if (_typeStrings.Count < 16) _typeStrings.Add((type, found));
        return found;
    }

    private readonly List<(string Name, int Index)> _typeStrings = [];

    private int TypeIndexOf(string type)
    {
        ref var index = ref CollectionsMarshal.GetValueRefOrAddDefault(_typeIndex, type, out var exists);
        if (!exists)
        {
            index = _types.Count;
            _types.Add(type);
            _typeRank.Add(RankOf(type));
        }
        return index;
    }

    private int RankOf(string type)
    {
        var rank = 0;
        foreach (var t in _options.Priority)
        {
            if (string.Equals(t, type, StringComparison.Ordinal)) return rank;
            rank++;
        }
        return _options.Priority.Count;
    }

    /// <summary>What the graph's new profile ids start with (<see cref="IdentityOptions.ProfilePrefix"/>).</summary>
    internal string ProfilePrefix => _options.ProfilePrefix;

    // The number of an id this graph's prefix gave. An id of another form was given under an earlier setting (another prefix),
    // so it is older than every id of this prefix: it sorts first when profiles merge, and numbers nothing.
    private long Sequence(string profileId) =>
        profileId.StartsWith(_options.ProfilePrefix, StringComparison.Ordinal)
        && long.TryParse(profileId.AsSpan(_options.ProfilePrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : ForeignSequence;

    private const long ForeignSequence = -1;
}
