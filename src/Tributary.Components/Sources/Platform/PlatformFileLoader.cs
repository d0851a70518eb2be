using System.Globalization;
using System.Security.Cryptography;
using Tributary.Core.Components;
using Tributary.Core.Warehousing;

namespace Tributary.Components.Sources.Platform;

/// <summary>
/// Loads new export files into a source's asset, incrementally: files already recorded in its files ledger output (same
/// path, size and modification time, or the same SHA-256 of their content) are skipped; a path loaded before whose content
/// changed (an export delivered again under its fixed name) has its earlier rows, rejected lines and ledger entry replaced
/// by the new ones, so the asset holds one version of each path. Valid rows are streamed to the asset through the
/// warehouse's bulk writer, bad rows to its rejected output with the raw line and the reason, and the three tables commit in
/// one transaction, so a crash never leaves rows without the file log that stops them loading twice. When the rejected share
/// of a load exceeds <c>max_rejected_ratio</c>, the step fails and nothing is written. On a full refresh the ledger is not
/// read: every file at the path is loaded, and the asset, rejected rows and ledger are replaced whole in that same transaction.
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

    /// <summary>
    /// Loads CSV exports of <paramref name="layout"/>. Every new file's header is read first: one that lacks a required column
    /// fails the step with one error per file (the headers found, the closest to the missing column) before any row is read, and
    /// optional columns a header lacks are logged, and listed in the step's <c>header_warnings</c>, with the closest header.
    /// </summary>
    public static Task<Materialization> LoadCsvAsync(ComponentContext context, PlatformSourceParameters p, PlatformLayout layout, CancellationToken cancellationToken)
    {
        // Timestamps without an offset are the reporting zone's wall-clock times (UTC unless tributary.yaml sets one).
        var zoned = SqlBuilder.IsUtc(context.TimeZone) ? layout : layout with { OffsetlessZone = context.TimeZone };
        return LoadAsync(context, p, zoned, ".csv", file => CsvExportReader.Read(file, zoned, p), file => CsvExportReader.ReadHeader(file, zoned, p), null, null, cancellationToken);
    }

    /// <summary>
    /// Loads files of a format with one record per line (NDJSON) the same way: lines are read on one thread and parsed on several (one per core, up to four),
    /// each appending through its own connection where the warehouse can (DuckDB). Lines reach <paramref name="parse"/> as UTF-8
    /// bytes (lines that cannot be read are rejected before it); it returns null for a line that holds no record.
    /// </summary>
    /// <remarks>
    /// With several streams, each parses lines into batches of typed rows (<paramref name="append"/>), which the warehouse stores
    /// without an object per value; one stream (one core) takes rows from <paramref name="parse"/>, which must give the same.
    /// </remarks>
    public static Task<Materialization> LoadLinesAsync(ComponentContext context, PlatformSourceParameters p, PlatformLayout layout, string extension,
        Func<string, IncrementalHash?, SourceLineReader> open, Utf8LineParser parse, Utf8RowAppender append, CancellationToken cancellationToken) =>
        LoadAsync(context, p, layout, extension, file => ParallelLineParse.Rows(open(file, null), parse), null, open, append, cancellationToken);

    private static async Task<Materialization> LoadAsync(ComponentContext context, PlatformSourceParameters p, PlatformLayout layout, string extension,
        Func<string, IEnumerable<ParsedRow>> read, Func<string, ExportHeader?>? header, Func<string, IncrementalHash?, SourceLineReader>? lines, Utf8RowAppender? parse,
        CancellationToken cancellationToken)
    {
        var w = context.Warehouse;
        var filesTable = context.Output(PlatformSchemas.Files);
        var rejectedTable = context.Output(PlatformSchemas.Rejected);
        var matched = FileSource.Resolve(context, p.Path, extension);
        if (matched.Count == 0) throw FileSource.NoMatch(context, p.Path, extension);

        // The ledger keeps one entry per path, the version whose rows the asset holds; a ledger written before re-deliveries
        // superseded a path can list several, and then the asset holds rows of each of them.
        var current = new Dictionary<string, LedgerEntry>(StringComparer.Ordinal);
        var versions = new Dictionary<string, int>(StringComparer.Ordinal);
        if (context.FullRefresh) context.Log("full refresh: the files ledger is ignored; every file is loaded and replaces all rows loaded before");
        else if (await w.DescribeTableAsync(filesTable, cancellationToken).ConfigureAwait(false) is { } log)
        {
            // Logs written before content hashes were kept have no sha256 column; those files are known by path, size and time only.
            var sha = log.Find("sha256") is null ? "NULL" : w.Dialect.Quote("sha256");
            var loadedAt = log.Find("loaded_at") is null ? "NULL" : w.Dialect.Quote("loaded_at");
            await foreach (var r in w.StreamAsync($"SELECT file, bytes, modified_at, {sha}, {loadedAt} FROM {w.Dialect.Quote(filesTable)}", null, cancellationToken).ConfigureAwait(false))
            {
                var entry = new LedgerEntry(Convert.ToInt64(r[1], CultureInfo.InvariantCulture), (DateTime)r[2]!, r[3] as string, r[4] as DateTime? ?? DateTime.MinValue);
                var file = (string)r[0]!;
                versions[file] = versions.GetValueOrDefault(file) + 1;
                if (!current.TryGetValue(file, out var seen) || (entry.LoadedAt, entry.Modified).CompareTo((seen.LoadedAt, seen.Modified)) >= 0) current[file] = entry;
            }
        }
        var contents = new Dictionary<string, string>(StringComparer.Ordinal); // SHA-256 -> the file whose current version it is
        foreach (var (file, entry) in current.OrderBy(c => c.Key, StringComparer.Ordinal))
            if (entry.Hash is { } hash) contents.TryAdd(hash, file);

        var now = DateTime.SpecifyKind(context.Time.GetUtcNow().UtcDateTime, DateTimeKind.Unspecified);
        var streams = lines is null || parse is null ? 1 : Math.Clamp(Environment.ProcessorCount, 1, MaxStreams);
        var candidates = new List<(string File, string Relative, FileInfo Info, DateTime Modified)>();
        foreach (var file in matched)
        {
            var info = new FileInfo(file);
            var relative = Path.GetRelativePath(context.ProjectDirectory, file);
            var modified = DateTime.SpecifyKind(info.LastWriteTimeUtc, DateTimeKind.Unspecified);
            modified = modified.AddTicks(-(modified.Ticks % TimeSpan.TicksPerMillisecond)); // both engines keep at least milliseconds
            var unchanged = current.TryGetValue(relative, out var entry) && entry.Bytes == info.Length && entry.Modified == modified;
            if (!unchanged || versions[relative] > 1) candidates.Add((file, relative, info, modified));
        }
        // Files of the same length as another could hold the same content; the rest cannot, and a parallel line load hashes them
        // as it reads them instead of in a pass of its own before the load (a serial read of every byte on one core).
        var lengths = current.Values.Select(l => l.Bytes).Concat(candidates.Select(c => c.Info.Length)).CountBy(length => length).ToDictionary();
        var pending = new List<(string File, string Relative, long Bytes, DateTime Modified, string? Hash)>();
        var superseded = new List<string>();
        // Paths delivered again go first, so the content they give up is no longer taken for a copy's.
        foreach (var (file, relative, info, modified) in candidates.OrderBy(c => current.ContainsKey(c.Relative) ? 0 : 1))
        {
            var earlier = current.TryGetValue(relative, out var entry) ? entry : null;
            if (earlier?.Hash is { } given && contents.GetValueOrDefault(given) == relative) contents.Remove(given);
            if (earlier is not null && versions[relative] > 1)
            {
                // Loaded before a re-delivery superseded its path: the asset holds several versions, so all give way to the file as it is now.
                context.Log($"{relative}: {versions[relative]} versions loaded; reloading its current content in their place");
                superseded.Add(relative);
                pending.Add((file, relative, info.Length, modified, streams > 1 ? null : await HashAsync(file, cancellationToken).ConfigureAwait(false)));
                continue;
            }
            if (streams > 1 && lengths[info.Length] == 1)
            {
                if (earlier is not null)
                {
                    context.Log($"{relative}: changed since it was loaded; its rows are replaced");
                    superseded.Add(relative);
                }
                pending.Add((file, relative, info.Length, modified, null));
                continue;
            }
            var hash = await HashAsync(file, cancellationToken).ConfigureAwait(false);
            if (earlier is not null)
            {
                // Touched, or written again with what it held: its rows are already the file's.
                if (earlier.Hash == hash)
                {
                    contents[hash] = relative;
                    context.Log($"{relative}: modified time changed, content did not; skipped");
                    continue;
                }
                // Delivered again at the same path (an export re-run under its fixed name): the new content replaces the old rows.
                context.Log($"{relative}: changed since it was loaded; its rows are replaced");
                superseded.Add(relative);
                contents.TryAdd(hash, relative);
                pending.Add((file, relative, info.Length, modified, hash));
                continue;
            }
            // A copy under another name has the same content as a file loaded before: loading it again would duplicate every row.
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

        // A header without a required column would reject every row of its file, each with the same reason: one error per file instead.
        var headerWarnings = new List<string>();
        if (header is not null)
        {
            var errors = new List<string>();
            foreach (var (file, relative, _, _, _) in pending)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (header(file) is not { } h) continue;
                if (h.Error is { } error) errors.Add($"{relative}:{h.Line}: {error}");
                else if (h.Absent.Count > 0)
                {
                    var warning = $"{relative}:{h.Line}: the header has no column {string.Join(", ", h.Absent)}";
                    headerWarnings.Add(warning);
                    context.Log($"warning: {warning}");
                }
            }
            if (errors.Count > 0)
                throw new InputDataException($"{string.Join("\n", errors)}\nNothing was loaded; rename the column in the file (see the {layout.Platform} headers in docs/data-model.md).");
        }

        // Valid rows stream from the parser into the warehouse's bulk writer; rejected ones wait on disk, so memory stays flat as files grow.
        using var rejected = new RejectedRowSpool();
        var files = new List<object?[]>();
        long rows = 0, summaries = 0;
        IEnumerable<object?[]> Valid()
        {
            for (var f = 0; f < pending.Count; f++)
            {
                var (file, relative, bytes, modified, hash) = pending[f];
                long good = 0, bad = 0, summary = 0;
                foreach (var row in read(file))
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    if (row.Summary) summary++;
                    else if (row.Values is not null)
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
                summaries += summary;
                files.Add([relative, bytes, modified, good, bad, context.RunId, now, hash]);
                context.Log(summary == 0 ? $"{relative}: {good} rows, {bad} rejected" : $"{relative}: {good} rows, {bad} rejected, {summary} {layout.SummaryRowsSkipped}");
            }
        }

        // A full refresh takes back everything loaded before, files gone from the path included, when the new rows commit.
        SupersededRows Superseded(string column) => context.FullRefresh ? SupersededRows.Everything : new SupersededRows(column, superseded);

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
            }) { Supersedes = Superseded("_source_file") },
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
            }) { Supersedes = Superseded("source_file") },
            new TableWrite(filesTable, TableWriteMode.Append, (b, ct) => b.CreateAndAppendAsync(FileColumns, files, ct)) { Supersedes = Superseded("file") },
        ], cancellationToken).ConfigureAwait(false);
        if (rejected.Count > 0) context.Log($"{rejected.Count} rejected row(s) in {rejectedTable}");
        return new Materialization(counts[0], new Dictionary<string, object?>
        {
            ["new_files"] = files.Count, ["replaced_files"] = superseded.Count, ["rows_loaded"] = rows, ["rejected"] = rejected.Count, ["rejected_table"] = rejectedTable,
            ["summary_rows_skipped"] = summaries, ["header_warnings"] = headerWarnings,
        })
        {
            Warnings = rejected.Count == 0 ? [] : [$"{rejected.Count} of {rows + rejected.Count} row(s) rejected (within max_rejected_ratio); they are in {rejectedTable} with their file, line and reason"],
        };
    }

    private sealed record LedgerEntry(long Bytes, DateTime Modified, string? Hash, DateTime LoadedAt);

    private static async Task<string> HashAsync(string file, CancellationToken cancellationToken)
    {
        await using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken).ConfigureAwait(false));
    }
}
