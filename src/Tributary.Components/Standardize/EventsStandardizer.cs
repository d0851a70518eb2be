using Tributary.Core.Components;
using Tributary.Core.Warehousing;

namespace Tributary.Components.Standardize;

/// <summary>
/// Canonical <c>events</c> from Segment events: one row per messageId (Segment retries send duplicates), UTC time,
/// normalized email and phone from traits, and the page, campaign and order fields flattened.
/// </summary>
public sealed class EventsStandardizer : IComponent<StandardizeParameters>
{
    /// <inheritdoc />
    public static string TypeName => "standardize.events";
    /// <inheritdoc />
    public static string Description => "Canonical events from Segment events, deduplicated by messageId.";
    /// <inheritdoc />
    public static InputArity Inputs => InputArity.One;

    /// <inheritdoc />
    public ComponentPlan Plan(StandardizeParameters parameters, PlanContext context) => new(Schema.Of([.. Columns]),
        Schema.Needs(0, "message_id", "type", "timestamp", "anonymous_id", "user_id"));

    /// <summary>The canonical events table's columns, in order; the intake loader of <c>trib serve</c> writes the same.</summary>
    internal static readonly IReadOnlyList<(string Name, DataKind Kind)> Columns =
    [
        ("event_id", DataKind.Text), ("type", DataKind.Text), ("event", DataKind.Text), ("anonymous_id", DataKind.Text), ("user_id", DataKind.Text),
        ("occurred_at", DataKind.Timestamp), ("received_at", DataKind.Timestamp), ("email", DataKind.Text), ("phone", DataKind.Text), ("ip", DataKind.Text),
        ("user_agent", DataKind.Text), ("page_url", DataKind.Text), ("page_referrer", DataKind.Text), ("utm_source", DataKind.Text), ("utm_medium", DataKind.Text),
        ("utm_campaign", DataKind.Text), ("order_id", DataKind.Text), ("revenue", DataKind.Number), ("currency", DataKind.Text), ("experiment", DataKind.Text), ("variant", DataKind.Text),
        ("properties", DataKind.Text),
    ];

    /// <inheritdoc />
    public async Task<Materialization> MaterializeAsync(StandardizeParameters p, ComponentContext context, CancellationToken cancellationToken)
    {
        var input = context.Warehouse.Dialect.Quote(context.Inputs[0]);
        await using var lookups = new ContactLookups(context);
        var phones = await lookups.PhonesAsync(input, "s.phone", null, p.DefaultCountryCode, cancellationToken).ConfigureAwait(false);
        // Retries are rare: only the messageIds seen more than once go through the window's sort to pick their first copy;
        // every other row passes straight through. Sorting all rows (with their properties) cost twice the CPU and memory.
        // Segment's alias call says previousId (usually the visitor's anonymous id) and userId are one person; sent from a
        // server it carries no anonymousId, so previousId takes its place and identity resolution links the two.
        var hasPrevious = (await context.Warehouse.DescribeTableAsync(context.Inputs[0], cancellationToken).ConfigureAwait(false))?.Find("previous_id") is not null;
        var anonymous = hasPrevious ? "CASE WHEN type = 'alias' THEN coalesce(anonymous_id, previous_id) ELSE anonymous_id END" : "anonymous_id";
        var columns = "message_id, type, event, name, anonymous_id, user_id, timestamp, received_at, email, phone, ip, user_agent, page_url, " +
            "page_referrer, utm_source, utm_medium, utm_campaign, order_id, revenue, currency, experiment_name, variation_name, properties" + (hasPrevious ? ", previous_id" : "");
        var sql = $"""
            WITH repeated AS (
                SELECT message_id FROM {input} GROUP BY message_id HAVING count(*) > 1),
            ranked AS (
                SELECT {columns}, row_number() OVER (PARTITION BY message_id ORDER BY received_at, {context.Warehouse.Dialect.ByteOrder("_source_file")}, _source_line) AS n
                FROM {input} s WHERE EXISTS (SELECT 1 FROM repeated r WHERE r.message_id = s.message_id)),
            kept AS (
                SELECT {columns} FROM ranked WHERE n = 1
                UNION ALL
                SELECT {columns} FROM {input} s WHERE NOT EXISTS (SELECT 1 FROM repeated r WHERE r.message_id = s.message_id))
            SELECT message_id AS event_id, type, coalesce(event, name) AS event, {anonymous} AS anonymous_id, user_id, timestamp AS occurred_at, received_at,
                   {ContactSql.Email("email")} AS email, ph.phone_e164 AS phone, ip, user_agent, page_url, page_referrer,
                   lower(utm_source) AS utm_source, lower(utm_medium) AS utm_medium, utm_campaign, order_id, revenue, upper(currency) AS currency,
                   experiment_name AS experiment, variation_name AS variant, properties
            FROM kept k {ContactLookups.JoinPhones(phones, "ph", "k.phone", null)}
            """;
        return Materialization.Of(await context.Warehouse.ReplaceTableAsync(context.Asset, (b, ct) => b.CreateAsSelectAsync(sql, null, ct), cancellationToken).ConfigureAwait(false));
    }
}
