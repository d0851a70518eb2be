namespace Tributary.Components.Samples.DemoStore;

/// <summary>What <c>trib demo-data</c> generates: size, period, seed, and whether to add real-world mess.</summary>
/// <param name="Customers">People in the store, 1,000 to 1,000,000 (fewer is allowed for tests).</param>
/// <param name="Days">Days of history before the cutoff.</param>
/// <param name="Seed">The same seed writes the same bytes.</param>
/// <param name="Start">First day of history.</param>
/// <param name="Mess">Duplicates, messy emails and phones, missing fields, late events, bots, shared devices.</param>
/// <param name="Behaviour">Browsing sessions, newsletter opens and support trouble that fall off before a customer drops out
/// (see <see cref="DemoChurnBehaviour"/>); off gives the pure BG/NBD store, where purchase timing is all there is to know.</param>
public sealed record DemoStoreOptions(int Customers = 2000, int Days = 365, int Seed = 42, DateOnly? Start = null, bool Mess = true, bool Behaviour = true)
{
    /// <summary>First day of history.</summary>
    public DateOnly FirstDay => Start ?? new DateOnly(2025, 1, 1);

    /// <summary>The first day after the history (the data cutoff).</summary>
    public DateOnly Cutoff => FirstDay.AddDays(Days);

    /// <summary>Days after the cutoff simulated for churn labels only.</summary>
    public const int LabelDays = 90;

    /// <summary>Checks ranges; the message names the flag.</summary>
    public void Validate()
    {
        if (Customers is < 10 or > 1_000_000) throw new ArgumentException($"--customers must be between 10 and 1,000,000, got {Customers}.");
        if (Days is < 30 or > 3650) throw new ArgumentException($"--days must be between 30 and 3650, got {Days}.");
    }
}
