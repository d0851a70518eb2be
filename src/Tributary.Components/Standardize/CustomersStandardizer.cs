using Tributary.Core.Components;
using Tributary.Core.Warehousing;

namespace Tributary.Components.Standardize;

/// <summary>
/// Canonical <c>customers</c> from a HubSpot contacts export: one row per record id, normalized email and E.164 phone, and
/// <c>marketing_consent</c> false with its time (Last Modified Date) when the contact unsubscribed from all email; NULL otherwise,
/// as not having unsubscribed is no consent.
/// </summary>
public sealed class CustomersStandardizer : IComponent<StandardizeParameters>
{
    /// <inheritdoc />
    public static string TypeName => "standardize.customers";
    /// <inheritdoc />
    public static string Description => "Canonical customers (contacts) from a HubSpot contacts export.";
    /// <inheritdoc />
    public static InputArity Inputs => InputArity.One;

    /// <inheritdoc />
    public ComponentPlan Plan(StandardizeParameters parameters, PlanContext context) => new(Schema.Of(
        ("hubspot_id", DataKind.Text), ("first_name", DataKind.Text), ("last_name", DataKind.Text), ("email", DataKind.Text), ("phone", DataKind.Text),
        ("lifecycle_stage", DataKind.Text), ("created_at", DataKind.Timestamp), ("last_activity_at", DataKind.Timestamp), ("country", DataKind.Text),
        ("original_source", DataKind.Text), ("marketing_consent", DataKind.Boolean), ("consent_at", DataKind.Timestamp)), Schema.Needs(0, "record_id", "email", "phone"));

    /// <inheritdoc />
    public async Task<Materialization> MaterializeAsync(StandardizeParameters p, ComponentContext context, CancellationToken cancellationToken)
    {
        var input = await SourceFileOrder.RankedAsync(context, context.Inputs[0], cancellationToken).ConfigureAwait(false);
        await using var lookups = new ContactLookups(context);
        var phones = await lookups.PhonesAsync(input, "phone", "country", p.DefaultCountryCode, cancellationToken).ConfigureAwait(false);
        var countries = await lookups.CountriesAsync(input, ["country"], cancellationToken).ConfigureAwait(false);
        // An input without HubSpot's unsubscribe column says nothing about consent.
        var source = await context.Warehouse.DescribeTableAsync(context.Inputs[0], cancellationToken).ConfigureAwait(false);
        var optOut = source?.Find("email_opt_out") is null ? "CAST(NULL AS BOOLEAN)" : "r.email_opt_out";
        var updated = source?.Find("updated_at") is null ? "" : "r.updated_at, ";
        var sql = $"""
            WITH ranked AS (SELECT *, row_number() OVER (PARTITION BY record_id ORDER BY _file_order DESC, _source_line) AS n FROM {input} AS src)
            SELECT CAST(r.record_id AS VARCHAR) AS hubspot_id, r.first_name, r.last_name, {ContactSql.Email("r.email")} AS email, ph.phone_e164 AS phone,
                   lower(r.lifecycle_stage) AS lifecycle_stage, r.created_at, r.last_activity_at, co.country_code AS country, lower(r.original_source) AS original_source,
                   CASE WHEN {optOut} THEN FALSE END AS marketing_consent,
                   CASE WHEN {optOut} THEN coalesce({updated}r.last_activity_at, r.created_at) END AS consent_at
            FROM ranked r {ContactLookups.JoinPhones(phones, "ph", "r.phone", "r.country")} {ContactLookups.JoinCountries(countries, "co", "r.country")}
            WHERE r.n = 1
            """;
        return lookups.Result(await context.Warehouse.ReplaceTableAsync(context.Asset, (b, ct) => b.CreateAsSelectAsync(sql, null, ct), cancellationToken).ConfigureAwait(false));
    }
}
