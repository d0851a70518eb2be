using Tributary.Core.Components;
using Tributary.Core.Warehousing;

namespace Tributary.Components.Standardize;

/// <summary>
/// Canonical <c>ad_spend</c>: Google Ads and Meta Ads daily campaign reports in one shape (platform, day, campaign,
/// spend, impressions, clicks, platform-reported conversions), one row per platform, campaign and day. Spend stays in the
/// account's currency as the export gives it (Google's Currency code, Meta's "Amount spent (XXX)"); NULL when it does not say.
/// </summary>
public sealed class AdSpendStandardizer : IComponent<StandardizeParameters>
{
    /// <inheritdoc />
    public static string TypeName => "standardize.ad_spend";
    /// <inheritdoc />
    public static string Description => "Daily ad spend by platform and campaign from Google Ads and Meta Ads sources.";
    /// <inheritdoc />
    public static InputArity Inputs => InputArity.AtLeastOne;

    /// <inheritdoc />
    public ComponentPlan Plan(StandardizeParameters parameters, PlanContext context) => new(Schema.Of(
        ("platform", DataKind.Text), ("day", DataKind.Date), ("campaign", DataKind.Text), ("campaign_id", DataKind.Text), ("spend", DataKind.Number),
        ("impressions", DataKind.Integer), ("clicks", DataKind.Integer), ("conversions", DataKind.Number), ("currency", DataKind.Text)), []);

    /// <inheritdoc />
    public async Task<Materialization> MaterializeAsync(StandardizeParameters p, ComponentContext context, CancellationToken cancellationToken)
    {
        var w = context.Warehouse;
        var parts = new List<string>();
        foreach (var input in context.Inputs)
        {
            var schema = await w.DescribeTableAsync(input, cancellationToken).ConfigureAwait(false) ?? throw new InvalidOperationException($"input table '{input}' does not exist.");
            var (platform, spend, currency) = schema.Find("cost") is not null ? ("google_ads", "cost", "upper(currency)")
                : schema.Find("spend") is not null ? ("meta_ads", "spend", schema.Find("currency") is not null ? "upper(currency)" : "CAST(NULL AS VARCHAR)")
                : throw new InvalidOperationException($"input '{input}' is neither a Google Ads report (cost) nor a Meta Ads export (spend).");
            parts.Add($"""
                SELECT CAST('{platform}' AS VARCHAR) AS platform, day, campaign, CAST(campaign_id AS VARCHAR) AS campaign_id,
                       sum({spend}) AS spend, sum(impressions) AS impressions, sum(clicks) AS clicks, sum(conversions) AS conversions, max({currency}) AS currency
                FROM (SELECT *, dense_rank() OVER (PARTITION BY day, campaign ORDER BY _file_order DESC) AS newest
                      FROM {await SourceFileOrder.RankedAsync(context, input, cancellationToken).ConfigureAwait(false)} AS src) AS r
                WHERE newest = 1
                GROUP BY day, campaign, campaign_id
                """);
        }
        var sql = string.Join(" UNION ALL ", parts);
        return Materialization.Of(await w.ReplaceTableAsync(context.Asset, (b, ct) => b.CreateAsSelectAsync(sql, null, ct), cancellationToken).ConfigureAwait(false));
    }
}
