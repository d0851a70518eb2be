using System.Globalization;
using Tributary.Components.Samples.DemoStore;
using Tributary.Engine.Runs;
using Tributary.Testing;

namespace Tributary.Components.Tests.Sources;

/// <summary>Shopify's orders export, one row per line item: order fields on every row, or (as Shopify writes it) on the order's first row only.</summary>
public sealed class ShopifyOrderLayoutTests(PostgresCluster postgres)
{
    private const string Header = "Name,Email,Financial Status,Total,Created at,Lineitem quantity,Lineitem name,Lineitem price,Lineitem sku,Billing Country";

    // Three orders: #1001 with three items, #1002 with one, #1003 with two.
    private static readonly string[] Filled =
    [
        "#1001,a@x.com,paid,60.00,2025-01-02 10:00:00 +0100,1,Mug,20.00,SKU-1,DE",
        "#1001,a@x.com,paid,60.00,2025-01-02 10:00:00 +0100,2,Tea,10.00,SKU-2,DE",
        "#1001,a@x.com,paid,60.00,2025-01-02 10:00:00 +0100,1,Pot,20.00,SKU-3,DE",
        "#1002,b@x.com,refunded,5.00,2025-01-03 11:00:00 +0000,1,Tea,5.00,SKU-2,FR",
        "#1003,c@x.com,paid,30.00,2025-01-04 12:00:00 +0000,1,Mug,20.00,SKU-1,US",
        "#1003,c@x.com,paid,30.00,2025-01-04 12:00:00 +0000,1,Tea,10.00,SKU-2,US",
    ];

    private static readonly string[] FirstRowOnly =
    [
        "#1001,a@x.com,paid,60.00,2025-01-02 10:00:00 +0100,1,Mug,20.00,SKU-1,DE",
        "#1001,,,,,2,Tea,10.00,SKU-2,",
        "#1001,,,,,1,Pot,20.00,SKU-3,",
        "#1002,b@x.com,refunded,5.00,2025-01-03 11:00:00 +0000,1,Tea,5.00,SKU-2,FR",
        "#1003,c@x.com,paid,30.00,2025-01-04 12:00:00 +0000,1,Mug,20.00,SKU-1,US",
        "#1003,,,,,1,Tea,10.00,SKU-2,",
    ];

    public static TheoryData<string, bool> Cases => new() { { "duckdb", false }, { "duckdb", true }, { "postgres", false }, { "postgres", true } };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task ShopifyOrders_MultiItemOrders_EveryLineItemLoadsWithItsOrdersFieldsAndNoneIsRejected(string engine, bool firstRowOnly)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        h.Temp.File("orders.csv", string.Join("\n", [Header, .. firstRowOnly ? FirstRowOnly : Filled]) + "\n");

        var result = await h.RunAsync("""
            pipeline: p
            components:
              - { id: src, type: source.shopify_orders, with: { path: orders.csv, max_rejected_ratio: 0 } }
              - { id: orders, type: standardize.orders, inputs: [src] }
              - { id: order_items, type: standardize.order_items, inputs: [src] }
            """);

        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        Assert.Equal(0L, Convert.ToInt64((await h.RowsAsync("SELECT count(*) FROM src__rejected"))[0][0], CultureInfo.InvariantCulture));
        var items = (await h.RowsAsync("SELECT order_name, email, financial_status, total, created_at, lineitem_sku, billing_country FROM src ORDER BY _source_line"))
            .Select(r => string.Join("|", (string)r[0]!, (string)r[1]!, (string)r[2]!, Convert.ToDouble(r[3], CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture),
                Convert.ToDateTime(r[4], CultureInfo.InvariantCulture).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture), (string)r[5]!, (string)r[6]!)).ToList();
        Assert.Equal(
        [
            "#1001|a@x.com|paid|60|2025-01-02 09:00|SKU-1|DE", "#1001|a@x.com|paid|60|2025-01-02 09:00|SKU-2|DE", "#1001|a@x.com|paid|60|2025-01-02 09:00|SKU-3|DE",
            "#1002|b@x.com|refunded|5|2025-01-03 11:00|SKU-2|FR",
            "#1003|c@x.com|paid|30|2025-01-04 12:00|SKU-1|US", "#1003|c@x.com|paid|30|2025-01-04 12:00|SKU-2|US",
        ], items);
        var orders = (await h.RowsAsync("SELECT order_id, total, items FROM orders ORDER BY order_id"))
            .Select(r => ((string)r[0]!, Convert.ToDouble(r[1], CultureInfo.InvariantCulture), Convert.ToInt64(r[2], CultureInfo.InvariantCulture))).ToList();
        Assert.Equal([("#1001", 60.0, 3L), ("#1002", 5.0, 1L), ("#1003", 30.0, 2L)], orders);
        Assert.Equal(6L, Convert.ToInt64((await h.RowsAsync("SELECT count(*) FROM order_items"))[0][0], CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task ShopifyOrders_LineItemRowsOfAnOrderWithoutItsOrderRow_AreRejectedSayingSo()
    {
        await using var h = await ComponentHarness.CreateAsync("duckdb", postgres);
        h.Temp.File("orders.csv", string.Join("\n", Header, FirstRowOnly[0], FirstRowOnly[1], "#1009,,,,,1,Mug,20.00,SKU-1,", FirstRowOnly[3]) + "\n");

        var result = await h.RunAsync("""
            pipeline: p
            components:
              - { id: src, type: source.shopify_orders, with: { path: orders.csv, max_rejected_ratio: 0.5 } }
            """);

        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        var rejected = (await h.RowsAsync("SELECT line, reason FROM src__rejected")).Select(r => (Convert.ToInt64(r[0], CultureInfo.InvariantCulture), (string)r[1]!)).ToList();
        Assert.Equal([(4L, "'Created at' is empty but required, and no row of Name '#1009' has it")], rejected);
        Assert.Equal(3L, Convert.ToInt64((await h.RowsAsync("SELECT count(*) FROM src"))[0][0], CultureInfo.InvariantCulture));
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task ShopifyOrders_DemoStoreExportInShopifysLayout_LoadsWithNoRejectedRowAndEveryLineItem(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        var data = Path.Combine(h.Temp.Path, "demo");
        DemoStoreGenerator.Write(data, new DemoStoreOptions(Customers: 300, Days: 120, Seed: 3));
        var lines = File.ReadAllLines(Path.Combine(data, "shopify", "orders_export.csv")).Length - 1;

        var result = await h.RunAsync("""
            pipeline: p
            components:
              - { id: src, type: source.shopify_orders, with: { path: demo/shopify/orders_export.csv, max_rejected_ratio: 0 } }
            """);

        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        Assert.Equal(0L, Convert.ToInt64((await h.RowsAsync("SELECT count(*) FROM src__rejected"))[0][0], CultureInfo.InvariantCulture));
        var counts = await h.RowsAsync("SELECT count(*), count(DISTINCT order_name), count(created_at) FROM src");
        var (rows, orders, dated) = (Convert.ToInt64(counts[0][0], CultureInfo.InvariantCulture), Convert.ToInt64(counts[0][1], CultureInfo.InvariantCulture), Convert.ToInt64(counts[0][2], CultureInfo.InvariantCulture));
        Assert.Equal(lines, rows);
        Assert.Equal(rows, dated); // later rows of an order got its date from the order's first row
        Assert.True(rows > orders, $"{rows} line items in {orders} orders: the demo should hold multi-item orders written on Shopify's first-row-only layout");
    }
}
