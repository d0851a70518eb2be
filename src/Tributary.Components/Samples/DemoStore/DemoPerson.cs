namespace Tributary.Components.Samples.DemoStore;

/// <summary>One generated person with every identifier the platforms hold for them, and their latent traits.</summary>
internal sealed record DemoPerson
{
    public required int Id { get; init; }
    public required string FirstName { get; init; }
    public required string LastName { get; init; }
    public required string Email { get; init; }
    public required string PhoneE164 { get; init; }
    public required string Country { get; init; }
    public required string Currency { get; init; }
    public required TimeSpan UtcOffset { get; init; }
    public required DateTime FirstPurchaseUtc { get; init; }
    public required double Rate { get; init; }
    public required double Dropout { get; init; }
    public required double SpendScale { get; init; }
    public required int PreferredGroup { get; init; }
    public required string UserId { get; init; }
    public required string StripeCustomerId { get; init; }
    public required long HubSpotId { get; init; }
    public required List<string> Devices { get; init; }
    public required bool VariantB { get; init; }
    public string AcquisitionChannel { get; set; } = "direct";
    public string AcquisitionCampaign { get; set; } = "";
    // Drawn from the consent stream (DemoStreams.Consent), so the store's own stream is as without it.
    public bool AcceptsMarketing { get; set; } = true;
    public bool HubSpotUnsubscribed { get; set; }
}
