using System.Globalization;
using Tributary.Engine.Runs;
using Tributary.Testing;

namespace Tributary.Components.Tests.Standardize;

/// <summary>A gift card sold is a liability, not revenue: standardize.orders and order_items leave its lines out unless told to keep them.</summary>
public sealed class GiftCardOrdersTests(PostgresCluster postgres)
{
    // #1001: a mug and a $50 gift card; #1002: two e-gift cards only; #1003: a mug only. Shopify fills order fields on the first row.
    private const string Orders = "Name,Email,Financial Status,Subtotal,Total,Created at,Lineitem quantity,Lineitem name,Lineitem price,Lineitem sku\n"
        + "#1001,a@x.com,paid,70.00,75.00,2025-01-02 10:00:00 +0000,1,Mug,20.00,SKU-1\n"
        + "#1001,,,,,,1,Gift Card - $50,50.00,\n"
        + "#1002,b@x.com,paid,50.00,50.00,2025-01-03 10:00:00 +0000,2,Digital giftcard,25.00,\n"
        + "#1003,c@x.com,paid,20.00,20.00,2025-01-04 10:00:00 +0000,1,Mug,20.00,SKU-1\n";

    private static string Pipeline(string with) => $$"""
        pipeline: p
        components:
          - { id: shopify, type: source.shopify_orders, with: { path: orders.csv } }
          - { id: orders, type: standardize.orders, inputs: [shopify]{{with}} }
          - { id: order_items, type: standardize.order_items, inputs: [shopify]{{with}} }
        """;

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Materialize_GiftCardLines_AreTakenOutOfRevenueAndGiftCardOnlyOrdersLeftOut(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        h.Temp.File("orders.csv", Orders);

        var result = await h.RunAsync(Pipeline(""));

        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        var orders = await h.RowsAsync("SELECT order_id, subtotal, total, items FROM orders ORDER BY order_id");
        Assert.Equal([("#1001", 20.0, 25.0, 1L), ("#1003", 20.0, 20.0, 1L)],
            orders.Select(r => ((string)r[0]!, Convert.ToDouble(r[1], CultureInfo.InvariantCulture), Convert.ToDouble(r[2], CultureInfo.InvariantCulture), Convert.ToInt64(r[3], CultureInfo.InvariantCulture))));
        var items = await h.RowsAsync("SELECT order_id, product_name FROM order_items ORDER BY order_id");
        Assert.Equal([("#1001", "Mug"), ("#1003", "Mug")], items.Select(r => ((string)r[0]!, (string)r[1]!)));
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Materialize_KeepGiftCards_CountsThemAsBefore(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        h.Temp.File("orders.csv", Orders);

        var result = await h.RunAsync(Pipeline(", with: { keep_gift_cards: true }"));

        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        var orders = await h.RowsAsync("SELECT order_id, total, items FROM orders ORDER BY order_id");
        Assert.Equal([("#1001", 75.0, 2L), ("#1002", 50.0, 1L), ("#1003", 20.0, 1L)],
            orders.Select(r => ((string)r[0]!, Convert.ToDouble(r[1], CultureInfo.InvariantCulture), Convert.ToInt64(r[2], CultureInfo.InvariantCulture))));
        Assert.Equal(4L, Convert.ToInt64((await h.RowsAsync("SELECT count(*) FROM order_items"))[0][0], CultureInfo.InvariantCulture));
    }
}
