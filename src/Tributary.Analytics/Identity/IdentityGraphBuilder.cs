using System.Runtime.InteropServices;

namespace Tributary.Analytics.Identity;

/// <summary>
/// Collects identity records one at a time into compact arrays (identifiers numbered once, each record a run of
/// numbers), so a caller can stream rows in without holding them; <see cref="Resolve"/> then links them as
/// <see cref="IdentityGraph"/> describes.
/// </summary>
public sealed class IdentityGraphBuilder
{
    private readonly IdentityOptions _options;
    private readonly Dictionary<string, int> _rank;
    // One value dictionary per type: cheaper than hashing (type, value) pairs, and types are few.
    private readonly Dictionary<string, Dictionary<string, int>> _byType = new(StringComparer.Ordinal);
    private readonly List<Identifier> _nodes = [];
    private readonly List<int> _nodeRank = [];
    // Times as ticks (0 = unknown) and sources as indexes keep these lists free of references and nullable wrappers.
    private readonly List<long> _first = [];
    private readonly List<long> _last = [];
    private readonly List<int> _sources = [];
    private readonly List<string> _sourceNames = [];
    // Each record's distinct identifiers, strongest first, one run per record.
    private readonly List<int> _members = [];
    private readonly List<int> _recordStart = [0];

    /// <summary>An empty graph under <paramref name="options"/>.</summary>
    public IdentityGraphBuilder(IdentityOptions options)
    {
        _options = options;
        _rank = options.Priority.Select((t, i) => (t, i)).ToDictionary(x => x.t, x => x.i, StringComparer.Ordinal);
    }

    /// <summary>Number of records added.</summary>
    public int Records { get; private set; }

    /// <summary>Adds one record: identifiers seen together, when, and in which source.</summary>
    public void Add(ReadOnlySpan<Identifier> identifiers, DateTime? at, string source)
    {
        var ticks = at?.Ticks ?? 0;
        var sourceIndex = _sourceNames.Count > 0 && _sourceNames[^1] == source ? _sourceNames.Count - 1 : _sourceNames.IndexOf(source);
        if (sourceIndex < 0)
        {
            sourceIndex = _sourceNames.Count;
            _sourceNames.Add(source);
        }
        var begin = _members.Count;
        if (identifiers.Length > 0) Records++;
        foreach (var identifier in identifiers)
        {
            if (!_byType.TryGetValue(identifier.Type, out var values)) _byType[identifier.Type] = values = new Dictionary<string, int>(StringComparer.Ordinal);
            // One hash lookup whether the value is new or known.
            ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(values, identifier.Value, out var exists);
            if (!exists)
            {
                slot = _nodes.Count;
                _nodes.Add(identifier);
                _nodeRank.Add(_rank.TryGetValue(identifier.Type, out var r) ? r : _options.Priority.Count);
                _first.Add(ticks);
                _last.Add(ticks);
                _sources.Add(sourceIndex);
            }
            var n = slot;
            if (exists && ticks != 0)
            {
                if (_first[n] == 0 || ticks < _first[n]) _first[n] = ticks;
                if (ticks > _last[n]) _last[n] = ticks;
            }
            // Insertion by rank (records hold a handful of identifiers), skipping repeats; stable for equal ranks.
            var position = _members.Count;
            var duplicate = false;
            for (var i = begin; i < _members.Count && !duplicate; i++) duplicate = _members[i] == n;
            if (duplicate) continue;
            _members.Add(n);
            while (position > begin && _nodeRank[_members[position - 1]] > _nodeRank[n])
            {
                _members[position] = _members[position - 1];
                position--;
            }
            _members[position] = n;
        }
        // A record of one identifier links nothing: its identifier is kept, the record is not.
        if (_members.Count - begin > 1) _recordStart.Add(_members.Count);
        else if (_members.Count > begin) _members.RemoveAt(begin);
    }

