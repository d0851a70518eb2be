using Tributary.Core.Components;
using Tributary.Core.Warehousing;

namespace Tributary.Components.Sources.Platform;

/// <summary>Load HubSpot contacts exports into a table. Bad rows go to <c>&lt;id&gt;__rejected</c>; files already loaded are skipped.</summary>
public sealed class HubSpotContactsSource : IComponent<PlatformSourceParameters>
{
    internal static readonly PlatformLayout Layout = new("HubSpot contacts export",
    [
        new("record_id", "Record ID", DataKind.Integer, Required: true, Aliases: ["Contact ID"]),
        new("first_name", "First Name", DataKind.Text),
        new("last_name", "Last Name", DataKind.Text),
        new("email", "Email", DataKind.Text),
        new("phone", "Phone Number", DataKind.Text, Aliases: ["Mobile Phone Number"]),
        new("lifecycle_stage", "Lifecycle Stage", DataKind.Text),
        new("created_at", "Create Date", DataKind.Timestamp),
        new("last_activity_at", "Last Activity Date", DataKind.Timestamp),
        new("country", "Country/Region", DataKind.Text, Aliases: ["Country"]),
        new("original_source", "Original Source", DataKind.Text),
        // HubSpot's hs_email_optout: the person unsubscribed from all email. "Marketing contact status" is HubSpot's billing flag, not the person's word.
        new("email_opt_out", "Unsubscribed from all email", DataKind.Boolean, Aliases: ["Opted out of all email"]),
        new("updated_at", "Last Modified Date", DataKind.Timestamp),
    ]);

    /// <inheritdoc />
    public static string TypeName => "source.hubspot_contacts";
    /// <inheritdoc />
    public static string Description => "Load HubSpot contacts exports into a table. " + Layout.HeaderSummary;
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
