using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Tributary.Core.Components;
using Tributary.Core.Warehousing;

namespace Tributary.Components.Profiles;

/// <summary>Parameters of <c>profile.customer_360</c>.</summary>
public sealed record Customer360Parameters : IValidatableObject
{
    /// <summary>Which input plays which role.</summary>
    [Description("Input ids by role: identity (required, from identity.resolve) and any of orders, sessions, touchpoints, events, tickets, customers (canonical tables).")]
    public required IReadOnlyDictionary<string, string> Tables { get; init; }

    /// <summary>Reference time for recency windows.</summary>
    [Description("Date (YYYY-MM-DD) the 7/30/90-day windows and days since last order count back from; its days, and the windows' midnights, are the project's timezone's (tributary.yaml, default UTC). Default: the day of the latest order, session or identity last_seen.")]
    public string? AsOf { get; init; }

    internal static readonly string[] Roles = ["identity", "orders", "sessions", "touchpoints", "events", "tickets", "customers"];

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var role in Tables.Keys.Where(r => !Roles.Contains(r)))
            yield return new ValidationResult($"tables: unknown role '{role}'. Roles: {string.Join(", ", Roles)}.", [nameof(Tables)]);
        if (!Tables.ContainsKey("identity")) yield return new ValidationResult("tables needs identity: the identity graph from identity.resolve.", [nameof(Tables)]);
        if (AsOf is not null && !DateOnly.TryParseExact(AsOf, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
            yield return new ValidationResult($"as_of must be a date as YYYY-MM-DD, got '{AsOf}'.", [nameof(AsOf)]);
    }
}

/// <summary>
/// One row per profile: traits (name, email, phone, country, acquisition channel and campaign) and features (first
/// and last seen, orders, revenue, average order value, days since last order, sessions in 7/30/90 days, distinct
/// channels, tickets and open tickets, emails opened in 90 days), joined to profiles through the identity graph.
/// </summary>
public sealed class Customer360 : IComponent<Customer360Parameters>
{
    /// <inheritdoc />
    public static string TypeName => "profile.customer_360";
    /// <inheritdoc />
    public static string Description => "One row per customer profile with traits and behavioural features from every canonical table.";
    /// <inheritdoc />
    public static InputArity Inputs => InputArity.AtLeastOne;
    /// <inheritdoc />
    public static bool ReadsTimeZone => true;

    /// <inheritdoc />
    public ComponentPlan Plan(Customer360Parameters p, PlanContext context)
    {
        var requires = new List<ColumnRequirement>();
        var needs = new Dictionary<string, string[]>
        {
            ["identity"] = ["identifier_type", "identifier_value", "profile_id", "first_seen", "last_seen"],
            ["orders"] = ["email", "phone", "ordered_at", "total", "refunded_amount", "is_cancelled", "billing_country"],
            ["sessions"] = ["anonymous_id", "started_at"],
            ["touchpoints"] = ["anonymous_id", "touched_at", "channel", "campaign"],
            ["events"] = ["user_id", "event", "occurred_at"],
            ["tickets"] = ["email", "is_open"],
            ["customers"] = ["hubspot_id", "first_name", "last_name", "country"],
        };
        foreach (var (role, table) in p.Tables)
        {
            var i = context.Inputs.ToList().FindIndex(x => x.Id == table);
            if (i < 0) throw new PlanException($"tables.{role} names '{table}', which is not one of the inputs ({string.Join(", ", context.Inputs.Select(x => x.Id))}).");
            if (needs.TryGetValue(role, out var columns)) requires.AddRange(columns.Select(c => new ColumnRequirement(i, c, [])));
        }
        return new ComponentPlan(new TableSchema(Columns.Select(c => new ColumnSchema(c.Name, c.Kind.ToString().ToUpperInvariant(), c.Kind)).ToList()), requires);
    }

    private static readonly (string Name, DataKind Kind)[] Columns =
    [
        ("profile_id", DataKind.Text), ("first_name", DataKind.Text), ("last_name", DataKind.Text), ("email", DataKind.Text), ("phone", DataKind.Text),
        ("country", DataKind.Text), ("acquisition_channel", DataKind.Text), ("acquisition_campaign", DataKind.Text), ("first_seen", DataKind.Timestamp),
        ("last_seen", DataKind.Timestamp), ("orders", DataKind.Integer), ("revenue", DataKind.Number), ("average_order_value", DataKind.Number),
        ("first_order_at", DataKind.Timestamp), ("last_order_at", DataKind.Timestamp), ("days_since_last_order", DataKind.Integer),
        ("sessions_7d", DataKind.Integer), ("sessions_30d", DataKind.Integer), ("sessions_90d", DataKind.Integer), ("distinct_channels", DataKind.Integer),
        ("support_tickets", DataKind.Integer), ("open_tickets", DataKind.Integer), ("emails_opened_90d", DataKind.Integer),
    ];

