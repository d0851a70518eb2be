using Tributary.Core.Components;
using Tributary.Core.Warehousing;

namespace Tributary.Components.Standardize;

/// <summary>
/// Canonical <c>orders</c> from a Shopify orders export: one row per order (the export repeats the order on each
/// line item), UTC timestamps, ISO currency, normalized email and E.164 phone, cancelled and refunded orders
/// flagged, not dropped; gift card lines are not sales (<see cref="OrdersParameters.KeepGiftCards"/>). Idempotent: an order loaded twice appears once (the latest file wins: loaded last, then modified last; see <see cref="SourceFileOrder"/>).
/// </summary>
public sealed class OrdersStandardizer : IComponent<OrdersParameters>
{
    /// <inheritdoc />
    public static string TypeName => "standardize.orders";
    /// <inheritdoc />
    public static string Description => "Canonical orders (one row per order) from a Shopify orders export.";
    /// <inheritdoc />
    public static InputArity Inputs => InputArity.One;

    /// <inheritdoc />
    public ComponentPlan Plan(OrdersParameters parameters, PlanContext context) => new(Schema.Of(
        ("order_id", DataKind.Text), ("email", DataKind.Text), ("phone", DataKind.Text), ("ordered_at", DataKind.Timestamp), ("currency", DataKind.Text),
        ("subtotal", DataKind.Number), ("discount", DataKind.Number), ("shipping", DataKind.Number), ("total", DataKind.Number), ("refunded_amount", DataKind.Number),
        ("financial_status", DataKind.Text), ("is_cancelled", DataKind.Boolean), ("is_refunded", DataKind.Boolean), ("billing_country", DataKind.Text),
        ("source_order_id", DataKind.Integer), ("items", DataKind.Integer), ("marketing_consent", DataKind.Boolean), ("consent_at", DataKind.Timestamp)),
        Schema.Needs(0, "order_name", "created_at", "total", "email", "phone", "financial_status"));

    /// <inheritdoc />
    public async Task<Materialization> MaterializeAsync(OrdersParameters p, ComponentContext context, CancellationToken cancellationToken)
    {
        var input = await SourceFileOrder.RankedAsync(context, context.Inputs[0], cancellationToken).ConfigureAwait(false);
        await using var lookups = new ContactLookups(context);
        var phones = await lookups.PhonesAsync(input, "coalesce(s.phone, s.billing_phone)", "s.billing_country", p.DefaultCountryCode, cancellationToken).ConfigureAwait(false);
        var countries = await lookups.CountriesAsync(input, ["s.billing_country"], cancellationToken).ConfigureAwait(false);
        // Shopify's Accepts Marketing is the customer's answer at that order; an input without it says nothing about consent.
        var source = await context.Warehouse.DescribeTableAsync(context.Inputs[0], cancellationToken).ConfigureAwait(false);
        var consent = source?.Find("accepts_marketing") is null ? "CAST(NULL AS BOOLEAN)" : "accepts_marketing";
        var gift = p.GiftCardLine("s", source?.Find("lineitem_name") is not null && source.Find("lineitem_price") is not null);
        var giftAmount = gift == "FALSE" ? "0" : "coalesce(s.lineitem_price, 0) * coalesce(s.lineitem_quantity, 1)";
        var sql = $"""
            WITH src AS {input},
            latest AS (
                SELECT order_name, max(_file_order) AS file FROM src GROUP BY order_name),
            rows AS (
                SELECT s.*, row_number() OVER (PARTITION BY s.order_name ORDER BY s._source_line) AS n,
                       count(*) OVER w AS all_items,
                       sum(CASE WHEN {gift} THEN 1 ELSE 0 END) OVER w AS gift_items,
                       sum(CASE WHEN {gift} THEN {giftAmount} ELSE 0 END) OVER w AS gift_amount
                FROM src s JOIN latest l ON l.order_name = s.order_name AND l.file = s._file_order
                WINDOW w AS (PARTITION BY s.order_name))
            SELECT order_name AS order_id,
                   {ContactSql.Email("email")} AS email,
                   ph.phone_e164 AS phone,
                   created_at AS ordered_at, upper(currency) AS currency,
                   subtotal - gift_amount AS subtotal, coalesce(discount_amount, 0) AS discount, coalesce(shipping, 0) AS shipping, total - gift_amount AS total,
                   coalesce(refunded_amount, 0) AS refunded_amount, lower(financial_status) AS financial_status,
                   cancelled_at IS NOT NULL OR lower(financial_status) = 'voided' AS is_cancelled,
                   lower(financial_status) IN ('refunded', 'partially_refunded') OR coalesce(refunded_amount, 0) > 0 AS is_refunded,
                   co.country_code AS billing_country, order_id AS source_order_id, CAST(all_items - gift_items AS BIGINT) AS items,
                   {consent} AS marketing_consent, CASE WHEN {consent} IS NOT NULL THEN created_at END AS consent_at
            FROM rows r {ContactLookups.JoinPhones(phones, "ph", "coalesce(r.phone, r.billing_phone)", "r.billing_country")}
                 {ContactLookups.JoinCountries(countries, "co", "r.billing_country")}
            WHERE n = 1 AND all_items > gift_items
            """;
        var rows = await context.Warehouse.ReplaceTableAsync(context.Asset, (b, ct) => b.CreateAsSelectAsync(sql, null, ct), cancellationToken)
            .ConfigureAwait(false);
        return lookups.Result(rows);
    }
}
