using Tributary.Core.Components;
using Tributary.Core.Warehousing;

namespace Tributary.Components.Sources.Platform;

/// <summary>Load Stripe payments (charges) exports into a table. Bad rows go to <c>&lt;id&gt;__rejected</c>; files already loaded are skipped.</summary>
public sealed class StripeChargesSource : IComponent<PlatformSourceParameters>
{
    internal static readonly PlatformLayout Layout = new("Stripe charges export",
    [
        new("charge_id", "id", DataKind.Text, Required: true),
        new("created_at", "Created date (UTC)", DataKind.Timestamp, Required: true, Aliases: ["Created (UTC)"], StatedUtc: true),
        new("amount", "Amount", DataKind.Number, Required: true),
        new("amount_refunded", "Amount Refunded", DataKind.Number),
        new("currency", "Currency", DataKind.Text, Required: true),
        new("captured", "Captured", DataKind.Boolean),
        new("status", "Status", DataKind.Text),
        new("customer_id", "Customer ID", DataKind.Text),
        new("customer_email", "Customer Email", DataKind.Text),
        new("card_fingerprint", "Card Fingerprint", DataKind.Text),
        new("card_brand", "Card Brand", DataKind.Text),
        new("card_last4", "Card Last4", DataKind.Text),
        new("card_country", "Card Issue Country", DataKind.Text),
        new("decline_reason", "Decline Reason", DataKind.Text),
        new("description", "Description", DataKind.Text),
        new("order_name", "order_id (metadata)", DataKind.Text),
        new("billing_country", "Card Address Country", DataKind.Text),
        new("ip_address", "ip_address (metadata)", DataKind.Text),
        new("disputed_amount", "Disputed Amount", DataKind.Number),
        new("dispute_status", "Dispute Status", DataKind.Text),
        new("dispute_reason", "Dispute Reason", DataKind.Text),
        new("disputed_at", "Dispute Date (UTC)", DataKind.Timestamp),
    ]);

    /// <inheritdoc />
    public static string TypeName => "source.stripe_charges";
    /// <inheritdoc />
    public static string Description => "Load Stripe payments (charges) exports into a table. " + Layout.HeaderSummary;
    /// <inheritdoc />
    public static InputArity Inputs => InputArity.None;
    /// <inheritdoc />
    public static bool ReadsTimeZone => true;

    /// <inheritdoc />
    public ComponentPlan Plan(PlatformSourceParameters parameters, PlanContext context) => PlatformSchemas.Plan(Layout);

    /// <inheritdoc />
    public Task<Materialization> MaterializeAsync(PlatformSourceParameters parameters, ComponentContext context, CancellationToken cancellationToken) =>
        PlatformFileLoader.LoadCsvAsync(context, parameters, Layout, cancellationToken);
}
