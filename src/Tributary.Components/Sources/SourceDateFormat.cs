using System.Text;

namespace Tributary.Components.Sources;

/// <summary>
/// A source's <c>date_format</c>: strftime specifiers as DuckDB's <c>strptime</c> reads them (<c>%m/%d/%Y %H:%M</c> for
/// Excel's <c>10/5/2024 10:15</c>), checked once and translated for the platform sources, which parse in .NET. Only
/// specifiers both readers take alike are allowed; numbers may be written with or without their leading zero.
/// </summary>
internal static class SourceDateFormat
{
    // strftime specifier → .NET custom format; a one-letter .NET specifier reads one or two digits, as strptime does.
    private static readonly Dictionary<char, string> Specifiers = new()
    {
        ['Y'] = "yyyy", ['y'] = "yy", ['m'] = "M", ['d'] = "d", ['b'] = "MMM", ['B'] = "MMMM",
        ['H'] = "H", ['I'] = "h", ['M'] = "m", ['S'] = "s", ['p'] = "tt", ['f'] = "FFFFFF",
    };

    /// <summary>An example users recognise, named in errors and hints.</summary>
    public const string Example = "'%m/%d/%Y %H:%M' for 10/5/2024 10:15";

    /// <summary>Why <paramref name="format"/> cannot be used, or null when it can.</summary>
    public static string? Problem(string format)
    {
        var used = new HashSet<char>();
        for (var i = 0; i < format.Length; i++)
        {
            if (format[i] != '%') continue;
            if (i + 1 == format.Length) return $"date_format '{format}' ends with a lone '%'.";
            var c = format[++i];
            if (c == '%') continue;
            if (!Specifiers.ContainsKey(c))
                return $"date_format '{format}' has '%{c}', which is not read; use %Y %y %m %d %b %B %H %I %M %S %p %f (e.g. {Example}).";
            used.Add(c);
        }
        if (!used.Contains('Y') && !used.Contains('y') || !used.Contains('m') && !used.Contains('b') && !used.Contains('B') || !used.Contains('d'))
            return $"date_format '{format}' needs a year (%Y), a month (%m) and a day (%d), e.g. {Example}.";
        if (used.Contains('I') != used.Contains('p'))
            return $"date_format '{format}' has {(used.Contains('I') ? "%I (12-hour clock) without %p (AM/PM)" : "%p (AM/PM) without %I (12-hour clock)")}; use both, or %H for a 24-hour clock.";
        return null;
    }

    /// <summary>Whether the format reads a time of day as well as a date.</summary>
    public static bool HasTime(string format) => format.Contains("%H", StringComparison.Ordinal) || format.Contains("%I", StringComparison.Ordinal);

    /// <summary>
    /// The format, then its date part when it has a time (<c>%m/%d/%Y</c> of <c>%m/%d/%Y %H:%M</c>): a spreadsheet writes a
    /// date column without the time a timestamp column has, and one option serves both.
    /// </summary>
    public static IReadOnlyList<string> WithDatePart(string format)
    {
        var time = new[] { format.IndexOf("%H", StringComparison.Ordinal), format.IndexOf("%I", StringComparison.Ordinal) }.Where(i => i > 0).DefaultIfEmpty(-1).Min();
        var date = time > 0 ? format[..time].TrimEnd(' ', 'T', ',', '-') : null;
        return date is not null && Problem(date) is null ? [format, date] : [format];
    }

    /// <summary>The .NET custom format reading what <paramref name="format"/> (valid by <see cref="Problem"/>) reads.</summary>
    public static string ToDotNet(string format)
    {
        var net = new StringBuilder();
        for (var i = 0; i < format.Length; i++)
        {
            if (format[i] == '%' && format[i + 1] != '%') net.Append(Specifiers[format[++i]]);
            else
            {
                if (format[i] == '%') i++;
                // A literal; a space stays bare, since an escaped one fails to match when parsing allows white space.
                if (char.IsWhiteSpace(format[i])) net.Append(format[i]);
                else net.Append('\\').Append(format[i]);
            }
        }
        return net.ToString();
    }
}
