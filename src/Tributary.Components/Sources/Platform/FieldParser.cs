using System.Globalization;
using Tributary.Core.Warehousing;

namespace Tributary.Components.Sources.Platform;

/// <summary>Parses export fields into typed values; a failure says what was expected.</summary>
internal static class FieldParser
{
    internal static readonly string[] TimestampFormats =
    [
        "yyyy-MM-dd HH:mm:ss zzz", "yyyy-MM-dd HH:mm:ss zz", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", "yyyy-MM-dd HH:mm:ss.FFFFFFFK", "yyyy-MM-dd HH:mm:ssK",
        "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd HH:mm", "yyyy-MM-dd", "yyyy/MM/dd HH:mm:ss", "MM/dd/yyyy HH:mm:ss", "MM/dd/yyyy",
    ];

    // With a date_format, US slash forms are no longer guessed: 05/10/2024 is the format's to read.
    private static readonly string[] IsoTimestampFormats = [.. TimestampFormats.Where(f => f.StartsWith("yyyy-", StringComparison.Ordinal))];

    /// <summary>The value, or null for an empty field; false with a reason when the text is not of the kind.</summary>
    /// <param name="text">The field.</param>
    /// <param name="kind">What it should hold.</param>
    /// <param name="culture">How numbers are written: decimal and group separators (dates and times are read in fixed formats).</param>
    /// <param name="value">The parsed value.</param>
    /// <param name="reason">Why the text is not of the kind.</param>
    /// <param name="dateFormat">.NET formats the source's date_format names, tried before the ISO forms (and instead of MM/dd/yyyy), or null.</param>
    public static bool TryParse(string? text, DataKind kind, CultureInfo culture, out object? value, out string? reason, string[]? dateFormat = null)
    {
        value = null;
        reason = null;
        if (string.IsNullOrWhiteSpace(text)) return true;
        text = text.Trim();
        switch (kind)
        {
            case DataKind.Integer:
                // Plain digits (the usual field) are already in invariant form; only the rest needs the culture's reading.
                var digits = text;
                if (!IsPlain(text, null) && !TryNormalize(text, culture, whole: true, out digits, out reason)) return false;
                if (long.TryParse(digits, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var i)) { value = i; return true; }
                reason = "expected a whole number";
                return false;
            case DataKind.Number:
                var number = text;
                if (!IsPlain(text, culture.NumberFormat.NumberDecimalSeparator == "." ? '.' : null) && !TryNormalize(text, culture, whole: false, out number, out reason)) return false;
                if (double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d)) { value = d; return true; }
                reason = "expected a number";
                return false;
            case DataKind.Boolean:
                if (text.Equals("true", StringComparison.OrdinalIgnoreCase) || text.Equals("yes", StringComparison.OrdinalIgnoreCase)) { value = true; return true; }
                if (text.Equals("false", StringComparison.OrdinalIgnoreCase) || text.Equals("no", StringComparison.OrdinalIgnoreCase)) { value = false; return true; }
                reason = "expected true/false or yes/no";
                return false;
            case DataKind.Date:
                if (dateFormat is not null && DateTime.TryParseExact(text, dateFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out var dated)) { value = DateOnly.FromDateTime(dated); return true; }
                if (DateOnly.TryParseExact(text, dateFormat is null ? ["yyyy-MM-dd", "yyyy/MM/dd", "MM/dd/yyyy"] : ["yyyy-MM-dd", "yyyy/MM/dd"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)) { value = day; return true; }
                reason = "expected a date such as 2025-01-31";
                return false;
            case DataKind.Timestamp:
                if (TryParseIsoUtc(text, out var utc) || TryParseWithOffset(text, out utc)) { value = utc; return true; }
                if (DateTimeOffset.TryParseExact(text, dateFormat is null ? TimestampFormats : [.. dateFormat, .. IsoTimestampFormats], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AllowWhiteSpaces, out var ts))
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

    /// <summary>
    /// The common shape of event timestamps, <c>2025-01-31T14:05:00.123Z</c> (fraction of 1 to 7 digits optional, <c>Z</c> or no
    /// designator), read without the general format matcher, which is costly per field. It accepts only text the formats above
    /// accept, with the same value; anything else returns false and goes through them.
    /// </summary>
    internal static bool TryParseIsoUtc(ReadOnlySpan<char> text, out DateTime value)
    {
        value = default;
        if (text.Length > 0 && text[^1] == 'Z') text = text[..^1];
        if (text.Length < 19 || text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' || text[16] != ':') return false;
        if (!TryDigits(text, 0, 4, out var year) || !TryDigits(text, 5, 2, out var month) || !TryDigits(text, 8, 2, out var day)
            || !TryDigits(text, 11, 2, out var hour) || !TryDigits(text, 14, 2, out var minute) || !TryDigits(text, 17, 2, out var second)) return false;
        long ticks = 0;
        if (text.Length > 19)
        {
            var digits = text.Length - 20;
            if (text[19] != '.' || digits is < 1 or > 7 || !TryDigits(text, 20, digits, out var fraction)) return false;
            ticks = fraction;
            for (var i = digits; i < 7; i++) ticks *= 10;
        }
        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 59) return false;
        value = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Unspecified).AddTicks(ticks);
        return true;
    }

    /// <summary>
    /// Shopify's timestamps, <c>2025-01-31 14:05:00 +0100</c> (or <c>+01:00</c>), read without the general format matcher (half
    /// of a Shopify orders load went there): like <see cref="TryParseIsoUtc"/>, it accepts only text the formats accept, with
    /// the same value, and leaves the rest (years 1 and 9999, whose UTC may fall outside the calendar, offsets past 14 hours) to them.
    /// </summary>
    internal static bool TryParseWithOffset(ReadOnlySpan<char> text, out DateTime value)
    {
        value = default;
        if (text.Length is not (25 or 26) || text[4] != '-' || text[7] != '-' || text[10] != ' ' || text[13] != ':' || text[16] != ':' || text[19] != ' ') return false;
        var sign = text[20] switch { '+' => -1, '-' => 1, _ => 0 }; // UTC = local time minus the offset
        if (sign == 0 || (text.Length == 26 && text[23] != ':')) return false;
        if (!TryDigits(text, 0, 4, out var year) || !TryDigits(text, 5, 2, out var month) || !TryDigits(text, 8, 2, out var day)
            || !TryDigits(text, 11, 2, out var hour) || !TryDigits(text, 14, 2, out var minute) || !TryDigits(text, 17, 2, out var second)
            || !TryDigits(text, 21, 2, out var offsetHours) || !TryDigits(text, text.Length - 2, 2, out var offsetMinutes)) return false;
        if (year is < 2 or > 9998 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 59
            || offsetMinutes > 59 || offsetHours * 60 + offsetMinutes > 14 * 60) return false;
        value = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Unspecified).AddMinutes(sign * (offsetHours * 60 + offsetMinutes));
        return true;
    }

