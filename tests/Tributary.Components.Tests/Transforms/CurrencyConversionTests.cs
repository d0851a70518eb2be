using System.Globalization;
using Tributary.Engine.Runs;
using Tributary.Testing;

namespace Tributary.Components.Tests.Transforms;

/// <summary>transform.currency on both engines: known currencies are converted, unknown ones left out and reported, never valued 1:1.</summary>
public sealed class CurrencyConversionTests(PostgresCluster postgres)
{
    private const string Orders = """
        pipeline: fx
        params:
          exchange_rates: { type: string, default: "" }
        components:
          - id: orders
            type: transform.sql
            with:
              sql: |
                SELECT * FROM (VALUES ('1', 'USD', 100.0, 10.0), ('2', ' eur', 100.0, 0.0), ('3', 'JPY', 16500.0, 0.0), ('4', 'JPY', 1000.0, 0.0), ('5', NULL, 5.0, 0.0))
                  AS o(order_id, currency, total, refunded_amount)
          - id: priced_orders
            type: transform.currency
            inputs: [orders]
            with: { to: USD, rates: "EUR=1.09, GBP=1.27, ${param.exchange_rates}", columns: [total, refunded_amount] }

        """;

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Materialize_CurrencyWithoutRate_IsLeftOutAndReportedNotValuedOneToOne(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);

        var result = await h.RunAsync(Orders);

        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        var priced = await h.RowsAsync("SELECT order_id, currency, total, refunded_amount, source_currency, exchange_rate FROM priced_orders ORDER BY order_id");
        Assert.Equal([("1", "USD", 100.0, 10.0, "USD", 1.0), ("2", "USD", 109.0, 0.0, "EUR", 1.09)],
            priced.Select(r => ((string)r[0]!, (string)r[1]!, Math.Round(Convert.ToDouble(r[2], CultureInfo.InvariantCulture), 6),
                Convert.ToDouble(r[3], CultureInfo.InvariantCulture), (string)r[4]!, Convert.ToDouble(r[5], CultureInfo.InvariantCulture))).ToList());
        var unpriced = await h.RowsAsync("SELECT currency, row_count, amount FROM priced_orders__unpriced ORDER BY currency");
        Assert.Equal([("JPY", 2L, 17500.0), ((string?)null, 1L, 5.0)],
            unpriced.Select(r => (r[0] as string, Convert.ToInt64(r[1], CultureInfo.InvariantCulture), Convert.ToDouble(r[2], CultureInfo.InvariantCulture))).ToList());
        var log = string.Join("\n", (await h.Store.GetEventsAsync(result.RunId, CancellationToken.None)).Select(e => e.Message));
        Assert.Contains(
            "2 rows in USD; left out 3 in a currency with no rate to USD: JPY (2), no currency (1). Add JPY=<USD per JPY> to the rates of 'priced_orders' (in the templates, the exchange_rates param). "
            + "They are counted in priced_orders__unpriced.", log, StringComparison.Ordinal);
        var warning = Assert.Single(await h.Store.GetChecksAsync(result.RunId, CancellationToken.None), c => c.Asset == "priced_orders");
        Assert.Equal((false, false), (warning.Passed, warning.Blocking));
        Assert.StartsWith("left out 3 in a currency with no rate to USD: JPY (2), no currency (1).", warning.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Materialize_RateAddedByParam_ConvertsThatCurrency(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);

        var result = await h.RunAsync(Orders, parameters: new Dictionary<string, string> { ["exchange_rates"] = "jpy=0.0067" });

        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        var jpy = await h.RowsAsync("SELECT sum(total) FROM priced_orders WHERE source_currency = 'JPY'");
        Assert.Equal(117.25, Convert.ToDouble(Assert.Single(jpy)[0], CultureInfo.InvariantCulture), 6);
        Assert.Equal(1L, Convert.ToInt64(Assert.Single(await h.RowsAsync("SELECT count(*) FROM priced_orders__unpriced"))[0], CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("EUR=1.09, GBP", "rates: 'GBP' is not CODE=rate, e.g. JPY=0.0067 (USD per JPY).")]
    [InlineData("EUR=0", "rates: the rate of EUR ('0') is not a positive number of USD per EUR.")]
    [InlineData("USD=1.1", "rates: USD is the reporting currency, so its rate is 1, not 1.1.")]
    [InlineData("EURO=1.09", "rates: 'EURO=1.09' is not CODE=rate, e.g. JPY=0.0067 (USD per JPY).")]
    public void Validate_BadRate_IsRefusedWithTheItem(string rates, string message)
    {
        var result = new Tributary.Core.Loading.PipelineLoader(BuiltInComponents.CreateCatalog()).Load($$"""
            pipeline: fx
            components:
              - { id: orders, type: transform.sql, with: { sql: "SELECT 'EUR' AS currency, 1.0 AS total" } }
              - { id: priced, type: transform.currency, inputs: [orders], with: { rates: "{{rates}}", columns: [total] } }
            """, "test.yaml", new Tributary.Core.Loading.LoadOptions());

        Assert.False(result.Succeeded);
        Assert.Contains(result.Diagnostics, d => d.Message.EndsWith(message, StringComparison.Ordinal));
    }
}
