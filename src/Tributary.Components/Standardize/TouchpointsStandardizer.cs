using Tributary.Core.Components;
using Tributary.Core.Warehousing;

namespace Tributary.Components.Standardize;

/// <summary>
/// Canonical <c>touchpoints</c>: every session that arrived through a marketing channel (not direct), with its
/// channel, source, medium, campaign and click id, for journeys and attribution.
/// </summary>
public sealed class TouchpointsStandardizer : IComponent<StandardizeParameters>
{
    /// <inheritdoc />
    public static string TypeName => "standardize.touchpoints";
    /// <inheritdoc />
    public static string Description => "Marketing touchpoints (non-direct session starts) with channel and campaign, from sessions.";
    /// <inheritdoc />
    public static InputArity Inputs => InputArity.One;

    /// <inheritdoc />
    public ComponentPlan Plan(StandardizeParameters parameters, PlanContext context) => new(Schema.Of(
        ("touchpoint_id", DataKind.Text), ("anonymous_id", DataKind.Text), ("user_id", DataKind.Text), ("touched_at", DataKind.Timestamp), ("channel", DataKind.Text),
        ("source", DataKind.Text), ("medium", DataKind.Text), ("campaign", DataKind.Text), ("landing_page", DataKind.Text), ("click_id", DataKind.Text)),
        Schema.Needs(0, "session_id", "anonymous_id", "user_id", "started_at", "channel", "utm_source", "utm_medium", "utm_campaign", "landing_page"));

    /// <inheritdoc />
    public async Task<Materialization> MaterializeAsync(StandardizeParameters p, ComponentContext context, CancellationToken cancellationToken)
    {
        var input = context.Warehouse.Dialect.Quote(context.Inputs[0]);
        var sql = $"""
            SELECT session_id AS touchpoint_id, anonymous_id, user_id, started_at AS touched_at, channel, utm_source AS source, utm_medium AS medium,
                   utm_campaign AS campaign, landing_page,
                   CASE WHEN landing_page LIKE '%gclid=%' THEN 'gclid' WHEN landing_page LIKE '%fbclid=%' THEN 'fbclid' WHEN landing_page LIKE '%msclkid=%' THEN 'msclkid' END AS click_id
            FROM {input} WHERE channel <> 'direct'
            """;
        return Materialization.Of(await context.Warehouse.ReplaceTableAsync(context.Asset, (b, ct) => b.CreateAsSelectAsync(sql, null, ct), cancellationToken).ConfigureAwait(false));
    }
}