    private static bool TryDigits(ReadOnlySpan<char> text, int start, int count, out int value)
    {
        value = 0;
        foreach (var c in text.Slice(start, count))
        {
            if (!char.IsAsciiDigit(c)) return false;
            value = value * 10 + (c - '0');
        }
        return true;
    }

    // An optional '-', digits and, with a decimal point, a fraction: text that TryNormalize returns unchanged in every culture
    // whose decimal separator is that point.
    private static bool IsPlain(string text, char? point)
    {
        var i = text.Length > 0 && text[0] == '-' ? 1 : 0;
        var start = i;
        while (i < text.Length && char.IsAsciiDigit(text[i])) i++;
        if (i == start) return false;
        if (i == text.Length) return true;
        if (text[i] != point || i + 1 == text.Length) return false;
        for (i++; i < text.Length; i++)
            if (!char.IsAsciiDigit(text[i])) return false;
        return true;
    }

    /// <summary>
    /// The number in invariant form, checked against the culture: exports write group separators ("1,234.56") and sometimes a
    /// currency symbol or percent sign, but a group separator must split the whole part into groups of three, so "12,50" is
    /// not 1250 in the invariant culture; it is refused with a hint to declare the culture that writes it.
    /// </summary>
    private static bool TryNormalize(string text, CultureInfo culture, bool whole, out string normalized, out string? reason)
    {
        var format = culture.NumberFormat;
        normalized = "";
        reason = whole ? "expected a whole number" : "expected a number";
        string Bare(string t)
        {
            t = t.TrimStart('$', '€', '£').TrimEnd('%').Trim();
            if (format.CurrencySymbol.Length > 0 && t.StartsWith(format.CurrencySymbol, StringComparison.Ordinal)) t = t[format.CurrencySymbol.Length..].Trim();
            if (format.CurrencySymbol.Length > 0 && t.EndsWith(format.CurrencySymbol, StringComparison.Ordinal)) t = t[..^format.CurrencySymbol.Length].Trim();
            return t;
        }
        var s = Bare(text);
        var sign = "";
        if (s.StartsWith('-')) (sign, s) = ("-", s[1..]);
        else if (format.NegativeSign.Length > 0 && s.StartsWith(format.NegativeSign, StringComparison.Ordinal)) (sign, s) = ("-", s[format.NegativeSign.Length..]);
        else if (s.StartsWith('+')) s = s[1..];
        s = Bare(s);

        var exponent = "";
        var e = s.IndexOfAny(['e', 'E']);
        if (e >= 0)
        {
            exponent = s[e..];
            s = s[..e];
            if (whole || exponent.Length < 2 || !exponent[1..].TrimStart('+', '-').All(char.IsAsciiDigit) || exponent[1..].TrimStart('+', '-').Length == 0) return false;
        }
        var point = s.IndexOf(format.NumberDecimalSeparator, StringComparison.Ordinal);
        var integral = point < 0 ? s : s[..point];
        var fraction = point < 0 ? "" : s[(point + format.NumberDecimalSeparator.Length)..];
        if (point >= 0 && whole) return false;
        if (!fraction.All(char.IsAsciiDigit) || (integral.Length == 0 && fraction.Length == 0)) return false;

        var group = format.NumberGroupSeparator;
        var groups = char.IsWhiteSpace(group, 0) ? integral.Split([group, " ", "\u00A0", "\u202F"], StringSplitOptions.None) : integral.Split(group);
        if (groups.Length > 1 && (exponent.Length > 0 || groups[0].Length is < 1 or > 3 || groups.Skip(1).Any(g => g.Length != 3)))
        {
            reason = culture.Name.Length == 0
                ? $"expected a number: '{group}' groups thousands (by three digits) in the invariant culture; if '{group}' is this file's decimal separator, set culture (e.g. de-DE)"
                : $"expected a number in {culture.Name}: '{group}' groups thousands (by three digits) and '{format.NumberDecimalSeparator}' is the decimal separator";
            return false;
        }
        if (!groups.All(g => g.All(char.IsAsciiDigit))) return false;
        normalized = sign + string.Concat(groups) + (fraction.Length > 0 ? "." + fraction : "") + exponent;
        reason = null;
        return true;
    }
}
