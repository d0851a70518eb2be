using System.Globalization;
using Tributary.Components.Sources.Platform;
using Tributary.Engine.Execution;
using Tributary.Engine.Runs;
using Tributary.Testing;

namespace Tributary.Components.Tests.Sources;

/// <summary>
/// How the CSV platform sources read a file's header: the spellings platforms write, a missing required column (one error
/// at the header), a missing optional one (a warning naming the closest header), report total rows, and the docs' header tables.
/// </summary>
public sealed class PlatformHeaderTests(PostgresCluster postgres)
{
    private static Task<RunResult> LoadAsync(ComponentHarness h, string type, string file, string extra = "") => h.RunAsync($$"""
        pipeline: p
        components:
          - { id: src, type: {{type}}, with: { path: "{{file}}"{{extra}} } }
        """);

    private static async Task<string> LogAsync(ComponentHarness h, RunResult run) =>
        string.Join("\n", (await h.Store.GetEventsAsync(run.RunId, CancellationToken.None)).Select(e => e.Message));

    private static async Task<string> MetadataAsync(ComponentHarness h, RunResult run) =>
        Assert.Single(await h.Store.GetMaterializationsAsync(run.RunId, "src", CancellationToken.None)).MetadataJson;

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task ShopifyOrders_HeaderWithoutCreatedAt_FailsOnceAtTheHeaderWithTheHeadersFoundAndTheClosest(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        h.Temp.File("orders_export.csv", string.Join("\n",
            "Name,Email,Fulfilled at,Order Date,Lineitem quantity,Lineitem name,Lineitem price",
            "#1001,a@x.com,,2025-01-02 10:00:00 +0100,1,Mug,20.00",
            "#1002,b@x.com,,2025-01-03 10:00:00 +0100,1,Mug,20.00",
            "#1003,c@x.com,,2025-01-04 10:00:00 +0100,1,Mug,20.00") + "\n");

        var run = await LoadAsync(h, "source.shopify_orders", "orders_export.csv", ", max_rejected_ratio: 1");

        Assert.Equal(RunStatus.Failed, run.Status);
        Assert.Equal(
            "src (source.shopify_orders) failed: orders_export.csv:1: the header has no column 'Created at' (closest header: 'Order Date') that a Shopify orders export needs, "
            + "so no row can be read. The header has: 'Name', 'Email', 'Fulfilled at', 'Order Date', 'Lineitem quantity', 'Lineitem name', 'Lineitem price'.\n"
            + "Nothing was loaded; rename the column in the file (see the Shopify orders export headers in docs/data-model.md).",
            run.Error);
        Assert.Null(await h.Warehouse.DescribeTableAsync("src", TestContext.Current.CancellationToken));
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task GoogleAds_ImpressionsCostAndCurrencyUnderOtherSpellings_LoadAsTheirColumns(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        h.Temp.File("Campaign_report.csv", "Campaign report\nMarch 1, 2024 - March 31, 2024\nDay,Campaign,Campaign ID,Currency,Cost (USD),Impressions,Clicks,Conv.\n"
            + "2024-03-01,spring_sale,111222333,USD,\"1,020.50\",12345,210,3.00\n");

        var run = await LoadAsync(h, "source.google_ads", "Campaign_report.csv");

        Assert.True(run.Status == RunStatus.Succeeded, run.Error);
        var row = Assert.Single(await h.RowsAsync("SELECT impressions, cost, currency, conversions FROM src"));
        Assert.Equal((12345L, 1020.50, "USD", 3.0), (Convert.ToInt64(row[0], CultureInfo.InvariantCulture), Convert.ToDouble(row[1], CultureInfo.InvariantCulture),
            (string)row[2]!, Convert.ToDouble(row[3], CultureInfo.InvariantCulture)));
        Assert.Contains("\"header_warnings\":[]", await MetadataAsync(h, run), StringComparison.Ordinal);
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task ZendeskTickets_SatisfactionScoreHeader_LoadsSatisfaction(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        h.Temp.File("tickets.csv", "Id,Requester,Requester email,Subject,Status,Priority,Created at,Updated at,Solved at,Tags,Via,Satisfaction Score\n"
            + "1,A,a@x.com,Hi,solved,normal,2025-01-01 10:00:00,,2025-01-02 10:00:00,,web,Good\n");

        var run = await LoadAsync(h, "source.zendesk_tickets", "tickets.csv");

        Assert.True(run.Status == RunStatus.Succeeded, run.Error);
        Assert.Equal("Good", Assert.Single(await h.RowsAsync("SELECT satisfaction FROM src"))[0]);
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task HubSpotContacts_MobilePhoneNumber_IsThePhoneWhenPhoneNumberIsEmpty(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        h.Temp.File("contacts.csv", "Record ID,First Name,Last Name,Email,Phone Number,Mobile Phone Number,Create Date\n"
            + "1,A,B,a@x.com,+1 415 555 0100,+1 415 555 0199,2025-01-01 10:00:00 +0000\n"
            + "2,C,D,c@x.com,,+44 7700 900123,2025-01-01 10:00:00 +0000\n"
            + "3,E,F,e@x.com,,,2025-01-01 10:00:00 +0000\n");

        var run = await LoadAsync(h, "source.hubspot_contacts", "contacts.csv");

        Assert.True(run.Status == RunStatus.Succeeded, run.Error);
        Assert.Equal(["+1 415 555 0100", "+44 7700 900123", null], (await h.RowsAsync("SELECT phone FROM src ORDER BY record_id")).Select(r => r[0] as string));
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task ZendeskTickets_OptionalColumnMissingFromTheHeader_IsAWarningInTheLogAndMetadataNamingTheClosestHeader(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        h.Temp.File("tickets.csv", "Id,Requester,Requester email,Subject,Status,Priority,Created at,Updated at,Solved at,Tags,Via,CSAT\n"
            + "1,A,a@x.com,Hi,solved,normal,2025-01-01 10:00:00,,,,web,Good\n");

        var run = await LoadAsync(h, "source.zendesk_tickets", "tickets.csv");

        Assert.True(run.Status == RunStatus.Succeeded, run.Error);
        const string warning = "tickets.csv:1: the header has no column 'Satisfaction' (satisfaction is NULL; no header is close)";
        Assert.Contains("warning: " + warning, await LogAsync(h, run), StringComparison.Ordinal);
        Assert.Contains($"\"header_warnings\":[\"{warning.Replace("'", "\\u0027", StringComparison.Ordinal)}\"]", await MetadataAsync(h, run), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GoogleAds_MisspelledOptionalColumn_WarningNamesTheMisspelling()
    {
        await using var h = await ComponentHarness.CreateAsync("duckdb", postgres);
        h.Temp.File("report.csv", "Day,Campaign,Campaign ID,Currency code,Cost,Impresions,Clicks,Conversions\n2024-03-01,spring_sale,1,USD,1.00,10,2,0\n");

        var run = await LoadAsync(h, "source.google_ads", "report.csv");

        Assert.True(run.Status == RunStatus.Succeeded, run.Error);
        Assert.Contains("warning: report.csv:1: the header has no column 'Impr.' (impressions is NULL; closest header: 'Impresions')", await LogAsync(h, run), StringComparison.Ordinal);
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task GoogleAds_ReportTotalRows_AreSkippedAndCounted_ARealBadRowIsStillRejected(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        var days = Enumerable.Range(1, 7).SelectMany(d => new[]
        {
            $"2024-03-0{d},spring_sale,111222333,USD,\"1,020.50\",12345,210,3.00", $"2024-03-0{d},brand_search,111222444,USD,120.00,2000,300,5.00",
        });
        h.Temp.File("Campaign report.csv", string.Join("\n", [
            "\uFEFFCampaign report", "March 1, 2024 - March 7, 2024", "Day,Campaign,Campaign ID,Currency code,Cost,Impr.,Clicks,Conversions",
            .. days,
            "2024-03-32,brand_search,111222444,USD,120.00,2000,300,5.00",
            "Total: Account,--,--,USD,\"8,143.50\",100415,3570,56.00", "Total: Search,--,--,USD,\"8,143.50\",100415,3570,56.00",
            "Total: Campaigns,--,--,USD,\"8,143.50\",100415,3570,56.00"]) + "\n");

        var run = await LoadAsync(h, "source.google_ads", "Campaign report.csv", ", max_rejected_ratio: 0.1");

        Assert.True(run.Status == RunStatus.Succeeded, run.Error);
        Assert.Equal(14L, Convert.ToInt64((await h.RowsAsync("SELECT count(*) FROM src"))[0][0], CultureInfo.InvariantCulture));
        var rejected = Assert.Single(await h.RowsAsync("SELECT line, reason FROM src__rejected"));
        Assert.Equal((18L, "'Day': expected a date such as 2025-01-31, got '2024-03-32'; if the export writes dates another way, set date_format, e.g. '%m/%d/%Y %H:%M' for 10/5/2024 10:15"), (Convert.ToInt64(rejected[0], CultureInfo.InvariantCulture), (string)rejected[1]!));
        Assert.Contains("Campaign report.csv: 14 rows, 1 rejected, 3 report total row(s) skipped ('Total: ...')", await LogAsync(h, run), StringComparison.Ordinal);
        Assert.Contains("\"summary_rows_skipped\":3", await MetadataAsync(h, run), StringComparison.Ordinal);
    }

    // Ads Manager's optional summary row: the first row, with no campaign name and the account's totals.
    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task MetaAds_SummaryRow_IsSkippedAndCounted_NotRejected(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        h.Temp.File("meta.csv", "Reporting starts,Reporting ends,Campaign name,Campaign ID,Amount spent (GBP),Impressions,Link clicks,Results,Result indicator\n"
            + "2024-03-01,2024-03-02,,,150.75,9000,120,6,\n"
            + "2024-03-01,2024-03-01,uk_launch,7,50.25,3000,40,2,actions:offsite_conversion.fb_pixel_purchase\n"
            + "2024-03-02,2024-03-02,uk_launch,7,100.50,6000,80,4,actions:offsite_conversion.fb_pixel_purchase\n");

        var run = await LoadAsync(h, "source.meta_ads", "meta.csv");

        Assert.True(run.Status == RunStatus.Succeeded, run.Error);
        Assert.Empty(await h.RowsAsync("SELECT line FROM src__rejected"));
        Assert.Equal(2L, Convert.ToInt64((await h.RowsAsync("SELECT count(*) FROM src WHERE campaign = 'uk_launch'"))[0][0], CultureInfo.InvariantCulture));
        Assert.Equal(2L, Convert.ToInt64((await h.RowsAsync("SELECT count(*) FROM src"))[0][0], CultureInfo.InvariantCulture));
        Assert.Contains("meta.csv: 2 rows, 0 rejected, 1 summary row(s) skipped (blank 'Campaign name')", await LogAsync(h, run), StringComparison.Ordinal);
        Assert.Contains("\"summary_rows_skipped\":1", await MetadataAsync(h, run), StringComparison.Ordinal);
    }

    // Only the first row can be the summary: a campaign row without a name later in the file is a bad row.
    [Fact]
    public async Task MetaAds_BlankCampaignAfterTheFirstRow_IsRejected()
    {
        await using var h = await ComponentHarness.CreateAsync("duckdb", postgres);
        h.Temp.File("meta.csv", "Reporting starts,Reporting ends,Campaign name,Campaign ID,Amount spent (GBP),Impressions,Link clicks,Results\n"
            + "2024-03-01,2024-03-01,uk_launch,7,50.25,3000,40,2\n"
            + "2024-03-02,2024-03-02,,7,100.50,6000,80,4\n");

        var run = await LoadAsync(h, "source.meta_ads", "meta.csv", ", max_rejected_ratio: 0.9");

        Assert.True(run.Status == RunStatus.Succeeded, run.Error);
        Assert.Equal(3L, Convert.ToInt64(Assert.Single(await h.RowsAsync("SELECT line FROM src__rejected"))[0], CultureInfo.InvariantCulture));
    }

    // Ads Manager exports one row per campaign over the whole reporting period unless broken down by day: loaded as is,
    // a month's spend would land on its first day.
    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task MetaAds_RowOverSeveralDays_IsRejectedSayingHowToExportByDay(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        h.Temp.File("meta.csv", "Reporting starts,Reporting ends,Campaign name,Campaign ID,Amount spent (EUR),Impressions,Link clicks,Results\n"
            + "2024-10-01,2024-10-31,fall_sale,7,1234.56,90000,1200,40\n"
            + "2024-10-05,2024-10-05,fall_sale,7,80,3000,40,2\n"
            + "2024-10-06,,fall_sale,7,70,3000,40,0\n");

        var run = await LoadAsync(h, "source.meta_ads", "meta.csv", ", max_rejected_ratio: 0.5");

        Assert.True(run.Status == RunStatus.Succeeded, run.Error);
        var rejected = Assert.Single(await h.RowsAsync("SELECT line, reason FROM src__rejected"));
        Assert.Equal(2L, Convert.ToInt64(rejected[0], CultureInfo.InvariantCulture));
        Assert.Equal("'Reporting starts' 2024-10-01 and 'Reporting ends' 2024-10-31 span 31 days: the row's spend is not per day. "
            + "Export the report broken down by day (in Ads Manager: Breakdown, By time, Day)", rejected[1]);
        Assert.Equal(150.0, Convert.ToDouble((await h.RowsAsync("SELECT sum(spend) FROM src"))[0][0], CultureInfo.InvariantCulture));
    }

    [Fact]
    public void GoogleAdsDescription_ShownByTribSchema_ListsTheHeadersRead() =>
        Assert.EndsWith("Headers read (any case): Day, Campaign required; Campaign ID, Impr. (or Impressions), Clicks, Cost (or Cost (*), Conversions (or Conv.), "
            + "Currency code (or Currency) optional (NULL when absent, with a warning). See docs/data-model.md#export-headers.", GoogleAdsSource.Description, StringComparison.Ordinal);

    public static TheoryData<string> CsvSources => new(SourceLayouts.Keys);

    private static readonly Dictionary<string, PlatformLayout> SourceLayouts = new()
    {
        ["source.shopify_orders"] = ShopifyOrdersSource.Layout, ["source.shopify_products"] = ShopifyProductsSource.Layout,
        ["source.stripe_charges"] = StripeChargesSource.Layout, ["source.hubspot_contacts"] = HubSpotContactsSource.Layout,
        ["source.zendesk_tickets"] = ZendeskTicketsSource.Layout, ["source.google_ads"] = GoogleAdsSource.Layout, ["source.meta_ads"] = MetaAdsSource.Layout,
    };

    [Theory]
    [MemberData(nameof(CsvSources))]
    public void DataModelDoc_HeaderTableOfEachSource_IsTheOneItsLayoutReads(string type)
    {
        var doc = File.ReadAllText(Path.Combine(RepositoryFiles.Root, "docs", "data-model.md")).ReplaceLineEndings("\n");
        var heading = $"(`{type}`)";
        var at = doc.IndexOf(heading, StringComparison.Ordinal);
        Assert.True(at >= 0, $"docs/data-model.md has no section on {type}'s headers");
        var start = doc.IndexOf("| column | header |", at, StringComparison.Ordinal);
        var end = doc.IndexOf("\n\n", start, StringComparison.Ordinal);
        var documented = doc[start..(end < 0 ? doc.Length : end)].TrimEnd();

        // On a failure, paste the expected table into docs/data-model.md.
        Assert.Equal(SourceLayouts[type].HeaderTable(), documented);
    }
}
