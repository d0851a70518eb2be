using Tributary.Core.Components;
using Tributary.Core.Warehousing;

namespace Tributary.Components.Standardize;

/// <summary>Canonical <c>transactions</c> from a Stripe charges export, one row per charge id, ISO currency and normalized email.</summary>
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
        ("billing_country", DataKind.Text), ("ip_address", DataKind.Text)),
        Schema.Needs(0, "charge_id", "created_at", "amount", "currency", "customer_id", "customer_email"));

    /// <inheritdoc />
    public async Task<Materialization> MaterializeAsync(StandardizeParameters p, ComponentContext context, CancellationToken cancellationToken)
    {
        var input = await SourceFileOrder.RankedAsync(context, context.Inputs[0], cancellationToken).ConfigureAwait(false);
        await using var lookups = new ContactLookups(context);
        var countries = await lookups.CountriesAsync(input, ["s.card_country", "s.billing_country"], cancellationToken).ConfigureAwait(false);
        var sql = $"""
            WITH ranked AS (SELECT *, row_number() OVER (PARTITION BY charge_id ORDER BY _file_order DESC, _source_line) AS n FROM {input} AS src)
            SELECT charge_id AS transaction_id, created_at, amount, coalesce(amount_refunded, 0) AS amount_refunded, upper(currency) AS currency,
                   lower(status) AS status, customer_id AS stripe_customer_id, {ContactSql.Email("customer_email")} AS email,
                   card_fingerprint, cc.country_code AS card_country, decline_reason, order_name AS order_id,
                   bc.country_code AS billing_country, ip_address
            FROM ranked r {ContactLookups.JoinCountries(countries, "cc", "r.card_country")} {ContactLookups.JoinCountries(countries, "bc", "r.billing_country")}
            WHERE n = 1
            """;
        return lookups.Result(await context.Warehouse.ReplaceTableAsync(context.Asset, (b, ct) => b.CreateAsSelectAsync(sql, null, ct), cancellationToken).ConfigureAwait(false));
    }
}
