using System.Text.RegularExpressions;
using Tributary.Testing;

namespace Tributary.Components.Tests.ScaleOut;

/// <summary>
/// docs/scale-out.md's distribution hints name every canonical table of docs/data-model.md, each either a reference table
/// or hashed on one of that table's own columns, so a new canonical table or a renamed column cannot leave the guide stale.
/// </summary>
public sealed partial class DistributionHintTests
{
    [Fact]
    public void Hints_CoverEveryCanonicalTable_OnOneOfItsColumns()
    {
        var canonical = Rows(Path.Combine(RepositoryFiles.Root, "docs", "data-model.md"), "| table | from | key | columns |")
            .ToDictionary(r => r[0].StartsWith("identity graph", StringComparison.Ordinal) ? "identity_graph" : FirstCode(r[0]),
                r => (r[2] + ", " + r[3]).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(c => c.Split(' ')[0]).ToHashSet(StringComparer.Ordinal),
                StringComparer.Ordinal);
        var hints = Rows(Path.Combine(RepositoryFiles.Root, "docs", "scale-out.md"), "| table | distribution | column | why |")
            .ToDictionary(r => FirstCode(r[0]), r => (Kind: r[1], Column: r[2].Trim('`')), StringComparer.Ordinal);

        Assert.True(canonical.Count >= 13, $"only {canonical.Count} canonical tables read");
        Assert.Equal(canonical.Keys.Order(StringComparer.Ordinal), hints.Keys.Order(StringComparer.Ordinal));
        foreach (var (table, hint) in hints)
        {
            Assert.Contains(hint.Kind, new[] { "hash", "reference" });
            if (hint.Kind == "hash") Assert.True(canonical[table].Contains(hint.Column), $"{table} is hashed on '{hint.Column}', which is not one of its columns");
            else Assert.Equal("—", hint.Column);
        }
    }

    private static string FirstCode(string cell) => CodeSpan().Match(cell) is { Success: true } m ? m.Groups[1].Value : cell;

    // The rows of the markdown table under the header line, cells trimmed.
    private static List<string[]> Rows(string path, string header)
    {
        var lines = File.ReadAllLines(path);
        var start = Array.FindIndex(lines, l => l.Trim() == header);
        Assert.True(start >= 0, $"{path} has no table '{header}'");
        return lines.Skip(start + 2).TakeWhile(l => l.StartsWith('|'))
            .Select(l => l.Trim().Trim('|').Split('|').Select(c => c.Trim()).ToArray()).ToList();
    }

    [GeneratedRegex("`([^`]+)`")]
    private static partial Regex CodeSpan();
}
