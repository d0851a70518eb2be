namespace Tributary.Analytics.Identity;

/// <summary>An identifier as a CDP stitches it: a type (email, user_id, anonymous_id…) and a normalized value.</summary>
public readonly record struct Identifier(string Type, string Value);

/// <summary>Identifiers seen together in one source record (an order, an event, a contact), with when and where.</summary>
public sealed record IdentityRecord(IReadOnlyList<Identifier> Identifiers, DateTime? At, string Source);

/// <summary>
/// Guard rails: at most <see cref="Caps"/>[type] distinct values of a type in one profile, and
/// <see cref="Priority"/> (strongest first) deciding which links are applied first, so a weak link (a shared
/// device) is the one that yields when a cap would be broken.
/// </summary>
public sealed record IdentityOptions(IReadOnlyDictionary<string, int> Caps, IReadOnlyList<string> Priority);

/// <summary>One identifier's profile and when it was first and last seen.</summary>
public readonly record struct IdentityAssignment(Identifier Identifier, string ProfileId, DateTime? FirstSeen, DateTime? LastSeen, string Source);

/// <summary>A link refused because applying it would break a cap.</summary>
public sealed record RefusedLink(Identifier From, Identifier To, string Reason);

/// <summary>Two earlier profiles that are now one; the older id survives.</summary>
public sealed record ProfileMerge(string Surviving, string Merged);

/// <summary>The result of a resolution.</summary>
public sealed record IdentityResolution(IReadOnlyList<IdentityAssignment> Assignments, IReadOnlyList<ProfileMerge> Merges, IReadOnlyList<RefusedLink> Refused, int Profiles);

