using Tributary.Core.Components;
using Tributary.Core.Warehousing;

namespace Tributary.Components.Standardize;

/// <summary>Canonical <c>order_items</c> from a Shopify orders export: one row per line item (gift cards left out unless <see cref="OrdersParameters.KeepGiftCards"/>), idempotent by order (the latest file wins: loaded last, then modified last; see <see cref="SourceFileOrder"/>).</summary>
public sealed class OrderItemsStandardizer : IComponent<OrdersParameters>
{
    /// <inheritdoc />
    public static string TypeName => "standardize.order_items";
    /// <inheritdoc />
    public static string Description => "Canonical order line items from a Shopify orders export.";
    /// <inheritdoc />
    public static InputArity Inputs => InputArity.One;

    /// <inheritdoc />
    public ComponentPlan Plan(OrdersParameters parameters, PlanContext context) => new(Schema.Of(
        ("order_id", DataKind.Text), ("line", DataKind.Integer), ("sku", DataKind.Text), ("product_name", DataKind.Text), ("quantity", DataKind.Integer),
        ("price", DataKind.Number), ("ordered_at", DataKind.Timestamp)), Schema.Needs(0, "order_name", "lineitem_sku", "lineitem_quantity", "lineitem_price"));

    /// <inheritdoc />
    public async Task<Materialization> MaterializeAsync(OrdersParameters p, ComponentContext context, CancellationToken cancellationToken)
    {
        var input = await SourceFileOrder.RankedAsync(context, context.Inputs[0], cancellationToken).ConfigureAwait(false);
        var source = await context.Warehouse.DescribeTableAsync(context.Inputs[0], cancellationToken).ConfigureAwait(false);
        var gift = p.GiftCardLine("s", source?.Find("lineitem_name") is not null);
        var sql = $"""
            WITH src AS {input}, latest AS (SELECT order_name, max(_file_order) AS file FROM src GROUP BY order_name)
            SELECT s.order_name AS order_id, row_number() OVER (PARTITION BY s.order_name ORDER BY s._source_line) AS line,
                   s.lineitem_sku AS sku, s.lineitem_name AS product_name, s.lineitem_quantity AS quantity, s.lineitem_price AS price, s.created_at AS ordered_at
            FROM src s JOIN latest l ON l.order_name = s.order_name AND l.file = s._file_order
            WHERE NOT {gift}
            """;
        return Materialization.Of(await context.Warehouse.ReplaceTableAsync(context.Asset, (b, ct) => b.CreateAsSelectAsync(sql, null, ct), cancellationToken).ConfigureAwait(false));
    }
}
