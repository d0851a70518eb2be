using System.Globalization;
using System.Security.Cryptography;
using Tributary.Core.Components;
using Tributary.Core.Warehousing;

namespace Tributary.Components.Sources.Platform;

/// <summary>
/// Loads new export files into a source's asset, incrementally: files already recorded in its files ledger output (same
/// path, size and modification time, or the same SHA-256 of their content under any name) are skipped; valid rows are
/// streamed to the asset through the warehouse's bulk writer, bad rows to its rejected output with the raw line and the reason, and the three tables
/// commit in one transaction, so a crash never leaves rows without the file log that stops them loading twice. When the
/// rejected share of a load exceeds <c>max_rejected_ratio</c>, the step fails and nothing is written.
/// </summary>
internal static class PlatformFileLoader
{
    internal static readonly (string, DataKind)[] RejectedColumns =
        [("source_file", DataKind.Text), ("line", DataKind.Integer), ("raw", DataKind.Text), ("reason", DataKind.Text), ("run_id", DataKind.Text), ("rejected_at", DataKind.Timestamp)];
    internal static readonly (string, DataKind)[] FileColumns =
    [
        ("file", DataKind.Text), ("bytes", DataKind.Integer), ("modified_at", DataKind.Timestamp), ("rows", DataKind.Integer), ("rejected", DataKind.Integer),
        ("run_id", DataKind.Text), ("loaded_at", DataKind.Timestamp), ("sha256", DataKind.Text),
    ];

    // Parsing streams at most: past two, the reading thread and DuckDB's commit are the limit.
    private const int MaxStreams = 4;

    public static Task<Materialization> LoadAsync(ComponentContext context, PlatformSourceParameters p, PlatformLayout layout, string extension,
        Func<string, IEnumerable<ParsedRow>> read, CancellationToken cancellationToken) =>
        LoadAsync(context, p, layout, extension, read, null, null, cancellationToken);

    /// <summary>
    /// As <see cref="LoadAsync(ComponentContext, PlatformSourceParameters, PlatformLayout, string, Func{string, IEnumerable{ParsedRow}}, CancellationToken)"/>
    /// for formats with one record per line: lines are read on one thread and parsed on several (one per core, up to four),
    /// each appending through its own connection where the warehouse can (DuckDB). Lines reach <paramref name="parse"/> as UTF-8
    /// bytes (lines that cannot be read are rejected before it); it returns null for a line that holds no record.
    /// </summary>
    /// <remarks>
    /// With several streams, each parses lines into batches of typed rows (<paramref name="append"/>), which the warehouse stores
    /// without an object per value; one stream (one core) takes rows from <paramref name="parse"/>, which must give the same.
    /// </remarks>
    public static Task<Materialization> LoadLinesAsync(ComponentContext context, PlatformSourceParameters p, PlatformLayout layout, string extension,
        Func<string, IncrementalHash?, SourceLineReader> open, Utf8LineParser parse, Utf8RowAppender append, CancellationToken cancellationToken) =>
        LoadAsync(context, p, layout, extension, file => ParallelLineParse.Rows(open(file, null), parse), open, append, cancellationToken);

