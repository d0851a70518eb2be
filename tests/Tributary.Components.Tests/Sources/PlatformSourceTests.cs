using System.Globalization;
using Tributary.Core.Warehousing;
using Tributary.Engine.Execution;
using Tributary.Engine.Runs;
using Tributary.Testing;

namespace Tributary.Components.Tests.Sources;

/// <summary>Each platform source on malformed input: the bad rows land in __rejected with their raw line and reason; good rows load.</summary>
public sealed class PlatformSourceTests(PostgresCluster postgres)
{
    private static async Task<(RunResult Run, List<(long Line, string Raw, string Reason)> Rejected)> LoadAsync(ComponentHarness h, string type, string file, string extra = "")
    {
        var result = await h.RunAsync($$"""
            pipeline: p
            components:
              - { id: src, type: {{type}}, with: { path: "{{file}}"{{extra}} } }
            """);
        var rejected = result.Status == RunStatus.Succeeded
            ? (await h.RowsAsync("SELECT line, raw, reason FROM src__rejected ORDER BY line")).Select(r => (Convert.ToInt64(r[0], CultureInfo.InvariantCulture), (string)r[1]!, (string)r[2]!)).ToList()
            : [];
        return (result, rejected);
    }

    private const string ShopifyHeader = "Name,Email,Financial Status,Total,Created at,Lineitem quantity,Lineitem name,Lineitem price,Lineitem sku";

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task ShopifyOrders_BadDatesAmountsAndTruncatedLine_AreRejectedWithReasons(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        h.Temp.File("orders.csv", string.Join("\n",
            ShopifyHeader,
            "#1001,a@x.com,paid,20.00,2025-01-02 10:00:00 +0100,1,Mug,20.00,SKU-1",
            "#1002,b@x.com,paid,lots,2025-01-03 10:00:00 +0100,1,Mug,20.00,SKU-1",
            "#1003,c@x.com,paid,20.00,yesterday,1,Mug,20.00,SKU-1",
            "#1004,d@x.com,paid,5.00,2025-01-04 09:00:00 -0500,2,Tea,2.50,SKU-2",
            "#1005,e@x.com,paid,5.00,2025-01-05") + "\n");

        var (run, rejected) = await LoadAsync(h, "source.shopify_orders", "orders.csv", ", max_rejected_ratio: 0.9");

        Assert.True(run.Status == RunStatus.Succeeded, run.Error);
        Assert.Equal(
        [
            (3L, "#1002,b@x.com,paid,lots,2025-01-03 10:00:00 +0100,1,Mug,20.00,SKU-1", "'Total': expected a number, got 'lots'"),
            (4L, "#1003,c@x.com,paid,20.00,yesterday,1,Mug,20.00,SKU-1", "'Created at': expected a timestamp such as 2025-01-31 14:05:00 +0100, got 'yesterday'; if the export writes dates another way, set date_format, e.g. '%m/%d/%Y %H:%M' for 10/5/2024 10:15"),
            (6L, "#1005,e@x.com,paid,5.00,2025-01-05", "has 5 fields where the header has 9 (truncated line or stray delimiter)"),
        ], rejected);
        var rows = await h.RowsAsync("SELECT order_name, created_at, total FROM src ORDER BY order_name");
        Assert.Equal(["#1001", "#1004"], rows.Select(r => (string)r[0]!));
        Assert.Equal(new DateTime(2025, 1, 4, 14, 0, 0), Convert.ToDateTime(rows[1][1], CultureInfo.InvariantCulture)); // -0500 normalized to UTC
        var warning = Assert.Single(await h.Store.GetChecksAsync(run.RunId, CancellationToken.None));
        Assert.Equal(("src", false, false, "3 of 5 row(s) rejected (within max_rejected_ratio); they are in src__rejected with their file, line and reason"),
            (warning.Asset, warning.Passed, warning.Blocking, warning.Detail));
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task ShopifyOrders_QuoteOnLine50NeverCloses_OnlyThatRecordIsRejected(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        h.Temp.File("orders.csv", ShopifyHeader + "\n" + string.Concat(Enumerable.Range(2, 1999).Select(line =>
            $"#{line},{(line == 50 ? "\"" : "")}c{line}@x.com,paid,20.00,2025-01-02 10:00:00 +0100,1,Mug,20.00,SKU-1\n")));

        var (run, rejected) = await LoadAsync(h, "source.shopify_orders", "orders.csv");

        Assert.True(run.Status == RunStatus.Succeeded, run.Error);
        Assert.Equal([(50L, "#50,\"c50@x.com,paid,20.00,2025-01-02 10:00:00 +0100,1,Mug,20.00,SKU-1", "the quote opened in field 2 never closes (the file ends first)")], rejected);
        Assert.Equal(1998L, Convert.ToInt64((await h.RowsAsync("SELECT count(*) FROM src"))[0][0], CultureInfo.InvariantCulture));
        Assert.Equal("#51", (await h.RowsAsync("SELECT order_name FROM src WHERE _source_line = 51"))[0][0]);
    }

    [Fact]
    public async Task ShopifyOrders_WrongDelimiter_FailsAtTheHeaderAndSaysWhy()
    {
        await using var h = await ComponentHarness.CreateAsync("duckdb", postgres);
        h.Temp.File("orders.csv", ShopifyHeader.Replace(',', ';') + "\n#1001;a@x.com;paid;20.00;2025-01-02 10:00:00;1;Mug;20.00;SKU-1\n");

        var (run, _) = await LoadAsync(h, "source.shopify_orders", "orders.csv");

        Assert.Equal(RunStatus.Failed, run.Status);
        Assert.Contains("orders.csv:1: the header has no column 'Name' (no header is close), 'Created at' (no header is close), 'Lineitem quantity' (no header is close), "
            + "'Lineitem price' (no header is close) that a Shopify orders export needs, so no row can be read. The header is one field", run.Error, StringComparison.Ordinal);
        Assert.Contains("probably not delimited by ',' but by ';'; set delimiter: \";\".", run.Error, StringComparison.Ordinal);
        Assert.Null(await h.Warehouse.DescribeTableAsync("src", TestContext.Current.CancellationToken));
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task GoogleAds_ExcelCsvDownloadInUtf16WithTabs_IsReadWithoutSettings(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        // Google Ads' "Excel CSV" download: UTF-16LE with a byte order mark, tab-separated, a report name and date range first.
        var text = "Campaign report\r\n\"October 1, 2024 - October 31, 2024\"\r\nDay\tCampaign\tCampaign ID\tImpr.\tClicks\tCost\tConversions\tCurrency code\r\n"
            + "2024-10-01\tbrand, search\t1\t1,000\t50\t1,234.50\t2.00\tUSD\r\nTotal: Account\t--\t--\t1,000\t50\t1,234.50\t2.00\tUSD\r\n";
        File.WriteAllBytes(Path.Combine(h.Temp.Path, "Campaign report.csv"), [.. System.Text.Encoding.Unicode.GetPreamble(), .. System.Text.Encoding.Unicode.GetBytes(text)]);

        var (run, rejected) = await LoadAsync(h, "source.google_ads", "Campaign report.csv");

        Assert.True(run.Status == RunStatus.Succeeded, run.Error);
        Assert.Empty(rejected);
        var row = Assert.Single(await h.RowsAsync("SELECT campaign, impressions, cost, currency FROM src"));
        Assert.Equal(("brand, search", 1000L, 1234.5, "USD"), ((string)row[0]!, Convert.ToInt64(row[1], CultureInfo.InvariantCulture), Convert.ToDouble(row[2], CultureInfo.InvariantCulture), (string)row[3]!));
    }

    [Fact]
    public async Task ShopifyOrders_Utf16WithoutByteOrderMark_FailsAtTheHeaderNamingTheEncoding()
    {
        await using var h = await ComponentHarness.CreateAsync("duckdb", postgres);
        File.WriteAllBytes(Path.Combine(h.Temp.Path, "orders.csv"), System.Text.Encoding.Unicode.GetBytes(ShopifyHeader + "\n#1001,a@x.com,paid,20.00,2025-01-02 10:00:00,1,Mug,20.00,SKU-1\n"));

        var (run, _) = await LoadAsync(h, "source.shopify_orders", "orders.csv");

        Assert.Equal(RunStatus.Failed, run.Status);
        Assert.Contains("The header holds NUL characters between its letters: the file is UTF-16 without a byte order mark; set encoding: utf16.", run.Error, StringComparison.Ordinal);
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task SegmentEvents_InvalidJsonAndSpecViolations_AreRejected(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        h.Temp.File("events/e.ndjson", string.Join("\n",
            """{"type":"track","event":"Order Completed","messageId":"m1","userId":"u1","timestamp":"2025-01-02T10:00:00.000Z","properties":{"order_id":"#1001","revenue":20.5}}""",
            """{"type":"track","messageId":"m2","userId":"u1","timestamp":"2025-01-02T10:00:00Z"}""",
            """{"type":"page","messageId":"m3","timestamp":"2025-01-02T10:00:00Z"}""",
            """{"type":"identify","messageId":"m4","anonymousId":"a1","userId":"u1","timestamp":"2025-01-02T10:01:00Z","traits":{"email":"A@X.com"}""",
            """["not","an","object"]""",
            """{"type":"identify","messageId":"m5","anonymousId":"a1","timestamp":"soon"}""",
            """{"type":"page","messageId":"m6","anonymousId":"a1","timestamp":"2025-01-02T10:02:00Z","context":{"campaign":{"source":"google","medium":"cpc","name":"brand"}},"extra_field":1}"""));

        var (run, rejected) = await LoadAsync(h, "source.segment_events", "events", ", max_rejected_ratio: 0.9");

        Assert.True(run.Status == RunStatus.Succeeded, run.Error);
        Assert.Equal([2L, 3L, 4L, 5L, 6L], rejected.Select(r => r.Line));
        Assert.Equal("a track event needs 'event'", rejected[0].Reason);
        Assert.Equal("an event needs 'anonymousId' or 'userId'", rejected[1].Reason);
        Assert.StartsWith("invalid JSON: ", rejected[2].Reason, StringComparison.Ordinal);
        Assert.Equal("an event must be a JSON object, got array", rejected[3].Reason);
        Assert.Equal("'timestamp': expected a timestamp such as 2025-01-31 14:05:00 +0100, got 'soon'", rejected[4].Reason);
        var rows = await h.RowsAsync("SELECT message_id, order_id, revenue, utm_campaign FROM src ORDER BY message_id");
        Assert.Equal(("m1", "#1001", 20.5), ((string)rows[0][0]!, (string)rows[0][1]!, Convert.ToDouble(rows[0][2], CultureInfo.InvariantCulture)));
        Assert.Equal("brand", rows[1][3]);
    }

    [Theory]
    [InlineData("source.google_ads", "Campaign report\n\"January 1, 2025 - January 31, 2025\"\nDay,Campaign,Campaign ID,Impr.,Clicks,Cost,Conversions,Currency code\n2025-01-01,brand,1,1000,50,\"1,234.50\",2.00,USD\n2025-01-02,brand,1,1000,fifty,1.00,0,USD\n", "'Clicks': expected a whole number, got 'fifty'")]
    [InlineData("source.meta_ads", "Reporting starts,Reporting ends,Campaign name,Campaign ID,Amount spent (EUR),Impressions,Link clicks,Results,Result indicator\n2025-01-01,2025-01-01,prospecting,1,10.5,100,5,1,x\n01.02.2025,2025-01-02,prospecting,1,10.5,100,5,1,x\n", "'Reporting starts': expected a date such as 2025-01-31, got '01.02.2025'; if the export writes dates another way, set date_format, e.g. '%m/%d/%Y %H:%M' for 10/5/2024 10:15")]
    [InlineData("source.hubspot_contacts", "Record ID,First Name,Last Name,Email,Phone Number,Lifecycle Stage,Create Date,Last Activity Date,Country/Region,Original Source,Favourite Colour\n1,A,B,a@x.com,+1 415 555 0100,lead,2025-01-01 10:00:00 +0000,,US,ORGANIC,blue\n,C,D,c@x.com,,lead,,,US,,red\n", "'Record ID' is empty but required")]
    [InlineData("source.zendesk_tickets", "Id,Requester,Requester email,Subject,Status,Priority,Created at,Updated at,Solved at,Tags,Via,Satisfaction\n1,A,a@x.com,Hi,open,normal,2025-01-01 10:00:00,,,,web,\n2,B,b@x.com,\"Unclosed quote,open,normal,2025-01-01 10:00:00,,,,web,\n", "the quote opened in field 4 never closes (the file ends first)")]
    [InlineData("source.shopify_products", "Handle,Title,Body (HTML),Vendor,Type,Tags,Published,Variant SKU,Variant Price,Status\nmug,Mug,<p>Mug</p>,Acme,kitchen,,true,SKU-1,12.50,active\ncup,Cup,<p>Cup</p>,Acme,kitchen,,true,SKU-2,twelve,active\n", "'Variant Price': expected a number, got 'twelve'")]
    [InlineData("source.stripe_charges", "id,Created date (UTC),Amount,Amount Refunded,Currency,Captured,Status,Customer ID,Customer Email\nch_1,2025-01-01 10:00:00,12.50,0,usd,true,Paid,cus_1,a@x.com\nch_2,2025-01-01 10:00:00,12.50,0,usd,maybe,Paid,cus_1,a@x.com\n", "'Captured': expected true/false or yes/no, got 'maybe'")]
    public async Task CsvSources_RejectTheBadRowAndLoadTheGoodOne(string type, string contents, string reason)
    {
        await using var h = await ComponentHarness.CreateAsync("duckdb", postgres);
        h.Temp.File("export.csv", contents);

        var (run, rejected) = await LoadAsync(h, type, "export.csv", ", max_rejected_ratio: 0.9");

        Assert.True(run.Status == RunStatus.Succeeded, run.Error);
        Assert.Equal(reason, Assert.Single(rejected).Reason);
        Assert.Single(await h.RowsAsync("SELECT * FROM src"));
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Sources_SkipFilesAlreadyLoadedAndAppendNewOnes(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        h.Temp.File("stripe/a.csv", "id,Created date (UTC),Amount,Currency\nch_1,2025-01-01 10:00:00,1.00,usd\n");
        const string yaml = """
            pipeline: p
            components:
              - { id: src, type: source.stripe_charges, with: { path: stripe } }
            """;
        Assert.Equal(RunStatus.Succeeded, (await h.RunAsync(yaml)).Status);
        var again = await h.RunAsync(yaml);
        Assert.Single(await h.RowsAsync("SELECT * FROM src"));
        Assert.Contains("\"new_files\":0", (await h.Store.GetMaterializationsAsync(again.RunId, "src", TestContext.Current.CancellationToken)).Single().MetadataJson, StringComparison.Ordinal);

        h.Temp.File("stripe/b.csv", "id,Created date (UTC),Amount,Currency\nch_2,2025-01-02 10:00:00,2.00,usd\nch_3,2025-01-02 11:00:00,3.00,usd\n");
        var third = await h.RunAsync(yaml);

        Assert.True(third.Status == RunStatus.Succeeded, third.Error);
        Assert.Equal(["ch_1", "ch_2", "ch_3"], (await h.RowsAsync("SELECT charge_id FROM src ORDER BY 1")).Select(r => (string)r[0]!));
        Assert.Equal(2, (await h.RowsAsync("SELECT * FROM src__files")).Count);
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Sources_TouchedOrCopiedFileIsNotLoadedAgain_ButAReExportAtItsPathReplacesItsRows(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        const string header = "id,Created date (UTC),Amount,Currency\n";
        var a = h.Temp.File("stripe/a.csv", header + "ch_1,2025-01-01 10:00:00,1.00,usd\nch_2,2025-01-01 11:00:00,2.00,usd\n");
        const string yaml = """
            pipeline: p
            components:
              - { id: src, type: source.stripe_charges, with: { path: stripe } }
            """;
        async Task<List<string>> LoadAsync()
        {
            var run = await h.RunAsync(yaml);
            Assert.True(run.Status == RunStatus.Succeeded, run.Error);
            return (await h.RowsAsync("SELECT charge_id FROM src ORDER BY 1")).Select(r => (string)r[0]!).ToList();
        }
        Assert.Equal(["ch_1", "ch_2"], await LoadAsync());

        File.SetLastWriteTimeUtc(a, File.GetLastWriteTimeUtc(a).AddHours(1));
        Assert.Equal(["ch_1", "ch_2"], await LoadAsync());

        var copy = Path.Combine(h.Temp.Path, "stripe", "a_copy.csv");
        File.Copy(a, copy);
        Assert.Equal(["ch_1", "ch_2"], await LoadAsync());
        File.Delete(copy);

        // Exported again under the same name: the new content replaces the path's rows instead of adding to them.
        File.WriteAllText(a, header + "ch_1,2025-01-01 10:00:00,1.00,usd\nch_2,2025-01-01 11:00:00,2.00,usd\nch_3,2025-01-02 09:00:00,3.00,usd\n");
        Assert.Equal(["ch_1", "ch_2", "ch_3"], await LoadAsync());
        Assert.Equal(["ch_1", "ch_2", "ch_3"], await LoadAsync());
        var log = await h.RowsAsync("SELECT file, rows, sha256 FROM src__files");
        Assert.Equal(Path.Combine("stripe", "a.csv"), (string)log.Single()[0]!);
        Assert.Equal(3L, Convert.ToInt64(log.Single()[1], CultureInfo.InvariantCulture));
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Sources_FileDeliveredAgainAtItsPath_ReplacesItsRowsAndRejections_OtherFilesKeepTheirs(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        const string header = "Id,Requester email,Status,Created at\n";
        var march = h.Temp.File("zendesk/tickets.csv", header + "4001,a@x.com,solved,2024-03-01 10:00:00\n4002,b@x.com,open,2024-03-02 10:00:00\n4003,c@x.com,open,not a date\n");
        h.Temp.File("zendesk/other.csv", header + "5001,d@x.com,open,2024-03-05 10:00:00\n5002,e@x.com,open,nor this\n");
        const string yaml = """
            pipeline: p
            components:
              - { id: src, type: source.zendesk_tickets, with: { path: zendesk, max_rejected_ratio: 0.5 } }
            """;
        var first = await h.RunAsync(yaml);
        Assert.True(first.Status == RunStatus.Succeeded, first.Error);
        File.WriteAllText(march, header + "4001,a@x.com,solved,2024-03-01 10:00:00\n4002,b@x.com,solved,2024-03-02 10:00:00\n4003,c@x.com,open,2024-03-03 10:00:00\n");

        var second = await h.RunAsync(yaml);

        Assert.True(second.Status == RunStatus.Succeeded, second.Error);
        Assert.Equal([["4001", "solved"], ["4002", "solved"], ["4003", "open"], ["5001", "open"]],
            (await h.RowsAsync("SELECT CAST(ticket_id AS VARCHAR), status FROM src ORDER BY 1")).Select(r => new[] { (string)r[0]!, (string)r[1]! }));
        Assert.Equal([Path.Combine("zendesk", "other.csv")], (await h.RowsAsync("SELECT source_file FROM src__rejected")).Select(r => (string)r[0]!));
        Assert.Equal([[Path.Combine("zendesk", "other.csv"), 1L], [Path.Combine("zendesk", "tickets.csv"), 3L]],
            (await h.RowsAsync("SELECT file, rows FROM src__files ORDER BY file")).Select(r => new object[] { (string)r[0]!, Convert.ToInt64(r[1], CultureInfo.InvariantCulture) }));
        Assert.Contains("\"replaced_files\":1", (await h.Store.GetMaterializationsAsync(second.RunId, "src", TestContext.Current.CancellationToken)).Single().MetadataJson,
            StringComparison.Ordinal);
    }

    // The reviewer's repro: a source pointed at a trial folder, then at the real one, kept the trial rows for ever.
    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Sources_FullRefresh_ForgetsTheLedgerRowsAndRejectionsAndLoadsWhatIsAtThePathNow(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        const string header = "id,Created date (UTC),Amount,Currency\n";
        h.Temp.File("trial/t.csv", header + "ch_t,2025-01-01 10:00:00,1.00,usd\nch_bad,yesterday,1.00,usd\n");
        h.Temp.File("stripe/a.csv", header + "ch_1,2025-01-01 10:00:00,1.00,usd\n");
        var gone = h.Temp.File("stripe/b.csv", header + "ch_2,2025-01-02 10:00:00,2.00,usd\n");
        static string Yaml(string path) => $$"""
            pipeline: p
            components:
              - { id: src, type: source.stripe_charges, with: { path: {{path}}, max_rejected_ratio: 0.5 } }
            """;
        async Task<List<string>> ChargesAsync(RunResult run)
        {
            Assert.True(run.Status == RunStatus.Succeeded, run.Error);
            return (await h.RowsAsync("SELECT charge_id FROM src ORDER BY 1")).Select(r => (string)r[0]!).ToList();
        }
        await ChargesAsync(await h.RunAsync(Yaml("trial")));
        Assert.Equal(["ch_1", "ch_2", "ch_t"], await ChargesAsync(await h.RunAsync(Yaml("stripe"))));
        File.Delete(gone);
        Assert.Equal(["ch_1", "ch_2", "ch_t"], await ChargesAsync(await h.RunAsync(Yaml("stripe"))));
        // Rows deleted by hand stay gone while the ledger claims their file.
        await h.Warehouse.ExecuteAsync("DELETE FROM src WHERE charge_id = 'ch_1'", null, CancellationToken.None);
        Assert.Equal(["ch_2", "ch_t"], await ChargesAsync(await h.RunAsync(Yaml("stripe"))));

        var refreshed = await h.RunAsync(Yaml("stripe"), fullRefresh: true);

        Assert.Equal(["ch_1"], await ChargesAsync(refreshed));
        Assert.Empty(await h.RowsAsync("SELECT * FROM src__rejected"));
        Assert.Equal([Path.Combine("stripe", "a.csv")], (await h.RowsAsync("SELECT file FROM src__files")).Select(r => (string)r[0]!));
        Assert.True((await h.Store.GetRunAsync(refreshed.RunId, CancellationToken.None))!.FullRefresh);
        // The next run is incremental again: the ledger it left knows a.csv.
        var next = await h.RunAsync(Yaml("stripe"));
        Assert.Equal(["ch_1"], await ChargesAsync(next));
        Assert.Contains("\"new_files\":0", (await h.Store.GetMaterializationsAsync(next.RunId, "src", TestContext.Current.CancellationToken)).Single().MetadataJson, StringComparison.Ordinal);
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Sources_FullRefreshWhoseLoadFails_KeepsTheOldRowsRejectionsAndLedger(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        const string header = "id,Created date (UTC),Amount,Currency\n";
        h.Temp.File("stripe/a.csv", header + "ch_1,2025-01-01 10:00:00,1.00,usd\nch_2,2025-01-01 11:00:00,2.00,usd\nch_bad,yesterday,1.00,usd\n");
        const string yaml = """
            pipeline: p
            components:
              - { id: src, type: source.stripe_charges, with: { path: stripe, max_rejected_ratio: 0.4 } }
            """;
        Assert.Equal(RunStatus.Succeeded, (await h.RunAsync(yaml)).Status);
        async Task<(List<string> Rows, List<string> Rejected, List<string> Files)> StateAsync() => (
            (await h.RowsAsync("SELECT charge_id FROM src ORDER BY 1")).Select(r => (string)r[0]!).ToList(),
            (await h.RowsAsync("SELECT raw FROM src__rejected ORDER BY 1")).Select(r => (string)r[0]!).ToList(),
            (await h.RowsAsync("SELECT file || ':' || CAST(rows AS VARCHAR) FROM src__files ORDER BY 1")).Select(r => (string)r[0]!).ToList());
        var before = await StateAsync();
        // A new file whose rows are mostly bad: the refresh's load is refused past max_rejected_ratio.
        h.Temp.File("stripe/b.csv", header + "ch_x,never,1.00,usd\nch_y,nor this,1.00,usd\n");

        var failed = await h.RunAsync(yaml, fullRefresh: true);

        Assert.Equal(RunStatus.Failed, failed.Status);
        Assert.Contains("more than max_rejected_ratio 40.0%; nothing was loaded", failed.Error, StringComparison.Ordinal);
        var after = await StateAsync();
        Assert.Equal(["ch_1", "ch_2"], before.Rows);
        Assert.Equal(["ch_bad,yesterday,1.00,usd"], before.Rejected);
        Assert.Equal([Path.Combine("stripe", "a.csv") + ":2"], before.Files);
        Assert.Equal(before.Rows, after.Rows);
        Assert.Equal(before.Rejected, after.Rejected);
        Assert.Equal(before.Files, after.Files);
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task SegmentEvents_FileDeliveredAgainAtItsPath_ReplacesItsRows(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        static string Event(string id) => $$"""{"type":"track","event":"Viewed","messageId":"{{id}}","anonymousId":"a1","timestamp":"2024-03-01T10:00:00Z"}""" + "\n";
        var file = h.Temp.File("segment/events.ndjson", Event("m1") + Event("m2"));
        const string yaml = """
            pipeline: p
            components:
              - { id: src, type: source.segment_events, with: { path: segment } }
            """;
        Assert.Equal(RunStatus.Succeeded, (await h.RunAsync(yaml)).Status);
        // Same length (lines are hashed before the load), then a different length (read and hashed by the parallel parse).
        File.WriteAllText(file, Event("m3") + Event("m4"));
        Assert.Equal(RunStatus.Succeeded, (await h.RunAsync(yaml)).Status);
        Assert.Equal(["m3", "m4"], (await h.RowsAsync("SELECT message_id FROM src ORDER BY 1")).Select(r => (string)r[0]!));
        File.WriteAllText(file, Event("m5") + Event("m6") + Event("m7"));
        Assert.Equal(RunStatus.Succeeded, (await h.RunAsync(yaml)).Status);

        Assert.Equal(["m5", "m6", "m7"], (await h.RowsAsync("SELECT message_id FROM src ORDER BY 1")).Select(r => (string)r[0]!));
        Assert.Equal(64, ((string)(await h.RowsAsync("SELECT sha256 FROM src__files")).Single()[0]!).Length);
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Sources_PathLoadedTwiceByEarlierVersions_IsReloadedFromItsCurrentFile(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        const string header = "id,Created date (UTC),Amount,Currency\n";
        var a = h.Temp.File("stripe/a.csv", header + "ch_1,2025-01-01 10:00:00,1.00,usd\n");
        const string yaml = """
            pipeline: p
            components:
              - { id: src, type: source.stripe_charges, with: { path: stripe } }
            """;
        Assert.Equal(RunStatus.Succeeded, (await h.RunAsync(yaml)).Status);
        var ct = TestContext.Current.CancellationToken;
        // As versions before re-deliveries replaced a path's rows left it: a.csv's rows and ledger entry twice, once per version.
        await h.Warehouse.ExecuteAsync("INSERT INTO src SELECT * FROM src", null, ct);
        await h.Warehouse.ExecuteAsync("INSERT INTO src__files SELECT * FROM src__files", null, ct);

        var run = await h.RunAsync(yaml);

        Assert.True(run.Status == RunStatus.Succeeded, run.Error);
        Assert.Equal(["ch_1"], (await h.RowsAsync("SELECT charge_id FROM src")).Select(r => (string)r[0]!));
        Assert.Single(await h.RowsAsync("SELECT * FROM src__files"));
        Assert.Equal(RunStatus.Succeeded, (await h.RunAsync(yaml)).Status);
        Assert.Equal(["ch_1"], (await h.RowsAsync("SELECT charge_id FROM src")).Select(r => (string)r[0]!));
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Sources_FileLogFromBeforeContentHashes_IsReadAndGainsTheColumn(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        var ct = TestContext.Current.CancellationToken;
        var a = h.Temp.File("stripe/a.csv", "id,Created date (UTC),Amount,Currency\nch_1,2025-01-01 10:00:00,1.00,usd\n");
        var modified = File.GetLastWriteTimeUtc(a);
        modified = DateTime.SpecifyKind(modified.AddTicks(-(modified.Ticks % TimeSpan.TicksPerMillisecond)), DateTimeKind.Unspecified);
        // The log as earlier versions wrote it: a.csv loaded, no sha256 column.
        await h.Warehouse.ReplaceTableAsync("src__files", (b, c) => b.CreateAndAppendAsync(
            [("file", DataKind.Text), ("bytes", DataKind.Integer), ("modified_at", DataKind.Timestamp), ("rows", DataKind.Integer), ("rejected", DataKind.Integer), ("run_id", DataKind.Text), ("loaded_at", DataKind.Timestamp)],
            [[Path.Combine("stripe", "a.csv"), new FileInfo(a).Length, modified, 1L, 0L, "old", modified]], c), ct);
        h.Temp.File("stripe/b.csv", "id,Created date (UTC),Amount,Currency\nch_2,2025-01-02 10:00:00,2.00,usd\n");

        var run = await h.RunAsync("""
            pipeline: p
            components:
              - { id: src, type: source.stripe_charges, with: { path: stripe } }
            """);

        Assert.True(run.Status == RunStatus.Succeeded, run.Error);
        Assert.Equal(["ch_2"], (await h.RowsAsync("SELECT charge_id FROM src")).Select(r => (string)r[0]!));
        var log = await h.RowsAsync("SELECT file, sha256 FROM src__files ORDER BY file");
        Assert.Equal([Path.Combine("stripe", "a.csv"), Path.Combine("stripe", "b.csv")], log.Select(r => (string)r[0]!));
        Assert.Null(log[0][1]);
        Assert.Equal(64, ((string)log[1][1]!).Length);
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Sources_WriteOfTheFileLogFails_RowsAndRejectionsAreNotWrittenEither(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        h.Temp.File("stripe/a.csv", "id,Created date (UTC),Amount,Currency\nch_1,2025-01-01 10:00:00,1.00,usd\nch_2,2025-01-01 10:00:00,lots,usd\n");
        const string yaml = """
            pipeline: p
            components:
              - { id: src, type: source.stripe_charges, with: { path: stripe, max_rejected_ratio: 0.9 } }
            """;
        var ct = TestContext.Current.CancellationToken;
        // A view where the file log should be: the log reads as empty, but writing it fails after the rows and rejections are staged.
        await h.Warehouse.ExecuteAsync("CREATE VIEW src__files AS SELECT 'x' AS file, CAST(0 AS BIGINT) AS bytes, CAST('2000-01-01' AS TIMESTAMP) AS modified_at WHERE 1 = 0", null, ct);

        var failed = await h.RunAsync(yaml);

        Assert.Equal(RunStatus.Failed, failed.Status);
        Assert.Null(await h.Warehouse.DescribeTableAsync("src", ct));
        Assert.Null(await h.Warehouse.DescribeTableAsync("src__rejected", ct));
        await h.Warehouse.ExecuteAsync("DROP VIEW src__files", null, ct);
        var again = await h.RunAsync(yaml);
        Assert.True(again.Status == RunStatus.Succeeded, again.Error);
        Assert.Equal(["ch_1"], (await h.RowsAsync("SELECT charge_id FROM src")).Select(r => (string)r[0]!));
        Assert.Single(await h.RowsAsync("SELECT * FROM src__rejected"));
    }

    [Theory]
    [InlineData("", "\"12,50\"", null, "'Lineitem price': expected a number: ',' groups thousands (by three digits) in the invariant culture; if ',' is this file's decimal separator, set culture (e.g. de-DE), got '12,50'")]
    [InlineData("", "\"1,250.00\"", 1250.0, null)]
    [InlineData(", culture: de-DE", "\"12,50\"", 12.5, null)]
    [InlineData(", culture: de-DE", "\"1.250,00\"", 1250.0, null)]
    public async Task ShopifyOrders_NumbersParseInTheDeclaredCultureOrAreRejected(string with, string price, double? loaded, string? reason)
    {
        await using var h = await ComponentHarness.CreateAsync("duckdb", postgres);
        h.Temp.File("orders.csv", $"{ShopifyHeader}\n#1001,a@x.com,paid,20,2025-01-02 10:00:00 +0100,1,Mug,{price},SKU-1\n#1002,b@x.com,paid,5,2025-01-02 10:00:00 +0100,1,Tea,5,SKU-2\n");

        var (run, rejected) = await LoadAsync(h, "source.shopify_orders", "orders.csv", ", max_rejected_ratio: 0.9" + with);

        Assert.True(run.Status == RunStatus.Succeeded, run.Error);
        Assert.Equal(reason is null ? [] : [reason], rejected.Select(r => r.Reason));
        var prices = await h.RowsAsync("SELECT lineitem_price FROM src WHERE order_name = '#1001'");
        Assert.Equal(loaded, prices.Select(r => (double?)Convert.ToDouble(r[0], CultureInfo.InvariantCulture)).SingleOrDefault());
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task ShopifyOrders_ExcelResavedDatesWithDateFormat_LoadAndWithoutItAreRejectedNamingTheOption(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        // Excel drops the seconds and the leading zeros; day first here, which MM/dd/yyyy would misread as 10 May.
        h.Temp.File("orders.csv", string.Join("\n",
            ShopifyHeader,
            "#1001,a@x.com,paid,20.00,10/5/2024 10:15,1,Mug,20.00,SKU-1",
            "#1002,b@x.com,paid,5.00,2024-10-06 09:00:00 +0200,1,Tea,5.00,SKU-2",
            "#1003,c@x.com,paid,5.00,31/12/2024 23:59,1,Tea,5.00,SKU-2") + "\n");

        var (run, rejected) = await LoadAsync(h, "source.shopify_orders", "orders.csv", ", date_format: '%d/%m/%Y %H:%M'");

        Assert.True(run.Status == RunStatus.Succeeded, run.Error);
        Assert.Empty(rejected);
        var rows = await h.RowsAsync("SELECT created_at FROM src ORDER BY order_name");
        Assert.Equal([new DateTime(2024, 5, 10, 10, 15, 0), new DateTime(2024, 10, 6, 7, 0, 0), new DateTime(2024, 12, 31, 23, 59, 0)],
            rows.Select(r => Convert.ToDateTime(r[0], CultureInfo.InvariantCulture)));

        await using var plain = await ComponentHarness.CreateAsync(engine, postgres);
        plain.Temp.File("orders.csv", File.ReadAllText(Path.Combine(h.Temp.Path, "orders.csv")));
        var (run2, rejected2) = await LoadAsync(plain, "source.shopify_orders", "orders.csv", ", max_rejected_ratio: 0.9");
        Assert.True(run2.Status == RunStatus.Succeeded, run2.Error);
        Assert.Equal("'Created at': expected a timestamp such as 2025-01-31 14:05:00 +0100, got '10/5/2024 10:15'; if the export writes dates another way, set date_format, e.g. '%m/%d/%Y %H:%M' for 10/5/2024 10:15", rejected2[0].Reason);
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task GoogleAds_DayWrittenByASpreadsheet_ReadsWithTheDatePartOfDateFormat(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        h.Temp.File("report.csv", "Day,Campaign,Campaign ID,Impr.,Clicks,Cost,Conversions,Currency code\n10/5/2024,brand,1,1000,50,12.50,2.00,USD\n2024-13-01,brand,1,1000,50,12.50,2.00,USD\n");

        var (run, rejected) = await LoadAsync(h, "source.google_ads", "report.csv", ", date_format: '%m/%d/%Y %H:%M', max_rejected_ratio: 0.9");

        Assert.True(run.Status == RunStatus.Succeeded, run.Error);
        Assert.Equal(new DateOnly(2024, 10, 5), (DateOnly)(await h.RowsAsync("SELECT day FROM src"))[0][0]!);
        Assert.Equal("'Day': expected a date such as 2025-01-31, got '2024-13-01'; nor does the source's date_format read it", Assert.Single(rejected).Reason);
    }

    [Fact]
    public void PlatformAndSegmentSources_UnreadableOrUnusedDateFormat_IsRefusedAtValidation()
    {
        var result = new Tributary.Core.Loading.PipelineLoader(BuiltInComponents.CreateCatalog()).Load("""
            pipeline: p
            components:
              - { id: src, type: source.shopify_orders, with: { path: o.csv, date_format: "%m/%d" } }
              - { id: events, type: source.segment_events, with: { path: e.ndjson, date_format: "%m/%d/%Y" } }
            """, "test.yaml", new Tributary.Core.Loading.LoadOptions());

        Assert.False(result.Succeeded);
        var messages = result.Diagnostics.Select(d => d.Message).ToList();
        Assert.Contains(messages, m => m.EndsWith(": date_format '%m/%d' needs a year (%Y), a month (%m) and a day (%d), e.g. '%m/%d/%Y %H:%M' for 10/5/2024 10:15.", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.EndsWith(": source.segment_events reads Segment's ISO 8601 timestamps; date_format is for CSV exports, remove it.", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ShopifyOrders_UnknownCulture_IsRefusedAtValidation()
    {
        var result = new Tributary.Core.Loading.PipelineLoader(BuiltInComponents.CreateCatalog()).Load("""
            pipeline: p
            components:
              - { id: src, type: source.shopify_orders, with: { path: o.csv, culture: xx-NOPE, delimiter: ";;" } }
            """, "test.yaml", new Tributary.Core.Loading.LoadOptions());

        Assert.False(result.Succeeded);
        var messages = result.Diagnostics.Select(d => d.Message).ToList();
        Assert.Contains(messages, m => m.EndsWith(": culture 'xx-NOPE' is not a known culture name; use a name such as en-US, de-DE or fr-FR.", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.EndsWith(": delimiter must be one character other than a quote or line break, got ';;'.", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("", 1L, "not valid UTF-8: 0xE9 at byte 6 of the line; if the file is in another encoding, set encoding (latin1, windows1252 or utf16)")]
    [InlineData(", encoding: latin1", 3L, null)]
    [InlineData(", encoding: windows1252", 3L, null)]
    public async Task HubSpotContacts_Latin1File_IsRejectedLineByLineUnlessTheEncodingIsDeclared(string with, long loaded, string? reason)
    {
        await using var h = await ComponentHarness.CreateAsync("duckdb", postgres);
        File.WriteAllBytes(h.Temp.File("contacts.csv", ""), System.Text.Encoding.Latin1.GetBytes("Record ID,First Name,Email\n1,Ren\u00e9e,r@x.com\n2,Zo\u00eb,z@x.com\n3,Ann,a@x.com\n"));

        var (run, rejected) = await LoadAsync(h, "source.hubspot_contacts", "contacts.csv", ", max_rejected_ratio: 0.9" + with);

        Assert.True(run.Status == RunStatus.Succeeded, run.Error);
        Assert.Equal(3 - loaded, rejected.Count);
        if (reason is not null)
            Assert.Equal([(2L, "1,Ren\uFFFDe,r@x.com", reason), (3L, "2,Zo\uFFFD,z@x.com", reason.Replace("0xE9 at byte 6", "0xEB at byte 5", StringComparison.Ordinal))], rejected);
        else Assert.Equal(["Ann", "Renée", "Zoë"], (await h.RowsAsync("SELECT first_name FROM src ORDER BY 1")).Select(r => (string)r[0]!));
    }

    [Fact]
    public async Task Sources_DemoData_LoadWithoutRejections()
    {
        await using var h = await ComponentHarness.CreateAsync("duckdb", postgres);
        Tributary.Components.Samples.DemoStore.DemoStoreGenerator.Write(Path.Combine(h.Temp.Path, "demo"), new Tributary.Components.Samples.DemoStore.DemoStoreOptions(Customers: 150, Days: 120));

        var result = await h.RunAsync("""
            pipeline: p
            components:
              - { id: shopify_orders, type: source.shopify_orders, with: { path: demo/shopify/orders_export.csv } }
              - { id: segment_events, type: source.segment_events, with: { path: demo/segment } }
              - { id: google_ads, type: source.google_ads, with: { path: demo/google_ads } }
              - { id: meta_ads, type: source.meta_ads, with: { path: demo/meta_ads } }
              - { id: hubspot_contacts, type: source.hubspot_contacts, with: { path: demo/hubspot } }
              - { id: zendesk_tickets, type: source.zendesk_tickets, with: { path: demo/zendesk } }
              - { id: stripe_charges, type: source.stripe_charges, with: { path: demo/stripe } }
            """);

        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        foreach (var table in new[] { "shopify_orders", "segment_events", "google_ads", "meta_ads", "hubspot_contacts", "zendesk_tickets", "stripe_charges" })
        {
            Assert.NotEmpty(await h.RowsAsync($"SELECT * FROM {table} LIMIT 1"));
            Assert.Empty(await h.RowsAsync($"SELECT * FROM {table}__rejected"));
        }
    }
}
