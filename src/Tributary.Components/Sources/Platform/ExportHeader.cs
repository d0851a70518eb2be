using Tributary.Core.Components;
using Tributary.Core.Warehousing;

namespace Tributary.Components.Sources.Platform;

/// <summary>
/// A file's header row matched against a layout: the field each column is read from, and what the header lacks. A missing
/// required column is an <see cref="Error"/> for the whole file; a missing optional one is a warning (<see cref="Absent"/>),
/// since its column silently loads NULL otherwise.
/// </summary>
/// <param name="Line">The header's line in the file.</param>
/// <param name="Map">Per layout column, the field it is read from, or -1.</param>
/// <param name="Fallbacks">Per layout column, further fields holding it under another header (<see cref="PlatformColumn.Aliases"/>), read when the first is blank; null when there are none.</param>
/// <param name="Error">Why no row of the file can be read (a required column is missing), with the headers found and the closest match.</param>
/// <param name="Absent">Optional columns the header lacks, each with its closest header, e.g. <c>'Impr.' (impressions; closest header: 'Impressions (all)')</c>.</param>
internal sealed record ExportHeader(long Line, int[] Map, int[]?[] Fallbacks, string? Error, IReadOnlyList<string> Absent)
{
    /// <summary>Per layout column without a field, the value its <see cref="PlatformColumn.FromHeader"/> header carries, or null.</summary>
    public string?[] FromHeader { get; init; } = [];

    // Headers listed in an error at most; a Shopify orders export has about 80.
    private const int ListedHeaders = 100;

    public static ExportHeader Match(long line, string[] header, PlatformLayout layout, string delimiter)
    {
        var columns = layout.Columns;
        var map = new int[columns.Count];
        var fallbacks = new int[]?[columns.Count];
        var used = new bool[header.Length];
        for (var c = 0; c < columns.Count; c++)
        {
            // Fields in the column's order of preference: its own header, then each alias.
            var found = columns[c].Headers.SelectMany(h => Enumerable.Range(0, header.Length).Where(i => PlatformColumn.Matches(h, header[i]))).Distinct().ToArray();
            map[c] = found.Length == 0 ? -1 : found[0];
            fallbacks[c] = found.Length > 1 ? found[1..] : null;
            foreach (var i in found) used[i] = true;
        }
        var unmatched = header.Where((h, i) => !used[i] && !string.IsNullOrWhiteSpace(h)).Select(h => h.Trim()).ToList();

        var missing = columns.Where((c, i) => c.Required && map[i] < 0).ToList();
        string? error = null;
        if (missing.Count > 0)
        {
            var hint = header.Any(h => h.Contains('\0', StringComparison.Ordinal))
                ? " The header holds NUL characters between its letters: the file is UTF-16 without a byte order mark; set encoding: utf16."
                : header.Length == 1 && Delimiters.FirstOrDefault(d => d.Char != delimiter[0] && header[0].Contains(d.Char, StringComparison.Ordinal)) is { Name: not null } found
                ? $" The header is one field ('{CsvExportReader.Shorten(header[0])}'): the file is probably not delimited by '{(delimiter == "\t" ? "\\t" : delimiter)}' but by {found.Name}; set delimiter: {found.Setting}."
                : $" The header has: {string.Join(", ", header.Take(ListedHeaders).Select(h => $"'{h.Trim()}'"))}{(header.Length > ListedHeaders ? ", ..." : "")}.";
            error = $"the header has no column {string.Join(", ", missing.Select(c => $"'{c.Header}' ({Near(c, unmatched)})"))} that a {layout.Platform} needs, so no row can be read.{hint}";
        }
        // A column absent from the export whose value the header of another column carries: Meta's "Amount spent (GBP)".
        var fromHeader = columns.Select((c, i) => map[i] < 0 && c.FromHeader is { } other
            && header.FirstOrDefault(h => PlatformColumn.Matches(other, h)) is { } h
            && System.Text.RegularExpressions.Regex.Match(h, @"\(\s*([A-Za-z]{3})\s*\)\s*$") is { Success: true } m
                ? m.Groups[1].Value.ToUpperInvariant() : null).ToArray();
        var absent = columns.Where((c, i) => !c.Required && map[i] < 0 && fromHeader[i] is null).Select(c => $"'{c.Header}' ({c.Name} is NULL; {Near(c, unmatched)})").ToList();
        return new ExportHeader(line, map, fallbacks, error, absent) { FromHeader = fromHeader };
    }

    // Delimiters a one-field header may hold instead, as named in the hint and written in YAML.
    private static readonly (char Char, string? Name, string Setting)[] Delimiters =
        [('\t', "tabs", "\"\\t\""), (';', "';'", "\";\""), ('|', "'|'", "\"|\""), (',', "','", "\",\"")];

    private static string Near(PlatformColumn column, IReadOnlyList<string> unmatched) =>
        Closest(column, unmatched) is { } near ? $"closest header: '{near}'" : "no header is close";

    /// <summary>
    /// The header not read by any column that most likely holds <paramref name="column"/>: a misspelling of one of its headers,
    /// else one sharing a word with them ('Satisfaction Score' for 'Satisfaction'), else for a date or time the first header
    /// that names a date ('Order Date' for 'Created at'), else null.
    /// </summary>
    internal static string? Closest(PlatformColumn column, IReadOnlyList<string> unmatched)
    {
        if (unmatched.Count == 0) return null;
        var lower = unmatched.Select(u => u.ToLowerInvariant()).ToList();
        foreach (var h in column.Headers)
            if (NameSuggestion.Closest(h.TrimEnd('*').ToLowerInvariant(), lower) is { } near) return unmatched[lower.IndexOf(near)];
        var words = column.Headers.SelectMany(Words).Where(w => !Generic.Contains(w)).ToHashSet();
        if (unmatched.FirstOrDefault(u => Words(u).Any(words.Contains)) is { } sharing) return sharing;
        if (column.Kind is DataKind.Date or DataKind.Timestamp)
            return unmatched.FirstOrDefault(u => Words(u).Any(w => w is "date" or "time" or "timestamp" or "day"))
                   ?? unmatched.FirstOrDefault(u => u.EndsWith(" at", StringComparison.OrdinalIgnoreCase));
        return null;
    }

    // Lower-case words of a header, 'Satisfaction Score' → satisfaction, score.
    private static IEnumerable<string> Words(string header) =>
        header.ToLowerInvariant().Split([' ', '_', '-', '/', '(', ')', '.', '*', ':'], StringSplitOptions.RemoveEmptyEntries);

    // Words too common in export headers to say two headers hold the same thing ('Phone Number' is not 'Receipt Number').
    private static readonly HashSet<string> Generic = ["id", "at", "of", "the", "number", "name", "code", "date", "day", "time", "amount", "total", "status", "type", "email", "created", "updated"];

    /// <summary>The fields of a record in layout order: each column's field, or its first non-blank alias field.</summary>
    public object?[] Mapped(string[] fields)
    {
        var values = new object?[Map.Length];
        for (var c = 0; c < Map.Length; c++)
        {
            var i = Map[c];
            var value = i >= 0 && i < fields.Length ? fields[i] : c < FromHeader.Length ? FromHeader[c] : null;
            if (Fallbacks[c] is { } more && string.IsNullOrWhiteSpace(value))
                foreach (var j in more)
                    if (j < fields.Length && !string.IsNullOrWhiteSpace(fields[j])) { value = fields[j]; break; }
            values[c] = value;
        }
        return values;
    }
}
