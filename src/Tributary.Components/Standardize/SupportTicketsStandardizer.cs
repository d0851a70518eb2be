using Tributary.Core.Components;
using Tributary.Core.Warehousing;

namespace Tributary.Components.Standardize;

/// <summary>Canonical <c>support_tickets</c> from a Zendesk tickets export: one row per ticket id, normalized requester email.</summary>
public sealed class SupportTicketsStandardizer : IComponent<StandardizeParameters>
{
    /// <inheritdoc />
    public static string TypeName => "standardize.support_tickets";
    /// <inheritdoc />
    public static string Description => "Canonical support tickets from a Zendesk tickets export.";
    /// <inheritdoc />
    public static InputArity Inputs => InputArity.One;

    /// <inheritdoc />
    public ComponentPlan Plan(StandardizeParameters parameters, PlanContext context) => new(Schema.Of(
        ("ticket_id", DataKind.Text), ("email", DataKind.Text), ("subject", DataKind.Text), ("status", DataKind.Text), ("priority", DataKind.Text),
        ("created_at", DataKind.Timestamp), ("solved_at", DataKind.Timestamp), ("is_open", DataKind.Boolean), ("channel", DataKind.Text), ("satisfaction", DataKind.Text)),
        Schema.Needs(0, "ticket_id", "requester_email", "status", "created_at"));

    /// <inheritdoc />
    public async Task<Materialization> MaterializeAsync(StandardizeParameters p, ComponentContext context, CancellationToken cancellationToken)
    {
        var input = await SourceFileOrder.RankedAsync(context, context.Inputs[0], cancellationToken).ConfigureAwait(false);
        var sql = $"""
            WITH ranked AS (SELECT *, row_number() OVER (PARTITION BY ticket_id ORDER BY _file_order DESC, _source_line) AS n FROM {input} AS src)
            SELECT CAST(ticket_id AS VARCHAR) AS ticket_id, {ContactSql.Email("requester_email")} AS email, subject, lower(status) AS status, lower(priority) AS priority,
                   created_at, solved_at, lower(status) NOT IN ('solved', 'closed') AS is_open, lower(via) AS channel, lower(satisfaction) AS satisfaction
            FROM ranked WHERE n = 1
            """;
        return Materialization.Of(await context.Warehouse.ReplaceTableAsync(context.Asset, (b, ct) => b.CreateAsSelectAsync(sql, null, ct), cancellationToken).ConfigureAwait(false));
    }
}
