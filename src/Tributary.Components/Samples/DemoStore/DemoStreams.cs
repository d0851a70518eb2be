namespace Tributary.Components.Samples.DemoStore;

/// <summary>
/// Random streams per person, derived from the store's seed and apart from the store's own stream, so that a part of the
/// demo drawn from them (behaviour, the campaign, the lead-up to purchases after the cutoff) leaves every other row as it was.
/// </summary>
internal static class DemoStreams
{
    /// <summary>The behaviour's stream (no salt, as it was first written).</summary>
    public const ulong Behaviour = 0;
    /// <summary>The randomized campaign's stream.</summary>
    public const ulong Campaign = 0xC0FFEE5EED5EED00UL;
    /// <summary>The journeys leading to the first purchase after the cutoff.</summary>
    public const ulong LeadUp = 0x1EAD0B5EED5EED11UL;
    /// <summary>Marketing consent: who said no to Accepts Marketing in Shopify, who unsubscribed in HubSpot.</summary>
    public const ulong Consent = 0xC0125E175EED5E22UL;

    /// <summary>A stream for one person and purpose: splitmix64 of the salted (seed, person) key.</summary>
    public static Random ForPerson(int seed, int person, ulong salt)
    {
        var x = ((ulong)(uint)seed << 32 | (uint)person) ^ salt;
        x += 0x9E3779B97F4A7C15UL;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return new Random((int)((x ^ (x >> 31)) & 0x7FFFFFFF));
    }
}
