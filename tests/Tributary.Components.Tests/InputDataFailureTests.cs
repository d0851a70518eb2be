using Tributary.Engine.Runs;
using Tributary.Testing;

namespace Tributary.Components.Tests;

/// <summary>
/// A step that fails on its data (a header column missing, too many rejected rows, too few customers for a model) would
/// fail the same way on every attempt: the retry policy does not run it again (30 s + 60 s under the templates' policy).
/// </summary>
public sealed class InputDataFailureTests(PostgresCluster postgres)
{
    private const string ShopifyHeader = "Name,Email,Financial Status,Total,Created at,Lineitem quantity,Lineitem name,Lineitem price,Lineitem sku";

    private static string ShopifyRows(int rows, int bad) => string.Concat(Enumerable.Range(1, rows).Select(i =>
        $"#{1000 + i},c{i}@x.com,paid,20.00,{(i <= bad ? "yesterday" : "2025-01-02 10:00:00 +0100")},1,Mug,20.00,SKU-1\n"));

    public static TheoryData<string, string, string> Cases() => new()
    {
        { "duckdb", "header_column_missing", "the header has no column 'Created at' (closest header: 'Order Date') that a Shopify orders export needs" },
        { "postgres", "header_column_missing", "the header has no column 'Created at' (closest header: 'Order Date') that a Shopify orders export needs" },
        { "duckdb", "rejected_ratio", "1 of 12 rows rejected (8.3%), more than max_rejected_ratio 5.0%; nothing was loaded." },
        { "postgres", "rejected_ratio", "1 of 12 rows rejected (8.3%), more than max_rejected_ratio 5.0%; nothing was loaded." },
        { "duckdb", "ltv_too_few_customers", "6 customers have orders on or before 2025-03-01; the models need at least 10." },
        { "duckdb", "evaluate_no_new_item", "no customer known before 2025-01-05 took up a new item after it; set split_date earlier or holdout_days longer." },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Step_FailingOnItsData_FailsOnItsFirstAttemptDespiteRetries(string engine, string failure, string message)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        var step = failure switch
        {
            "header_column_missing" => Shopify(h, ShopifyHeader.Replace("Created at", "Order Date", StringComparison.Ordinal) + "\n" + ShopifyRows(3, 0)),
            "rejected_ratio" => Shopify(h, ShopifyHeader + "\n" + ShopifyRows(12, 1)),
            "ltv_too_few_customers" => """
                  - { id: orders, type: transform.sql, with: { sql: "SELECT 'c' || CAST(i AS VARCHAR) AS customer_id, DATE '2025-01-01' + CAST(i AS INTEGER) AS ordered_at, 10.0 AS amount FROM generate_series(1, 6) AS t(i)" } }
                  - { id: bad, type: analytics.ltv, inputs: [orders], with: { calibration_end: 2025-03-01, interval_draws: 0 } }
                """,
            _ => """
                  - { id: orders, type: transform.sql, with: { sql: "SELECT 'c1' AS customer_id, 'a' AS sku, DATE '2025-01-01' AS ordered_at UNION ALL SELECT 'c1', 'a', DATE '2025-01-10'" } }
                  - { id: bad, type: recs.evaluate, inputs: [orders], with: { split_date: 2025-01-05 } }
                """,
        };

        var result = await h.RunAsync("pipeline: p\nretry: { max_retries: 2, delay: 1ms }\ncomponents:\n" + step);

        Assert.Equal(RunStatus.Failed, result.Status);
        var failed = Assert.Single(result.Steps, s => s.Status == StepStatus.Failed);
        Assert.Equal(("bad", 1), (failed.Asset, failed.Attempts));
        Assert.Contains(message, result.Error, StringComparison.Ordinal);
    }

    private static string Shopify(ComponentHarness h, string contents)
    {
        h.Temp.File("orders.csv", contents);
        return "  - { id: bad, type: source.shopify_orders, with: { path: orders.csv } }\n";
    }
}
