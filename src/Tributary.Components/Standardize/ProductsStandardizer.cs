using Tributary.Core.Components;
using Tributary.Core.Warehousing;

namespace Tributary.Components.Standardize;

/// <summary>Canonical <c>products</c> from a Shopify products export: one row per SKU, product fields carried from the handle's first row.</summary>
public sealed class ProductsStandardizer : IComponent<StandardizeParameters>
{
    /// <inheritdoc />
    public static string TypeName => "standardize.products";
    /// <inheritdoc />
    public static string Description => "Canonical products (one row per SKU) from a Shopify products export.";
    /// <inheritdoc />
    public static InputArity Inputs => InputArity.One;

    /// <inheritdoc />
    public ComponentPlan Plan(StandardizeParameters parameters, PlanContext context) => new(Schema.Of(
        ("sku", DataKind.Text), ("handle", DataKind.Text), ("product_name", DataKind.Text), ("category", DataKind.Text), ("vendor", DataKind.Text),
        ("price", DataKind.Number), ("tags", DataKind.Text), ("is_active", DataKind.Boolean)), Schema.Needs(0, "handle", "title", "variant_sku", "variant_price"));

    /// <inheritdoc />
    public async Task<Materialization> MaterializeAsync(StandardizeParameters p, ComponentContext context, CancellationToken cancellationToken)
    {
        var input = await SourceFileOrder.RankedAsync(context, context.Inputs[0], cancellationToken).ConfigureAwait(false);
        var sql = $"""
            WITH filled AS (
                SELECT variant_sku, handle, variant_price, _source_file, _source_line, _file_order,
                       max(title) OVER (PARTITION BY handle, _source_file) AS title, max(product_type) OVER (PARTITION BY handle, _source_file) AS product_type,
                       max(vendor) OVER (PARTITION BY handle, _source_file) AS vendor, max(tags) OVER (PARTITION BY handle, _source_file) AS tags,
                       max(status) OVER (PARTITION BY handle, _source_file) AS status
                FROM {input} AS src),
            ranked AS (SELECT *, row_number() OVER (PARTITION BY variant_sku ORDER BY _file_order DESC, _source_line) AS n FROM filled WHERE variant_sku IS NOT NULL)
            SELECT variant_sku AS sku, handle, title AS product_name, lower(product_type) AS category, vendor, variant_price AS price, tags,
                   coalesce(lower(status), 'active') = 'active' AS is_active
            FROM ranked WHERE n = 1
            """;
        return Materialization.Of(await context.Warehouse.ReplaceTableAsync(context.Asset, (b, ct) => b.CreateAsSelectAsync(sql, null, ct), cancellationToken).ConfigureAwait(false));
    }
}
