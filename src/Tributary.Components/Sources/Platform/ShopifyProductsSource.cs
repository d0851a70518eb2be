using Tributary.Core.Components;
using Tributary.Core.Warehousing;

namespace Tributary.Components.Sources.Platform;

/// <summary>Load Shopify products exports (one row per variant; product fields on the first row of each handle). Bad rows go to <c>&lt;id&gt;__rejected</c>; files already loaded are skipped.</summary>
public sealed class ShopifyProductsSource : IComponent<PlatformSourceParameters>
{
    internal static readonly PlatformLayout Layout = new("Shopify products export",
    [
        new("handle", "Handle", DataKind.Text, Required: true), new("title", "Title"), new("vendor", "Vendor"), new("product_type", "Type"), new("tags", "Tags"),
        new("published", "Published", DataKind.Boolean), new("variant_sku", "Variant SKU"), new("variant_price", "Variant Price", DataKind.Number), new("status", "Status"),
    ]);

    /// <inheritdoc />
    public static string TypeName => "source.shopify_products";
    /// <inheritdoc />
    public static string Description => "Load Shopify products exports into a table. " + Layout.HeaderSummary;
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
