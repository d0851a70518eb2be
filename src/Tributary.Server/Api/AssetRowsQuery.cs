using System.Globalization;
using Tributary.Core.Warehousing;

namespace Tributary.Server.Api;

/// <summary>
/// The SQL of an asset preview page: optionally the rows whose text columns contain a search text, ordered by one column
/// of the table (validated against its schema and quoted; the direction is asc or desc), so that a sorted or searched page
/// is one of the whole table's, not a reordering of the page shown; or only the rows whose key column holds one of a few
/// values (a dashboard's top customers looked up in the tables beside them).
/// </summary>
internal sealed record AssetRowsQuery(string Select, string Count, IReadOnlyList<object?> Parameters)
{
    /// <summary>The most key values one request may look up.</summary>
    public const int MaxKeys = 100;

    /// <summary>The longest search text: a search is what a person types, not a document.</summary>
    public const int MaxSearch = 200;

    /// <summary>
    /// The page's query and the count of the rows it pages through, or the client's mistake: an unknown column or a
    /// direction other than asc or desc.
    /// </summary>
    public static (AssetRowsQuery? Query, string? Error) Build(ISqlDialect dialect, string table, TableSchema schema,
        string? orderBy, string? direction, string? search, long offset, string? keyColumn = null, IReadOnlyList<string>? keys = null)
    {
        var descending = direction?.ToLowerInvariant() switch
        {
            null or "" or "asc" => false,
            "desc" => true,
            _ => (bool?)null,
        };
        if (descending is null) return (null, $"direction must be asc or desc, got '{direction}'");
        if (orderBy is not null && !schema.Columns.Any(c => string.Equals(c.Name, orderBy, StringComparison.Ordinal)))
            return (null, $"table '{table}' has no column '{orderBy}'; its columns are {string.Join(", ", schema.Columns.Select(c => c.Name))}");

        if (search is { Length: > MaxSearch }) return (null, $"search is {search.Length} characters; at most {MaxSearch}");
        if (keys is { Count: > 0 } && keyColumn is null) return (null, "key needs key_column, the column that holds the keys");
        if (keys is { Count: > MaxKeys }) return (null, $"at most {MaxKeys} keys, got {keys.Count}");
        if (keyColumn is not null && !schema.Columns.Any(c => string.Equals(c.Name, keyColumn, StringComparison.Ordinal)))
            return (null, $"table '{table}' has no column '{keyColumn}'; its columns are {string.Join(", ", schema.Columns.Select(c => c.Name))}");

        var builder = new SqlBuilder(dialect);
        List<string> conditions = [];
        if (keyColumn is not null)
            conditions.Add(keys is not { Count: > 0 } ? "FALSE"
                : $"CAST({dialect.Quote(keyColumn)} AS {dialect.TypeName(DataKind.Text)}) IN ({builder.BindList(keys, DataKind.Text)})");
        var text = schema.Columns.Where(c => c.Kind == DataKind.Text).ToList();
        if (!string.IsNullOrWhiteSpace(search))
        {
            // strpos over lower() in both engines: no LIKE pattern, so a % or _ in the search is searched for as typed.
            var needle = builder.Bind(search.Trim().ToLowerInvariant(), DataKind.Text);
            conditions.Add(text.Count == 0 ? "FALSE" : "(" + string.Join(" OR ", text.Select(c => $"strpos(lower({dialect.Quote(c.Name)}), {needle}) > 0")) + ")");
        }
        var where = conditions.Count == 0 ? "" : " WHERE " + string.Join(" AND ", conditions);
        var from = $"FROM {dialect.Quote(table)}{where}";
        // The first column breaks ties, so that pages of a column with equal values neither repeat nor skip rows.
        var order = orderBy is null ? "" : $" ORDER BY {dialect.Quote(orderBy)} {(descending.Value ? "DESC" : "ASC")} NULLS LAST"
            + (string.Equals(orderBy, schema.Columns[0].Name, StringComparison.Ordinal) ? "" : $", {dialect.Quote(schema.Columns[0].Name)}");
        return (new AssetRowsQuery($"SELECT * {from}{order} OFFSET {offset.ToString(CultureInfo.InvariantCulture)}", $"SELECT count(*) {from}", builder.Parameters), null);
    }
}
