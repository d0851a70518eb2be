using Tributary.Core.Components;
using Tributary.Core.Warehousing;

namespace Tributary.Components.Sources.Platform;

/// <summary>
/// Load Shopify admin orders exports (one row per line item) into a table. Shopify fills the order's fields (Created at,
/// Financial Status, totals, addresses, Email...) on an order's first row only; each line item row gets them from the
/// order's row that has them. Bad rows go to <c>&lt;id&gt;__rejected</c>; files already loaded are skipped.
/// </summary>
public sealed class ShopifyOrdersSource : IComponent<PlatformSourceParameters>
{
    internal static readonly PlatformLayout Layout = new("Shopify orders export",
    [
        new("order_name", "Name", DataKind.Text, Required: true),
        new("email", "Email", DataKind.Text, GroupLevel: true),
        new("financial_status", "Financial Status", DataKind.Text, GroupLevel: true),
        new("paid_at", "Paid at", DataKind.Timestamp, GroupLevel: true),
        new("fulfillment_status", "Fulfillment Status", DataKind.Text, GroupLevel: true),
        new("accepts_marketing", "Accepts Marketing", DataKind.Boolean, GroupLevel: true),
        new("currency", "Currency", DataKind.Text, GroupLevel: true),
        new("subtotal", "Subtotal", DataKind.Number, GroupLevel: true),
        new("shipping", "Shipping", DataKind.Number, GroupLevel: true),
        new("taxes", "Taxes", DataKind.Number, GroupLevel: true),
        new("total", "Total", DataKind.Number, GroupLevel: true),
        new("discount_code", "Discount Code", DataKind.Text, GroupLevel: true),
        new("discount_amount", "Discount Amount", DataKind.Number, GroupLevel: true),
        new("created_at", "Created at", DataKind.Timestamp, Required: true, GroupLevel: true),
        new("lineitem_quantity", "Lineitem quantity", DataKind.Integer, Required: true),
        new("lineitem_name", "Lineitem name", DataKind.Text),
        new("lineitem_price", "Lineitem price", DataKind.Number, Required: true),
        new("lineitem_sku", "Lineitem sku", DataKind.Text),
        new("billing_name", "Billing Name", DataKind.Text, GroupLevel: true),
        new("billing_phone", "Billing Phone", DataKind.Text, GroupLevel: true),
        new("billing_country", "Billing Country", DataKind.Text, GroupLevel: true),
        new("cancelled_at", "Cancelled at", DataKind.Timestamp, GroupLevel: true),
        new("payment_method", "Payment Method", DataKind.Text, GroupLevel: true),
        new("refunded_amount", "Refunded Amount", DataKind.Number, GroupLevel: true),
        new("order_id", "Id", DataKind.Integer, GroupLevel: true),
        new("source_name", "Source", DataKind.Text, GroupLevel: true),
        new("phone", "Phone", DataKind.Text, GroupLevel: true),
    ], GroupBy: "Name");

    /// <inheritdoc />
    public static string TypeName => "source.shopify_orders";
    /// <inheritdoc />
    public static string Description => "Load Shopify admin orders exports (one row per line item) into a table. " + Layout.HeaderSummary;
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
