using System.Globalization;
using Tributary.Components.Features;
using Tributary.Engine.Runs;
using Tributary.Testing;

namespace Tributary.Components.Tests.Features;

public sealed class CustomerSnapshotTests(PostgresCluster postgres)
{
    private const string Pipeline = """
        pipeline: p
        components:
          - { id: orders, type: source.csv, with: { path: orders.csv, columns: { customer_id: VARCHAR, ordered_at: TIMESTAMP, amount: DOUBLE, discount: DOUBLE, refunded: DOUBLE } } }
          - { id: sessions, type: source.csv, with: { path: sessions.csv, columns: { customer_id: VARCHAR, started_at: TIMESTAMP, channel: VARCHAR } } }
          - { id: emails, type: source.csv, with: { path: emails.csv, columns: { customer_id: VARCHAR, occurred_at: TIMESTAMP } } }
          - { id: tickets, type: source.csv, with: { path: tickets.csv, columns: { customer_id: VARCHAR, created_at: TIMESTAMP, solved_at: TIMESTAMP, satisfaction: VARCHAR } } }
          - id: snapshot
            type: features.customer_snapshot
            inputs: [orders, sessions, emails, tickets]
            with: { tables: { orders: orders, sessions: sessions, emails: emails, tickets: tickets }, as_of: 2025-07-01, past_snapshots_days: [30] }
        """;

