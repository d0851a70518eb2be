using Tributary.Core.Warehousing;

namespace Tributary.Components.Fraud;

/// <summary>
/// How a fitted model is kept in a warehouse table for the online scorer: its bytes in base64, split over rows of
/// (part, features, <c>blob column</c>) in part order, every row naming the model's features in order (comma-separated).
/// Both engines hold long text, so the same table works on DuckDB and PostgreSQL.
/// </summary>
internal static class StoredModelParts
{
    private const int PartChars = 60_000;

    /// <summary>The table's columns, with <paramref name="blob"/> as the name of the column holding the bytes.</summary>
    public static (string Name, DataKind Kind)[] Columns(string blob) => [("part", DataKind.Integer), ("features", DataKind.Text), (blob, DataKind.Text)];

    /// <summary>The rows storing <paramref name="bytes"/>.</summary>
    public static IEnumerable<object?[]> Rows(byte[] bytes, IReadOnlyList<string> features)
    {
        var text = Convert.ToBase64String(bytes);
        var names = string.Join(",", features);
        for (var (part, at) = (0L, 0); at < text.Length; part++, at += PartChars)
            yield return [part, names, text.Substring(at, Math.Min(PartChars, text.Length - at))];
    }

    /// <summary>The bytes and feature names stored in <paramref name="table"/>; null when it holds no rows.</summary>
    public static async Task<(byte[] Bytes, string[] Features)?> ReadAsync(IWarehouse warehouse, string table, string blob, CancellationToken cancellationToken)
    {
        var d = warehouse.Dialect;
        var text = new System.Text.StringBuilder();
        string? names = null;
        await foreach (var r in warehouse.StreamAsync($"SELECT {d.Quote("features")}, {d.Quote(blob)} FROM {d.Quote(table)} ORDER BY {d.Quote("part")}", null, cancellationToken).ConfigureAwait(false))
        {
            names ??= (string)r[0]!;
            text.Append((string)r[1]!);
        }
        return names is null ? null : (Convert.FromBase64String(text.ToString()), names.Split(','));
    }
}
