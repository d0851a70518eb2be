using System.Globalization;
using Tributary.Core.Warehousing;

namespace Tributary.Server.Api;

/// <summary>
/// A value as the UI's CSV downloads write it: dates as ISO 8601 (yyyy-MM-dd), timestamps as ISO 8601 with their zone
/// (the warehouse's timestamps are UTC, so Z), numbers in the invariant culture, text that a spreadsheet would run as a
/// formula with a leading apostrophe, quoted when it holds a comma, quote or newline.
/// </summary>
internal static class CsvCell
{
    /// <summary>The cell for <paramref name="value"/> of a column of <paramref name="kind"/>; empty for NULL.</summary>
    public static string Of(object? value, DataKind kind) => Quoted(value switch
    {
        null or DBNull => "",
        DateOnly d => Day(d),
        DateTime t when kind == DataKind.Date => Day(DateOnly.FromDateTime(t)),
        // A timestamp without a zone is UTC, as the warehouse stores it; a local one is converted.
        DateTime t => (t.Kind == DateTimeKind.Local ? t.ToUniversalTime() : t).ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture),
        DateTimeOffset o => o.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz", CultureInfo.InvariantCulture),
        string text => SpreadsheetSafe(text),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    });

    /// <summary>
    /// Text a spreadsheet would run as a formula (OWASP's CSV injection list: =, +, -, @, tab, carriage return first),
    /// with a leading apostrophe so that it shows as text: these files are opened in Excel by the people they are for.
    /// </summary>
    public static string SpreadsheetSafe(string text) => text.Length > 0 && text[0] is '=' or '+' or '-' or '@' or '\t' or '\r' ? "'" + text : text;

    /// <summary>A header or text cell, quoted when it must be.</summary>
    public static string Quoted(string value) =>
        value.AsSpan().IndexOfAny(",\"\n\r") >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;

    private static string Day(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
