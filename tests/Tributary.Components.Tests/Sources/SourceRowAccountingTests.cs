using System.Globalization;
using System.Text;
using Tributary.Core.Warehousing;
using Tributary.Engine.Execution;
using Tributary.Engine.Runs;
using Tributary.Testing;

namespace Tributary.Components.Tests.Sources;

/// <summary>
/// Every file source, fed an export of <see cref="Records"/> records with malformed ones among them (a quote that never
/// closes, bytes that are not UTF-8, a record past the size limit, a truncated row, a number in the wrong culture): rows in =
/// rows loaded + rows rejected, and the rejections are exactly the malformed records, each at its own line. Sources that
/// load through the warehouse's readers fail instead, naming every bad line, and write nothing.
/// </summary>
public sealed class SourceRowAccountingTests(PostgresCluster postgres)
{
    private const int Records = 200;

    /// <summary>How one CSV platform export looks: lines before the header, the header, a valid row, and which fields to break.</summary>
    public sealed record CsvExport(string Type, string Preamble, string Header, Func<int, string[]> Row, int TextField, int NumberField)
    {
        public override string ToString() => Type;
    }

    private enum Fault { None, UnclosedQuote, NotUtf8, TooLong, Truncated, WrongCultureNumber }

    // Data row i (1-based) gets this fault; the rest are valid.
    private static readonly Dictionary<int, Fault> Faults = new()
    {
        [49] = Fault.UnclosedQuote, [79] = Fault.NotUtf8, [119] = Fault.TooLong, [149] = Fault.Truncated, [169] = Fault.WrongCultureNumber,
    };

    public static TheoryData<CsvExport> CsvExports => new(
        new CsvExport("source.shopify_orders", "", "Name,Email,Financial Status,Total,Created at,Lineitem quantity,Lineitem name,Lineitem price,Lineitem sku",
            i => [$"#{1000 + i}", $"c{i}@x.com", "paid", "20.00", "2025-01-02 10:00:00 +0100", "1", "Mug", "20.00", "SKU-1"], 6, 7),
        new CsvExport("source.shopify_products", "", "Handle,Title,Vendor,Type,Tags,Published,Variant SKU,Variant Price,Status",
            i => [$"h{i}", "Mug", "Acme", "kitchen", "", "true", $"SKU-{i}", "12.50", "active"], 1, 7),
        new CsvExport("source.stripe_charges", "", "id,Created date (UTC),Amount,Amount Refunded,Currency,Captured,Status,Customer ID,Customer Email",
            i => [$"ch_{i}", "2025-01-01 10:00:00", "12.50", "0", "usd", "true", "Paid", "cus_1", "a@x.com"], 6, 2),
        new CsvExport("source.hubspot_contacts", "", "Record ID,First Name,Last Name,Email,Phone Number,Lifecycle Stage,Create Date,Last Activity Date,Country/Region,Original Source",
            i => [$"{i}", "A", "B", $"c{i}@x.com", "", "lead", "2025-01-01 10:00:00 +0000", "", "US", "ORGANIC"], 1, 0),
        new CsvExport("source.zendesk_tickets", "", "Id,Requester,Requester email,Subject,Status,Priority,Created at,Updated at,Solved at,Tags,Via,Satisfaction",
            i => [$"{i}", "A", "a@x.com", "Hi", "open", "normal", "2025-01-01 10:00:00", "", "", "", "web", ""], 3, 0),
        new CsvExport("source.google_ads", "Campaign report\n\"January 1, 2025 - January 31, 2025\"\n", "Day,Campaign,Campaign ID,Impr.,Clicks,Cost,Conversions,Currency code",
            i => ["2025-01-01", $"c{i}", "1", "1000", "50", "1.00", "2.00", "USD"], 1, 5),
        new CsvExport("source.meta_ads", "", "Reporting starts,Reporting ends,Campaign name,Campaign ID,Amount spent (EUR),Impressions,Link clicks,Results,Result indicator",
            i => ["2025-01-01", "2025-01-01", $"c{i}", "1", "10.5", "100", "5", "1", "x"], 2, 4));

    private static byte[] CsvFile(CsvExport export, IReadOnlyDictionary<int, Fault> faults, int tooLong)
    {
        var file = new MemoryStream();
        file.Write(Encoding.UTF8.GetBytes(export.Preamble + export.Header + "\n"));
        for (var i = 1; i <= Records; i++)
        {
            var fields = export.Row(i);
            var fault = faults.GetValueOrDefault(i);
            switch (fault)
            {
                case Fault.UnclosedQuote: fields[export.TextField] = "\"" + fields[export.TextField]; break;
                case Fault.NotUtf8: fields[export.TextField] += "caf\u00e9"; break;
                case Fault.TooLong: fields[export.TextField] = new string('x', tooLong); break;
                case Fault.Truncated: fields = fields[..^2]; break;
                case Fault.WrongCultureNumber: fields[export.NumberField] = "12,50"; break;
            }
            var line = string.Join(",", fields.Select(f => fault == Fault.WrongCultureNumber && f == "12,50" ? "\"12,50\"" : f)) + "\n";
            file.Write((fault == Fault.NotUtf8 ? Encoding.Latin1 : Encoding.UTF8).GetBytes(line));
        }
        return file.ToArray();
    }

