using Tributary.Core.Components;
using Tributary.Core.Warehousing;

namespace Tributary.Components.Sources.Platform;

/// <summary>Load Google Ads campaign daily reports (CSV download, preamble lines skipped) into a table. Bad rows go to <c>&lt;id&gt;__rejected</c>; files already loaded are skipped.</summary>
public sealed class GoogleAdsSource : IComponent<PlatformSourceParameters>
{
    internal static readonly PlatformLayout Layout = new("Google Ads campaign report",
    [
        new("day", "Day", DataKind.Date, Required: true),
        new("campaign", "Campaign", DataKind.Text, Required: true),
        new("campaign_id", "Campaign ID", DataKind.Integer),
        new("impressions", "Impr.", DataKind.Integer),
        new("clicks", "Clicks", DataKind.Integer),
        new("cost", "Cost", DataKind.Number),
        new("conversions", "Conversions", DataKind.Number),
        new("currency", "Currency code", DataKind.Text),
    ], HeaderMarker: "Day");

    /// <inheritdoc />
    public static string TypeName => "source.google_ads";
    /// <inheritdoc />
    public static string Description => "Load Google Ads campaign daily reports (CSV download, preamble lines skipped) into a table.";
    /// <inheritdoc />
    public static InputArity Inputs => InputArity.None;

    /// <inheritdoc />
    public ComponentPlan Plan(PlatformSourceParameters parameters, PlanContext context) => PlatformSchemas.Plan(Layout);

    /// <inheritdoc />
    public Task<Materialization> MaterializeAsync(PlatformSourceParameters parameters, ComponentContext context, CancellationToken cancellationToken) =>
        PlatformFileLoader.LoadAsync(context, parameters, Layout, ".csv", file => CsvExportReader.Read(file, Layout, parameters), cancellationToken);
}
