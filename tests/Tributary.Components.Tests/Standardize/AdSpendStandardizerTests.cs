using Tributary.Engine.Runs;
using Tributary.Testing;

namespace Tributary.Components.Tests.Standardize;

/// <summary>standardize.ad_spend keeps each platform's spend in the currency its export names, never a currency it assumes.</summary>
public sealed class AdSpendStandardizerTests(PostgresCluster postgres)
{
    private const string Google = "Campaign report\n\"March 1, 2024 - March 31, 2024\"\nDay,Campaign,Campaign ID,Impr.,Clicks,Cost,Conversions,Currency code\n"
        + "2024-03-01,brand,1,1000,50,12.50,2,eur\n";

    [Theory]
    [InlineData("duckdb", "Campaign name,Day,Amount spent (GBP),Impressions,Link clicks,Results,Reporting starts,Reporting ends,Campaign ID\nuk_launch,2024-03-01,50.25,3000,40,1,2024-03-01,2024-03-01,7\n", "GBP")]
    [InlineData("postgres", "Campaign name,Day,Amount spent (GBP),Impressions,Link clicks,Results,Reporting starts,Reporting ends,Campaign ID\nuk_launch,2024-03-01,50.25,3000,40,1,2024-03-01,2024-03-01,7\n", "GBP")]
    [InlineData("duckdb", "Reporting starts,Reporting ends,Campaign name,Campaign ID,Amount spent ( jpy ),Impressions,Link clicks,Results\n2024-03-01,2024-03-01,uk_launch,7,50.25,3000,40,1\n", "JPY")]
    [InlineData("duckdb", "Reporting starts,Reporting ends,Campaign name,Campaign ID,Amount spent (USD),Currency,Impressions,Link clicks,Results\n2024-03-01,2024-03-01,uk_launch,7,50.25,CAD,3000,40,1\n", "CAD")]
    [InlineData("duckdb", "Reporting starts,Reporting ends,Campaign name,Campaign ID,Amount spent,Impressions,Link clicks,Results\n2024-03-01,2024-03-01,uk_launch,7,50.25,3000,40,1\n", null)]
    public async Task Materialize_MetaExport_TakesTheCurrencyFromTheExportNotUsd(string engine, string meta, string? currency)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        h.Temp.File("google/report.csv", Google);
        h.Temp.File("meta/export.csv", meta);

        var result = await h.RunAsync("""
            pipeline: p
            components:
              - { id: google_ads, type: source.google_ads, with: { path: google } }
              - { id: meta_ads, type: source.meta_ads, with: { path: meta } }
              - { id: ad_spend, type: standardize.ad_spend, inputs: [google_ads, meta_ads] }
            """);

        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        var rows = await h.RowsAsync("SELECT platform, spend, currency FROM ad_spend ORDER BY platform");
        Assert.Equal([("google_ads", 12.5, (string?)"EUR"), ("meta_ads", 50.25, currency)],
            rows.Select(r => ((string)r[0]!, Convert.ToDouble(r[1]), r[2] as string)).ToList());
    }

    [Fact]
    public async Task Materialize_GoogleReportWithoutCurrencyColumn_TakesItFromTheCostHeader()
    {
        await using var h = await ComponentHarness.CreateAsync("duckdb", postgres);
        h.Temp.File("google/report.csv", "Campaign report\nDay,Campaign,Campaign ID,Impr.,Clicks,Cost (EUR),Conversions\n2024-03-01,brand,1,1000,50,12.50,2\n");

        var result = await h.RunAsync("""
            pipeline: p
            components:
              - { id: google_ads, type: source.google_ads, with: { path: google } }
              - { id: ad_spend, type: standardize.ad_spend, inputs: [google_ads] }
            """);

        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        var row = Assert.Single(await h.RowsAsync("SELECT spend, currency FROM ad_spend"));
        Assert.Equal((12.5, "EUR"), (Convert.ToDouble(row[0]), (string)row[1]!));
    }
}
