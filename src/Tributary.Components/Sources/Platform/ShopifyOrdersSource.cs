using Tributary.Core.Components;
using Tributary.Core.Warehousing;

namespace Tributary.Components.Sources.Platform;

/// <summary>Load Shopify admin orders exports (one row per line item) into a table. Bad rows go to <c>&lt;id&gt;__rejected</c>; files already loaded are skipped.</summary>
public sealed class ShopifyOrdersSource : IComponent<PlatformSourceParameters>
{
    internal static readonly PlatformLayout Layout = new("Shopify orders export",
    [
        new("order_name", "Name", DataKind.Text, Required: true),
        new("email", "Email", DataKind.Text),
        new("financial_status", "Financial Status", DataKind.Text),
        new("paid_at", "Paid at", DataKind.Timestamp),
        new("fulfillment_status", "Fulfillment Status", DataKind.Text),
        new("accepts_marketing", "Accepts Marketing", DataKind.Boolean),
        new("currency", "Currency", DataKind.Text),
        new("subtotal", "Subtotal", DataKind.Number),
        new("shipping", "Shipping", DataKind.Number),
        new("taxes", "Taxes", DataKind.Number),
        new("total", "Total", DataKind.Number),
        new("discount_code", "Discount Code", DataKind.Text),
        new("discount_amount", "Discount Amount", DataKind.Number),
        new("created_at", "Created at", DataKind.Timestamp, Required: true),
        new("lineitem_quantity", "Lineitem quantity", DataKind.Integer, Required: true),
        new("lineitem_name", "Lineitem name", DataKind.Text),
        new("lineitem_price", "Lineitem price", DataKind.Number, Required: true),
        new("lineitem_sku", "Lineitem sku", DataKind.Text),
        new("billing_name", "Billing Name", DataKind.Text),
        new("billing_phone", "Billing Phone", DataKind.Text),
        new("billing_country", "Billing Country", DataKind.Text),
        new("cancelled_at", "Cancelled at", DataKind.Timestamp),
        new("payment_method", "Payment Method", DataKind.Text),
        new("refunded_amount", "Refunded Amount", DataKind.Number),
        new("order_id", "Id", DataKind.Integer),
        new("source_name", "Source", DataKind.Text),
        new("phone", "Phone", DataKind.Text),
    ]);

    /// <inheritdoc />
    public static string TypeName => "source.shopify_orders";
    /// <inheritdoc />
    public static string Description => "Load Shopify admin orders exports (one row per line item) into a table.";
    /// <inheritdoc />
    public static InputArity Inputs => InputArity.None;

    /// <inheritdoc />
    public ComponentPlan Plan(PlatformSourceParameters parameters, PlanContext context) => PlatformSchemas.Plan(Layout);

    /// <inheritdoc />
    public Task<Materialization> MaterializeAsync(PlatformSourceParameters parameters, ComponentContext context, CancellationToken cancellationToken) =>
        PlatformFileLoader.LoadAsync(context, parameters, Layout, ".csv", file => CsvExportReader.Read(file, Layout, parameters), cancellationToken);
}