    private static async Task<(long Loaded, long Rejected, List<long> RejectedLines, long LoggedRows, long LoggedRejected)> CountsAsync(ComponentHarness h) =>
    (
        Convert.ToInt64((await h.RowsAsync("SELECT count(*) FROM src"))[0][0], CultureInfo.InvariantCulture),
        Convert.ToInt64((await h.RowsAsync("SELECT count(*) FROM src__rejected"))[0][0], CultureInfo.InvariantCulture),
        (await h.RowsAsync("SELECT line FROM src__rejected ORDER BY line")).Select(r => Convert.ToInt64(r[0], CultureInfo.InvariantCulture)).ToList(),
        Convert.ToInt64((await h.RowsAsync("SELECT sum(\"rows\") FROM src__files"))[0][0], CultureInfo.InvariantCulture),
        Convert.ToInt64((await h.RowsAsync("SELECT sum(rejected) FROM src__files"))[0][0], CultureInfo.InvariantCulture)
    );

    private static Task<RunResult> RunAsync(ComponentHarness h, string type, string path, string with = "") => h.RunAsync($$"""
        pipeline: p
        components:
          - { id: src, type: {{type}}, with: { path: {{path}}{{with}} } }
        """);

    [Theory]
    [MemberData(nameof(CsvExports))]
    public async Task PlatformCsvSource_MalformedRecords_RowsInEqualLoadedPlusRejected(CsvExport export)
    {
        await using var h = await ComponentHarness.CreateAsync("duckdb", postgres);
        File.WriteAllBytes(h.Temp.File("export.csv", ""), CsvFile(export, Faults, tooLong: (1 << 20) + 1));

        var run = await RunAsync(h, export.Type, "export.csv");

        Assert.True(run.Status == RunStatus.Succeeded, run.Error);
        var firstDataLine = export.Preamble.Count(c => c == '\n') + 2;
        var counts = await CountsAsync(h);
        Assert.Equal((Records - Faults.Count, (long)Faults.Count), (counts.Loaded, counts.Rejected));
        Assert.Equal(Faults.Keys.Order().Select(i => (long)(firstDataLine + i - 1)), counts.RejectedLines);
        Assert.Equal((counts.Loaded, counts.Rejected), (counts.LoggedRows, counts.LoggedRejected));
        var number = await h.RowsAsync($"SELECT reason FROM src__rejected WHERE line = {firstDataLine + 168}");
        Assert.EndsWith("expected a number: ',' groups thousands (by three digits) in the invariant culture; if ',' is this file's decimal separator, set culture (e.g. de-DE), got '12,50'",
            (string)number[0][0]!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SegmentEvents_MalformedLines_RowsInEqualLoadedPlusRejected()
    {
        await using var h = await ComponentHarness.CreateAsync("duckdb", postgres);
        var file = new MemoryStream();
        for (var i = 1; i <= Records; i++)
        {
            var name = i == 119 ? new string('x', (1 << 20) + 1) : i == 79 ? "Caf\u00e9" : "Order Completed";
            var revenue = i == 169 ? "\"12,50\"" : "20.5";
            var line = $$$"""{"type":"track","event":"{{{name}}}","messageId":"m{{{i}}}","userId":"u{{{i}}}","timestamp":"2025-01-02T10:00:00Z","properties":{"revenue":{{{revenue}}}}}""";
            if (i == 49) line = line[..^1];
            if (i == 149) line = line.Replace($"\"messageId\":\"m{i}\",", "", StringComparison.Ordinal);
            file.Write((i == 79 ? Encoding.Latin1 : Encoding.UTF8).GetBytes(line + "\n"));
        }
        File.WriteAllBytes(h.Temp.File("events.ndjson", ""), file.ToArray());

        var run = await RunAsync(h, "source.segment_events", "events.ndjson");

        Assert.True(run.Status == RunStatus.Succeeded, run.Error);
        var counts = await CountsAsync(h);
        Assert.Equal((Records - 5L, 5L), (counts.Loaded, counts.Rejected));
        Assert.Equal([49L, 79L, 119L, 149L, 169L], counts.RejectedLines);
        Assert.Equal((counts.Loaded, counts.Rejected), (counts.LoggedRows, counts.LoggedRejected));
    }

    [Fact]
    public async Task CsvSource_MalformedRecords_FailTheLoadNamingEachLineAndWriteNothing()
    {
        await using var h = await ComponentHarness.CreateAsync("duckdb", postgres);
        var export = new CsvExport("source.csv", "", "id,name,price", i => [$"{i}", $"name {i}", "1.50"], 1, 2);
        File.WriteAllBytes(h.Temp.File("data.csv", ""), CsvFile(export, Faults.Where(f => f.Value != Fault.WrongCultureNumber).ToDictionary(), tooLong: 2_100_000));

        var run = await RunAsync(h, "source.csv", "data.csv");

        Assert.Equal(RunStatus.Failed, run.Status);
        Assert.StartsWith("src (source.csv) failed: 4 malformed record(s); nothing was loaded. data.csv:50: the quote opened in field 2 is still open at line 80", run.Error, StringComparison.Ordinal);
        foreach (var line in new[] { "data.csv:80: not valid UTF-8", "data.csv:120: the line is 2100009 bytes long, more than the limit of 2000000", "data.csv:150: has 1 fields where the first row has 3" })
            Assert.Contains(line, run.Error, StringComparison.Ordinal);
        Assert.Null(await h.Warehouse.DescribeTableAsync("src", TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task NdJsonSource_MalformedLines_FailTheLoadNamingEachLineAndWriteNothing()
    {
        await using var h = await ComponentHarness.CreateAsync("duckdb", postgres);
        var file = new MemoryStream();
        for (var i = 1; i <= Records; i++)
        {
            var line = i switch
            {
                50 => $$"""{"id":{{i}},"name":"n" """,
                80 => $$"""{"id":{{i}},"name":"caf{{'\u00e9'}}"}""",
                120 => $$"""{"id":{{i}},"name":"{{new string('x', 17 << 20)}}"}""",
                150 => $"[{i}]",
                _ => $$"""{"id":{{i}},"name":"n"}""",
            };
            file.Write((i == 80 ? Encoding.Latin1 : Encoding.UTF8).GetBytes(line + "\n"));
        }
        File.WriteAllBytes(h.Temp.File("events.ndjson", ""), file.ToArray());

        var run = await RunAsync(h, "source.ndjson", "events.ndjson");

        Assert.Equal(RunStatus.Failed, run.Status);
        Assert.StartsWith("src (source.ndjson) failed: 4 malformed record(s); nothing was loaded. events.ndjson:50: invalid JSON", run.Error, StringComparison.Ordinal);
        foreach (var line in new[] { "events.ndjson:80: not valid UTF-8", "events.ndjson:120: the line is 17825812 bytes long, more than the limit of 16777216", "events.ndjson:150: expected a JSON object, got array" })
            Assert.Contains(line, run.Error, StringComparison.Ordinal);
        Assert.Null(await h.Warehouse.DescribeTableAsync("src", TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task ParquetSource_TruncatedFile_FailsTheLoadNamingTheFileAndWritesNothing()
    {
        await using var h = await ComponentHarness.CreateAsync("duckdb", postgres);
        var path = Path.Combine(h.Temp.Path, "data.parquet");
        await h.Warehouse.ExportAsync($"SELECT range AS id FROM range({Records})", null, path, FileFormat.Parquet, TestContext.Current.CancellationToken);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);

        var run = await RunAsync(h, "source.parquet", "data.parquet");

        Assert.Equal(RunStatus.Failed, run.Status);
        Assert.Contains("data.parquet", run.Error, StringComparison.Ordinal);
        Assert.Null(await h.Warehouse.DescribeTableAsync("src", TestContext.Current.CancellationToken));
    }

    [Theory]
    [InlineData("source.csv", "data.csv")]
    [InlineData("source.ndjson", "data.ndjson")]
    [InlineData("source.parquet", "data.parquet")]
    public async Task WarehouseReadSources_WellFormedFile_LoadEveryRecord(string type, string name)
    {
        await using var h = await ComponentHarness.CreateAsync("duckdb", postgres);
        var path = Path.Combine(h.Temp.Path, name);
        if (name.EndsWith(".parquet", StringComparison.Ordinal))
            await h.Warehouse.ExportAsync($"SELECT range AS id FROM range({Records})", null, path, FileFormat.Parquet, TestContext.Current.CancellationToken);
        else if (name.EndsWith(".csv", StringComparison.Ordinal))
            File.WriteAllText(path, "id,note\n" + string.Concat(Enumerable.Range(1, Records).Select(i => i % 7 == 0 ? $"{i},\"multi\nline, \"\"quoted\"\"\"\n" : $"{i},plain\n")) + "\n");
        else
            File.WriteAllText(path, string.Concat(Enumerable.Range(1, Records).Select(i => $$"""{"id":{{i}}}""" + "\n\n")));

        var run = await RunAsync(h, type, name);

        Assert.True(run.Status == RunStatus.Succeeded, run.Error);
        Assert.Equal((long)Records, Convert.ToInt64((await h.RowsAsync("SELECT count(*) FROM src"))[0][0], CultureInfo.InvariantCulture));
    }
}
