using System.Globalization;
using System.Text;
using Tributary.Engine.Runs;
using Tributary.Testing;

namespace Tributary.Components.Tests.Sources;

/// <summary>
/// <c>source.segment_events</c> parses lines on several threads (one per core) and appends each thread's rows through its own
/// connection: whatever order the threads take the batches in, the table, the rejected lines and the files ledger are those of
/// a line-by-line load.
/// </summary>
public sealed class SegmentParallelLoadTests(PostgresCluster postgres)
{
    private const int Lines = 5_000; // several of the loader's 1,024-line batches per file

    // Line n of a file: every 7th is invalid JSON, every 11th a track without 'event', every 13th blank; the rest good.
    private static string Line(string file, int n) => n switch
    {
        _ when n % 7 == 0 => $$"""{"type":"page","messageId":"{{file}}-{{n}}",""",
        _ when n % 11 == 0 => $$"""{"type":"track","messageId":"{{file}}-{{n}}","anonymousId":"a{{n}}","timestamp":"2025-01-02T10:00:00Z"}""",
        _ when n % 13 == 0 => "   ",
        _ => $$$"""{"type":"page","name":"p{{{n}}}","messageId":"{{{file}}}-{{{n}}}","anonymousId":"a{{{n}}}","timestamp":"2025-01-02T10:00:00Z","context":{"ip":"10.0.0.{{{n % 250}}}"}}""",
    };

    private static bool Good(int n) => n % 7 != 0 && n % 11 != 0 && n % 13 != 0;

    private static void Write(ComponentHarness h, string file)
    {
        var text = new StringBuilder();
        for (var n = 1; n <= Lines; n++) text.Append(Line(file, n)).Append('\n');
        h.Temp.File($"events/{file}.ndjson", text.ToString());
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task SegmentEvents_ManyBatchesOverSeveralFiles_LoadEveryGoodLineOnceAndRejectTheRestByFileAndLine(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        Write(h, "a");
        Write(h, "b");

        var run = await h.RunAsync("""
            pipeline: p
            components:
              - { id: src, type: source.segment_events, with: { path: events, max_rejected_ratio: 0.5 } }
            """);

        Assert.True(run.Status == RunStatus.Succeeded, run.Error);
        var expected = new[] { "a", "b" }.SelectMany(f => Enumerable.Range(1, Lines).Where(Good).Select(n => $"{f}-{n}|{f}|{n}|p{n}")).Order(StringComparer.Ordinal).ToList();
        var rows = await h.RowsAsync("SELECT message_id, _source_file, _source_line, name FROM src ORDER BY message_id");
        Assert.Equal(expected, rows.Select(r => $"{r[0]}|{Path.GetFileNameWithoutExtension((string)r[1]!)}|{Convert.ToInt64(r[2], CultureInfo.InvariantCulture)}|{r[3]}").Order(StringComparer.Ordinal));
        var rejected = await h.RowsAsync("SELECT source_file, line, raw, reason FROM src__rejected ORDER BY source_file, line");
        var expectedRejected = new[] { "a", "b" }.SelectMany(f => Enumerable.Range(1, Lines).Where(n => n % 7 == 0 || n % 11 == 0)
            .Select(n => (f, (long)n, Line(f, n), n % 7 == 0 ? "invalid JSON" : "a track event needs 'event'"))).ToList();
        Assert.Equal(expectedRejected.Count, rejected.Count);
        Assert.All(expectedRejected.Zip(rejected), pair =>
        {
            var ((file, line, raw, reason), row) = pair;
            Assert.Equal((file, line, raw), (Path.GetFileNameWithoutExtension((string)row[0]!), Convert.ToInt64(row[1], CultureInfo.InvariantCulture), (string)row[2]!));
            Assert.StartsWith(reason, (string)row[3]!, StringComparison.Ordinal);
        });
        var good = Enumerable.Range(1, Lines).Count(Good);
        var bad = Enumerable.Range(1, Lines).Count(n => n % 7 == 0 || n % 11 == 0);
        var files = await h.RowsAsync("SELECT file, rows, rejected FROM src__files ORDER BY file");
        Assert.Equal([$"a|{good}|{bad}", $"b|{good}|{bad}"],
            files.Select(r => $"{Path.GetFileNameWithoutExtension((string)r[0]!)}|{Convert.ToInt64(r[1], CultureInfo.InvariantCulture)}|{Convert.ToInt64(r[2], CultureInfo.InvariantCulture)}"));
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task SegmentEvents_TooManyRejectedOverManyBatches_NameTheFirstThreeByFileAndLineAndWriteNothing(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        Write(h, "a");
        Write(h, "b");

        var run = await h.RunAsync("""
            pipeline: p
            components:
              - { id: src, type: source.segment_events, with: { path: events, max_rejected_ratio: 0.01 } }
            """);

        Assert.Equal(RunStatus.Failed, run.Status);
        Assert.Contains("First: events/a.ndjson:7: invalid JSON", run.Error, StringComparison.Ordinal);
        Assert.Contains("; events/a.ndjson:11: a track event needs 'event'; events/a.ndjson:14: invalid JSON", run.Error, StringComparison.Ordinal);
        Assert.Null(await h.Warehouse.DescribeTableAsync("src", TestContext.Current.CancellationToken));
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task SegmentEvents_FilesHashedWhileRead_LogTheirContentHash_AndACopyUnderAnotherNameIsSkipped(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        Write(h, "a");
        h.Temp.File("events/b.ndjson", Line("b", 1) + "\n");
        const string yaml = """
            pipeline: p
            components:
              - { id: src, type: source.segment_events, with: { path: events, max_rejected_ratio: 0.5 } }
            """;

        var first = await h.RunAsync(yaml);
        File.Copy(Path.Combine(h.Temp.Path, "events", "a.ndjson"), Path.Combine(h.Temp.Path, "events", "a_copy.ndjson"));
        var second = await h.RunAsync(yaml);

        Assert.True(first.Status == RunStatus.Succeeded, first.Error);
        Assert.True(second.Status == RunStatus.Succeeded, second.Error);
        string Sha256(string file) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(Path.Combine(h.Temp.Path, "events", file))));
        var log = await h.RowsAsync("SELECT file, sha256 FROM src__files ORDER BY file");
        Assert.Equal([$"a|{Sha256("a.ndjson")}", $"b|{Sha256("b.ndjson")}"], log.Select(r => $"{Path.GetFileNameWithoutExtension((string)r[0]!)}|{r[1]}"));
        Assert.Equal(Enumerable.Range(1, Lines).Count(Good) + 1L, Convert.ToInt64((await h.RowsAsync("SELECT count(*) FROM src"))[0][0], CultureInfo.InvariantCulture));
    }
}
