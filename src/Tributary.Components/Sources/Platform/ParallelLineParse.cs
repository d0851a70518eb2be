using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;

namespace Tributary.Components.Sources.Platform;

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
    private readonly BlockingCollection<(int File, SourceLine[] Lines, int Count)> _queue;
    private readonly CancellationTokenSource _stop;
    private readonly IReadOnlyList<string> _relative;
    private readonly Func<SourceLine, ParsedRow?> _parse;
    private readonly int _columns;
    private readonly RejectedRowSpool _rejected;
    private readonly long[] _good, _bad;
    private readonly Task _reading;
    private volatile Exception? _readError;

    /// <param name="files">The files' full paths, in load order.</param>
    /// <param name="relative">Their names as the table records them.</param>
    /// <param name="lines">Reads a file's lines.</param>
    /// <param name="parse">Parses a line; null for a line that holds no record (blank).</param>
    /// <param name="columns">How many values a valid row has before its file and line.</param>
    /// <param name="rejected">Where rejected lines go.</param>
    /// <param name="streams">How many streams parse at once.</param>
    /// <param name="cancellationToken">Stops reading and parsing.</param>
    public ParallelLineParse(IReadOnlyList<string> files, IReadOnlyList<string> relative, Func<string, IEnumerable<SourceLine>> lines,
        Func<SourceLine, ParsedRow?> parse, int columns, RejectedRowSpool rejected, int streams, CancellationToken cancellationToken)
    {
        _relative = relative;
        _parse = parse;
        _columns = columns;
        _rejected = rejected;
        _good = new long[files.Count];
        _bad = new long[files.Count];
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _queue = new BlockingCollection<(int, SourceLine[], int)>(boundedCapacity: 2 * streams);
        _reading = Task.Factory.StartNew(() => Read(files, lines), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        Streams = [.. Enumerable.Range(0, streams).Select(_ => Parse())];
    }

    /// <summary>The streams of valid rows (values, then file and line), to enumerate at once on separate threads.</summary>
    public IReadOnlyList<IEnumerable<object?[]>> Streams { get; }

    /// <summary>Valid rows of the file at <paramref name="file"/>'s index; final once every stream has ended.</summary>
    public long Good(int file) => _good[file];

    /// <summary>Rejected rows of the file at <paramref name="file"/>'s index; final once every stream has ended.</summary>
    public long Bad(int file) => _bad[file];

    private void Read(IReadOnlyList<string> files, Func<string, IEnumerable<SourceLine>> lines)
    {
        try
        {
            for (var f = 0; f < files.Count; f++)
            {
                var batch = new SourceLine[BatchLines];
                var count = 0;
                foreach (var line in lines(files[f]))
                {
                    batch[count++] = line;
                    if (count < BatchLines) continue;
                    _queue.Add((f, batch, count), _stop.Token);
                    (batch, count) = (new SourceLine[BatchLines], 0);
                }
                if (count > 0) _queue.Add((f, batch, count), _stop.Token);
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
            foreach (var (file, lines, count) in _queue.GetConsumingEnumerable(_stop.Token))
            {
                long good = 0, bad = 0;
                for (var i = 0; i < count; i++)
                {
                    if (_parse(lines[i]) is not { } row) continue;
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

    /// <inheritdoc />
    public void Dispose()
    {
        _stop.Cancel();
        _reading.Wait(CancellationToken.None);
        _queue.Dispose();
        _stop.Dispose();
    }
}
