namespace Tributary.Analytics.Identity;

/// <summary>
/// A resolution kept compact: a profile number per identifier and an id per profile, with assignments made one at a
/// time as they are read, so writing millions of them never holds them all.
/// </summary>
public sealed class IdentityProfiles
{
    private readonly IdentityGraphBuilder _graph;
    private readonly int[] _profileOf;
    // Per profile a new number (after the graph's prefix), or -1 - i for last run's id number i.
    private readonly long[] _ids;

    internal IdentityProfiles(IdentityGraphBuilder graph, int[] profileOf, long[] ids, IReadOnlyList<ProfileMerge> merges, IReadOnlyList<RefusedLink> refused) =>
        (_graph, _profileOf, _ids, Merges, Refused) = (graph, profileOf, ids, merges, refused);

    /// <summary>Number of profiles.</summary>
    public int Count => _ids.Length;

    /// <summary>Number of identifiers.</summary>
    public int Identifiers => _profileOf.Length;

    /// <summary>Earlier profiles that are now one; the older id survives.</summary>
    public IReadOnlyList<ProfileMerge> Merges { get; }

    /// <summary>Links refused because they would break a cap or join a shared identifier.</summary>
    public IReadOnlyList<RefusedLink> Refused { get; }

    /// <summary>Every identifier's profile, in order of first sight; each call makes them anew.</summary>
    public IEnumerable<IdentityAssignment> Assignments() => Assignments(0, _profileOf.Length);

    /// <summary>
    /// The profiles of identifiers <paramref name="start"/> (inclusive) to <paramref name="end"/> (exclusive) in order of
    /// first sight: disjoint ranges can be enumerated on several threads at once (the resolution is only read).
    /// </summary>
    public IEnumerable<IdentityAssignment> Assignments(int start, int end)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(end, _profileOf.Length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(start, end);
        return Enumerate(start, end);
    }

    /// <summary>
    /// Identifier <paramref name="n"/>'s assignment (the <paramref name="n"/>-th of <see cref="Assignments()"/>) read in place,
    /// without the strings and boxes an <see cref="IdentityAssignment"/> holds; may be called on several threads at once.
    /// </summary>
    public IdentityAssignmentView View(int n)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)n, (uint)_profileOf.Length, nameof(n));
        return _graph.ViewOf(n, _profileOf[n]);
    }

    /// <summary>Longest id <see cref="ProfileId"/> writes into its buffer: the longest prefix and a long's digits.</summary>
    public const int MaxNewIdLength = IdentityOptions.MaxProfilePrefixLength + 20;

    /// <summary>
    /// The id of profile number <paramref name="profile"/>: a new one written into <paramref name="buffer"/> (at least
    /// <see cref="MaxNewIdLength"/> characters), last run's as its string's characters.
    /// </summary>
    public ReadOnlySpan<char> ProfileId(int profile, Span<char> buffer)
    {
        var number = _ids[profile];
        if (number < 0) return _graph.PreviousId((int)(-1 - number));
        var prefix = _graph.ProfilePrefix;
        if (buffer.Length < prefix.Length || !number.TryFormat(buffer[prefix.Length..], out var digits, "D9", System.Globalization.CultureInfo.InvariantCulture))
            throw new ArgumentException($"the buffer needs {MaxNewIdLength} characters.", nameof(buffer));
        prefix.CopyTo(buffer);
        return buffer[..(prefix.Length + digits)];
    }

    private IEnumerable<IdentityAssignment> Enumerate(int start, int end)
    {
        var (last, id) = (-1, "");
        for (var n = start; n < end; n++)
        {
            // A profile's identifiers mostly follow one another; ids are made as needed rather than held for all profiles.
            if (_profileOf[n] != last)
            {
                last = _profileOf[n];
                id = _ids[last] >= 0 ? $"{_graph.ProfilePrefix}{_ids[last]:D9}" : _graph.PreviousId((int)(-1 - _ids[last]));
            }
            yield return _graph.AssignmentOf(n, id);
        }
    }
}
