namespace Tributary.Warehouse;

/// <summary>Quoting shared by both engines (standard SQL double-quoted names and single-quoted strings).</summary>
internal static class SqlTypes
{
    public static string Quote(string identifier) => "\"" + NoNul(identifier).Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>A standard SQL string: only a quote is special in it, and doubling it escapes it.</summary>
    public static string Literal(string text) => "'" + NoNul(text).Replace("'", "''", StringComparison.Ordinal) + "'";

    // Both engines take SQL as NUL-terminated text, so a NUL would cut the statement short.
    private static string NoNul(string text) =>
        text.Contains('\0', StringComparison.Ordinal) ? throw new ArgumentException("SQL text cannot hold a NUL character.", nameof(text)) : text;
}
