using Tributary.Core.Components;
using Tributary.Core.Warehousing;

namespace Tributary.Components.Sources.Platform;

/// <summary>Load Meta Ads Manager daily campaign insights exports (the optional summary row of account totals skipped) into a table. Bad rows go to <c>&lt;id&gt;__rejected</c>; files already loaded are skipped.</summary>
public sealed class MetaAdsSource : IComponent<PlatformSourceParameters>
{
    internal static readonly PlatformLayout Layout = new("Meta Ads insights export",
    [
        new("day", "Reporting starts", DataKind.Date, Required: true),
        new("day_end", "Reporting ends", DataKind.Date),
        new("campaign", "Campaign name", DataKind.Text, Required: true),
        new("campaign_id", "Campaign ID", DataKind.Integer),
        new("spend", "Amount spent*", DataKind.Number),
        new("impressions", "Impressions", DataKind.Integer),
        new("clicks", "Link clicks", DataKind.Integer),
        new("conversions", "Results", DataKind.Number),
        new("result_indicator", "Result indicator", DataKind.Text),
        new("currency", "Currency", DataKind.Text, FromHeader: "Amount spent*"),
    ], SummaryRowBlank: "Campaign name", DayRange: ("day", "day_end"));

    /// <inheritdoc />
    public static string TypeName => "source.meta_ads";
    /// <inheritdoc />
    public static string Description => "Load Meta Ads Manager daily campaign insights exports (the optional summary row skipped) into a table. " + Layout.HeaderSummary;
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
