using System.Text;
using Tributary.Components.Sources;
using Tributary.Core.Warehousing;

namespace Tributary.Components.Tests.Sources;

public sealed class CsvRecordReaderTests
{
    private static List<CsvRecord> Records(string text, int? width = null, int max = 1 << 20, bool strayQuotesAreErrors = true)
    {
        using var lines = new SourceLineReader(new MemoryStream(Encoding.UTF8.GetBytes(text)), TextEncoding.Utf8, max);
        var all = new List<SourceLine>();
        while (lines.TryRead(out var line)) all.Add(line);
        return new CsvRecordReader(all, ',', max, strayQuotesAreErrors) { Width = width }.Read().ToList();
    }

    [Fact]
    public void Read_QuotedDelimitersDoubledQuotesAndLineBreaks_AreOneRecord()
    {
        var records = Records("id,note,price\n1,\"a, \"\"b\"\"\nsecond line\",2.5\n\n2,,\n");

        Assert.Equal([1L, 2L, 5L], records.Select(r => r.Line));
        Assert.Equal(["1", "a, \"b\"\nsecond line", "2.5"], records[1].Fields!);
        Assert.Equal("1,\"a, \"\"b\"\"\nsecond line\",2.5", records[1].Raw);
        Assert.Equal(["2", "", ""], records[2].Fields!);
    }

    [Fact]
    public void Read_QuoteThatNeverCloses_RejectsOnlyItsLineAndResumesOnTheNext()
    {
        var text = "name,total\n" + string.Concat(Enumerable.Range(2, 1999).Select(i => i == 50 ? $"\"#{i},1.00\n" : $"#{i},1.00\n"));

        var records = Records(text, width: 2);

        Assert.Equal(2000, records.Count); // the header and 1,999 records, one of them rejected
        var bad = Assert.Single(records, r => r.Fields is null);
        Assert.Equal((50L, "\"#50,1.00", "the quote opened in field 1 never closes (the file ends first)"), (bad.Line, bad.Raw, bad.Problem));
        Assert.Equal(Enumerable.Range(1, 2000).Where(i => i != 50).Select(i => (long)i), records.Where(r => r.Fields is not null).Select(r => r.Line));
    }

    [Fact]
    public void Read_TwoStrayQuotesThatPairUp_CostOneLineEach()
    {
        // The quotes on lines 3 and 6 close each other, but the record they span has the wrong width.
        var records = Records("a,b\n1,x\n2,\"y\n3,z\n4,w\n5,v\",extra\n6,u\n", width: 2);

        Assert.Equal([1L, 2L, 3L, 4L, 5L, 6L, 7L], records.Select(r => r.Line));
        Assert.Equal([3L, 6L], records.Where(r => r.Fields is null).Select(r => r.Line));
        Assert.StartsWith("the quote opened in field 2 runs over 4 lines into a record of 3 fields where the header has 2", records[2].Problem, StringComparison.Ordinal);
        Assert.Equal("a quote inside the unquoted field 2; quote the whole field and double the quote", records[5].Problem);
    }

    [Fact]
    public void Read_RecordPastTheLimit_IsRejectedAndReadingResumes()
    {
        var text = "a,b\n1,\"open\n" + string.Concat(Enumerable.Repeat(new string('x', 100) + "\n", 20)) + "2,ok\n";

        var records = Records(text, width: 2, max: 1024);

        var bad = records.Single(r => r.Fields is null);
        Assert.Equal((2L, "the quote opened in field 2 runs past 1024 bytes (max_record_bytes) without closing"), (bad.Line, bad.Problem));
        // The swallowed lines come back as records of their own (one field each), and the last line is intact.
        Assert.Equal(["2", "ok"], records[^1].Fields!);
        Assert.Equal(23, records.Count); // header, the rejected line, 20 replayed lines, the last one
    }

    [Fact]
    public void Read_UndecodableLineInsideAQuote_RejectsBothOnTheirOwnLines()
    {
        using var lines = new SourceLineReader(new MemoryStream([.. "a,b\n1,\"x\n"u8, 0xFF, .. "\"\n2,y\n"u8]), TextEncoding.Utf8, 1 << 20);
        var all = new List<SourceLine>();
        while (lines.TryRead(out var line)) all.Add(line);

        var records = new CsvRecordReader(all, ',', 1 << 20, true) { Width = 2 }.Read().ToList();

        Assert.Equal([(1L, true), (2L, false), (3L, false), (4L, true)], records.Select(r => (r.Line, r.Fields is not null)));
        Assert.StartsWith("the quote opened in field 2 is still open at line 3, which cannot be read: not valid UTF-8", records[1].Problem, StringComparison.Ordinal);
        Assert.StartsWith("not valid UTF-8: 0xFF", records[2].Problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true, "a quote inside the unquoted field 2; quote the whole field and double the quote")]
    [InlineData(false, null)]
    public void Read_QuoteInsideAnUnquotedField_IsAProblemOrText(bool strayQuotesAreErrors, string? problem)
    {
        var record = Records("1,5\" screen\n", strayQuotesAreErrors: strayQuotesAreErrors).Single();

        Assert.Equal(problem, record.Problem);
        if (problem is null) Assert.Equal(["1", "5\" screen"], record.Fields!);
    }

    [Fact]
    public void Read_TextAfterAClosingQuote_IsAProblem() =>
        Assert.Equal("text after the closing quote of field 1", Records("\"a\"b,c\n").Single().Problem);

    [Fact]
    public void Read_StrayQuotesKeptAsText_EveryCharOnce()
    {
        var record = Records("\"x\",e\"f\"g,\"\",h\"\",\"\"\"\",i\"\n", strayQuotesAreErrors: false).Single();

        Assert.Null(record.Problem);
        Assert.Equal(["x", "e\"f\"g", "", "h\"\"", "\"", "i\""], record.Fields!);
    }

    [Fact]
    public void Read_UndecodableLineOpeningAMultiLineRecord_IsOneRejectionAndItsContinuationIsNotReadAsARecord()
    {
        // Windows-1252 'ü' (0xFC) in a UTF-8 file, on the first line of a record whose quoted note runs over two lines.
        var bytes = Encoding.UTF8.GetBytes("name,note,total\n").Concat(Encoding.Latin1.GetBytes("M\u00fcller,\"Gift wrap, please.\n"))
            .Concat(Encoding.UTF8.GetBytes("Call before delivery, thanks!\",1.00\nBob,,2.00\n")).ToArray();
        using var reader = new SourceLineReader(new MemoryStream(bytes), TextEncoding.Utf8, 1 << 20);
        var lines = new List<SourceLine>();
        while (reader.TryRead(out var line)) lines.Add(line);

        var records = new CsvRecordReader(lines, ',', 1 << 20, strayQuotesAreErrors: true) { Width = 3 }.Read().ToList();

        Assert.Equal([1L, 2L, 4L], records.Select(r => r.Line));
        Assert.Equal("not valid UTF-8: 0xFC at byte 2 of the line; if the file is in another encoding, set encoding (latin1, windows1252 or utf16) (a record that runs over 2 lines)",
            records[1].Problem);
        Assert.Equal(["Bob", "", "2.00"], records[2].Fields!);
    }
}