    /// <inheritdoc />
    public async Task<Materialization> MaterializeAsync(Customer360Parameters p, ComponentContext context, CancellationToken cancellationToken)
    {
        var w = context.Warehouse;
        string T(string role) => w.Dialect.Quote(p.Tables[role]);
        bool Has(string role) => p.Tables.ContainsKey(role);
        var zone = context.TimeZone;
        async Task<DataKind> Kind(string role, string column) =>
            await ReportingZone.KindAsync(context, p.Tables[role], column, cancellationToken).ConfigureAwait(false);
        var asOf = p.AsOf;
        if (asOf is null)
        {
            // The latest activity's day in the reporting zone, the same days the windows below count in.
            var first = new SqlBuilder(w.Dialect);
            var candidates = new List<string>();
            if (Has("orders")) candidates.Add($"SELECT max({first.Local("ordered_at", await Kind("orders", "ordered_at"), zone)}) AS t FROM {T("orders")}");
            if (Has("sessions")) candidates.Add($"SELECT max({first.Local("started_at", await Kind("sessions", "started_at"), zone)}) AS t FROM {T("sessions")}");
            candidates.Add($"SELECT max({first.Local("last_seen", await Kind("identity", "last_seen"), zone)}) AS t FROM {T("identity")}");
            var latest = await w.ScalarAsync($"SELECT CAST(max(t) AS DATE) FROM ({string.Join(" UNION ALL ", candidates)}) AS c", first.Parameters, cancellationToken).ConfigureAwait(false);
            asOf = latest is DateOnly d ? d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : "1970-01-01";
        }
        var q = new SqlBuilder(w.Dialect);
        var day = q.Bind(asOf, DataKind.Date);
        // The windows end at the as-of day's close in the reporting zone: timestamps are compared as the zone's wall clock.
        var end = q.AddDays(day, "1");
        var orderedAt = Has("orders") ? q.Local("o.ordered_at", await Kind("orders", "ordered_at"), zone) : "";
        var touchedAt = Has("touchpoints") ? q.Local("t.touched_at", await Kind("touchpoints", "touched_at"), zone) : "";
        var startedAt = Has("sessions") ? q.Local("s.started_at", await Kind("sessions", "started_at"), zone) : "";
        var occurredAt = Has("events") ? q.Local("e.occurred_at", await Kind("events", "occurred_at"), zone) : "";
        // The latest order's zone day is the zone day of the latest order: a day never goes back as time goes on.
        var lastOrderAt = Has("orders") ? q.Local("ord.last_order_at", await Kind("orders", "ordered_at"), zone) : "";
        string DaysBefore(int days) => $"{end} - {q.Interval(TimeSpan.FromDays(days))}";
        var ctes = new List<string>
        {
            $"ids AS (SELECT identifier_type, identifier_value, profile_id FROM {T("identity")})",
            $"profiles AS (SELECT profile_id, min(first_seen) AS first_seen, max(last_seen) AS last_seen, min(CASE WHEN identifier_type = 'email' THEN identifier_value END) AS email, min(CASE WHEN identifier_type = 'phone' THEN identifier_value END) AS phone FROM {T("identity")} GROUP BY profile_id)",
        };
        var joins = new List<string>();
        var select = new List<string> { "p.profile_id" };
        if (Has("customers"))
        {
            ctes.Add($"crm AS (SELECT i.profile_id, min(c.first_name) AS first_name, min(c.last_name) AS last_name, min(c.country) AS country FROM {T("customers")} c JOIN ids i ON i.identifier_type = 'hubspot_id' AND i.identifier_value = c.hubspot_id GROUP BY i.profile_id)");
            joins.Add("LEFT JOIN crm ON crm.profile_id = p.profile_id");
            select.Add("crm.first_name, crm.last_name");
        }
        else select.Add("CAST(NULL AS VARCHAR) AS first_name, CAST(NULL AS VARCHAR) AS last_name");
        select.Add("p.email, p.phone");
        if (Has("orders"))
        {
            ctes.Add($"""
                ord AS (
                    SELECT coalesce(e.profile_id, ph.profile_id) AS profile_id, count(*) AS orders, {q.ExactSum("o.total - o.refunded_amount")} AS revenue,
                           min(o.ordered_at) AS first_order_at, max(o.ordered_at) AS last_order_at, max(o.billing_country) AS country
                    FROM {T("orders")} o
                    LEFT JOIN ids e ON e.identifier_type = 'email' AND e.identifier_value = o.email
                    LEFT JOIN ids ph ON ph.identifier_type = 'phone' AND ph.identifier_value = o.phone
                    WHERE NOT o.is_cancelled AND coalesce(e.profile_id, ph.profile_id) IS NOT NULL AND {orderedAt} < {end}
                    GROUP BY coalesce(e.profile_id, ph.profile_id))
                """);
            joins.Add("LEFT JOIN ord ON ord.profile_id = p.profile_id");
        }
        select.Add(Has("customers") && Has("orders") ? "coalesce(crm.country, ord.country) AS country" : Has("customers") ? "crm.country" : Has("orders") ? "ord.country" : "CAST(NULL AS VARCHAR) AS country");
        if (Has("touchpoints"))
        {
            ctes.Add($"""
                touch AS (
                    SELECT i.profile_id, t.channel, t.campaign, t.touched_at,
                           row_number() OVER (PARTITION BY i.profile_id ORDER BY t.touched_at, {w.Dialect.ByteOrder("t.channel")}, {w.Dialect.ByteOrder("t.campaign")}) AS k
                    FROM {T("touchpoints")} t JOIN ids i ON i.identifier_type = 'anonymous_id' AND i.identifier_value = t.anonymous_id
                    WHERE {touchedAt} < {end}),
                channels AS (
                    SELECT profile_id, max(CASE WHEN k = 1 THEN channel END) AS acquisition_channel, max(CASE WHEN k = 1 THEN campaign END) AS acquisition_campaign,
                           count(DISTINCT channel) AS distinct_channels
                    FROM touch GROUP BY profile_id)
                """);
            joins.Add("LEFT JOIN channels ON channels.profile_id = p.profile_id");
            select.Add("coalesce(channels.acquisition_channel, 'direct') AS acquisition_channel, channels.acquisition_campaign");
        }
        else select.Add("CAST(NULL AS VARCHAR) AS acquisition_channel, CAST(NULL AS VARCHAR) AS acquisition_campaign");
        select.Add("p.first_seen, p.last_seen");
        select.Add(Has("orders")
            ? $"coalesce(ord.orders, 0) AS orders, coalesce(ord.revenue, 0) AS revenue, ord.revenue / nullif(ord.orders, 0) AS average_order_value, ord.first_order_at, ord.last_order_at, {q.DaysBetween(lastOrderAt, day)} AS days_since_last_order"
            : "0 AS orders, 0 AS revenue, CAST(NULL AS DOUBLE PRECISION) AS average_order_value, CAST(NULL AS TIMESTAMP) AS first_order_at, CAST(NULL AS TIMESTAMP) AS last_order_at, CAST(NULL AS BIGINT) AS days_since_last_order");
        if (Has("sessions"))
        {
            ctes.Add($"""
                ses AS (
                    SELECT i.profile_id,
                           sum(CASE WHEN {startedAt} >= {DaysBefore(7)} THEN 1 ELSE 0 END) AS s7,
                           sum(CASE WHEN {startedAt} >= {DaysBefore(30)} THEN 1 ELSE 0 END) AS s30,
                           sum(CASE WHEN {startedAt} >= {DaysBefore(90)} THEN 1 ELSE 0 END) AS s90
                    FROM {T("sessions")} s JOIN ids i ON i.identifier_type = 'anonymous_id' AND i.identifier_value = s.anonymous_id
                    WHERE {startedAt} < {end} GROUP BY i.profile_id)
                """);
            joins.Add("LEFT JOIN ses ON ses.profile_id = p.profile_id");
            select.Add("coalesce(ses.s7, 0) AS sessions_7d, coalesce(ses.s30, 0) AS sessions_30d, coalesce(ses.s90, 0) AS sessions_90d");
        }
        else select.Add("0 AS sessions_7d, 0 AS sessions_30d, 0 AS sessions_90d");
        select.Add(Has("touchpoints") ? "coalesce(channels.distinct_channels, 0) AS distinct_channels" : "0 AS distinct_channels");
        if (Has("tickets"))
        {
            ctes.Add($"tix AS (SELECT i.profile_id, count(*) AS tickets, sum(CASE WHEN t.is_open THEN 1 ELSE 0 END) AS open_tickets FROM {T("tickets")} t JOIN ids i ON i.identifier_type = 'email' AND i.identifier_value = t.email GROUP BY i.profile_id)");
            joins.Add("LEFT JOIN tix ON tix.profile_id = p.profile_id");
            select.Add("coalesce(tix.tickets, 0) AS support_tickets, coalesce(tix.open_tickets, 0) AS open_tickets");
        }
        else select.Add("0 AS support_tickets, 0 AS open_tickets");
        if (Has("events"))
        {
            ctes.Add($"mail AS (SELECT i.profile_id, count(*) AS opened FROM {T("events")} e JOIN ids i ON i.identifier_type = 'user_id' AND i.identifier_value = e.user_id WHERE e.event = 'Email Opened' AND {occurredAt} >= {DaysBefore(90)} AND {occurredAt} < {end} GROUP BY i.profile_id)");
            joins.Add("LEFT JOIN mail ON mail.profile_id = p.profile_id");
            select.Add("coalesce(mail.opened, 0) AS emails_opened_90d");
        }
        else select.Add("0 AS emails_opened_90d");

        var sql = $"WITH {string.Join(",\n", ctes)}\nSELECT {string.Join(",\n       ", select)}\nFROM profiles p\n{string.Join("\n", joins)}";
        var columns = string.Join(", ", Columns.Select(c => $"CAST({w.Dialect.Quote(c.Name)} AS {w.Dialect.TypeName(c.Kind)}) AS {w.Dialect.Quote(c.Name)}"));
        var rows = await w.ReplaceTableAsync(context.Asset, (b, ct) => b.CreateAsSelectAsync($"SELECT {columns} FROM ({sql}) AS c360", q.Parameters, ct), cancellationToken).ConfigureAwait(false);
        return new Materialization(rows, new Dictionary<string, object?> { ["as_of"] = asOf });
    }
}
