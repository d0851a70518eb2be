using Tributary.Core.Components;
using Tributary.Core.Warehousing;

namespace Tributary.Components.Standardize;

/// <summary>Canonical <c>customers</c> from a HubSpot contacts export: one row per record id, normalized email and E.164 phone.</summary>
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
        ("original_source", DataKind.Text)), Schema.Needs(0, "record_id", "email", "phone"));

    /// <inheritdoc />
    public async Task<Materialization> MaterializeAsync(StandardizeParameters p, ComponentContext context, CancellationToken cancellationToken)
    {
        var input = await SourceFileOrder.RankedAsync(context, context.Inputs[0], cancellationToken).ConfigureAwait(false);
        var q = new SqlBuilder(context.Warehouse.Dialect);
        var country = q.Bind(p.DefaultCountryCode);
        var sql = $"""
            WITH ranked AS (SELECT *, row_number() OVER (PARTITION BY record_id ORDER BY _file_order DESC, _source_line) AS n FROM {input} AS src)
            SELECT CAST(record_id AS VARCHAR) AS hubspot_id, first_name, last_name, {ContactSql.Email("email")} AS email, {ContactSql.Phone(q, "phone", country)} AS phone,
                   lower(lifecycle_stage) AS lifecycle_stage, created_at, last_activity_at, upper(country) AS country, lower(original_source) AS original_source
            FROM ranked WHERE n = 1
            """;
        return Materialization.Of(await context.Warehouse.ReplaceTableAsync(context.Asset, (b, ct) => b.CreateAsSelectAsync(sql, q.Parameters, ct), cancellationToken).ConfigureAwait(false));
    }
}
