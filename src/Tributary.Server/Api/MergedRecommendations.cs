using Tributary.Server.Contracts;

namespace Tributary.Server.Api;

/// <summary>
/// Recommendations of profiles merged into another since they were built, served under the profile that survived: on a
/// merge identity.resolve keeps the older id, so without this a person whose older profile had no list would get the
/// popular one until the recommendations are rebuilt.
/// </summary>
internal static class MergedRecommendations
{
    /// <summary>
    /// <paramref name="byProfile"/> where each profile that absorbed profiles holding a list (followed through
    /// <paramref name="mergedInto"/>, merged id to surviving id, chains to their end) gets its own list and theirs
    /// interleaved rank by rank (its own first, the others by id), each SKU once, as long as the longest of them. The
    /// merged ids keep their own lists.
    /// </summary>
    public static Dictionary<string, RecommendedItem[]> Combine(IReadOnlyDictionary<string, RecommendedItem[]> byProfile, IReadOnlyDictionary<string, string> mergedInto)
    {
        var result = new Dictionary<string, RecommendedItem[]>(byProfile, StringComparer.Ordinal);
        if (mergedInto.Count == 0) return result;
        var absorbed = new Dictionary<string, List<RecommendedItem[]>>(StringComparer.Ordinal);
        foreach (var profile in byProfile.Keys.Order(StringComparer.Ordinal))
        {
            var current = Current(profile, mergedInto);
            if (current == profile) continue;
            if (!absorbed.TryGetValue(current, out var lists))
                absorbed[current] = lists = byProfile.TryGetValue(current, out var own) ? [own] : [];
            lists.Add(byProfile[profile]);
        }
        foreach (var (current, lists) in absorbed) result[current] = Interleave(lists);
        return result;
    }

    // A chain of merges is followed to its end, at most one step per merge, so that a cycle in a hand-edited table cannot hang the load.
    private static string Current(string profile, IReadOnlyDictionary<string, string> mergedInto)
    {
        for (var hops = 0; hops < mergedInto.Count && mergedInto.TryGetValue(profile, out var surviving); hops++) profile = surviving;
        return profile;
    }

    private static RecommendedItem[] Interleave(List<RecommendedItem[]> lists)
    {
        var length = lists.Max(l => l.Length);
        var taken = new HashSet<string>(StringComparer.Ordinal);
        var items = new List<RecommendedItem>(length);
        for (var rank = 0; rank < length; rank++)
            foreach (var list in lists)
                if (rank < list.Length && items.Count < length && taken.Add(list[rank].Sku))
                    items.Add(list[rank] with { Rank = items.Count + 1 });
        return [.. items];
    }
}
