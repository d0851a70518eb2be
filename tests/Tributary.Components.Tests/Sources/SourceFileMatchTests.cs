using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using Tributary.Components.Sources;
using Tributary.Core.Warehousing;
using Tributary.Engine.Runs;
using Tributary.Testing;

namespace Tributary.Components.Tests.Sources;

/// <summary>
/// Segment delivers its S3 files gzip-compressed, named only .gz, in segment-logs/&lt;source&gt;/&lt;day&gt;/ folders: a
/// folder of them matched nothing, a .gz read as text was invalid UTF-8 at its second byte, and no glob searched folders.
/// </summary>
public sealed class SourceFileMatchTests(PostgresCluster postgres)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Event(int i) =>
        $$"""{"type":"track","event":"Viewed","messageId":"m{{i}}","userId":"u{{i}}","timestamp":"2024-03-01T15:10:00Z"}""";

    private static void Gzip(string path, string text)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var file = File.Create(path);
        using var gzip = new GZipStream(file, CompressionLevel.Optimal);
        gzip.Write(Encoding.UTF8.GetBytes(text));
    }

    private static string Tree(TempDirectory temp)
    {
        var root = Path.Combine(temp.Path, "s3");
        Gzip(Path.Combine(root, "segment-logs", "src1", "1709251200000", "1709300000000.a1b2c3.gz"), Event(1) + "\n");
        Gzip(Path.Combine(root, "segment-logs", "src1", "1709337600000", "events.ndjson.gz"), Event(2) + "\n");
        File.WriteAllText(Path.Combine(root, "segment-logs", "src1", "1709337600000", "manifest.txt"), "x");
        File.WriteAllText(Path.Combine(root, "segment-logs", "src1", "1709337600000", "more.ndjson"), Event(3) + "\n");
        File.WriteAllText(Path.Combine(root, "top.json"), Event(4) + "\n");
        File.WriteAllText(Path.Combine(root, "notes.txt"), "x");
        return root;
    }

    private static List<string> Names(string root, string pattern) =>
        SourceFileMatch.Find(Path.Combine(root, pattern), SourceFileMatch.Extensions(".ndjson")).Select(f => Path.GetRelativePath(root, f).Replace('\\', '/')).ToList();

    [Fact]
    public void Find_FoldersGlobsAndDirectoryPatterns_MatchSegmentsLayout()
    {
        using var temp = new TempDirectory();
        var root = Tree(temp);

        Assert.Equal(["top.json"], Names(root, ""));
        Assert.Equal(["segment-logs/src1/1709251200000/1709300000000.a1b2c3.gz", "segment-logs/src1/1709337600000/events.ndjson.gz"], Names(root, "**/*.gz"));
        Assert.Equal(["segment-logs/src1/1709337600000/more.ndjson"], Names(root, "*/*/*/*.ndjson"));
        Assert.Equal(["segment-logs/src1/1709251200000/1709300000000.a1b2c3.gz", "segment-logs/src1/1709337600000/events.ndjson.gz",
            "segment-logs/src1/1709337600000/more.ndjson", "top.json"], Names(root, "**"));
        Assert.Equal(["segment-logs/src1/1709251200000/1709300000000.a1b2c3.gz", "segment-logs/src1/1709337600000/events.ndjson.gz",
            "segment-logs/src1/1709337600000/more.ndjson"], Names(root, "segment-logs/*/*/"));
        Assert.Empty(Names(root, "segment-logs/*"));
        Assert.Equal([".csv", ".csv.gz"], SourceFileMatch.Extensions(".csv"));
    }

    [Fact]
    public void NoMatch_FolderAndGlob_SayWhatIsReadAndWhatIsThere()
    {
        using var temp = new TempDirectory();
        var root = Tree(temp);
        var logs = Path.Combine(root, "segment-logs", "src1");

        Assert.Equal($"no file matches 'data/src1' (looked for {logs}): a folder is read for *.ndjson, *.jsonl, *.json, *.gz files directly inside it, "
            + "and it holds 0 other file(s) and 2 folder(s). To read the files of its folders too, set path to 'data/src1/**'.",
            SourceFileMatch.NoMatch("data/src1", logs, SourceFileMatch.Extensions(".ndjson")));
        Assert.Equal($"no file matches 'data/*.csv' (looked for {root}/*.csv): * and ? match within one name, ** any number of folders; a pattern ending in ** or / "
            + $"reads the *.csv, *.csv.gz files of the folders it names. {root} holds 6 file(s) (notes.txt, segment-logs/src1/1709251200000/1709300000000.a1b2c3.gz, "
            + "segment-logs/src1/1709337600000/events.ndjson.gz, segment-logs/src1/1709337600000/manifest.txt, segment-logs/src1/1709337600000/more.ndjson, …), none matching.",
            SourceFileMatch.NoMatch("data/*.csv", Path.Combine(root, "*.csv"), SourceFileMatch.Extensions(".csv")));
    }

    [Fact]
    public void NoMatch_GlobOrFileNamedSlightlyOff_ListsTheClosestNamesTheFolderHolds()
    {
        using var temp = new TempDirectory();
        var root = Path.Combine(temp.Path, "exports");
        foreach (var name in new[] { "orders-2024-01.csv", "orders-2024-02.csv", "orders-2024-03.csv", "customers.csv", "Orders summary.xlsx" })
            temp.File(Path.Combine("exports", name), "x");

        Assert.Equal($"no file matches 'exports/orders_*.csv' (looked for {root}/orders_*.csv): * and ? match within one name, ** any number of folders; a pattern ending in ** or / "
            + $"reads the *.csv, *.csv.gz files of the folders it names. {root} holds 5 file(s), none matching; the closest: orders-*-*.csv (3 files).",
            SourceFileMatch.NoMatch("exports/orders_*.csv", Path.Combine(root, "orders_*.csv"), SourceFileMatch.Extensions(".csv")));
        Assert.Equal($"no file matches 'exports/customer.csv' (looked for {root}/customer.csv). Its folder holds customers.csv.",
            SourceFileMatch.NoMatch("exports/customer.csv", Path.Combine(root, "customer.csv"), SourceFileMatch.Extensions(".csv")));
        Assert.Equal($"no file matches 'exports/refunds.csv' (looked for {root}/refunds.csv).",
            SourceFileMatch.NoMatch("exports/refunds.csv", Path.Combine(root, "refunds.csv"), SourceFileMatch.Extensions(".csv")));
    }

    [Fact]
    public void Open_GzipFile_ReadsItsLinesNumberedAndHashesTheStoredBytes()
    {
        using var temp = new TempDirectory();
        var path = Path.Combine(temp.Path, "e.ndjson.gz");
        Gzip(path, "first\n\u00e9\r\nthird");
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var lines = new List<SourceLine>();

        using (var reader = SourceLineReader.Open(path, TextEncoding.Utf8, 1 << 20, hash))
            while (reader.TryRead(out var line)) lines.Add(line);

        Assert.Equal([(1L, "first"), (2L, "\u00e9"), (3L, "third")], lines.Select(l => (l.Number, l.Text)));
        Assert.All(lines, l => Assert.Null(l.Problem));
        Assert.Equal(SHA256.HashData(File.ReadAllBytes(path)), hash.GetHashAndReset());
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task SegmentEvents_GzipFilesInSegmentsS3Folders_LoadOnceWithTheirLineNumbers(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        Gzip(Path.Combine(h.Temp.Path, "s3", "segment-logs", "src1", "1709251200000", "1709300000000.a1b2c3.gz"), Event(1) + "\n{oops\n" + Event(2) + "\n");
        Gzip(Path.Combine(h.Temp.Path, "s3", "segment-logs", "src1", "1709337600000", "1709400000000.d4e5f6.gz"), Event(3) + "\n");
        var pipeline = """
            pipeline: p
            components:
              - { id: src, type: source.segment_events, with: { path: "s3/**/*.gz", max_rejected_ratio: 0.5 } }
            """;

        var first = await h.RunAsync(pipeline);
        var again = await h.RunAsync(pipeline);

        Assert.True(first.Status == RunStatus.Succeeded, first.Error);
        Assert.True(again.Status == RunStatus.Succeeded, again.Error);
        Assert.Equal(["m1 1", "m2 3", "m3 1"], (await h.RowsAsync("SELECT message_id, _source_line FROM src ORDER BY message_id")).Select(r => $"{r[0]} {r[1]}"));
        var rejected = Assert.Single(await h.RowsAsync("SELECT source_file, line, raw FROM src__rejected"));
        Assert.Equal(("s3/segment-logs/src1/1709251200000/1709300000000.a1b2c3.gz", 2L, "{oops"), ((string)rejected[0]!, Convert.ToInt64(rejected[1], System.Globalization.CultureInfo.InvariantCulture), (string)rejected[2]!));
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task CsvSource_FolderWithAGzipFile_ReadsItBesideThePlainOne(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        Gzip(Path.Combine(h.Temp.Path, "data", "orders_2.csv.gz"), "id,amount\n2,5.5\n3,1.0\n");
        h.Temp.File("data/orders_1.csv", "id,amount\n1,2.0\n");

        var result = await h.RunAsync("""
            pipeline: p
            components:
              - { id: orders, type: source.csv, with: { path: data } }
            """);

        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        Assert.Equal(["1", "2", "3"], (await h.RowsAsync("SELECT id FROM orders ORDER BY id")).Select(r => Convert.ToString(r[0], System.Globalization.CultureInfo.InvariantCulture)));
    }
}
