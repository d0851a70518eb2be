using System.Text.RegularExpressions;

namespace Tributary.Core.Warehousing;

/// <summary>Rows of a query, materialized; for previews and small results only.</summary>
public sealed partial record QueryResult(TableSchema Schema, IReadOnlyList<object?[]> Rows)
{
    /// <summary>For an INSERT, UPDATE, DELETE or MERGE without RETURNING (which returns no rows): how many rows it changed. Null for other statements.</summary>
    public long? RowsChanged { get; init; }

    /// <summary>
    /// Whether <paramref name="sql"/> changes rows and returns none: its first word is INSERT, UPDATE, DELETE or MERGE, and
    /// it has no RETURNING clause (words in comments, strings and quoted identifiers do not count).
    /// </summary>
    public static bool ChangesRowsOnly(string sql)
    {
        var code = string.Join(" ", SqlLexer.Split(sql).Where(p => p.Region == SqlRegion.Code).Select(p => sql[p.Start..p.End]));
        var words = Word().Matches(code).Select(m => m.Value.ToUpperInvariant()).ToList();
        return words is [("INSERT" or "UPDATE" or "DELETE" or "MERGE"), ..] && !words.Contains("RETURNING");
    }

    [GeneratedRegex("[A-Za-z_][A-Za-z0-9_]*")]
    private static partial Regex Word();
}
