using System.Globalization;
using Tributary.Core.Warehousing;

namespace Tributary.Components.Sources.Platform;

/// <summary>
/// Reads a platform's CSV export into typed rows, rejecting bad records with their line, raw text and reason. Every record
/// after the header becomes exactly one row or one rejection, so rows in = rows loaded + rows rejected.
/// </summary>
internal static class CsvExportReader
{
    // Rows of one group held back at most until its shared fields are known; a longer run of one key is resolved in parts.
    private const int MaxGroupRows = 10_000;

    public static IEnumerable<ParsedRow> Read(string path, PlatformLayout layout, PlatformSourceParameters parameters) =>
        layout.GroupBy is null ? ReadRows(path, layout, parameters) : Grouped(ReadRows(path, layout, parameters, fieldsOnly: true), layout, parameters.NumberCulture);

    // With fieldsOnly, well-formed records come back unconverted (Values holds the mapped fields as text) for grouping.
    private static IEnumerable<ParsedRow> ReadRows(string path, PlatformLayout layout, PlatformSourceParameters parameters, bool fieldsOnly = false)
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
            yield return fieldsOnly ? new ParsedRow(line, raw, Mapped(fields, map), GroupedFields) : Convert(line, raw, fields, map, layout, culture);
        }
        if (map is null)
            yield return ParsedRow.Rejected(1, "", layout.HeaderMarker is null ? "the file is empty: no header row" : $"no header row containing '{layout.HeaderMarker}' was found");
    }

    private const string GroupedFields = "fields to group";

    private static object?[] Mapped(string[] fields, int[] map) => map.Select(i => i >= 0 && i < fields.Length ? fields[i] : null).ToArray<object?>();

    /// <summary>
    /// Groups consecutive rows with the same key (exports list an order's line items together) and fills each row's blank
    /// group-level fields from the group's row that has them, then converts every row; rows without a key stay alone.
    /// </summary>
    private static IEnumerable<ParsedRow> Grouped(IEnumerable<ParsedRow> rows, PlatformLayout layout, CultureInfo culture)
    {
        var columns = layout.Columns;
        var key = columns.ToList().FindIndex(c => c.Header == layout.GroupBy);
        var shared = Enumerable.Range(0, columns.Count).Where(i => columns[i].GroupLevel).ToArray();
        var required = shared.Where(i => columns[i].Required).ToArray();
        var group = new List<ParsedRow>();
        string? current = null;
        object?[]? source = null;
        Parsed[]? parsed = null;
        IEnumerable<ParsedRow> Flush()
        {
            // The group's row holding every required shared field, else the first holding any.
            // A copy: converting a row replaces its text with typed values.
            source ??= (group.Select(r => r.Values!).FirstOrDefault(v => required.All(i => !Blank(v[i])) && shared.Any(i => !Blank(v[i])))
                        ?? group.Select(r => r.Values!).FirstOrDefault(v => shared.Any(i => !Blank(v[i]))))?.ToArray();
            parsed ??= source is null ? null : new Parsed[columns.Count];
            foreach (var row in group)
            {
                var fields = row.Values!;
                if (source is not null)
                    foreach (var i in shared)
                        if (Blank(fields[i])) fields[i] = source[i];
                yield return Convert(row.Line, row.Raw, fields, layout, culture, current is null ? null : $", and no row of {layout.GroupBy} '{current}' has it", source, parsed);
            }
            group.Clear();
        }
        foreach (var row in rows)
        {
            if (row.Reason != GroupedFields)
            {
                yield return row;
                continue;
            }
            var k = (row.Values![key] as string)?.Trim();
            if (group.Count > 0 && (k != current || string.IsNullOrEmpty(k) || group.Count >= MaxGroupRows))
            {
                foreach (var r in Flush()) yield return r;
                if (k != current) (source, parsed) = (null, null);
            }
            current = string.IsNullOrEmpty(k) ? null : k;
            group.Add(row);
        }
        foreach (var r in Flush()) yield return r;
    }

    private static bool Blank(object? field) => string.IsNullOrWhiteSpace(field as string);

    // A group-level field parsed once for all the rows of its group that take it from the group's source row.
    private struct Parsed
    {
        public bool Done, Ok;
        public object? Value;
        public string? Reason;
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

    private static ParsedRow Convert(long line, string raw, string[] fields, int[] map, PlatformLayout layout, CultureInfo culture) =>
        Convert(line, raw, Mapped(fields, map), layout, culture, null, null, null);

    // Converts mapped fields in place into typed values; groupHint explains a missing group-level field. A field that is the
    // group's source row's own text (filled from it, or the source row itself) is parsed once per group, in parsed.
    private static ParsedRow Convert(long line, string raw, object?[] values, PlatformLayout layout, CultureInfo culture, string? groupHint,
        object?[]? source, Parsed[]? parsed)
    {
        for (var i = 0; i < values.Length; i++)
        {
            var column = layout.Columns[i];
            var text = values[i] as string;
            if (column.Required && string.IsNullOrWhiteSpace(text))
                return ParsedRow.Rejected(line, raw, $"'{column.Header}' is empty but required{(column.GroupLevel ? groupHint : null)}");
            bool ok;
            string? reason;
            if (parsed is not null && text is not null && column.GroupLevel && ReferenceEquals(text, source![i]))
            {
                ref var once = ref parsed[i];
                if (!once.Done) (once.Ok, once.Done) = (FieldParser.TryParse(text, column.Kind, culture, out once.Value, out once.Reason), true);
                (ok, values[i], reason) = (once.Ok, once.Value, once.Reason);
            }
            else ok = FieldParser.TryParse(text, column.Kind, culture, out values[i], out reason);
            if (!ok)
                return ParsedRow.Rejected(line, raw, $"'{column.Header}': {reason}, got '{Shorten(text!)}'");
            if (column.Kind == DataKind.Text && values[i] is string s) values[i] = s;
        }
        return ParsedRow.Valid(line, raw, values);
    }

    public static string Shorten(string text) => text.Length > 60 ? text[..57] + "..." : text;
}
