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
public sealed record IdentityOptions(IReadOnlyDictionary<string, int> Caps, IReadOnlyList<string> Priority)
{
    /// <summary>The default <see cref="ProfilePrefix"/>.</summary>
    public const string DefaultProfilePrefix = "p_";

    /// <summary>Longest <see cref="ProfilePrefix"/>.</summary>
    public const int MaxProfilePrefixLength = 12;

    /// <summary>
    /// What a new profile id starts with, before its number (at least nine digits): graphs built from other sources give
    /// their profiles other prefixes, so that one graph's <c>p_000000011</c> is not taken for another's.
    /// </summary>
    public string ProfilePrefix { get; init; } = DefaultProfilePrefix;
}

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
/// (Tarjan 1975), applying links strongest-first and refusing any union that would exceed a per-type cap. A weak
/// identifier that links more values of a stronger capped type than the cap (a kiosk seen with several user ids)
/// joins none of their profiles. Profile ids are stable across runs: a profile keeps the oldest id among its
/// identifiers' previous profiles.
/// </summary>
public static class IdentityGraph
{
    /// <summary>Resolves <paramref name="records"/> into profiles; <paramref name="previous"/> maps identifiers to last run's profile ids.</summary>
    public static IdentityResolution Resolve(IEnumerable<IdentityRecord> records, IdentityOptions options, IReadOnlyDictionary<Identifier, string>? previous = null)
    {
        var graph = new IdentityGraphBuilder(options);
        var buffer = new List<Identifier>();
        foreach (var record in records)
        {
            buffer.Clear();
            buffer.AddRange(record.Identifiers);
            graph.Add(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(buffer), record.At, record.Source);
        }
        return graph.Resolve(previous);
    }
}
