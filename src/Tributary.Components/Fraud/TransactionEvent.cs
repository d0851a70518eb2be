namespace Tributary.Components.Fraud;

/// <summary>One payment as the online scorer sees it: the columns <c>features.transactions</c> reads, by meaning.</summary>
/// <param name="Id">Transaction id, unique.</param>
/// <param name="At">When it happened.</param>
/// <param name="Amount">Amount.</param>
/// <param name="Declined">Whether it was declined.</param>
/// <param name="Card">Card fingerprint.</param>
/// <param name="Email">Payer's email.</param>
/// <param name="Profile">Customer (profile) id.</param>
/// <param name="Ip">Payer's IP address.</param>
/// <param name="CardCountry">Card's issuing country.</param>
/// <param name="BillingCountry">Billing address country.</param>
public sealed record TransactionEvent(string Id, DateTimeOffset At, double Amount, bool Declined, string? Card, string? Email, string? Profile,
    string? Ip, string? CardCountry, string? BillingCountry)
{
    /// <summary>Seconds since 1970-01-01 UTC, as the batch query's extract(epoch ...).</summary>
    internal double Epoch { get; } = (At.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / (double)TimeSpan.TicksPerSecond;

    /// <summary>Card country upper-cased, as the batch query compares it.</summary>
    internal string? CardCountryKey { get; } = CardCountry?.ToUpperInvariant();

    /// <summary>Billing country upper-cased.</summary>
    internal string? BillingCountryKey { get; } = BillingCountry?.ToUpperInvariant();
}
