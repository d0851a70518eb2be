using System.Globalization;
using Tributary.Engine.Runs;
using Tributary.Testing;

namespace Tributary.Components.Tests.Standardize;

/// <summary>
/// Standardizers keep the latest file's version of a record: the file loaded last, then the one modified last, never the
/// last by name; an export delivered again under its fixed name counts once. Both engines.
/// </summary>
public sealed class SourceFileOrderTests(PostgresCluster postgres)
{
    private const string Pipeline = """
        pipeline: p
        components:
          - { id: shopify_orders, type: source.shopify_orders, with: { path: shopify } }
          - { id: google_ads, type: source.google_ads, with: { path: google_ads } }
          - { id: zendesk, type: source.zendesk_tickets, with: { path: zendesk } }
          - { id: stripe, type: source.stripe_charges, with: { path: stripe } }
          - { id: hubspot, type: source.hubspot_contacts, with: { path: hubspot } }
          - { id: shopify_products, type: source.shopify_products, with: { path: products } }
          - { id: orders, type: standardize.orders, inputs: [shopify_orders] }
          - { id: order_items, type: standardize.order_items, inputs: [shopify_orders] }
          - { id: ad_spend, type: standardize.ad_spend, inputs: [google_ads] }
          - { id: tickets, type: standardize.support_tickets, inputs: [zendesk] }
          - { id: transactions, type: standardize.transactions, inputs: [stripe] }
          - { id: customers, type: standardize.customers, inputs: [hubspot] }
          - { id: products, type: standardize.products, inputs: [shopify_products] }
        """;

    private const string OrdersHeader = "Name,Email,Financial Status,Total,Created at,Lineitem quantity,Lineitem name,Lineitem price,Lineitem sku,Refunded Amount\n";

    // March: #1001 with four lines, #1002 paid. April: #1001 edited down to two lines, #1002 refunded 10.00.
    private const string MarchOrders = OrdersHeader +
        "#1001,a@x.com,paid,40.00,2024-03-01 10:00:00 +0000,1,A,10.00,SKU-A,\n#1001,,,,,1,B,10.00,SKU-B,\n#1001,,,,,1,C,10.00,SKU-C,\n#1001,,,,,1,D,10.00,SKU-D,\n" +
        "#1002,b@x.com,paid,45.00,2024-03-02 10:00:00 +0000,1,E,45.00,SKU-E,\n";
    private const string AprilOrders = OrdersHeader +
        "#1001,a@x.com,paid,20.00,2024-03-01 10:00:00 +0000,1,A,10.00,SKU-A,\n#1001,,,,,1,B,10.00,SKU-B,\n" +
        "#1002,b@x.com,partially_refunded,45.00,2024-03-02 10:00:00 +0000,1,E,45.00,SKU-E,10.00\n";

    private static string Report(string cost) =>
        $"Campaign report\nMarch 1, 2024 - March 1, 2024\nDay,Campaign,Campaign ID,Impr.,Clicks,Cost,Conversions,Currency code\n2024-03-01,Brand,11,1000,50,{cost},3,USD\n";

    private const string TicketsHeader = "Id,Requester email,Status,Created at\n";
    private const string ChargesHeader = "id,Created date (UTC),Amount,Amount Refunded,Currency\n";

    private static async Task<ComponentHarness> RunAsync(ComponentHarness h)
    {
        var run = await h.RunAsync(Pipeline);
        Assert.True(run.Status == RunStatus.Succeeded, run.Error);
        return h;
    }

    private static void Write(ComponentHarness h, string path, string contents, DateTime? modified = null)
    {
        var file = h.Temp.File(path, contents);
        if (modified is { } at) File.SetLastWriteTimeUtc(file, at);
    }

    private static async Task<List<string>> RowsAsync(ComponentHarness h, string sql) =>
        (await h.RowsAsync(sql)).Select(r => string.Join("|", r.Select(v => Convert.ToString(v, CultureInfo.InvariantCulture)))).ToList();

    private static void WriteAll(ComponentHarness h, string prefix, string orders, string cost, string ticket4002, string refunded, DateTime? modified = null)
    {
        var stage = ticket4002 == "open" ? "lead" : "customer";
        Write(h, $"hubspot/{prefix}contacts.csv", $"Record ID,Email,Lifecycle Stage\n701,b@x.com,{stage}\n", modified);
        Write(h, $"products/{prefix}products_export.csv", $"Handle,Title,Variant SKU,Variant Price\nmug,Mug,SKU-E,{(stage == "lead" ? "45.00" : "39.00")}\n", modified);
        Write(h, $"shopify/{prefix}orders_export.csv", orders, modified);
        Write(h, $"google_ads/{prefix}Campaign report.csv", Report(cost), modified);
        Write(h, $"zendesk/{prefix}tickets.csv", TicketsHeader + $"4001,a@x.com,open,2024-03-01 10:00:00\n4002,b@x.com,{ticket4002},2024-03-02 10:00:00\n", modified);
        Write(h, $"stripe/{prefix}unified_payments.csv", ChargesHeader + $"ch_3OoA1,2024-03-01 10:00:00,18.25,{refunded},usd\n", modified);
    }

