using System.Globalization;
using CsvHelper;
using CsvHelper.Configuration;
using Tributary.Core.Warehousing;

namespace Tributary.Components.Sources.Platform;

/// <summary>Reads a platform's CSV export with CsvHelper into typed rows, rejecting bad records with their line, raw text and reason.</summary>
internal static class CsvExportReader
{
    public static IEnumerable<ParsedRow> Read(string path, PlatformLayout layout, string delimiter)
    {
        var bad = new List<string>();
        var config = new CsvConfiguration(CultureInfo.InvariantCulture)
        {
            Delimiter = delimiter, BadDataFound = args => bad.Add(args.RawRecord), MissingFieldFound = null, IgnoreBlankLines = true,
        };
        using var reader = new StreamReader(path, detectEncodingFromByteOrderMarks: true);
        using var parser = new CsvParser(reader, config);
        int[]? map = null;
        string? headerProblem = null;
        var headerWidth = 0;
        while (parser.Read())
        {
            var fields = parser.Record ?? [];
            var raw = parser.RawRecord.TrimEnd('\r', '\n');
            var line = parser.RawRow;
            if (map is null)
            {
                if (layout.HeaderMarker is { } marker && !fields.Any(f => f.Trim().Equals(marker, StringComparison.OrdinalIgnoreCase))) continue; // preamble
                (map, headerProblem) = Map(fields, layout, delimiter);
                headerWidth = fields.Length;
                continue;
            }
            if (bad.Count > 0)
            {
                bad.Clear();
                yield return ParsedRow.Rejected(line, raw, "malformed quoting: a quote inside an unquoted field, or a quoted field that never closes");
                continue;
            }
            if (headerProblem is not null)
            {
                yield return ParsedRow.Rejected(line, raw, headerProblem);
                continue;
            }
            if (fields.Length != headerWidth && !(fields.Length > headerWidth && fields.Skip(headerWidth).All(string.IsNullOrEmpty)))
            {
                yield return ParsedRow.Rejected(line, raw, $"has {fields.Length} fields where the header has {headerWidth} (truncated line or stray delimiter)");
                continue;
            }
            yield return Convert(line, raw, fields, map, layout);
        }
        if (map is null)
            yield return ParsedRow.Rejected(1, "", layout.HeaderMarker is null ? "the file is empty: no header row" : $"no header row containing '{layout.HeaderMarker}' was found");
    }

    private static (int[] Map, string? Problem) Map(string[] header, PlatformLayout layout, string delimiter)
    {
        var map = layout.Columns.Select(c => Array.FindIndex(header, h => c.Matches(h))).ToArray();
        var missing = layout.Columns.Where((c, i) => c.Required && map[i] < 0).Select(c => c.Header).ToList();
        if (missing.Count == 0) return (map, null);
        var hint = header.Length == 1 && header[0].IndexOfAny([';', '\t', '|', ',']) >= 0
            ? $" The header is one field ('{Shorten(header[0])}'): the file is probably not delimited by '{delimiter}'."
            : "";
        return (map, $"the header has no column {string.Join(", ", missing.Select(m => $"'{m}'"))} that a {layout.Platform} needs.{hint}");
    }

    private static ParsedRow Convert(long line, string raw, string[] fields, int[] map, PlatformLayout layout)
    {
        var values = new object?[layout.Columns.Count];
        for (var i = 0; i < values.Length; i++)
        {
            var column = layout.Columns[i];
            var text = map[i] >= 0 && map[i] < fields.Length ? fields[map[i]] : null;
            if (column.Required && string.IsNullOrWhiteSpace(text))
                return ParsedRow.Rejected(line, raw, $"'{column.Header}' is empty but required");
            if (!FieldParser.TryParse(text, column.Kind, out values[i], out var reason))
                return ParsedRow.Rejected(line, raw, $"'{column.Header}': {reason}, got '{Shorten(text!)}'");
            if (column.Kind == DataKind.Text && values[i] is string s) values[i] = s;
        }
        return ParsedRow.Valid(line, raw, values);
    }

    public static string Shorten(string text) => text.Length > 60 ? text[..57] + "..." : text;
}
