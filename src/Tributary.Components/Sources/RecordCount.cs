using System.Globalization;
using System.Text.Json;
using Tributary.Core.Warehousing;

namespace Tributary.Components.Sources;

/// <summary>
/// Counts the records of the files <c>source.csv</c> and <c>source.ndjson</c> hand to the warehouse's own readers, and
/// refuses malformed ones first: a quote that never closes, a line that is not valid in the encoding, a record past the
/// readers' size limits, a CSV row of the wrong width, a JSON line that is not an object. The count is then checked
/// against the rows the warehouse loaded, so those readers can neither drop nor merge records silently.
/// </summary>
internal static class RecordCount
{
    // The warehouse readers' own limits (DuckDB max_line_size and maximum_object_size), so nothing they accept is refused here.
    private const int MaxCsvRecordBytes = 2_000_000;
    private const int MaxJsonLineBytes = 16 << 20;
    private const int ProblemsShown = 5;

    /// <summary>Records in CSV files (header rows excluded) and the delimiter they were read with.</summary>
    public static (long Records, char Delimiter) OfCsv(IReadOnlyList<string> files, FileReadOptions options, string projectDirectory, CancellationToken cancellationToken)
    {
        var delimiter = options.Delimiter is { Length: 1 } given ? given[0] : DetectDelimiter(files[0], options.Encoding);
        var problems = new Problems(projectDirectory);
        long records = 0;
        foreach (var file in files)
        {
            var reader = new CsvRecordReader(SourceLineReader.ReadAll(file, options.Encoding, MaxCsvRecordBytes), delimiter, MaxCsvRecordBytes, strayQuotesAreErrors: false);
            var header = options.Header;
            foreach (var record in reader.Read())
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (record.Fields is not { } fields) problems.Add(file, record.Line, record.Problem!);
                else if (reader.Width is not { } width) reader.Width = fields.Length;
                else if (!CsvRecordReader.Fits(fields, width)) problems.Add(file, record.Line, $"has {fields.Length} fields where the first row has {width}");
                if (header)
                {
                    header = false;
                    continue;
                }
                records++;
            }
        }
        problems.ThrowIfAny();
        return (records, delimiter);
    }

    /// <summary>Lines holding a JSON object in newline-delimited JSON files; blank lines are not records.</summary>
    public static long OfNdJson(IReadOnlyList<string> files, string projectDirectory, CancellationToken cancellationToken)
    {
        var problems = new Problems(projectDirectory);
        long records = 0;
        foreach (var file in files)
        {
            foreach (var line in SourceLineReader.ReadAll(file, TextEncoding.Utf8, MaxJsonLineBytes))
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (line.Problem is { } problem) problems.Add(file, line.Number, problem);
                else if (string.IsNullOrWhiteSpace(line.Text)) continue;
                else if (JsonProblem(line.Text) is { } invalid) problems.Add(file, line.Number, invalid);
                records++;
            }
        }
        problems.ThrowIfAny();
        return records;
    }

    /// <summary>Fails when the warehouse loaded another number of rows than the files hold records.</summary>
    public static void Check(long records, long loaded, int files)
    {
        if (records != loaded)
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                $"the warehouse read {loaded} rows where the {files} file(s) hold {records} records; nothing was loaded. Check for comment lines, skipped rows or a delimiter the reader guessed differently."));
    }

    private static string? JsonProblem(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.ValueKind == JsonValueKind.Object ? null : $"expected a JSON object, got {document.RootElement.ValueKind.ToString().ToLowerInvariant()}";
        }
        catch (JsonException e)
        {
            return $"invalid JSON: {e.Message.Split(" LineNumber", 2)[0].TrimEnd('.')}";
        }
    }

    // The most frequent candidate outside quotes on the first line; a comma when there is none (one column).
    private static char DetectDelimiter(string file, TextEncoding encoding)
    {
        char[] candidates = [',', ';', '\t', '|'];
        var first = SourceLineReader.ReadAll(file, encoding, MaxCsvRecordBytes).FirstOrDefault(l => l.Problem is null && !string.IsNullOrWhiteSpace(l.Text)).Text ?? "";
        var counts = new int[candidates.Length];
        var quoted = false;
        foreach (var c in first)
        {
            if (c == '"') quoted = !quoted;
            else if (!quoted && Array.IndexOf(candidates, c) is var i and >= 0) counts[i]++;
        }
        var best = Array.IndexOf(counts, counts.Max());
        return counts[best] > 0 ? candidates[best] : ',';
    }

    private sealed class Problems(string projectDirectory)
    {
        private readonly List<string> _shown = [];
        private long _count;

        public void Add(string file, long line, string problem)
        {
            if (_count++ < ProblemsShown) _shown.Add($"{Path.GetRelativePath(projectDirectory, file)}:{line}: {problem}");
        }

        public void ThrowIfAny()
        {
            if (_count == 0) return;
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                $"{_count} malformed record(s); nothing was loaded. {string.Join("; ", _shown)}{(_count > ProblemsShown ? "; …" : "")}"));
        }
    }
}
