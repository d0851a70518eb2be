using System.Globalization;
using Tributary.Engine.Runs;
using Tributary.Testing;

namespace Tributary.Components.Tests.Attribution;

public sealed class CampaignPerformanceTests(PostgresCluster postgres)
{
    private const string Pipeline = """
        pipeline: p
        components:
          - id: paths
            type: source.csv
            with:
              path: paths.csv
              columns: { path_id: VARCHAR, position: INTEGER, channel: VARCHAR, campaign: VARCHAR, converted: BOOLEAN, conversion_value: DOUBLE, days_before_conversion: DOUBLE, converted_at: TIMESTAMP }
          - { id: ad_spend, type: source.csv, with: { path: spend.csv, columns: { day: DATE, campaign: VARCHAR, spend: DOUBLE, impressions: BIGINT, clicks: BIGINT, conversions: DOUBLE } } }
          - { id: attribution, type: analytics.attribution, inputs: [paths], with: { models: [last_touch, shapley] } }
          - id: performance
            type: analytics.campaign_performance
            inputs: [ad_spend, attribution]
            with: { tables: { spend: ad_spend, attribution: attribution }, model: last_touch, target_roas: 3, target_cpa: 20 }
        """;

    private static void Write(ComponentHarness h)
    {
        h.Temp.File("paths.csv", string.Join("\n", "path_id,position,channel,campaign,converted,conversion_value,days_before_conversion,converted_at",
            "a,1,paid_search,brand,true,100,0.1,2025-01-02 12:00:00",
            "b,1,paid_social,prospecting,true,50,1,2025-01-02 18:00:00", "b,2,paid_search,brand,true,50,0.1,2025-01-02 18:00:00",
            "c,1,email,,true,20,0.2,2025-01-03 09:00:00",
            "d,1,display,remarketing,false,0,,") + "\n");
        h.Temp.File("spend.csv", string.Join("\n", "day,campaign,spend,impressions,clicks,conversions",
            "2025-01-02,brand,30,1000,20,2", "2025-01-02,prospecting,40,5000,25,1", "2025-01-03,remarketing,10,8000,8,0") + "\n");
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Performance_JoinsSpendToAttributedCreditAndRatesAgainstTargets(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        Write(h);

        var result = await h.RunAsync(Pipeline);

        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        var rows = (await h.RowsAsync("SELECT CAST(day AS VARCHAR), channel, campaign, spend, conversions, revenue, ctr, cpc, cpa, roas, roi, roas_rating, cpa_rating FROM performance ORDER BY 1, 2"))
            .ToDictionary(r => ((string)r[0]!, (string)r[1]!));
        var brand = rows[("2025-01-02", "paid_search")];
        // Last touch: both conversions of 01-02 end on brand search: 2 conversions, 150 revenue for 30 spent.
        Assert.Equal(("brand", 30.0, 2.0, 150.0), ((string)brand[2]!, D(brand[3]), D(brand[4]), D(brand[5])));
        Assert.Equal(0.02, D(brand[6]), 1e-12);
        Assert.Equal(1.5, D(brand[7]), 1e-12);
        Assert.Equal(15, D(brand[8]), 1e-12);
        Assert.Equal(5, D(brand[9]), 1e-12);
        Assert.Equal(4, D(brand[10]), 1e-12);
        Assert.Equal(("strong", "strong"), ((string)brand[11]!, (string)brand[12]!));
        // Prospecting spent 40 and got no last-touch credit; remarketing's channel comes from the paths it appeared on.
        var social = rows[("2025-01-02", "paid_social")];
        Assert.Equal((0.0, "below_target", "below_target"), (D(social[4]), (string)social[11]!, (string)social[12]!));
        Assert.Equal("remarketing", rows[("2025-01-03", "display")][2]);
        // Email converts without spend: conversions and revenue, no ratios or ratings.
        var email = rows[("2025-01-03", "email")];
        Assert.Equal((1.0, 20.0), (D(email[4]), D(email[5])));
        Assert.Null(email[9]);
        Assert.Null(email[11]);
        var summary = await h.RowsAsync("SELECT sum(spend), sum(conversions) FROM performance__summary");
        Assert.Equal((80.0, 3.0), (D(summary[0][0]), D(summary[0][1])));
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Summary_CreditOnDaysTheAdSpendDoesNotCover_IsLeftOutOfRoasAndNamed(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        // Brand search converts on 01-02 (spend 30) and again in March and June, when the ad report has no rows.
        h.Temp.File("paths.csv", string.Join("\n", "path_id,position,channel,campaign,converted,conversion_value,days_before_conversion,converted_at",
            "a,1,paid_search,brand,true,24,0.1,2025-01-02 12:00:00",
            "b,1,paid_search,brand,true,500,0.1,2025-03-02 12:00:00",
            "c,1,paid_search,brand,true,700,0.1,2025-06-02 12:00:00",
            "d,1,email,,true,20,0.2,2025-06-03 09:00:00") + "\n");
        h.Temp.File("spend.csv", string.Join("\n", "day,campaign,spend,impressions,clicks,conversions", "2025-01-02,brand,30,1000,20,2") + "\n");

        var result = await h.RunAsync(Pipeline);

        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        var rows = (await h.RowsAsync("SELECT channel, CAST(first_day AS VARCHAR), CAST(last_day AS VARCHAR), spend, conversions, revenue, roas, roas_rating, conversions_outside_spend, revenue_outside_spend FROM performance__summary ORDER BY channel"))
            .ToDictionary(r => (string)r[0]!);
        var brand = rows["paid_search"];
        // 24 revenue for 30 spent on the covered day: ROAS 0.8, not (24 + 500 + 700) / 30.
        Assert.Equal(("2025-01-02", "2025-01-02", 30.0, 1.0, 24.0), ((string)brand[1]!, (string)brand[2]!, D(brand[3]), D(brand[4]), D(brand[5])));
        Assert.Equal(0.8, D(brand[6]), 1e-12);
        Assert.Equal(("below_target", 2.0, 1200.0), ((string)brand[7]!, D(brand[8]), D(brand[9])));
        // Email has no spend: every day counts, nothing is outside.
        Assert.Equal((1.0, 20.0, 0.0), (D(rows["email"][4]), D(rows["email"][5]), D(rows["email"][8])));
        var warning = Assert.Single(await h.Store.GetChecksAsync(result.RunId, TestContext.Current.CancellationToken), c => c.Asset == "performance" && !c.Passed);
        Assert.StartsWith("paid_search: 2.0 attributed conversions (1,200.00 revenue) fall on days its ad spend does not cover (2025-01-02 to 2025-01-02)", warning.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Performance_ModelTheAttributionDidNotCompute_IsAClearError()
    {
        await using var h = await ComponentHarness.CreateAsync("duckdb", postgres);
        Write(h);

        var result = await h.RunAsync(Pipeline.Replace("model: last_touch", "model: markov_1", StringComparison.Ordinal));

        Assert.Equal(RunStatus.Failed, result.Status);
        Assert.Contains("model 'markov_1' is not among the models attribution computed (last_touch, shapley)", result.Error, StringComparison.Ordinal);
    }

    // Spend as standardize.ad_spend gives it, each row in its account's currency; revenue is in USD.
    private static string InCurrencies(string brand, string prospecting, string? convert)
    {
        var spend = convert is null ? "ad_spend" : "priced_spend";
        return Pipeline
            .Replace("conversions: DOUBLE } } }", "conversions: DOUBLE, currency: VARCHAR } } }", StringComparison.Ordinal)
            .Replace("spend.csv", $"spend_{brand}_{prospecting}.csv", StringComparison.Ordinal)
            .Replace("  - id: performance\n", convert is null ? "  - id: performance\n"
                : $"  - {{ id: priced_spend, type: transform.currency, inputs: [ad_spend], with: {{ rates: \"{convert}\", columns: [spend] }} }}\n  - id: performance\n", StringComparison.Ordinal)
            .Replace("inputs: [ad_spend, attribution]\n    with: { tables: { spend: ad_spend,",
                $"inputs: [{spend}, attribution]\n    with: {{ currency: USD, tables: {{ spend: {spend},", StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("duckdb", "USD", "GBP", "spend table 'ad_spend' holds spend in GBP, USD and revenue is in USD")]
    [InlineData("postgres", "USD", "GBP", "spend table 'ad_spend' holds spend in GBP, USD and revenue is in USD")]
    [InlineData("duckdb", "GBP", "GBP", "spend table 'ad_spend' holds spend in GBP and revenue is in USD")]
    public async Task Performance_SpendInAnotherCurrencyThanRevenue_IsRefusedNotAddedAsIs(string engine, string brand, string prospecting, string message)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        Write(h, brand, prospecting);

        var result = await h.RunAsync(InCurrencies(brand, prospecting, convert: null));

        Assert.Equal(RunStatus.Failed, result.Status);
        Assert.Contains(message + ": its sums, CPA and ROAS would mix currencies. Convert the spend into the revenue's currency first with a transform.currency step "
            + "(the templates' priced_ad_spend) and name that step in tables.spend.", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Performance_SpendConvertedWithTheOrdersRates_IsComparedWithRevenueInOneCurrency(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        Write(h, "USD", "GBP");

        var result = await h.RunAsync(InCurrencies("USD", "GBP", convert: "GBP=1.25"));

        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        var spend = (await h.RowsAsync("SELECT campaign, spend FROM performance WHERE spend > 0 ORDER BY campaign")).Select(r => ((string)r[0]!, D(r[1]))).ToList();
        Assert.Equal([("brand", 30.0), ("prospecting", 50.0), ("remarketing", 10.0)], spend);
    }

    private static void Write(ComponentHarness h, string brand, string prospecting)
    {
        Write(h);
        h.Temp.File($"spend_{brand}_{prospecting}.csv", string.Join("\n", "day,campaign,spend,impressions,clicks,conversions,currency",
            $"2025-01-02,brand,30,1000,20,2,{brand}", $"2025-01-02,prospecting,40,5000,25,1,{prospecting}", $"2025-01-03,remarketing,10,8000,8,0,{brand}") + "\n");
    }

    private static double D(object? value) => Convert.ToDouble(value, CultureInfo.InvariantCulture);
}
