using System.Globalization;
using Tributary.Core.Warehousing;

namespace Tributary.Components.Sources.Platform;

/// <summary>
/// Reads a platform's CSV export into typed rows, rejecting bad records with their line, raw text and reason. Every record
/// after the header becomes exactly one row or one rejection, so rows in = rows loaded + rows rejected, except the report's own
/// total rows (<see cref="PlatformLayout.SummaryRowPrefix"/>), which come back marked as such to be counted.
/// </summary>
internal static class CsvExportReader
{
    // Rows of one group held back at most until its shared fields are known; a longer run of one key is resolved in parts.
    private const int MaxGroupRows = 10_000;

    public static IEnumerable<ParsedRow> Read(string path, PlatformLayout layout, PlatformSourceParameters parameters) =>
        layout.GroupBy is null ? ReadRows(path, layout, parameters) : Grouped(ReadRows(path, layout, parameters, fieldsOnly: true), layout, parameters.NumberCulture, parameters.DotNetDateFormat);

    /// <summary>
    /// The file's header matched to the layout, read before any row: null when the file has no header (an empty file, or no
    /// line with the marker), which <see cref="Read"/> rejects; an <see cref="ExportHeader.Error"/> when it cannot be read.
    /// </summary>
    public static ExportHeader? ReadHeader(string path, PlatformLayout layout, PlatformSourceParameters parameters)
    {
        var delimiter = Delimiter(path, layout, parameters);
        var records = new CsvRecordReader(SourceLineReader.ReadAll(path, parameters.Encoding, parameters.MaxRecordBytes), delimiter,
            parameters.MaxRecordBytes, strayQuotesAreErrors: true);
        foreach (var record in records.Read())
            if (Header(record, layout, delimiter.ToString()) is { } header)
                return header;
        return null;
    }

    // Lines read for a tab-separated header at most (Google Ads puts a report name and a date range before it).
    private const int DelimiterProbeLines = 20;

    /// <summary>
    /// The file's delimiter: the declared one, except that with the default ',' a file whose header (or a line before it
    /// holding the layout's marker) reads as one field holding tabs is tab-separated, as Google Ads' "Excel CSV" and TSV
    /// downloads are (UTF-16 with a byte order mark, which <see cref="SourceLineReader"/> follows).
    /// </summary>
    internal static char Delimiter(string path, PlatformLayout layout, PlatformSourceParameters parameters)
    {
        var declared = parameters.Delimiter[0];
        if (declared != ',') return declared;
        var records = new CsvRecordReader(SourceLineReader.ReadAll(path, parameters.Encoding, parameters.MaxRecordBytes), declared,
            parameters.MaxRecordBytes, strayQuotesAreErrors: true);
        foreach (var record in records.Read().Take(DelimiterProbeLines))
        {
            if (record.Fields is not { } fields) continue;
            if (fields.Length == 1 && fields[0].Contains('\t', StringComparison.Ordinal))
            {
                var tabbed = fields[0].Split('\t');
                if (layout.HeaderMarker is null ? ExportHeader.Match(record.Line, tabbed, layout, "\t").Error is null : tabbed.Any(layout.IsMarker)) return '\t';
            }
            if (Header(record, layout, ",") is not null) break;
        }
        return declared;
    }

    // The header when this record is it; null for a preamble line before it.
    private static ExportHeader? Header(CsvRecord record, PlatformLayout layout, string delimiter)
    {
        if (layout.HeaderMarker is not null)
            return record.Fields is { } preamble && preamble.Any(layout.IsMarker) ? ExportHeader.Match(record.Line, preamble, layout, delimiter) : null;
        return record.Fields is { } fields
            ? ExportHeader.Match(record.Line, fields, layout, delimiter)
            : new ExportHeader(record.Line, [], [], $"the header row is malformed ({record.Problem}), so no column can be found", []);
    }

    // With fieldsOnly, well-formed records come back unconverted (Values holds the mapped fields as text) for grouping.
    private static IEnumerable<ParsedRow> ReadRows(string path, PlatformLayout layout, PlatformSourceParameters parameters, bool fieldsOnly = false)
    {
        var (culture, dates) = (parameters.NumberCulture, parameters.DotNetDateFormat);
        var delimiter = Delimiter(path, layout, parameters);
        var records = new CsvRecordReader(SourceLineReader.ReadAll(path, parameters.Encoding, parameters.MaxRecordBytes), delimiter,
            parameters.MaxRecordBytes, strayQuotesAreErrors: true);
        ExportHeader? header = null;
        var headerWidth = 0;
        var firstRow = true;
        foreach (var record in records.Read())
        {
            var (line, raw) = (record.Line, record.Raw);
            if (header is null)
            {
                header = Header(record, layout, delimiter.ToString());
                if (header is null) continue; // preamble
                // The loader checks headers before reading rows; read on its own, a file whose header fails rejects that line alone.
                if (header.Error is { } error)
                {
                    yield return ParsedRow.Rejected(line, raw, error);
                    yield break;
                }
                headerWidth = record.Fields!.Length;
                records.Width = headerWidth;
                continue;
            }
            if (record.Fields is not { } fields)
            {
                yield return ParsedRow.Rejected(line, raw, record.Problem!);
                continue;
            }
            var first = firstRow;
            firstRow = false;
            if ((layout.SummaryRowPrefix is { } total && IsSummary(fields, header, total)) || (first && layout.SummaryRowBlank is { } blank && IsBlank(fields, header, layout, blank)))
            {
                yield return ParsedRow.Skip(line, raw);
                continue;
            }
            if (!CsvRecordReader.Fits(fields, headerWidth))
            {
                yield return ParsedRow.Rejected(line, raw, $"has {fields.Length} fields where the header has {headerWidth} (truncated line or stray delimiter)");
                continue;
            }
            yield return fieldsOnly ? new ParsedRow(line, raw, header.Mapped(fields), GroupedFields) : Convert(line, raw, header.Mapped(fields), layout, culture, dates, null, null, null);
        }
        if (header is null)
            yield return ParsedRow.Rejected(1, "", layout.HeaderMarker is null ? "the file is empty: no header row" : $"no header row containing '{layout.HeaderMarker}' was found");
    }

