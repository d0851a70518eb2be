using System.Globalization;
using Tributary.Core.Warehousing;

namespace Tributary.Components.Sources.Platform;

/// <summary>
/// Reads a platform's CSV export into typed rows, rejecting bad records with their line, raw text and reason. Every record
/// after the header becomes exactly one row or one rejection, so rows in = rows loaded + rows rejected.
/// </summary>
internal static class CsvExportReader
{
    public static IEnumerable<ParsedRow> Read(string path, PlatformLayout layout, PlatformSourceParameters parameters)
    {
        var culture = parameters.NumberCulture;
        var records = new CsvRecordReader(SourceLineReader.ReadAll(path, parameters.Encoding, parameters.MaxRecordBytes), parameters.Delimiter[0],
            parameters.MaxRecordBytes, strayQuotesAreErrors: true);
        int[]? map = null;
        string? headerProblem = null;
        var headerWidth = 0;
        foreach (var record in records.Read())
        {
            var (line, raw) = (record.Line, record.Raw);
            if (map is null)
            {
                if (layout.HeaderMarker is { } marker)
                {
                    if (record.Fields is not { } preamble || !preamble.Any(f => f.Trim().Equals(marker, StringComparison.OrdinalIgnoreCase))) continue; // preamble
                }
                else if (record.Fields is null)
                {
                    // Without a readable header no row can be mapped: each is rejected, saying why.
                    yield return ParsedRow.Rejected(line, raw, $"the header row is malformed: {record.Problem}");
                    (map, headerProblem) = ([], $"the header row (line {line}) is malformed, so no column can be found");
                    continue;
                }
                (map, headerProblem) = Map(record.Fields!, layout, parameters.Delimiter);
                headerWidth = record.Fields!.Length;
                records.Width = headerWidth;
                continue;
            }
            if (record.Fields is not { } fields)
            {
                yield return ParsedRow.Rejected(line, raw, record.Problem!);
                continue;
            }
            if (headerProblem is not null)
            {
                yield return ParsedRow.Rejected(line, raw, headerProblem);
                continue;
            }
            if (!CsvRecordReader.Fits(fields, headerWidth))
            {
                yield return ParsedRow.Rejected(line, raw, $"has {fields.Length} fields where the header has {headerWidth} (truncated line or stray delimiter)");
                continue;
            }
            yield return Convert(line, raw, fields, map, layout, culture);
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

    private static ParsedRow Convert(long line, string raw, string[] fields, int[] map, PlatformLayout layout, CultureInfo culture)
    {
        var values = new object?[layout.Columns.Count];
        for (var i = 0; i < values.Length; i++)
        {
            var column = layout.Columns[i];
            var text = map[i] >= 0 && map[i] < fields.Length ? fields[map[i]] : null;
            if (column.Required && string.IsNullOrWhiteSpace(text))
                return ParsedRow.Rejected(line, raw, $"'{column.Header}' is empty but required");
            if (!FieldParser.TryParse(text, column.Kind, culture, out values[i], out var reason))
                return ParsedRow.Rejected(line, raw, $"'{column.Header}': {reason}, got '{Shorten(text!)}'");
            if (column.Kind == DataKind.Text && values[i] is string s) values[i] = s;
        }
        return ParsedRow.Valid(line, raw, values);
    }

    public static string Shorten(string text) => text.Length > 60 ? text[..57] + "..." : text;
}
