namespace Tributary.Analytics.Identity;

/// <summary>
/// One identifier's assignment read in place from a resolution (see <see cref="IdentityProfiles.View"/>): its value is a
/// span of the graph's character array and its profile a number, so a writer copying millions of them makes no string, array
/// or boxed time per identifier. Valid while the resolution is.
/// </summary>
public readonly ref struct IdentityAssignmentView
{
    internal IdentityAssignmentView(string type, ReadOnlySpan<char> value, int profile, long firstTicks, long lastTicks, string source)
    {
        Value = value;
        (Type, Profile, FirstTicks, LastTicks, Source) = (type, profile, firstTicks, lastTicks, source);
    }

    /// <summary>The identifier's type.</summary>
    public string Type { get; }

    /// <summary>The identifier's normalized value.</summary>
    public ReadOnlySpan<char> Value { get; }

    /// <summary>Its profile's number (0 to <see cref="IdentityProfiles.Count"/> - 1); <see cref="IdentityProfiles.ProfileId"/> gives its id.</summary>
    public int Profile { get; }

    /// <summary>When it was first seen, in ticks (kind unspecified, as <see cref="IdentityAssignment.FirstSeen"/>), or 0 when unknown.</summary>
    public long FirstTicks { get; }

    /// <summary>When it was last seen, in ticks, or 0 when unknown.</summary>
    public long LastTicks { get; }

    /// <summary>The source (input) it was first seen in.</summary>
    public string Source { get; }
}