    // A report total names itself in the file's first field or the layout's first column (Google Ads: 'Total: Account' under Day).
    private static bool IsSummary(string[] fields, ExportHeader header, string prefix)
    {
        bool Starts(int i) => i >= 0 && i < fields.Length && fields[i].TrimStart().StartsWith(prefix, StringComparison.OrdinalIgnoreCase);
        return Starts(0) || Starts(header.Map[0]);
    }

    // The summary row leaves the column blank (Meta: 'Campaign name' empty on the account's totals).
    private static bool IsBlank(string[] fields, ExportHeader header, PlatformLayout layout, string column)
    {
        var i = layout.Columns.ToList().FindIndex(c => c.Header == column);
        return i >= 0 && header.Map[i] is var field && field >= 0 && field < fields.Length && string.IsNullOrWhiteSpace(fields[field]);
    }

    private const string GroupedFields = "fields to group";

    /// <summary>
    /// Groups consecutive rows with the same key (exports list an order's line items together) and fills each row's blank
    /// group-level fields from the group's row that has them, then converts every row; rows without a key stay alone.
    /// </summary>
    private static IEnumerable<ParsedRow> Grouped(IEnumerable<ParsedRow> rows, PlatformLayout layout, CultureInfo culture, string[]? dates)
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
                yield return Convert(row.Line, row.Raw, fields, layout, culture, dates, current is null ? null : $", and no row of {layout.GroupBy} '{current}' has it", source, parsed);
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

    // Converts mapped fields in place into typed values; groupHint explains a missing group-level field. A field that is the
    // group's source row's own text (filled from it, or the source row itself) is parsed once per group, in parsed.
    private static ParsedRow Convert(long line, string raw, object?[] values, PlatformLayout layout, CultureInfo culture, string[]? dates, string? groupHint,
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
                if (!once.Done) (once.Ok, once.Done) = (FieldParser.TryParse(text, column.Kind, culture, out once.Value, out once.Reason, dates), true);
                (ok, values[i], reason) = (once.Ok, once.Value, once.Reason);
            }
            else ok = FieldParser.TryParse(text, column.Kind, culture, out values[i], out reason, dates);
            if (!ok)
                return ParsedRow.Rejected(line, raw, $"'{column.Header}': {reason}, got '{Shorten(text!)}'{(column.Kind is DataKind.Date or DataKind.Timestamp ? DateHint(dates) : null)}");
            if (values[i] is DateTime wall && layout.OffsetlessZone is { } zone && !column.StatedUtc && !OffsetlessTimestamps.HasOffset(text))
                values[i] = OffsetlessTimestamps.ToUtc(wall, zone);
            if (column.Kind == DataKind.Text && values[i] is string s) values[i] = s;
        }
        if (layout.DayRange is var (start, end) && OverOneDay(layout, values, start, end) is { } span)
            return ParsedRow.Rejected(line, raw, span);
        return ParsedRow.Valid(line, raw, values);
    }

    // What to set when a date does not read: the option, or that it is set and did not match either.
    private static string DateHint(string[]? dates) => dates is null
        ? $"; if the export writes dates another way, set date_format, e.g. {SourceDateFormat.Example}"
        : "; nor does the source's date_format read it";

    // Why a row reports more than one day, or null when it reports one (or its end is blank).
    private static string? OverOneDay(PlatformLayout layout, object?[] values, string start, string end)
    {
        var (from, to) = (layout.Columns.ToList().FindIndex(c => c.Name == start), layout.Columns.ToList().FindIndex(c => c.Name == end));
        if (values[from] is not DateOnly first || values[to] is not DateOnly last || last == first) return null;
        var days = last.DayNumber - first.DayNumber + 1;
        return string.Create(CultureInfo.InvariantCulture,
            $"'{layout.Columns[from].Header}' {first:yyyy-MM-dd} and '{layout.Columns[to].Header}' {last:yyyy-MM-dd} span {days} days: the row's spend is not per day. Export the report broken down by day (in Ads Manager: Breakdown, By time, Day)");
    }

    public static string Shorten(string text) => text.Length > 60 ? text[..57] + "..." : text;
}
