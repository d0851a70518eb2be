using Tributary.Core.Components;
using Tributary.Core.Warehousing;

namespace Tributary.Components.Sources.Platform;

/// <summary>Load Zendesk ticket exports into a table. Bad rows go to <c>&lt;id&gt;__rejected</c>; files already loaded are skipped.</summary>
public sealed class ZendeskTicketsSource : IComponent<PlatformSourceParameters>
{
    internal static readonly PlatformLayout Layout = new("Zendesk tickets export",
    [
        new("ticket_id", "Id", DataKind.Integer, Required: true, Aliases: ["Ticket ID"]),
        new("requester", "Requester", DataKind.Text),
        new("requester_email", "Requester email", DataKind.Text),
        new("subject", "Subject", DataKind.Text),
        new("status", "Status", DataKind.Text),
        new("priority", "Priority", DataKind.Text),
        new("created_at", "Created at", DataKind.Timestamp, Required: true),
        new("updated_at", "Updated at", DataKind.Timestamp),
        new("solved_at", "Solved at", DataKind.Timestamp),
        new("tags", "Tags", DataKind.Text),
        new("via", "Via", DataKind.Text),
        new("satisfaction", "Satisfaction", DataKind.Text, Aliases: ["Satisfaction Score"]),
    ]);

    /// <inheritdoc />
    public static string TypeName => "source.zendesk_tickets";
    /// <inheritdoc />
    public static string Description => "Load Zendesk ticket exports into a table. " + Layout.HeaderSummary;
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
