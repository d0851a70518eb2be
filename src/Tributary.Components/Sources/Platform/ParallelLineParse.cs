using System.Buffers;
using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using System.Security.Cryptography;

namespace Tributary.Components.Sources.Platform;

/// <summary>Parses one line's UTF-8 bytes (see <see cref="SourceLineReader.TryReadUtf8"/>); null for a line that holds no record.</summary>
internal delegate ParsedRow? Utf8LineParser(long line, ReadOnlySpan<byte> utf8);

/// <summary>
/// Parses the lines of export files on several threads for a warehouse that appends in parallel: one thread reads lines into
/// batches, a bounded queue holds a few of them (memory stays flat however large the files), and each of the
/// <see cref="Streams"/> parses the batches it takes and yields the valid rows, each with its file and line, as the
/// sequential load does. Rejected lines go to the shared spool; counts are kept per file.
/// </summary>
internal sealed class ParallelLineParse : IDisposable
{
    // Small batches keep few lines in flight: with 1,024 a batch, the queued lines (about 4 MB of text) outlived most young-generation
    // collections, which then copied them (a load's garbage collection is mostly that copying).
    private const int BatchLines = 64;
    private readonly BlockingCollection<(int File, Batch Lines)> _queue;
    private readonly CancellationTokenSource _stop;
    private readonly IReadOnlyList<string> _relative;
    private readonly Utf8LineParser _parse;
    private readonly int _columns;
    private readonly RejectedRowSpool _rejected;
    private readonly long[] _good, _bad;
    private readonly string?[] _sha256;
    private readonly Task _reading;
    private volatile Exception? _readError;

    /// <param name="files">The files' full paths, in load order.</param>
    /// <param name="relative">Their names as the table records them.</param>
    /// <param name="hash">Which files to hash (SHA-256) while they are read.</param>
    /// <param name="open">Opens a file's line reader, feeding the hash when one is given.</param>
    /// <param name="parse">Parses a line; null for a line that holds no record (blank).</param>
    /// <param name="columns">How many values a valid row has before its file and line.</param>
    /// <param name="rejected">Where rejected lines go.</param>
    /// <param name="streams">How many streams parse at once.</param>
    /// <param name="cancellationToken">Stops reading and parsing.</param>
    public ParallelLineParse(IReadOnlyList<string> files, IReadOnlyList<string> relative, IReadOnlyList<bool> hash, Func<string, IncrementalHash?, SourceLineReader> open,
        Utf8LineParser parse, int columns, RejectedRowSpool rejected, int streams, CancellationToken cancellationToken)
    {
        _relative = relative;
        _parse = parse;
        _columns = columns;
        _rejected = rejected;
        _good = new long[files.Count];
        _bad = new long[files.Count];
        _sha256 = new string?[files.Count];
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _queue = new BlockingCollection<(int, Batch)>(boundedCapacity: 2 * streams);
        _reading = Task.Factory.StartNew(() => Read(files, hash, open), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        Streams = [.. Enumerable.Range(0, streams).Select(_ => Parse())];
    }

    /// <summary>The streams of valid rows (values, then file and line), to enumerate at once on separate threads.</summary>
    public IReadOnlyList<IEnumerable<object?[]>> Streams { get; }

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

    private IEnumerable<object?[]> Parse()
    {
        var finished = false;
        try
        {
            foreach (var (file, batch) in _queue.GetConsumingEnumerable(_stop.Token))
            {
                long good = 0, bad = 0;
                for (var i = 0; i < batch.Count; i++)
                {
                    var line = batch.Lines[i];
                    var parsed = line.Problem is { } problem ? ParsedRow.Rejected(line.Number, line.Text, problem) : batch.Parse(i, _parse);
                    if (parsed is not { } row) continue;
                    if (row.Values is not null)
                    {
                        good++;
                        yield return row.Stored(_columns, _relative[file]);
                    }
                    else
                    {
                        lock (_rejected) _rejected.Add(file, _relative[file], row.Line, row.Raw, row.Reason!);
                        bad++;
                    }
                }
                batch.Release();
                Interlocked.Add(ref _good[file], good);
                Interlocked.Add(ref _bad[file], bad);
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

        public ParsedRow? Parse(int i, Utf8LineParser parse)
        {
            var start = i == 0 ? 0 : _ends[i - 1];
            return parse(Lines[i].Number, _bytes.AsSpan(start, _ends[i] - start));
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
