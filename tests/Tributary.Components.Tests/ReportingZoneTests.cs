using System.Globalization;
using Microsoft.Extensions.Time.Testing;
using Tributary.Components.Sources.Platform;
using Tributary.Engine.Runs;
using Tributary.Testing;

namespace Tributary.Components.Tests;

/// <summary>The project's reporting time zone (tributary.yaml's timezone:): day buckets on both engines, and offset-less export timestamps.</summary>
public sealed class ReportingZoneTests(PostgresCluster postgres)
{
    private const string NewYork = "America/New_York";

    // Each order's UTC time and its calendar day in New York: an evening order, both sides of the spring-forward hour
    // (2024-03-10 02:00 EST → 03:00 EDT) and of the fall-back hour (2024-11-03 02:00 EDT → 01:00 EST).
    private static readonly (string Customer, string Utc, string NewYorkDay, string UtcDay)[] Orders =
    [
        ("evening", "2024-03-10 02:30:00", "2024-03-09", "2024-03-10"),
        ("before_spring", "2024-03-10 06:59:00", "2024-03-10", "2024-03-10"),   // 01:59 EST
        ("after_spring", "2024-03-11 04:30:00", "2024-03-11", "2024-03-11"),    // 00:30 EDT (23:30 at EST's offset)
        ("before_fall", "2024-11-03 04:30:00", "2024-11-03", "2024-11-03"),     // 00:30 EDT
        ("after_fall", "2024-11-04 04:30:00", "2024-11-03", "2024-11-04"),      // 23:30 EST (00:30 at EDT's offset)
    ];

    private static async Task<ComponentHarness> WithOrdersAsync(string engine, PostgresCluster postgres)
    {
        var h = await ComponentHarness.CreateAsync(engine, postgres);
        File.WriteAllLines(Path.Combine(h.Temp.Path, "orders.csv"),
            ["customer_id,ordered_at,amount,discount,refunded", .. Orders.Select(o => $"{o.Customer},{o.Utc},10,0,0")]);
        return h;
    }

