using System.Buffers;
using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using System.Security.Cryptography;
using System.Text;
using Tributary.Core.Warehousing;

namespace Tributary.Components.Sources.Platform;

/// <summary>Parses one line's UTF-8 bytes (see <see cref="SourceLineReader.TryReadUtf8"/>); null for a line that holds no record.</summary>
internal delegate ParsedRow? Utf8LineParser(long line, ReadOnlySpan<byte> utf8);

/// <summary>
/// Adds the record of one line's UTF-8 bytes (see <see cref="SourceLineReader.TryReadUtf8"/>) as a row of <paramref name="rows"/>
/// (its first columns; the loader fills the file and line after them) and returns true, or returns false with the reason the
/// line is rejected; true with no row for a line that holds no record.
/// </summary>
internal delegate bool Utf8RowAppender(ReadOnlySpan<byte> utf8, AppendBatch rows, out string? reason);

/// <summary>
/// Parses the lines of export files on several threads for a warehouse that appends in parallel: one thread reads lines into
/// batches, a bounded queue holds a few of them (memory stays flat however large the files), and each of the
/// <see cref="Streams"/> parses the batches it takes into a batch of typed rows (one per stream, refilled), each row with its
/// file and line, as the sequential load gives them. Rejected lines go to the shared spool; counts are kept per file.
/// </summary>
internal sealed class ParallelLineParse : IDisposable
{
    // Lines per batch: each batch is a hand-over between threads (a wake-up or two), and its lines are pooled bytes, not
    // objects a young collection copies. (With lines as strings, 1,024 a batch outlived most young collections; 64 was the fix then.)
    private const int BatchLines = 256;
    private readonly BlockingCollection<(int File, Batch Lines)> _queue;
    private readonly CancellationTokenSource _stop;
    private readonly IReadOnlyList<string> _relative;
    private readonly Utf8RowAppender _parse;
    private readonly DataKind[] _kinds;
    private readonly byte[][] _fileNames;
    private readonly RejectedRowSpool _rejected;
    private readonly long[] _good, _bad;
    private readonly string?[] _sha256;
    private readonly Task _reading;
    private volatile Exception? _readError;

