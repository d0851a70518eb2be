using Tributary.Core.Components;
using Tributary.Core.Warehousing;

namespace Tributary.Components.Standardize;

/// <summary>
/// Canonical <c>sessions</c> from events: a visitor's (anonymousId, else userId) events with no gap over 30 minutes
/// form one session, with its landing page, referrer, UTM tags, classified channel, events and orders. Email
/// events (Segment's Email Delivered/Opened/... sent by the email tool) are not visits and start no session.
/// </summary>
public sealed class SessionsStandardizer : IComponent<SessionsParameters>
{
    /// <inheritdoc />
    public static string TypeName => "standardize.sessions";
    /// <inheritdoc />
    public static string Description => "Sessions (30 minutes of inactivity ends one) from canonical events, with landing page and channel.";
    /// <inheritdoc />
    public static InputArity Inputs => InputArity.One;

    /// <inheritdoc />
    public ComponentPlan Plan(SessionsParameters parameters, PlanContext context) => new(Schema.Of(
        ("session_id", DataKind.Text), ("anonymous_id", DataKind.Text), ("user_id", DataKind.Text), ("started_at", DataKind.Timestamp), ("ended_at", DataKind.Timestamp),
        ("events", DataKind.Integer), ("landing_page", DataKind.Text), ("referrer", DataKind.Text), ("utm_source", DataKind.Text), ("utm_medium", DataKind.Text),
        ("utm_campaign", DataKind.Text), ("channel", DataKind.Text), ("orders", DataKind.Integer), ("revenue", DataKind.Number)),
        Schema.Needs(0, "event_id", "anonymous_id", "user_id", "occurred_at", "event", "page_url", "page_referrer", "utm_source", "utm_medium", "utm_campaign", "revenue"));

    /// <inheritdoc />
    public async Task<Materialization> MaterializeAsync(SessionsParameters p, ComponentContext context, CancellationToken cancellationToken)
    {
        var dialect = context.Warehouse.Dialect;
        var input = dialect.Quote(context.Inputs[0]);
        var sessionGap = dialect.Interval(TimeSpan.FromMinutes(30));
        // Every window, the GROUP BY and the landing join keep to one visitor, so the statement can run in passes by visitor
        // (KeyedPasses): the first window's sort outgrew DuckDB's memory limit at 100k customers (its working memory is
        // allocated beyond the limit once the pool is full, so the process's peak grew with the events).
        var passes = p.Passes is { } fixedCount ? KeyedPasses.Of(fixedCount)
            : await KeyedPasses.ForTableAsync(context.Warehouse, input, WorkingBytesPerEvent, cancellationToken).ConfigureAwait(false);
        var keeps = passes.Keeps(dialect, "coalesce(anonymous_id, user_id)");
        // The two window sorts carry narrow rows only: the first finds where sessions start (and gives each event an integer
        // position), the running count of starts then sorts by that position, and orders are pre-flagged. A session's landing
        // fields are its starting event's, looked up afterwards by that row's engine row key (one row per session) instead of
        // carried through both sorts with every event: at 25k customers that payload was most of the first sort's cost, and
        // the part that spills once the events outgrow the memory limit. The row key (DuckDB's BIGINT rowid) is narrower
        // through the second sort and the GROUP BY than the event's text id, and the lookup is one equality on it instead of
        // id, time and visitor (bench/README.md, stop 20: the step -13% CPU and ~-50 MB at 100k); it finds the starting row even where
        // event ids repeat or are NULL (events tables made by SQL).
        // The session number counts starts (a BIGINT): DuckDB's sum of integers is a HUGEINT, which the GROUP BY key and the
        // session id's text paid for.
        // An event's anonymous id is NULL or its visitor (visitor = coalesce(anonymous_id, user_id)), so a flag carries it.
        var rowKey = dialect.RowKey;
        var sql = $"""
            WITH e AS (
                SELECT coalesce(anonymous_id, user_id) AS visitor, occurred_at, event_id, {rowKey} AS row_key, CASE WHEN anonymous_id IS NULL THEN 0 ELSE 1 END AS has_anonymous, user_id,
                       CASE WHEN event = 'Order Completed' THEN 1 ELSE 0 END AS is_order, CASE WHEN event = 'Order Completed' THEN revenue END AS order_revenue
                FROM {input}
                WHERE coalesce(anonymous_id, user_id) IS NOT NULL AND coalesce(event, '') NOT LIKE 'Email %' AND {keeps}),
            gaps AS (
                SELECT visitor, occurred_at, row_key, has_anonymous, user_id, is_order, order_revenue,
                       row_number() OVER (PARTITION BY visitor ORDER BY occurred_at, {dialect.ByteOrder("event_id")}) AS position,
                       CASE WHEN lag(occurred_at) OVER (PARTITION BY visitor ORDER BY occurred_at, {dialect.ByteOrder("event_id")}) IS NULL
                              OR occurred_at - lag(occurred_at) OVER (PARTITION BY visitor ORDER BY occurred_at, {dialect.ByteOrder("event_id")}) > {sessionGap}
                            THEN 1 ELSE 0 END AS starts
                FROM e),
            numbered AS (
                SELECT visitor, occurred_at, has_anonymous, user_id, is_order, order_revenue, CASE WHEN starts = 1 THEN row_key END AS first_row,
                       count(CASE WHEN starts = 1 THEN 1 END) OVER (PARTITION BY visitor ORDER BY position ROWS UNBOUNDED PRECEDING) AS n
                FROM gaps),
            s AS (
                SELECT visitor, n, max(first_row) AS first_row, max(has_anonymous) AS has_anonymous, max(user_id) AS user_id,
                       min(occurred_at) AS started_at, max(occurred_at) AS ended_at, count(*) AS events, sum(is_order) AS orders, coalesce(sum(order_revenue), 0) AS revenue
                FROM numbered GROUP BY visitor, n)
            SELECT s.visitor || '#' || CAST(s.n AS VARCHAR) AS session_id, CASE WHEN s.has_anonymous = 1 THEN s.visitor END AS anonymous_id, s.user_id,
                   s.started_at, s.ended_at, s.events, l.page_url AS landing_page, l.page_referrer AS referrer, l.utm_source, l.utm_medium, l.utm_campaign,
                   {ChannelSql.Classify("l.utm_source", "l.utm_medium", "l.page_url", "l.page_referrer")} AS channel, s.orders, s.revenue
            FROM s LEFT JOIN (SELECT {rowKey} AS row_key, page_url, page_referrer, utm_source, utm_medium, utm_campaign FROM {input} WHERE {keeps}) l
                ON l.row_key = s.first_row
            """;
        if (passes.Count > 1) context.Log($"sessions built in {passes} by visitor");
        return Materialization.Of(await context.Warehouse.ReplaceTableAsync(context.Asset, (b, ct) => passes.BuildAsync(b, sql, ct), cancellationToken).ConfigureAwait(false));
    }

    /// <summary>
    /// Working memory of the statement per input event, for choosing its passes: at 25k demo customers (2.73M events) the
    /// statement alone peaked at 775 MB of process memory with DuckDB's limit at 1000MB, ~250-300 bytes an event; a pass is
    /// sized to fill the limit at this rate, so 25k runs in one pass and 100k (11M events) in four.
    /// </summary>
    internal const long WorkingBytesPerEvent = 300;
}