    // Every table is compared before the test fails, so a failure names each table that took the wrong version.
    private static async Task AssertAprilAsync(ComponentHarness h)
    {
        var orders = await RowsAsync(h, "SELECT order_id, CAST(total AS INTEGER), CAST(refunded_amount AS INTEGER), items FROM orders ORDER BY 1");
        var items = await RowsAsync(h, "SELECT order_id, line, sku FROM order_items ORDER BY 1, 2");
        var spend = await RowsAsync(h, "SELECT platform, CAST(spend AS INTEGER) FROM ad_spend");
        var tickets = await RowsAsync(h, "SELECT ticket_id, is_open FROM tickets ORDER BY 1");
        var charges = await RowsAsync(h, "SELECT transaction_id, CAST(amount_refunded AS VARCHAR) FROM transactions");
        var customers = await RowsAsync(h, "SELECT hubspot_id, lifecycle_stage FROM customers");
        var products = await RowsAsync(h, "SELECT sku, CAST(price AS INTEGER) FROM products");
        Assert.Multiple(
            () => Assert.Equal(["#1001|20|0|2", "#1002|45|10|1"], orders),
            () => Assert.Equal(["#1001|1|SKU-A", "#1001|2|SKU-B", "#1002|1|SKU-E"], items),
            () => Assert.Equal(["google_ads|900"], spend),
            () => Assert.Equal(["4001|True", "4002|False"], tickets),
            () => Assert.Equal(["ch_3OoA1|18.25"], charges),
            () => Assert.Equal(["701|customer"], customers),
            () => Assert.Equal(["SKU-E|39"], products));
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Standardizers_ExportDeliveredAgainUnderItsName_CountOnlyTheNewVersion(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        WriteAll(h, "", MarchOrders, "1020.50", "open", "0");
        await RunAsync(h);

        WriteAll(h, "", AprilOrders, "900.00", "solved", "18.25");
        await RunAsync(h);

        await AssertAprilAsync(h);
        Assert.Equal(["3"], await RowsAsync(h, "SELECT count(*) FROM shopify_orders"));
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Standardizers_NewerExportUnderAnEarlierName_WinsWhenLoadedLater(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        WriteAll(h, "z_march_", MarchOrders, "1020.50", "open", "0");
        await RunAsync(h);

        WriteAll(h, "a_april_", AprilOrders, "900.00", "solved", "18.25");
        await RunAsync(h);

        await AssertAprilAsync(h);
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Standardizers_TwoExportsLoadedInOneRun_TheOneModifiedLastWins(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        var april = new DateTime(2024, 4, 2, 9, 0, 0, DateTimeKind.Utc);
        // "Campaign report (1).csv" is the browser's name for the second download; it sorts before the first.
        WriteAll(h, "", MarchOrders, "1020.50", "open", "0", april.AddDays(-30));
        Write(h, "shopify/orders_export (1).csv", AprilOrders, april);
        Write(h, "google_ads/Campaign report (1).csv", Report("900.00"), april);
        Write(h, "zendesk/tickets (1).csv", TicketsHeader + "4001,a@x.com,open,2024-03-01 10:00:00\n4002,b@x.com,solved,2024-03-02 10:00:00\n", april);
        Write(h, "stripe/unified_payments (1).csv", ChargesHeader + "ch_3OoA1,2024-03-01 10:00:00,18.25,18.25,usd\n", april);
        Write(h, "hubspot/contacts (1).csv", "Record ID,Email,Lifecycle Stage\n701,b@x.com,customer\n", april);
        Write(h, "products/products_export (1).csv", "Handle,Title,Variant SKU,Variant Price\nmug,Mug,SKU-E,39.00\n", april);

        await RunAsync(h);

        await AssertAprilAsync(h);
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Standardizers_InputWithoutAFilesLedger_TakeTheLastFileByPath(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        var run = await h.RunAsync("""
            pipeline: p
            components:
              - id: zendesk
                type: transform.sql
                with:
                  sql: |
                    SELECT CAST(id AS BIGINT) AS ticket_id, 'a@x.com' AS requester_email, status, CAST('2024-03-01 10:00:00' AS TIMESTAMP) AS created_at,
                           CAST(NULL AS VARCHAR) AS subject, CAST(NULL AS VARCHAR) AS priority, CAST(NULL AS TIMESTAMP) AS solved_at,
                           CAST(NULL AS VARCHAR) AS via, CAST(NULL AS VARCHAR) AS satisfaction, f AS _source_file, CAST(1 AS BIGINT) AS _source_line
                    FROM (VALUES (1, 'open', 'a.csv'), (1, 'solved', 'b.csv'), (2, 'solved', 'a.csv')) v(id, status, f)
              - { id: tickets, type: standardize.support_tickets, inputs: [zendesk] }
            """);

        Assert.True(run.Status == RunStatus.Succeeded, run.Error);
        Assert.Equal(["1|solved", "2|solved"], await RowsAsync(h, "SELECT ticket_id, status FROM tickets ORDER BY 1"));
    }
}