    // Before 2025-07-01: a (orders 03-02, 05-01, 06-21; sessions 06-05, 06-20 direct+email, 05-10; emails 06-10, 05-20;
    // a ticket opened 06-11 and solved only on 07-03, one solved 06-01 rated bad) and b (one order 01-31, nothing else).
    private static readonly string[] Orders = ["customer_id,ordered_at,amount,discount,refunded", "a,2025-03-02 10:00:00,50,10,0", "a,2025-05-01 09:00:00,30,0,30",
        "a,2025-06-21 18:00:00,40,0,0", "b,2025-01-31 12:00:00,20,0,0"];
    private static readonly string[] Sessions = ["customer_id,started_at,channel", "a,2025-06-05 10:00:00,direct", "a,2025-06-20 10:00:00,email",
        "a,2025-05-10 10:00:00,direct"];
    private static readonly string[] Emails = ["customer_id,occurred_at", "a,2025-06-10 08:00:00", "a,2025-05-20 08:00:00"];
    private static readonly string[] Tickets = ["customer_id,created_at,solved_at,satisfaction", "a,2025-06-11 08:00:00,2025-07-03 08:00:00,good",
        "a,2025-05-28 08:00:00,2025-06-01 08:00:00,bad"];

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Snapshot_HandMadeHistory_GivesHandCountedFeatures(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        Write(h, Orders, Sessions, Emails, Tickets);

        var result = await h.RunAsync(Pipeline);

        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        var a = await RowAsync(h, "a", "2025-07-01");
        Assert.Equal(121.0, a["tenure_days"]);           // 03-02 to 07-01
        Assert.Equal(3.0, a["orders"]);
        Assert.Equal(2.0, a["frequency"]);
        Assert.Equal(10.0, a["recency_days"]);           // 06-21 to 07-01
        Assert.Equal(111.0, a["days_to_last_order"]);
        Assert.Equal(55.5, a["mean_interpurchase_days"]);
        Assert.Equal(10 / 55.5, a["recency_ratio"], 1e-9);
        Assert.Equal(2.0, a["orders_90d"]);               // from 04-02
        Assert.Equal(1.0, a["orders_prior_90d"]);
        Assert.Equal(1.0, a["orders_trend"]);
        Assert.Equal(10.0 / 130, a["discount_share"], 1e-9);
        Assert.Equal(1.0, a["refunded_orders"]);
        Assert.Equal(2.0, a["sessions_30d"]);             // from 06-01
        Assert.Equal(1.0, a["sessions_prior_30d"]);       // 05-02 to 06-01
        Assert.Equal(2.0, a["distinct_channels_90d"]);
        Assert.Equal(11.0, a["days_since_last_session"]);
        Assert.Equal(1.0, a["emails_opened_30d"]);
        Assert.Equal(1.0, a["emails_opened_prior_30d"]);
        // The 06-11 ticket was still open on 07-01 (solved two days later), 20 days old; the other was rated bad.
        Assert.Equal(1.0, a["open_tickets"]);
        Assert.Equal(20.0, a["oldest_open_ticket_days"]);
        Assert.Equal(1.0, a["bad_ratings_90d"]);
        var b = await RowAsync(h, "b", "2025-07-01");
        Assert.Equal((0.0, 151.0, 0.0), (b["frequency"], b["recency_days"], b["sessions_90d"]));
        Assert.True(double.IsNaN(b["mean_interpurchase_days"]));
        // The past snapshot (06-01) sees neither the 06-21 order nor the 06-11 ticket; the 05-28 ticket, solved at 08:00 that
        // day, was still open at its start, 4 days old, and not yet rated.
        var earlier = await RowAsync(h, "a", "2025-06-01");
        Assert.Equal((2.0, 31.0, 1.0, 4.0), (earlier["orders"], earlier["recency_days"], earlier["open_tickets"], earlier["oldest_open_ticket_days"]));
        Assert.Equal(0.0, earlier["bad_ratings_90d"]);
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Snapshot_RowsAfterAsOfAdded_NoFeatureChanges(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        Write(h, Orders, Sessions, Emails, Tickets);
        Assert.True((await h.RunAsync(Pipeline)).Status == RunStatus.Succeeded);
        var before = await h.RowsAsync("SELECT * FROM snapshot ORDER BY customer_id, as_of");

        // Later activity of every kind, a new customer after the day, and the open ticket solved badly afterwards.
        Write(h,
            [.. Orders, "a,2025-07-01 00:00:00,99,5,99", "b,2025-07-02 10:00:00,10,0,0", "c,2025-08-01 10:00:00,10,0,0"],
            [.. Sessions, "a,2025-07-01 00:00:00,direct", "b,2025-07-05 10:00:00,paid_search"],
            [.. Emails, "a,2025-07-01 00:00:01", "b,2025-07-09 08:00:00"],
            [Tickets[0], "a,2025-06-11 08:00:00,2025-07-02 08:00:00,bad", Tickets[2], "b,2025-07-01 00:00:00,,"]);
        var result = await h.RunAsync(Pipeline);

        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        var after = await h.RowsAsync("SELECT * FROM snapshot ORDER BY customer_id, as_of");
        Assert.Equal(4, after.Count);
        Assert.Equal(before.Select(r => string.Join("|", r)), after.Select(r => string.Join("|", r)));
    }

    private static void Write(ComponentHarness h, string[] orders, string[] sessions, string[] emails, string[] tickets)
    {
        File.WriteAllLines(Path.Combine(h.Temp.Path, "orders.csv"), orders);
        File.WriteAllLines(Path.Combine(h.Temp.Path, "sessions.csv"), sessions);
        File.WriteAllLines(Path.Combine(h.Temp.Path, "emails.csv"), emails);
        File.WriteAllLines(Path.Combine(h.Temp.Path, "tickets.csv"), tickets);
    }

    private static async Task<Dictionary<string, double>> RowAsync(ComponentHarness h, string customer, string asOf)
    {
        var rows = await h.Warehouse.QueryAsync($"SELECT * FROM snapshot WHERE customer_id = '{customer}' AND as_of = DATE '{asOf}'", null, 10, CancellationToken.None);
        var row = Assert.Single(rows.Rows);
        return rows.Schema.Columns.Select((c, i) => (c, i)).Where(x => x.i >= 2)
            .ToDictionary(x => x.c.Name, x => row[x.i] is null ? double.NaN : Convert.ToDouble(row[x.i], CultureInfo.InvariantCulture));
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task TooFewToTrain_SaysWhetherTheSnapshotIsMissingOrTheHistoryTooShort(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        await h.RunAsync("""
            pipeline: p
            components:
              - id: snap
                type: transform.sql
                with: { sql: "SELECT CAST(d AS DATE) AS as_of, c AS customer_id FROM (VALUES ('2025-01-01', 'a'), ('2025-01-01', 'b'), ('2025-01-01', 'c'), ('2024-10-03', 'a'), ('2024-10-03', 'b')) AS t(d, c)" }
            """);
        var latest = new DateOnly(2025, 1, 1);

        // The template already asks for the snapshot 90 days back: what is short is the history (the reviewer was told to set it).
        var shortHistory = await CustomerSnapshot.TooFewToTrainAsync(h.Warehouse, "snap", latest.AddDays(-90), latest, "label_days", 90, 2, CancellationToken.None);
        var noSnapshot = await CustomerSnapshot.TooFewToTrainAsync(h.Warehouse, "snap", latest.AddDays(-120), latest, "label_days", 120, 0, CancellationToken.None);

        Assert.Equal("input 'snap' has 2 customers as of 2024-10-03 (label_days = 90 before the latest snapshot, 2025-01-01); the model needs at least 50 to train on. " +
            "Only 2 customers had ordered by then: the data must reach further back than 90 days before its end with at least 50 customers, so load more history or lower label_days.", shortHistory.Message);
        Assert.EndsWith("There is no snapshot of that day: set past_snapshots_days: [120] on the features.customer_snapshot step.", noSnapshot.Message, StringComparison.Ordinal);
    }
}
