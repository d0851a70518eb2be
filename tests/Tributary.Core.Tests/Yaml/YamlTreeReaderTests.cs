using System.Text;
using Tributary.Core.Diagnostics;
using Tributary.Core.Yaml;

namespace Tributary.Core.Tests.Yaml;

public sealed class YamlTreeReaderTests
{
    private static (YamlNode? Root, List<Diagnostic> Diagnostics) Read(string text)
    {
        var diagnostics = new List<Diagnostic>();
        return (YamlTreeReader.Read(text, "p.yaml", diagnostics), diagnostics);
    }

    [Fact]
    public void Read_TwoHundredKilobytesOfOpenBrackets_StopsAtDepth64WithAPosition()
    {
        var (root, diagnostics) = Read(new string('[', 200_000));

        Assert.Null(root);
        Assert.Equal("p.yaml:1:65: error TRIB0003: nesting deeper than 64 levels of mappings and lists. A pipeline needs only a few levels; look for unclosed '[' or '{'.",
            Assert.Single(diagnostics).ToString());
    }

    [Fact]
    public void Read_TabAsIndentation_PointsAtTheTab()
    {
        var text = "pipeline: p\ndescription: d\ncomponents:\n  - id: a\n  \t type: transform.sql\n";

        var (root, diagnostics) = Read(text);

        Assert.Null(root);
        var d = Assert.Single(diagnostics);
        Assert.Contains("tab", d.Message, StringComparison.Ordinal);
        Assert.Equal((5, 3), (d.Location.Line, d.Location.Column));
    }

    // A tab inside a block scalar is text: the reported tab is the one in indentation after it, not the SQL's.
    [Fact]
    public void Read_TabAsIndentationAfterABlockScalarHoldingATab_PointsAtTheIndentingTab()
    {
        var text = "pipeline: p\ncomponents:\n  - id: a\n    type: transform.sql\n    with:\n      sql: |\n        SELECT 1\n        \tAS x\n  - id: b\n  \t type: transform.sql\n";

        var (root, diagnostics) = Read(text);

        Assert.Null(root);
        var d = Assert.Single(diagnostics);
        Assert.Equal((10, 3), (d.Location.Line, d.Location.Column));
    }

    [Fact]
    public void Read_SixtyFourLevels_IsAllowed()
    {
        var (root, diagnostics) = Read(new string('[', 64) + new string(']', 64));

        Assert.Empty(diagnostics);
        Assert.IsType<YamlSequence>(root);
    }

    [Fact]
    public void Read_NestedBlockMappings_CountAsLevelsToo()
    {
        var text = new StringBuilder();
        for (var i = 0; i < 70; i++) text.Append(new string(' ', i)).Append("k:\n");

        var (_, diagnostics) = Read(text.ToString());

        Assert.Equal("p.yaml:65:65: error TRIB0003: nesting deeper than 64 levels of mappings and lists. A pipeline needs only a few levels; look for unclosed '[' or '{'.",
            Assert.Single(diagnostics).ToString());
    }

    [Fact]
    public void Read_AliasesThatMultiplyValues_StopAtTheValueLimit()
    {
        // Each level repeats the one before ten times: six levels would be a million values to whoever walks them.
        var text = new StringBuilder("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for (var i = 1; i < 6; i++) text.Append($"a{i}: &a{i} [{string.Join(", ", Enumerable.Repeat($"*a{i - 1}", 10))}]\n");

        var (root, diagnostics) = Read(text.ToString());

        Assert.Null(root);
        var d = Assert.Single(diagnostics);
        Assert.Equal(DiagnosticCodes.TooLarge, d.Code);
        Assert.Equal("the file holds more than 20,000 values (aliases count each time they are used).", d.Message);
        Assert.Equal(5, d.Location.Line);
    }

    [Fact]
    public void Read_MoreThanOneMebibyte_IsRefusedBeforeParsing()
    {
        var (root, diagnostics) = Read("description: \"" + new string('x', YamlTreeReader.MaxChars) + "\"\n");

        Assert.Null(root);
        Assert.Equal("p.yaml:1:1: error TRIB0003: the file is longer than 1,048,576 characters (1 MiB), the most a pipeline file may hold. Split it into several pipelines.",
            Assert.Single(diagnostics).ToString());
    }

    [Fact]
    public void Read_Alias_TakesThePositionWhereItIsUsed()
    {
        var (root, diagnostics) = Read("a: &x [1]\nb: *x\n");

        Assert.Empty(diagnostics);
        var map = Assert.IsType<YamlMapping>(root);
        Assert.Equal(1, map["a"]!.Location.Line);
        Assert.Equal(new SourceLocation("p.yaml", 2, 4), map["b"]!.Location);
        Assert.Same(((YamlSequence)map["a"]!).Items, ((YamlSequence)map["b"]!).Items);
    }
}
