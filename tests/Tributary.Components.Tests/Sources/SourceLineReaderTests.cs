using System.Text;
using Tributary.Components.Sources;
using Tributary.Core.Warehousing;

namespace Tributary.Components.Tests.Sources;

public sealed class SourceLineReaderTests
{
    private static List<SourceLine> Lines(byte[] bytes, TextEncoding encoding = TextEncoding.Utf8, int max = 1 << 20)
    {
        using var reader = new SourceLineReader(new MemoryStream(bytes), encoding, max);
        var lines = new List<SourceLine>();
        while (reader.TryRead(out var line)) lines.Add(line);
        return lines;
    }

    [Fact]
    public void Read_Empty_GivesNoLine() => Assert.Empty(Lines([]));

    [Fact]
    public void Read_CrLfBomAndNoFinalBreak_GiveEachLineWithoutItsBreak()
    {
        var lines = Lines([0xEF, 0xBB, 0xBF, .. "id,name\r\n1,a\r\n\r\n2,b"u8]);

        Assert.Equal([(1L, "id,name"), (2L, "1,a"), (3L, ""), (4L, "2,b")], lines.Select(l => (l.Number, l.Text)));
        Assert.All(lines, l => Assert.Null(l.Problem));
    }

    [Fact]
    public void Read_Latin1BytesAsUtf8_MarkThatLineOnlyAndNeverReplaceSilently()
    {
        var bytes = Encoding.Latin1.GetBytes("id,name\n1,caf\u00e9\n2,tea\n");

        var lines = Lines(bytes);

        Assert.Equal([null, "not valid UTF-8: 0xE9 at byte 6 of the line; if the file is in another encoding, set encoding (latin1, windows1252 or utf16)", null],
            lines.Select(l => l.Problem));
        Assert.Equal("2,tea", lines[2].Text);
        Assert.Equal(["id,name", "1,caf\u00e9", "2,tea"], Lines(bytes, TextEncoding.Latin1).Select(l => l.Text));
        Assert.Equal("1,caf\u00e9 \u20ac", Lines(Encoding.Latin1.GetBytes("1,caf\u00e9 \u0080"), TextEncoding.Windows1252)[0].Text);
    }

    [Fact]
    public void Read_Utf16WithBom_SplitsOnItsOwnNewlines()
    {
        var bytes = Encoding.Unicode.GetPreamble().Concat(Encoding.Unicode.GetBytes("Day\tCost\r\n2025-01-01\t\u20ac1\n")).ToArray();
        var bigEndian = Encoding.BigEndianUnicode.GetPreamble().Concat(Encoding.BigEndianUnicode.GetBytes("a\nb")).ToArray();

        Assert.Equal(["Day\tCost", "2025-01-01\t\u20ac1"], Lines(bytes).Select(l => l.Text));
        Assert.Equal(["a", "b"], Lines(bigEndian).Select(l => l.Text));
    }

    [Fact]
    public void Read_LineLongerThanTheLimit_IsCutAndReportedAndTheNextLineIsIntact()
    {
        var lines = Lines(Encoding.UTF8.GetBytes("short\n" + new string('x', 5000) + "\nnext\n"), max: 1024);

        Assert.Equal(3, lines.Count);
        Assert.Equal("the line is 5000 bytes long, more than the limit of 1024 (max_record_bytes)", lines[1].Problem);
        Assert.Equal(1001, lines[1].Text.Length); // what a rejection keeps of it, with an ellipsis
        Assert.Equal((3L, "next", (string?)null), (lines[2].Number, lines[2].Text, lines[2].Problem));
    }

    public static TheoryData<byte[], TextEncoding, int> Files => new()
    {
        { [0xEF, 0xBB, 0xBF, .. "id,name\r\n1,a\r\n\r\n2,b"u8], TextEncoding.Utf8, 1 << 20 },
        { Encoding.Latin1.GetBytes("id,name\n1,caf\u00e9\n2,tea\r\n"), TextEncoding.Utf8, 1 << 20 },
        { Encoding.Latin1.GetBytes("id,name\n1,caf\u00e9\n2,tea\r\n"), TextEncoding.Latin1, 1 << 20 },
        { Encoding.Unicode.GetPreamble().Concat(Encoding.Unicode.GetBytes("Day\tCost\r\n2025-01-01\t\u20ac1\n")).ToArray(), TextEncoding.Utf8, 1 << 20 },
        { Encoding.UTF8.GetBytes("short\n" + new string('\u00e9', 600) + "\nnext\u4e2d\n\r\n"), TextEncoding.Utf8, 1024 },
    };

    [Theory]
    [MemberData(nameof(Files))]
    public void ReadUtf8_GivesEachLineAsReadDoes_ItsTextAsBytesAndAProblemWithItsText(byte[] bytes, TextEncoding encoding, int max)
    {
        using var reader = new SourceLineReader(new MemoryStream(bytes), encoding, max);
        var lines = new List<SourceLine>();
        while (reader.TryReadUtf8(out var line, out var utf8))
        {
            Assert.True(line.Problem is null || utf8.IsEmpty);
            lines.Add(line.Problem is null ? line with { Text = Encoding.UTF8.GetString(utf8) } : line);
        }

        Assert.Equal(Lines(bytes, encoding, max), lines);
    }
}