    private static async Task<Materialization> LoadAsync(ComponentContext context, PlatformSourceParameters p, PlatformLayout layout, string extension,
        Func<string, IEnumerable<ParsedRow>> read, Func<string, IncrementalHash?, SourceLineReader>? lines, Utf8RowAppender? parse, CancellationToken cancellationToken)
    {
        var w = context.Warehouse;
        var filesTable = context.Output(PlatformSchemas.Files);
        var rejectedTable = context.Output(PlatformSchemas.Rejected);
        var matched = FileSource.Resolve(context, p.Path, extension);
        if (matched.Count == 0) throw FileSource.NoMatch(context, p.Path, extension);

        var loaded = new HashSet<(string, long, DateTime)>();
        var contents = new Dictionary<string, string>(StringComparer.Ordinal); // SHA-256 -> the file that brought it
        if (await w.DescribeTableAsync(filesTable, cancellationToken).ConfigureAwait(false) is { } log)
        {
            // Logs written before content hashes were kept have no sha256 column; those files are known by path, size and time only.
            var sha = log.Find("sha256") is null ? "NULL" : w.Dialect.Quote("sha256");
            await foreach (var r in w.StreamAsync($"SELECT file, bytes, modified_at, {sha} FROM {w.Dialect.Quote(filesTable)}", null, cancellationToken).ConfigureAwait(false))
            {
                loaded.Add(((string)r[0]!, Convert.ToInt64(r[1], CultureInfo.InvariantCulture), (DateTime)r[2]!));
                if (r[3] is string hash) contents.TryAdd(hash, (string)r[0]!);
            }
        }

        var now = DateTime.SpecifyKind(context.Time.GetUtcNow().UtcDateTime, DateTimeKind.Unspecified);
        var streams = lines is null || parse is null ? 1 : Math.Clamp(Environment.ProcessorCount, 1, MaxStreams);
        var candidates = new List<(string File, string Relative, FileInfo Info, DateTime Modified)>();
        foreach (var file in matched)
        {
            var info = new FileInfo(file);
            var relative = Path.GetRelativePath(context.ProjectDirectory, file);
            var modified = DateTime.SpecifyKind(info.LastWriteTimeUtc, DateTimeKind.Unspecified);
            modified = modified.AddTicks(-(modified.Ticks % TimeSpan.TicksPerMillisecond)); // both engines keep at least milliseconds
            if (!loaded.Contains((relative, info.Length, modified))) candidates.Add((file, relative, info, modified));
        }
        // Files of the same length as another could hold the same content; the rest cannot, and a parallel line load hashes them
        // as it reads them instead of in a pass of its own before the load (a serial read of every byte on one core).
        var lengths = loaded.Select(l => l.Item2).Concat(candidates.Select(c => c.Info.Length)).CountBy(length => length).ToDictionary();
        var pending = new List<(string File, string Relative, long Bytes, DateTime Modified, string? Hash)>();
        foreach (var (file, relative, info, modified) in candidates)
        {
            if (streams > 1 && lengths[info.Length] == 1)
            {
                pending.Add((file, relative, info.Length, modified, null));
                continue;
            }
            // A touched file or a copy under another name has the same content: loading it again would duplicate every row.
            var hash = await HashAsync(file, cancellationToken).ConfigureAwait(false);
            if (contents.TryGetValue(hash, out var same))
            {
                context.Log($"{relative}: same content as {same}, already loaded; skipped");
                continue;
            }
            contents[hash] = relative;
            pending.Add((file, relative, info.Length, modified, hash));
        }
        if (pending.Count == 0)
        {
            context.Log($"no new files ({matched.Count} already loaded)");
            var existing = Convert.ToInt64(await w.ScalarAsync($"SELECT count(*) FROM {w.Dialect.Quote(context.Asset)}", null, cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
            return new Materialization(existing, new Dictionary<string, object?> { ["new_files"] = 0, ["rejected"] = 0 });
        }

        // Valid rows stream from the parser into the warehouse's bulk writer; rejected ones wait on disk, so memory stays flat as files grow.
        using var rejected = new RejectedRowSpool();
        var files = new List<object?[]>();
        long rows = 0;
        IEnumerable<object?[]> Valid()
        {
            for (var f = 0; f < pending.Count; f++)
            {
                var (file, relative, bytes, modified, hash) = pending[f];
                long good = 0, bad = 0;
                foreach (var row in read(file))
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    if (row.Values is not null)
                    {
                        good++;
                        yield return row.Stored(layout.Columns.Count, relative);
                    }
                    else
                    {
                        rejected.Add(f, relative, row.Line, row.Raw, row.Reason!);
                        bad++;
                    }
                }
                rows += good;
                files.Add([relative, bytes, modified, good, bad, context.RunId, now, hash]);
                context.Log($"{relative}: {good} rows, {bad} rejected");
            }
        }

        using var parallel = streams > 1
            ? new ParallelLineParse([.. pending.Select(f => f.File)], [.. pending.Select(f => f.Relative)], [.. pending.Select(f => f.Hash is null)], lines!, parse!,
                [.. layout.OutputColumns.Select(c => c.Kind)], rejected, streams, cancellationToken)
            : null;
        var counts = await w.WriteTablesAsync(
        [
            new TableWrite(context.Asset, TableWriteMode.Append, async (b, ct) =>
            {
                if (parallel is null)
                {
                    await b.CreateAndAppendAsync(layout.OutputColumns, Valid(), ct).ConfigureAwait(false);
                    return;
                }
                await b.CreateAndAppendBatchesInParallelAsync(layout.OutputColumns, parallel.Streams, ct).ConfigureAwait(false);
                for (var f = 0; f < pending.Count; f++)
                {
                    var (_, relative, bytes, modified, hash) = pending[f];
                    rows += parallel.Good(f);
                    files.Add([relative, bytes, modified, parallel.Good(f), parallel.Bad(f), context.RunId, now, hash ?? parallel.Sha256(f)]);
                    context.Log($"{relative}: {parallel.Good(f)} rows, {parallel.Bad(f)} rejected");
                }
            }),
            new TableWrite(rejectedTable, TableWriteMode.Append, (b, ct) =>
            {
                // Checked once every file is read; throwing here drops the staging tables, so nothing is written.
                var total = rows + rejected.Count;
                var ratio = total == 0 ? 0 : (double)rejected.Count / total;
                if (ratio > p.MaxRejectedRatio)
                {
                    var examples = string.Join("; ", rejected.First.Select(r => $"{r.File}:{r.Line}: {r.Reason}"));
                    throw new InputDataException(string.Create(CultureInfo.InvariantCulture,
                        $"{rejected.Count} of {total} rows rejected ({ratio * 100:0.0}%), more than max_rejected_ratio {p.MaxRejectedRatio * 100:0.0}%; nothing was loaded. First: {examples}"));
                }
                return b.CreateAndAppendAsync(RejectedColumns, rejected.Read(context.RunId, now), ct);
            }),
            new TableWrite(filesTable, TableWriteMode.Append, (b, ct) => b.CreateAndAppendAsync(FileColumns, files, ct)),
        ], cancellationToken).ConfigureAwait(false);
        if (rejected.Count > 0) context.Log($"{rejected.Count} rejected row(s) in {rejectedTable}");
        return new Materialization(counts[0], new Dictionary<string, object?>
        {
            ["new_files"] = files.Count, ["rows_loaded"] = rows, ["rejected"] = rejected.Count, ["rejected_table"] = rejectedTable,
        });
    }

    private static async Task<string> HashAsync(string file, CancellationToken cancellationToken)
    {
        await using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken).ConfigureAwait(false));
    }
}