/// <summary>
/// Deterministic identity resolution over the identifier graph: union-find with union by size and path halving
/// (Tarjan 1975), applying links strongest-first and refusing any union that would exceed a per-type cap.
/// Profile ids are stable across runs: a profile keeps the oldest id among its identifiers' previous profiles.
/// </summary>
public static class IdentityGraph
{
    /// <summary>Resolves <paramref name="records"/> into profiles; <paramref name="previous"/> maps identifiers to last run's profile ids.</summary>
    public static IdentityResolution Resolve(IEnumerable<IdentityRecord> records, IdentityOptions options, IReadOnlyDictionary<Identifier, string>? previous = null)
    {
        // One value dictionary per type: cheaper than hashing (type, value) pairs, and types are few.
        var byType = new Dictionary<string, Dictionary<string, int>>(StringComparer.Ordinal);
        // Sized up front when the record count is known: growing multi-million-element lists churns the large object heap.
        var capacity = records.TryGetNonEnumeratedCount(out var recordCount) ? (int)Math.Min(2L * recordCount, 100_000_000) : 0;
        var nodes = new List<Identifier>(capacity);
        var nodeRank = new List<int>(capacity);
        // Times as ticks (0 = unknown) and sources as indexes keep these lists free of references and nullable wrappers.
        var first = new List<long>(capacity);
        var last = new List<long>(capacity);
        var sources = new List<int>(capacity);
        var sourceNames = new List<string>();
        var rank = options.Priority.Select((t, i) => (t, i)).ToDictionary(x => x.t, x => x.i, StringComparer.Ordinal);
        // Links bucketed by the rank of their weaker end: applying bucket by bucket is a stable sort in linear time.
        var edges = Enumerable.Range(0, options.Priority.Count + 1).Select(_ => new List<(int A, int B)>(capacity / (options.Priority.Count + 1))).ToArray();
        var ids = new List<int>(8);
        foreach (var record in records)
        {
            ids.Clear();
            var strongest = -1;
            var at = record.At?.Ticks ?? 0;
            var source = sourceNames.Count > 0 && sourceNames[^1] == record.Source ? sourceNames.Count - 1 : sourceNames.IndexOf(record.Source);
            if (source < 0)
            {
                source = sourceNames.Count;
                sourceNames.Add(record.Source);
            }
            var identifiers = record.Identifiers;
            for (var i = 0; i < identifiers.Count; i++)
            {
                var identifier = identifiers[i];
                if (!byType.TryGetValue(identifier.Type, out var values)) byType[identifier.Type] = values = new Dictionary<string, int>(StringComparer.Ordinal);
                // One hash lookup whether the value is new or known.
                ref var slot = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(values, identifier.Value, out var exists);
                if (!exists) slot = nodes.Count;
                var n = slot;
                if (!exists)
                {
                    nodes.Add(identifier);
                    nodeRank.Add(rank.TryGetValue(identifier.Type, out var r) ? r : options.Priority.Count);
                    first.Add(at);
                    last.Add(at);
                    sources.Add(source);
                }
                else if (at != 0)
                {
                    if (first[n] == 0 || at < first[n]) first[n] = at;
                    if (at > last[n]) last[n] = at;
                }
                if (ids.Contains(n)) continue;
                ids.Add(n);
                if (strongest < 0 || nodeRank[n] < nodeRank[strongest]) strongest = n;
            }
            // A star from the record's strongest identifier links all of them.
            foreach (var n in ids)
                if (n != strongest) edges[Math.Max(nodeRank[strongest], nodeRank[n])].Add((strongest, n));
        }

        // Capped types get a count per component; the rest are unlimited.
        var capped = options.Caps.Keys.OrderBy(k => k, StringComparer.Ordinal).ToArray();
        var capOf = capped.Select(t => options.Caps[t]).ToArray();
        var typeSlot = capped.Select((t, i) => (t, i)).ToDictionary(x => x.t, x => x.i, StringComparer.Ordinal);
        var parent = new int[nodes.Count];
        var size = new int[nodes.Count];
        var counts = new int[nodes.Count * Math.Max(1, capped.Length)];
        for (var n = 0; n < nodes.Count; n++)
        {
            parent[n] = n;
            size[n] = 1;
            if (typeSlot.TryGetValue(nodes[n].Type, out var slot)) counts[n * capped.Length + slot] = 1;
        }
        int Find(int x)
        {
            while (parent[x] != x) x = parent[x] = parent[parent[x]];
            return x;
        }

        var refused = new List<RefusedLink>();
        var refusedPairs = new HashSet<(int, int)>();
        foreach (var (a, b) in edges.SelectMany(bucket => bucket))
        {
            int ra = Find(a), rb = Find(b);
            if (ra == rb) continue;
            var broken = -1;
            for (var t = 0; t < capped.Length && broken < 0; t++)
                if (counts[ra * capped.Length + t] + counts[rb * capped.Length + t] > capOf[t]) broken = t;
            if (broken >= 0)
            {
                if (refusedPairs.Add((a, b)))
                    refused.Add(new RefusedLink(nodes[a], nodes[b], $"would put more than {capOf[broken]} {capped[broken]} value(s) in one profile"));
                continue;
            }
            if (size[ra] < size[rb]) (ra, rb) = (rb, ra);
            parent[rb] = ra;
            size[ra] += size[rb];
            for (var t = 0; t < capped.Length; t++) counts[ra * capped.Length + t] += counts[rb * capped.Length + t];
        }

        // Stable ids: each component takes the oldest earlier id among its identifiers not claimed by an earlier component.
        // Group nodes by root with a counting sort; components are then visited in order of their first node.
        var roots = new int[nodes.Count];
        var start = new int[nodes.Count + 1];
        for (var n = 0; n < nodes.Count; n++) start[(roots[n] = Find(n)) + 1]++;
        for (var r = 0; r < nodes.Count; r++) start[r + 1] += start[r];
        var order = new int[nodes.Count];
        var fill = (int[])start.Clone();
        for (var n = 0; n < nodes.Count; n++) order[fill[roots[n]]++] = n;

        var claimed = new HashSet<string>(StringComparer.Ordinal);
        var next = (previous?.Values.Select(Sequence).DefaultIfEmpty(0).Max() ?? 0) + 1;
        var merges = new List<ProfileMerge>();
        var assignments = new IdentityAssignment[nodes.Count];
        var assigned = new bool[nodes.Count];
        var profiles = 0;
        for (var n = 0; n < nodes.Count; n++)
        {
            var root = roots[n];
            if (assigned[n]) continue;
            profiles++;
            var list = new ArraySegment<int>(order, start[root], start[root + 1] - start[root]);
            string profile;
            if (previous is null) profile = $"p_{next++:D9}";
            else
            {
                var earlier = list.Select(m => previous.GetValueOrDefault(nodes[m])).OfType<string>()
                    .Where(id => !claimed.Contains(id)).Distinct(StringComparer.Ordinal).OrderBy(Sequence).ThenBy(id => id, StringComparer.Ordinal).ToList();
                profile = earlier.Count > 0 ? earlier[0] : $"p_{next++:D9}";
                claimed.UnionWith(earlier);
                merges.AddRange(earlier.Skip(1).Select(m => new ProfileMerge(profile, m)));
            }
            foreach (var m in list)
            {
                assignments[m] = new IdentityAssignment(nodes[m], profile, first[m] == 0 ? null : new DateTime(first[m]), last[m] == 0 ? null : new DateTime(last[m]), sourceNames[sources[m]]);
                assigned[m] = true;
            }
        }
        return new IdentityResolution(assignments, merges, refused, profiles);
    }

    private static long Sequence(string profileId) =>
        profileId.StartsWith("p_", StringComparison.Ordinal) && long.TryParse(profileId.AsSpan(2), out var n) ? n : long.MaxValue;
}