    /// <summary>Links the records into profiles; <paramref name="previous"/> maps identifiers to last run's profile ids.</summary>
    public IdentityResolution Resolve(IReadOnlyDictionary<Identifier, string>? previous = null)
    {
        var nodeCount = _nodes.Count;
        var members = CollectionsMarshal.AsSpan(_members);
        var recordStart = CollectionsMarshal.AsSpan(_recordStart);
        var nodeRank = CollectionsMarshal.AsSpan(_nodeRank);

        // Capped types present in the data get a count per component; the rest are unlimited.
        var capped = _options.Caps.Keys.Where(_byType.ContainsKey).OrderBy(k => k, StringComparer.Ordinal).ToArray();
        var capOf = capped.Select(t => _options.Caps[t]).ToArray();
        var capRank = capped.Select(t => _rank.TryGetValue(t, out var r) ? r : _options.Priority.Count).ToArray();
        var typeSlot = capped.Select((t, i) => (t, i)).ToDictionary(x => x.t, x => x.i, StringComparer.Ordinal);
        var slotOf = new int[nodeCount];
        for (var n = 0; n < nodeCount; n++) slotOf[n] = typeSlot.TryGetValue(_nodes[n].Type, out var s) ? s : -1;

        // A weak identifier that would join profiles holding more values of a stronger capped type than the cap allows
        // (a kiosk seen with several user ids) is shared: it joins none of them. Linking is run again without the shared
        // ones until no new one appears, so which user came first in the data does not decide where it goes.
        var shared = new bool[nodeCount];
        var sharedBy = new Dictionary<int, int>();
        var parent = new int[nodeCount];
        List<(int A, int B, int Broken)> refusals;
        while (true)
        {
            refusals = Link(members, recordStart, nodeRank, slotOf, capOf, shared, parent);
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
            var reason = broken >= 0
                ? $"would put more than {capOf[broken]} {capped[broken]} value(s) in one profile"
                : $"{_nodes[b].Type} '{_nodes[b].Value}' is shared: it links more than {capOf[sharedBy[b]]} {capped[sharedBy[b]]} value(s), so it joins none of their profiles";
            refused.Add(new RefusedLink(_nodes[a], _nodes[b], reason));
        }
        return Assign(parent, previous, refused);
    }

    // Union-find with union by size and path halving, links applied bucket by bucket from the strongest type: in each
    // record a star from its strongest identifier that is not shared. Returns the refused links (Broken = the capped
    // type's slot, or -1 for a link to a shared identifier).
    private static List<(int A, int B, int Broken)> Link(ReadOnlySpan<int> members, ReadOnlySpan<int> recordStart, ReadOnlySpan<int> nodeRank,
        int[] slotOf, int[] capOf, bool[] shared, int[] parent)
    {
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
            for (var record = 0; record < hubs.Length; record++)
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
                        continue;
                    }
                    if (size[ra] < size[rb]) (ra, rb) = (rb, ra);
                    parent[rb] = ra;
                    size[ra] += size[rb];
                    for (var t = 0; t < capOf.Length; t++) counts[ra * width + t] += counts[rb * width + t];
                }
            }
        for (var n = 0; n < nodeCount; n++) Find(n);
        return refused;
    }

    // Stable ids: each component takes the oldest earlier id among its identifiers not claimed by an earlier component.
    // Nodes are grouped by root with a counting sort; components are visited in order of their first node.
    private IdentityResolution Assign(int[] parent, IReadOnlyDictionary<Identifier, string>? previous, List<RefusedLink> refused)
    {
        var nodeCount = _nodes.Count;
        var start = new int[nodeCount + 1];
        for (var n = 0; n < nodeCount; n++) start[parent[n] + 1]++;
        for (var r = 0; r < nodeCount; r++) start[r + 1] += start[r];
        var order = new int[nodeCount];
        var fill = (int[])start.Clone();
        for (var n = 0; n < nodeCount; n++) order[fill[parent[n]]++] = n;

        var claimed = new HashSet<string>(StringComparer.Ordinal);
        var next = (previous?.Values.Select(Sequence).Where(s => s != long.MaxValue).DefaultIfEmpty(0).Max() ?? 0) + 1;
        var merges = new List<ProfileMerge>();
        var assignments = new IdentityAssignment[nodeCount];
        var assigned = new bool[nodeCount];
        var profiles = 0;
        for (var n = 0; n < nodeCount; n++)
        {
            if (assigned[n]) continue;
            var root = parent[n];
            profiles++;
            var list = new ArraySegment<int>(order, start[root], start[root + 1] - start[root]);
            string profile;
            if (previous is null) profile = $"p_{next++:D9}";
            else
            {
                var earlier = list.Select(m => previous.GetValueOrDefault(_nodes[m])).OfType<string>()
                    .Where(id => !claimed.Contains(id)).Distinct(StringComparer.Ordinal).OrderBy(Sequence).ThenBy(id => id, StringComparer.Ordinal).ToList();
                profile = earlier.Count > 0 ? earlier[0] : $"p_{next++:D9}";
                claimed.UnionWith(earlier);
                merges.AddRange(earlier.Skip(1).Select(m => new ProfileMerge(profile, m)));
            }
            foreach (var m in list)
            {
                assignments[m] = new IdentityAssignment(_nodes[m], profile, _first[m] == 0 ? null : new DateTime(_first[m]), _last[m] == 0 ? null : new DateTime(_last[m]),
                    _sourceNames[_sources[m]]);
                assigned[m] = true;
            }
        }
        return new IdentityResolution(assignments, merges, refused, profiles);
    }

    private static long Sequence(string profileId) =>
        profileId.StartsWith("p_", StringComparison.Ordinal) && long.TryParse(profileId.AsSpan(2), out var n) ? n : long.MaxValue;
}
