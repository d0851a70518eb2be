using Tributary.Core.Components;
using Tributary.Core.Warehousing;

namespace Tributary.Components.Standardize;

/// <summary>
/// Canonical <c>transactions</c> from a Stripe charges export, one row per charge id, ISO currency and normalized email. A
/// dispute (chargeback) the merchant lost takes its disputed amount back like a refund: <c>net_amount</c> is what the
/// charge brought in after both.
/// </summary>
public sealed class TransactionsStandardizer : IComponent<StandardizeParameters>
{
    /// <inheritdoc />
    public static string TypeName => "standardize.transactions";
    /// <inheritdoc />
    public static string Description => "Canonical payment transactions from a Stripe charges export.";
    /// <inheritdoc />
    public static InputArity Inputs => InputArity.One;

    /// <inheritdoc />
    public ComponentPlan Plan(StandardizeParameters parameters, PlanContext context) => new(Schema.Of(
        ("transaction_id", DataKind.Text), ("created_at", DataKind.Timestamp), ("amount", DataKind.Number), ("amount_refunded", DataKind.Number),
        ("currency", DataKind.Text), ("status", DataKind.Text), ("stripe_customer_id", DataKind.Text), ("email", DataKind.Text),
        ("card_fingerprint", DataKind.Text), ("card_country", DataKind.Text), ("decline_reason", DataKind.Text), ("order_id", DataKind.Text),
        ("billing_country", DataKind.Text), ("ip_address", DataKind.Text), ("disputed_amount", DataKind.Number), ("dispute_status", DataKind.Text),
        ("dispute_reason", DataKind.Text), ("disputed_at", DataKind.Timestamp), ("net_amount", DataKind.Number)),
        Schema.Needs(0, "charge_id", "created_at", "amount", "currency", "customer_id", "customer_email"));

    /// <inheritdoc />
    public async Task<Materialization> MaterializeAsync(StandardizeParameters p, ComponentContext context, CancellationToken cancellationToken)
    {
        var input = await SourceFileOrder.RankedAsync(context, context.Inputs[0], cancellationToken).ConfigureAwait(false);
        await using var lookups = new ContactLookups(context);
        var countries = await lookups.CountriesAsync(input, ["s.card_country", "s.billing_country"], cancellationToken).ConfigureAwait(false);
        // An export from before the dispute columns (or a table loaded another way) has no disputes to subtract.
        var source = await context.Warehouse.DescribeTableAsync(context.Inputs[0], cancellationToken).ConfigureAwait(false);
        string Column(string name, DataKind kind) => source?.Find(name) is null ? $"CAST(NULL AS {context.Warehouse.Dialect.TypeName(kind)})" : name;
        var (disputed, disputeStatus, reason, at, captured) = (Column("disputed_amount", DataKind.Number), Column("dispute_status", DataKind.Text),
            Column("dispute_reason", DataKind.Text), Column("disputed_at", DataKind.Timestamp), Column("captured", DataKind.Boolean));
        var sql = $"""
            WITH ranked AS (SELECT *, row_number() OVER (PARTITION BY charge_id ORDER BY _file_order DESC, _source_line) AS n FROM {input} AS src)
            SELECT charge_id AS transaction_id, created_at, amount, coalesce(amount_refunded, 0) AS amount_refunded, upper(currency) AS currency,
                   lower(status) AS status, customer_id AS stripe_customer_id, {ContactSql.Email("customer_email")} AS email,
                   card_fingerprint, cc.country_code AS card_country, decline_reason, order_name AS order_id,
                   bc.country_code AS billing_country, ip_address,
                   {disputed} AS disputed_amount, lower({disputeStatus}) AS dispute_status, lower({reason}) AS dispute_reason, {at} AS disputed_at,
                   CASE WHEN lower(status) = 'failed' OR {captured} = FALSE THEN 0
                        ELSE greatest(0, amount - coalesce(amount_refunded, 0) - CASE WHEN lower({disputeStatus}) = 'lost' THEN coalesce({disputed}, amount) ELSE 0 END) END AS net_amount
            FROM ranked r {ContactLookups.JoinCountries(countries, "cc", "r.card_country")} {ContactLookups.JoinCountries(countries, "bc", "r.billing_country")}
            WHERE n = 1
            """;
        return lookups.Result(await context.Warehouse.ReplaceTableAsync(context.Asset, (b, ct) => b.CreateAsSelectAsync(sql, null, ct), cancellationToken).ConfigureAwait(false));
    }
}
