using Tributary.Core.Components;
using Tributary.Core.Warehousing;

namespace Tributary.Components.Standardize;

/// <summary>
/// Canonical <c>sessions</c> from events: a visitor's (anonymousId, else userId) events with no gap over 30 minutes
/// form one session, with its landing page, referrer, UTM tags, classified channel, events and orders. Email
/// events (Segment's Email Delivered/Opened/... sent by the email tool) are not visits and start no session.
/// </summary>
public sealed class SessionsStandardizer : IComponent<StandardizeParameters>
{
    /// <inheritdoc />
    public static string TypeName => "standardize.sessions";
    /// <inheritdoc />
    public static string Description => "Sessions (30 minutes of inactivity ends one) from canonical events, with landing page and channel.";
    /// <inheritdoc />
    public static InputArity Inputs => InputArity.One;

    /// <inheritdoc />
    public ComponentPlan Plan(StandardizeParameters parameters, PlanContext context) => new(Schema.Of(
        ("session_id", DataKind.Text), ("anonymous_id", DataKind.Text), ("user_id", DataKind.Text), ("started_at", DataKind.Timestamp), ("ended_at", DataKind.Timestamp),
        ("events", DataKind.Integer), ("landing_page", DataKind.Text), ("referrer", DataKind.Text), ("utm_source", DataKind.Text), ("utm_medium", DataKind.Text),
        ("utm_campaign", DataKind.Text), ("channel", DataKind.Text), ("orders", DataKind.Integer), ("revenue", DataKind.Number)),
        Schema.Needs(0, "event_id", "anonymous_id", "user_id", "occurred_at", "event", "page_url", "page_referrer", "utm_source", "utm_medium", "utm_campaign", "revenue"));

    /// <inheritdoc />
    public async Task<Materialization> MaterializeAsync(StandardizeParameters p, ComponentContext context, CancellationToken cancellationToken)
    {
        var input = context.Warehouse.Dialect.Quote(context.Inputs[0]);
        var sessionGap = context.Warehouse.Dialect.Interval(TimeSpan.FromMinutes(30));
        // One sort carries the events' landing fields to find where sessions start; the running count of starts then sorts
        // narrow rows by an integer position (landing fields kept only on starting rows), and orders are pre-flagged, so the
        // second window and the GROUP BY move a fraction of the bytes. A session's landing fields are its starting row's.
        // An event's anonymous id is NULL or its visitor (visitor = coalesce(anonymous_id, user_id)), so a flag carries it.
        var sql = $"""
            WITH e AS (
                SELECT coalesce(anonymous_id, user_id) AS visitor, occurred_at, event_id, CASE WHEN anonymous_id IS NULL THEN 0 ELSE 1 END AS has_anonymous, user_id,
                       CASE WHEN event = 'Order Completed' THEN 1 ELSE 0 END AS is_order, CASE WHEN event = 'Order Completed' THEN revenue END AS order_revenue,
                       page_url, page_referrer, utm_source, utm_medium, utm_campaign
                FROM {input}
                WHERE coalesce(anonymous_id, user_id) IS NOT NULL AND coalesce(event, '') NOT LIKE 'Email %'),
            gaps AS (
                SELECT visitor, occurred_at, has_anonymous, user_id, is_order, order_revenue, page_url, page_referrer, utm_source, utm_medium, utm_campaign,
                       row_number() OVER (PARTITION BY visitor ORDER BY occurred_at, event_id) AS position,
                       CASE WHEN lag(occurred_at) OVER (PARTITION BY visitor ORDER BY occurred_at, event_id) IS NULL
                              OR occurred_at - lag(occurred_at) OVER (PARTITION BY visitor ORDER BY occurred_at, event_id) > {sessionGap}
                            THEN 1 ELSE 0 END AS starts
                FROM e),
            landing AS (
                SELECT visitor, position, occurred_at, has_anonymous, user_id, is_order, order_revenue, starts,
                       CASE WHEN starts = 1 THEN page_url END AS page_url, CASE WHEN starts = 1 THEN page_referrer END AS page_referrer,
                       CASE WHEN starts = 1 THEN utm_source END AS utm_source, CASE WHEN starts = 1 THEN utm_medium END AS utm_medium,
                       CASE WHEN starts = 1 THEN utm_campaign END AS utm_campaign
                FROM gaps),
            numbered AS (
                SELECT *, sum(starts) OVER (PARTITION BY visitor ORDER BY position ROWS UNBOUNDED PRECEDING) AS n FROM landing)
            SELECT visitor || '#' || CAST(n AS VARCHAR) AS session_id, CASE WHEN max(has_anonymous) = 1 THEN visitor END AS anonymous_id, max(user_id) AS user_id,
                   min(occurred_at) AS started_at, max(occurred_at) AS ended_at, count(*) AS events,
                   max(page_url) AS landing_page, max(page_referrer) AS referrer, max(utm_source) AS utm_source, max(utm_medium) AS utm_medium,
                   max(utm_campaign) AS utm_campaign,
                   max(CASE WHEN starts = 1 THEN {ChannelSql.Classify("utm_source", "utm_medium", "page_url", "page_referrer")} END) AS channel,
                   sum(is_order) AS orders, coalesce(sum(order_revenue), 0) AS revenue
            FROM numbered GROUP BY visitor, n
            """;
        return Materialization.Of(await context.Warehouse.ReplaceTableAsync(context.Asset, (b, ct) => b.CreateAsSelectAsync(sql, null, ct), cancellationToken).ConfigureAwait(false));
    }
}