    /// <param name="files">The files' full paths, in load order.</param>
    /// <param name="relative">Their names as the table records them.</param>
    /// <param name="hash">Which files to hash (SHA-256) while they are read.</param>
    /// <param name="open">Opens a file's line reader, feeding the hash when one is given.</param>
    /// <param name="parse">Parses a line into a row.</param>
    /// <param name="columns">The kinds of a row's columns, its file and line the last two.</param>
    /// <param name="rejected">Where rejected lines go.</param>
    /// <param name="streams">How many streams parse at once.</param>
    /// <param name="cancellationToken">Stops reading and parsing.</param>
    public ParallelLineParse(IReadOnlyList<string> files, IReadOnlyList<string> relative, IReadOnlyList<bool> hash, Func<string, IncrementalHash?, SourceLineReader> open,
        Utf8RowAppender parse, IReadOnlyList<DataKind> columns, RejectedRowSpool rejected, int streams, CancellationToken cancellationToken)
    {
        _relative = relative;
        _parse = parse;
        _kinds = [.. columns];
        _fileNames = [.. relative.Select(Encoding.UTF8.GetBytes)];
        _rejected = rejected;
        _good = new long[files.Count];
        _bad = new long[files.Count];
        _sha256 = new string?[files.Count];
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _queue = new BlockingCollection<(int, Batch)>(boundedCapacity: 2 * streams);
        _reading = Task.Factory.StartNew(() => Read(files, hash, open), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        Streams = [.. Enumerable.Range(0, streams).Select(_ => Parse())];
    }

    /// <summary>
    /// The streams of valid rows (values, then file and line), to enumerate at once on separate threads; each refills one
    /// batch, so a batch is read before the next is asked for.
    /// </summary>
    public IReadOnlyList<IEnumerable<AppendBatch>> Streams { get; }

    /// <summary>Valid rows of the file at <paramref name="file"/>'s index; final once every stream has ended.</summary>
    public long Good(int file) => _good[file];

    /// <summary>Rejected rows of the file at <paramref name="file"/>'s index; final once every stream has ended.</summary>
    public long Bad(int file) => _bad[file];

    /// <summary>The lowercase hex SHA-256 of the content of a file hashed while read; set once every stream has ended.</summary>
    public string Sha256(int file) => _sha256[file] ?? throw new InvalidOperationException($"file {file} was not hashed while read");

    private void Read(IReadOnlyList<string> files, IReadOnlyList<bool> hash, Func<string, IncrementalHash?, SourceLineReader> open)
    {
        try
        {
            for (var f = 0; f < files.Count; f++)
            {
                using var sha = hash[f] ? IncrementalHash.CreateHash(HashAlgorithmName.SHA256) : null;
                using var reader = open(files[f], sha);
                var batch = new Batch();
                while (reader.TryReadUtf8(out var line, out var utf8))
                {
                    if (batch.Add(line, utf8) < BatchLines) continue;
                    _queue.Add((f, batch), _stop.Token);
                    batch = new Batch();
                }
                if (batch.Count > 0) _queue.Add((f, batch), _stop.Token);
                else batch.Release();
                if (sha is not null) _sha256[f] = Convert.ToHexStringLower(sha.GetHashAndReset());
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // A stream failed or the load was cancelled; the streams report why.
        }
        catch (Exception e)
        {
            _readError = e;
        }
        finally
        {
            _queue.CompleteAdding();
        }
    }

    private IEnumerable<AppendBatch> Parse()
    {
        var finished = false;
        var rows = new AppendBatch(_kinds, BatchLines);
        int fileColumn = _kinds.Length - ParsedRow.LoaderColumns, lineColumn = fileColumn + 1;
        try
        {
            foreach (var (file, batch) in _queue.GetConsumingEnumerable(_stop.Token))
            {
                rows.Clear();
                long bad = 0;
                for (var i = 0; i < batch.Count; i++)
                {
                    var line = batch.Lines[i];
                    var reason = line.Problem;
                    var before = rows.Count;
                    if (reason is null && batch.Append(i, _parse, rows, out reason))
                    {
                        if (rows.Count == before) continue; // no record (a blank line)
                        rows.SetText(fileColumn, _fileNames[file]);
                        rows.SetInteger(lineColumn, line.Number);
                        continue;
                    }
                    lock (_rejected) _rejected.Add(file, _relative[file], line.Number, line.Problem is null ? batch.Decode(i) : line.Text, reason!);
                    bad++;
                }
                batch.Release();
                Interlocked.Add(ref _good[file], rows.Count);
                Interlocked.Add(ref _bad[file], bad);
                if (rows.Count > 0) yield return rows;
            }
            if (_readError is { } error) ExceptionDispatchInfo.Throw(error);
            finished = true;
        }
        finally
        {
            // A stream that stops early (its append failed) stops the reader and the other streams too.
            if (!finished) _stop.Cancel();
        }
    }

    /// <summary>
    /// Every row of a file read sequentially, as the streams parse them: a problem line rejected with its reason, a blank line skipped.
    /// </summary>
    public static IEnumerable<ParsedRow> Rows(SourceLineReader reader, Utf8LineParser parse)
    {
        using (reader)
            while (Next(reader, parse, out var row))
                if (row is { } parsed) yield return parsed;
    }

    private static bool Next(SourceLineReader reader, Utf8LineParser parse, out ParsedRow? row)
    {
        row = null;
        if (!reader.TryReadUtf8(out var line, out var utf8)) return false;
        row = line.Problem is { } problem ? ParsedRow.Rejected(line.Number, line.Text, problem) : parse(line.Number, utf8);
        return true;
    }

    // Up to BatchLines lines: their UTF-8 bytes one after another in a pooled buffer, so queued lines are neither strings nor
    // young objects that each collection copies.
    private sealed class Batch
    {
        private byte[] _bytes = ArrayPool<byte>.Shared.Rent(BatchLines * 1024);
        private readonly int[] _ends = new int[BatchLines];

        public SourceLine[] Lines { get; } = new SourceLine[BatchLines];
        public int Count { get; private set; }

        // Adds a line (its bytes are copied); the new count.
        public int Add(in SourceLine line, ReadOnlySpan<byte> utf8)
        {
            var start = Count == 0 ? 0 : _ends[Count - 1];
            if (start + utf8.Length > _bytes.Length)
            {
                var larger = ArrayPool<byte>.Shared.Rent(Math.Max(_bytes.Length * 2, start + utf8.Length));
                _bytes.AsSpan(0, start).CopyTo(larger);
                ArrayPool<byte>.Shared.Return(_bytes);
                _bytes = larger;
            }
            utf8.CopyTo(_bytes.AsSpan(start));
            _ends[Count] = start + utf8.Length;
            Lines[Count] = line;
            return ++Count;
        }

        public bool Append(int i, Utf8RowAppender parse, AppendBatch rows, out string? reason) => parse(Bytes(i), rows, out reason);

        // A rejected line's text, for __rejected.raw (a valid line is never decoded).
        public string Decode(int i) => Encoding.UTF8.GetString(Bytes(i));

        private ReadOnlySpan<byte> Bytes(int i)
        {
            var start = i == 0 ? 0 : _ends[i - 1];
            return _bytes.AsSpan(start, _ends[i] - start);
        }

        public void Release()
        {
            ArrayPool<byte>.Shared.Return(_bytes);
            _bytes = [];
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _stop.Cancel();
        _reading.Wait(CancellationToken.None);
        _queue.Dispose();
        _stop.Dispose();
    }
}
