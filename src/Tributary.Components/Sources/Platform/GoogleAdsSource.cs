using Tributary.Core.Components;
using Tributary.Core.Warehousing;

namespace Tributary.Components.Sources.Platform;

/// <summary>Load Google Ads campaign daily reports (CSV download; preamble lines and the report's "Total: ..." rows skipped) into a table. Bad rows go to <c>&lt;id&gt;__rejected</c>; files already loaded are skipped.</summary>
public sealed class GoogleAdsSource : IComponent<PlatformSourceParameters>
{
    internal static readonly PlatformLayout Layout = new("Google Ads campaign report",
    [
        new("day", "Day", DataKind.Date, Required: true),
        new("campaign", "Campaign", DataKind.Text, Required: true),
        new("campaign_id", "Campaign ID", DataKind.Integer),
        new("impressions", "Impr.", DataKind.Integer, Aliases: ["Impressions"]),
        new("clicks", "Clicks", DataKind.Integer),
        new("cost", "Cost", DataKind.Number, Aliases: ["Cost (*"]),
        new("conversions", "Conversions", DataKind.Number, Aliases: ["Conv."]),
        new("currency", "Currency code", DataKind.Text, Aliases: ["Currency"], FromHeader: "Cost (*"),
    ], HeaderMarker: "Day", SummaryRowPrefix: "Total:");

    /// <inheritdoc />
    public static string TypeName => "source.google_ads";
    /// <inheritdoc />
    public static string Description => "Load Google Ads campaign daily reports (CSV download; preamble lines and the report's Total rows skipped) into a table. " + Layout.HeaderSummary;
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
