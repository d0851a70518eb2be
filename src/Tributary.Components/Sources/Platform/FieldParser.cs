using System.Globalization;
using Tributary.Core.Warehousing;

namespace Tributary.Components.Sources.Platform;

/// <summary>Parses export fields into typed values; a failure says what was expected.</summary>
internal static class FieldParser
{
    private static readonly string[] TimestampFormats =
    [
        "yyyy-MM-dd HH:mm:ss zzz", "yyyy-MM-dd HH:mm:ss zz", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", "yyyy-MM-dd HH:mm:ss.FFFFFFFK", "yyyy-MM-dd HH:mm:ssK",
        "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd HH:mm", "yyyy-MM-dd", "yyyy/MM/dd HH:mm:ss", "MM/dd/yyyy HH:mm:ss", "MM/dd/yyyy",
    ];

    /// <summary>The value, or null for an empty field; false with a reason when the text is not of the kind.</summary>
    public static bool TryParse(string? text, DataKind kind, out object? value, out string? reason)
    {
        value = null;
        reason = null;
        if (string.IsNullOrWhiteSpace(text)) return true;
        text = text.Trim();
        switch (kind)
        {
            case DataKind.Integer:
                if (long.TryParse(text.Replace(",", "", StringComparison.Ordinal), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var i)) { value = i; return true; }
                reason = "expected a whole number";
                return false;
            case DataKind.Number:
                // Exports write thousands separators ("1,234.56") and sometimes currency symbols or percent signs.
                var cleaned = text.Replace(",", "", StringComparison.Ordinal).TrimStart('$', '€', '£').TrimEnd('%');
                if (double.TryParse(cleaned, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d)) { value = d; return true; }
                reason = "expected a number";
                return false;
            case DataKind.Boolean:
                if (text.Equals("true", StringComparison.OrdinalIgnoreCase) || text.Equals("yes", StringComparison.OrdinalIgnoreCase)) { value = true; return true; }
                if (text.Equals("false", StringComparison.OrdinalIgnoreCase) || text.Equals("no", StringComparison.OrdinalIgnoreCase)) { value = false; return true; }
                reason = "expected true/false or yes/no";
                return false;
            case DataKind.Date:
                if (DateOnly.TryParseExact(text, ["yyyy-MM-dd", "yyyy/MM/dd", "MM/dd/yyyy"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)) { value = day; return true; }
                reason = "expected a date such as 2025-01-31";
                return false;
            case DataKind.Timestamp:
                if (DateTimeOffset.TryParseExact(text, TimestampFormats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AllowWhiteSpaces, out var ts))
                {
                    value = DateTime.SpecifyKind(ts.UtcDateTime, DateTimeKind.Unspecified);
                    return true;
                }
                reason = "expected a timestamp such as 2025-01-31 14:05:00 +0100";
                return false;
            default:
                value = text;
                return true;
        }
    }
}
