using Tributary.Core.Components;
using Tributary.Core.Warehousing;

namespace Tributary.Components.Sources;

/// <summary>What the file sources share: path resolution (file, folder or glob) and declared columns.</summary>
internal static class FileSource
{
    /// <summary>
    /// Files a path matches, sorted (<see cref="SourceFileMatch"/>): a folder means every file with the extension (or
    /// gzip-compressed) directly inside it, and a glob may search folders (**). Each file is checked against the project's
    /// paths, so a link in a folder cannot lead outside.
    /// </summary>
    public static IReadOnlyList<string> Resolve(ComponentContext context, string path, string extension) =>
        Match(context.ResolvePath(path), extension).Select(context.ResolvePath).ToList();

    private static IEnumerable<string> Match(string full, string extension) => SourceFileMatch.Find(full, SourceFileMatch.Extensions(extension));

    /// <summary>The error for a path that matches no file: what is read, and what is there instead.</summary>
    public static FileNotFoundException NoMatch(ComponentContext context, string path, string extension) =>
        new(SourceFileMatch.NoMatch(path, context.ResolvePath(path), SourceFileMatch.Extensions(extension)));

    /// <summary>Loads every matched file into the asset in one statement, so the asset holds all of them or none.</summary>
    public static async Task<Materialization> LoadAsync(ComponentContext context, string path, string extension, FileFormat format,
        FileReadOptions options, CancellationToken cancellationToken)
    {
        var files = Resolve(context, path, extension);
        if (files.Count == 0) throw NoMatch(context, path, extension);
        context.Log($"reading {files.Count} file(s): {string.Join(", ", files.Select(f => Path.GetRelativePath(context.ProjectDirectory, f)))}");
        long? records = null;
        if (format == FileFormat.Csv)
        {
            var (count, delimiter) = RecordCount.OfCsv(files, options, context.ProjectDirectory, cancellationToken);
            (records, options) = (count, options with { Delimiter = delimiter.ToString() });
        }
        else if (format == FileFormat.NdJson) records = RecordCount.OfNdJson(files, context.ProjectDirectory, cancellationToken);
        long rows;
        try
        {
            rows = await context.Warehouse.ReplaceTableAsync(context.Asset, async (b, ct) =>
            {
                await b.LoadFilesAsync(files, format, options, ct).ConfigureAwait(false);
                if (records is { } expected)
                    RecordCount.Check(expected, Convert.ToInt64(await context.Warehouse.ScalarAsync($"SELECT count(*) FROM {b.QuotedName}", null, ct).ConfigureAwait(false),
                        System.Globalization.CultureInfo.InvariantCulture), files.Count);
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (format == FileFormat.Csv && options.DateFormats is null && IsDateConversion(e))
        {
            throw new InputDataException($"{e.Message.TrimEnd()} A date or timestamp in the files is not in ISO form (2024-10-05 10:15:00): set date_format to how they write it, e.g. {SourceDateFormat.Example}.", e);
        }
        return new Materialization(rows, new Dictionary<string, object?> { ["files"] = files.Count, ["path"] = path });
    }

    // DuckDB's cast of text that is not an ISO date or timestamp, on either engine (PostgreSQL loads through DuckDB's reader).
    private static bool IsDateConversion(Exception e)
    {
        for (var x = e; x is not null; x = x.InnerException)
            if (x.Message.Contains("invalid timestamp field format", StringComparison.OrdinalIgnoreCase)
                || x.Message.Contains("invalid date field format", StringComparison.OrdinalIgnoreCase))
                return true;
        return false;
    }

    /// <summary>The zone of times written without an offset: the source's <c>timezone</c>, else the project's (as the platform sources read them).</summary>
    public static string Zone(string? timezone, ComponentContext context) => timezone ?? context.TimeZone.Id;

    /// <summary>The output schema a <c>columns</c> parameter declares, or null when not declared.</summary>
    public static TableSchema? Declared(IReadOnlyDictionary<string, string>? columns) =>
        columns is { Count: > 0 }
            ? new TableSchema(columns.Select(c => new ColumnSchema(c.Key, c.Value, SqlTypeNames.KindOf(c.Value))).ToList())
            : null;
}