    private const string OrdersSource = "  - { id: orders, type: source.csv, with: { timezone: UTC, path: orders.csv, columns: { customer_id: VARCHAR, ordered_at: TIMESTAMP, amount: DOUBLE, discount: DOUBLE, refunded: DOUBLE } } }\n";

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Rfm_InNewYork_OrdersLandOnNewYorkDaysAcrossDaylightSaving(string engine)
    {
        await using var h = await WithOrdersAsync(engine, postgres);

        var result = await h.RunAsync("pipeline: p\ncomponents:\n" + OrdersSource
            + "  - { id: rfm, type: segment.rfm, inputs: [orders], with: { as_of: 2024-12-31 } }\n", timezone: NewYork);

        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        Assert.Equal(Orders.ToDictionary(o => o.Customer, o => o.NewYorkDay), await LastOrderDaysAsync(h));
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Rfm_DefaultZone_KeepsUtcDays(string engine)
    {
        await using var h = await WithOrdersAsync(engine, postgres);

        var result = await h.RunAsync("pipeline: p\ncomponents:\n" + OrdersSource
            + "  - { id: rfm, type: segment.rfm, inputs: [orders], with: { as_of: 2024-12-31 } }\n");

        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        Assert.Equal(Orders.ToDictionary(o => o.Customer, o => o.UtcDay), await LastOrderDaysAsync(h));
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Snapshot_InNewYork_AsOfIsTheDayAfterTheLastNewYorkDayAndHoldsItsOrder(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        // The last order is 21:30 in New York on 03-09: the snapshot is of 03-10 (not 03-11) and counts it.
        File.WriteAllLines(Path.Combine(h.Temp.Path, "orders.csv"), ["customer_id,ordered_at,amount,discount,refunded", "a,2024-03-01 15:00:00,10,0,0", "a,2024-03-10 02:30:00,10,0,0"]);

        var result = await h.RunAsync("pipeline: p\ncomponents:\n" + OrdersSource
            + "  - { id: snapshot, type: features.customer_snapshot, inputs: [orders], with: { tables: { orders: orders } } }\n", timezone: NewYork);

        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        var row = Assert.Single(await h.RowsAsync("SELECT CAST(as_of AS VARCHAR), orders, recency_days, tenure_days FROM snapshot"));
        Assert.Equal(("2024-03-10", 2L, 1L, 9L), ((string)row[0]!, Convert.ToInt64(row[1], CultureInfo.InvariantCulture),
            Convert.ToInt64(row[2], CultureInfo.InvariantCulture), Convert.ToInt64(row[3], CultureInfo.InvariantCulture)));
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Snapshot_InNewYork_SessionEmailAndTicketWindowsEndAtNewYorkMidnight(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        // The snapshot is of 03-10 in New York (05:00 UTC); each row below sits on the other side of a UTC midnight.
        File.WriteAllLines(Path.Combine(h.Temp.Path, "orders.csv"), ["customer_id,ordered_at,amount,discount,refunded", "a,2024-03-01 15:00:00,10,0,0", "a,2024-03-10 02:30:00,10,0,0"]);
        File.WriteAllLines(Path.Combine(h.Temp.Path, "sessions.csv"), ["customer_id,started_at,channel",
            "a,2024-03-03 03:00:00,web",     // 22:00 on 03-02: before the 7-day window's New York start
            "a,2024-03-10 04:00:00,web"]);   // 23:00 on 03-09: before the snapshot, one day since
        File.WriteAllLines(Path.Combine(h.Temp.Path, "emails.csv"), ["customer_id,occurred_at",
            "a,2024-02-09 03:00:00",         // 22:00 on 02-08: the prior 30 days, not the last 30
            "a,2024-03-10 04:30:00"]);       // 23:30 on 03-09
        File.WriteAllLines(Path.Combine(h.Temp.Path, "tickets.csv"), ["customer_id,created_at,solved_at,satisfaction",
            "a,2024-03-10 03:00:00,,",                        // opened 22:00 on 03-09: open, one day old
            "a,2024-03-01 15:00:00,2024-03-10 04:00:00,bad"]); // solved 23:00 on 03-09: closed before the snapshot

        var result = await h.RunAsync("pipeline: p\ncomponents:\n" + OrdersSource + """
              - { id: sessions, type: source.csv, with: { timezone: UTC, path: sessions.csv, columns: { customer_id: VARCHAR, started_at: TIMESTAMP, channel: VARCHAR } } }
              - { id: emails, type: source.csv, with: { timezone: UTC, path: emails.csv, columns: { customer_id: VARCHAR, occurred_at: TIMESTAMP } } }
              - { id: tickets, type: source.csv, with: { timezone: UTC, path: tickets.csv, columns: { customer_id: VARCHAR, created_at: TIMESTAMP, solved_at: TIMESTAMP, satisfaction: VARCHAR } } }
              - { id: snapshot, type: features.customer_snapshot, inputs: [orders, sessions, emails, tickets], with: { tables: { orders: orders, sessions: sessions, emails: emails, tickets: tickets } } }
            """, timezone: NewYork);

        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        var row = Assert.Single(await h.RowsAsync("""
            SELECT CAST(as_of AS VARCHAR), sessions_7d, sessions_30d, days_since_last_session, emails_opened_30d, emails_opened_prior_30d, emails_opened_90d,
                   tickets_90d, open_tickets, oldest_open_ticket_days, bad_ratings_90d
            FROM snapshot
            """));
        Assert.Equal("2024-03-10", (string)row[0]!);
        Assert.Equal([1L, 2L, 1L, 1L, 1L, 2L, 2L, 1L, 1L, 1L], row.Skip(1).Select(v => Convert.ToInt64(v, CultureInfo.InvariantCulture)));
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Customer360_InNewYork_AsOfAndWindowsAreNewYorkDays(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);

        // The latest activity is an order at 21:30 on 03-09 in New York: as_of is 03-09 and its windows end at New York's
        // midnight (05:00 UTC on 03-10), so that order and the evening session and email open count.
        var result = await h.RunAsync("""
            pipeline: p
            components:
              - id: identity
                type: transform.sql
                with:
                  sql: |
                    SELECT identifier_type, identifier_value, profile_id, CAST('2024-03-01 15:00:00' AS TIMESTAMP) AS first_seen, CAST('2024-03-01 15:00:00' AS TIMESTAMP) AS last_seen
                    FROM (VALUES ('email', 'a@x.com', 'p1'), ('anonymous_id', 'anon1', 'p1'), ('user_id', 'u1', 'p1')) v(identifier_type, identifier_value, profile_id)
              - id: orders
                type: transform.sql
                with:
                  sql: |
                    SELECT email, CAST(NULL AS VARCHAR) AS phone, CAST(t AS TIMESTAMP) AS ordered_at, CAST(10 AS DOUBLE PRECISION) AS total,
                           CAST(0 AS DOUBLE PRECISION) AS refunded_amount, false AS is_cancelled, 'US' AS billing_country
                    FROM (VALUES ('a@x.com', '2024-03-01 15:00:00'), ('a@x.com', '2024-03-10 02:30:00')) v(email, t)
              - id: sessions
                type: transform.sql
                with:
                  sql: |
                    SELECT anonymous_id, CAST(t AS TIMESTAMP) AS started_at
                    FROM (VALUES ('anon1', '2024-03-03 12:00:00'), ('anon1', '2024-03-10 02:00:00')) v(anonymous_id, t)
              - id: events
                type: transform.sql
                with:
                  sql: "SELECT 'u1' AS user_id, 'Email Opened' AS event, CAST('2024-03-10 04:00:00' AS TIMESTAMP) AS occurred_at"
              - id: c360
                type: profile.customer_360
                inputs: [identity, orders, sessions, events]
                with: { tables: { identity: identity, orders: orders, sessions: sessions, events: events } }
            """, timezone: NewYork);

        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        var row = Assert.Single(await h.RowsAsync("SELECT orders, days_since_last_order, sessions_7d, sessions_30d, emails_opened_90d FROM c360"));
        // The 03-03 12:00 UTC session is 07:00 that day in New York, inside the 7 days back from 03-10's New York midnight.
        Assert.Equal([2L, 0L, 2L, 2L, 1L], row.Select(v => Convert.ToInt64(v, CultureInfo.InvariantCulture)));
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task CampaignTargeting_InNewYork_TodayAndTheCapAreNewYorkDays(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        // Now is 21:30 on 03-09 in New York, so the 30-day cap covers New York's 02-08 to 03-09.
        var now = new FakeTimeProvider(new DateTimeOffset(2024, 3, 10, 2, 30, 0, TimeSpan.Zero));
        h.Temp.File("scores.csv", "customer_id,uplift,purchase_probability,average_order_value,uplift_group\n"
            + string.Concat(new[] { "free", "this_evening", "cap_start", "before_cap" }.Select(c => $"{c},0.5,0.5,100,persuadable\n")));
        h.Temp.File("sent.csv", string.Join("\n", "customer_id,contacted_at",
            "this_evening,2024-03-10 01:00:00",    // 20:00 on 03-09: today
            "cap_start,2024-02-08 12:00:00",       // 07:00 on 02-08: the cap's first day
            "before_cap,2024-02-08 03:00:00") + "\n"); // 22:00 on 02-07: before it

        var result = await h.RunAsync("""
            pipeline: p
            components:
              - { id: scores, type: source.csv, with: { timezone: UTC, path: scores.csv, columns: { customer_id: VARCHAR, uplift: DOUBLE, purchase_probability: DOUBLE, average_order_value: DOUBLE, uplift_group: VARCHAR } } }
              - { id: sent, type: source.csv, with: { timezone: UTC, path: sent.csv, columns: { customer_id: VARCHAR, contacted_at: TIMESTAMP } } }
              - { id: audience, type: activate.campaign_targeting, inputs: [scores, sent], with: { budget_count: 10, history: sent, max_contacts: 1, cap_days: 30 } }
            """, timezone: NewYork, time: now);

        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        var chosen = (await h.RowsAsync("SELECT customer_id FROM audience ORDER BY customer_id")).Select(r => (string)r[0]!);
        Assert.Equal(["before_cap", "free"], chosen);
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Retention_InNewYork_CohortStartsOnTheNewYorkDay(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        // Starts at 22:00 on 01-01 in New York (03:00 UTC on 01-02) and returns at 10:00 the next New York day; the data ends on 01-04.
        h.Temp.File("events.csv", "event_id,event,occurred_at,person\n1,A,2025-01-02 03:00:00,p1\n2,X,2025-01-02 15:00:00,p1\n3,Y,2025-01-04 10:00:00,p1\n");

        var result = await h.RunAsync("""
            pipeline: p
            components:
              - { id: events, type: source.csv, with: { timezone: UTC, path: events.csv, columns: { event_id: VARCHAR, event: VARCHAR, occurred_at: TIMESTAMP, person: VARCHAR } } }
              - { id: retention, type: analytics.retention, inputs: [events], with: { start_event: A, return_event: X, period: day, periods: 5, unit_column: person } }
            """, timezone: NewYork);

        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        var rows = (await h.RowsAsync("SELECT cohort, period, retained FROM retention ORDER BY period"))
            .Select(r => ((DateTime)r[0]!, Convert.ToInt64(r[1], CultureInfo.InvariantCulture), Convert.ToInt64(r[2], CultureInfo.InvariantCulture))).ToList();
        Assert.Equal([(new DateTime(2025, 1, 1), 0L, 1L), (new DateTime(2025, 1, 1), 1L, 1L), (new DateTime(2025, 1, 1), 2L, 0L)], rows);
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task ExperimentMetrics_InNewYork_ExposureDayIsTheNewYorkDay(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);

        var result = await h.RunAsync("""
            pipeline: p
            components:
              - id: exposures
                type: transform.sql
                with:
                  sql: |
                    SELECT experiment, variant, visitor_id, CAST(t AS TIMESTAMP) AS first_exposed_at
                    FROM (VALUES ('x', 'A', 'u1', '2024-03-10 02:30:00'), ('x', 'B', 'u2', '2024-03-10 06:59:00')) v(experiment, variant, visitor_id, t)
              - id: metric_events
                type: transform.sql
                with:
                  sql: "SELECT 'u1' AS visitor_id, CAST('2024-03-10 12:00:00' AS TIMESTAMP) AS occurred_at, 'buy' AS metric, CAST(1 AS DOUBLE PRECISION) AS value"
              - { id: stats, type: experiment.metrics, inputs: [exposures, metric_events], with: { window_days: 14, pre_days: 0, metrics: { conversion: "conversion:buy" } } }
            """, timezone: NewYork);

        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        var days = (await h.RowsAsync("SELECT DISTINCT variant, CAST(exposure_day AS VARCHAR) FROM stats")).ToDictionary(r => (string)r[0]!, r => (string)r[1]!);
        Assert.Equal(new Dictionary<string, string> { ["A"] = "2024-03-09", ["B"] = "2024-03-10" }, days);
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task SqlTransform_ProjectTimezone_BucketsOnBothEngines(string engine)
    {
        await using var h = await WithOrdersAsync(engine, postgres);

        var result = await h.RunAsync("pipeline: p\ncomponents:\n" + OrdersSource + """
              - id: daily
                type: transform.sql
                inputs: [orders]
                with: { sql: "SELECT customer_id, CAST(CAST(timezone(${project.timezone}, timezone('UTC', ordered_at)) AS DATE) AS VARCHAR) AS day FROM orders" }
            """, timezone: NewYork);

        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        var days = (await h.RowsAsync("SELECT customer_id, day FROM daily")).ToDictionary(r => (string)r[0]!, r => (string)r[1]!);
        Assert.Equal(Orders.ToDictionary(o => o.Customer, o => o.NewYorkDay), days);
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task ShopifyOrders_InNewYork_OffsetlessTimesAreNewYorksAndOffsetsWin(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        h.Temp.File("orders.csv", string.Join("\n",
            "Name,Email,Financial Status,Total,Created at,Lineitem quantity,Lineitem name,Lineitem price,Lineitem sku",
            "#1,a@x.com,paid,20.00,2024-03-09 21:30:00,1,Mug,20.00,SKU-1",            // EST
            "#2,a@x.com,paid,20.00,2024-03-10 21:30:00,1,Mug,20.00,SKU-1",            // EDT
            "#3,a@x.com,paid,20.00,2024-03-10 02:30:00,1,Mug,20.00,SKU-1",            // skipped by the clocks: EST's offset
            "#4,a@x.com,paid,20.00,2024-03-09 21:30:00 +0100,1,Mug,20.00,SKU-1",      // an offset is the file's word
            "#5,a@x.com,paid,20.00,2024-03-09,1,Mug,20.00,SKU-1") + "\n");           // a date alone: New York's midnight

        var result = await h.RunAsync("""
            pipeline: p
            components:
              - { id: src, type: source.shopify_orders, with: { path: orders.csv } }
            """, timezone: NewYork);

        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        var rows = (await h.RowsAsync("SELECT order_name, created_at FROM src")).ToDictionary(r => (string)r[0]!, r => Convert.ToDateTime(r[1], CultureInfo.InvariantCulture));
        Assert.Equal(new DateTime(2024, 3, 10, 2, 30, 0), rows["#1"]);
        Assert.Equal(new DateTime(2024, 3, 11, 1, 30, 0), rows["#2"]);
        Assert.Equal(new DateTime(2024, 3, 10, 7, 30, 0), rows["#3"]);
        Assert.Equal(new DateTime(2024, 3, 9, 20, 30, 0), rows["#4"]);
        Assert.Equal(new DateTime(2024, 3, 9, 5, 0, 0), rows["#5"]);
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task StripeCharges_InNewYork_StatedUtcStaysUtc(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        h.Temp.File("charges.csv", "id,Created date (UTC),Amount,Currency\nch_1,2024-03-10 02:30:00,1.00,usd\n");

        var result = await h.RunAsync("""
            pipeline: p
            components:
              - { id: src, type: source.stripe_charges, with: { path: charges.csv } }
            """, timezone: NewYork);

        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        Assert.Equal(new DateTime(2024, 3, 10, 2, 30, 0), Convert.ToDateTime((await h.RowsAsync("SELECT created_at FROM src"))[0][0], CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("2024-03-09 21:30:00", false)]
    [InlineData("2024-03-09", false)]
    [InlineData("03/09/2024 21:30:00", false)]
    [InlineData("2024-03-09T21:30:00", false)]
    [InlineData("2024-03-09T21:30:00Z", true)]
    [InlineData("2024-03-09 21:30:00 -0500", true)]
    [InlineData("2024-03-09T21:30:00.123+01:00", true)]
    public void HasOffset_TellsAnOffsetFromADatesDashes(string text, bool expected)
    {
        Assert.Equal(expected, OffsetlessTimestamps.HasOffset(text));
    }

    [Fact]
    public void Day_InNewYork_IsTheLocalCalendarDay()
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(NewYork);
        Assert.Equal(Orders.Select(o => o.NewYorkDay), Orders.Select(o => ReportingZone.Day(DateTime.Parse(o.Utc, CultureInfo.InvariantCulture), zone).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)));
        Assert.Equal(new DateOnly(2024, 3, 10), ReportingZone.Day(new DateTime(2024, 3, 10, 2, 30, 0), TimeZoneInfo.Utc));
    }

    private static async Task<Dictionary<string, string>> LastOrderDaysAsync(ComponentHarness h) =>
        (await h.RowsAsync("SELECT customer_id, CAST(last_order_date AS VARCHAR) FROM rfm")).ToDictionary(r => (string)r[0]!, r => (string)r[1]!);
}
