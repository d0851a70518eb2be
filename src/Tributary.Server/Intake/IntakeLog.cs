using System.Threading.Channels;
using Microsoft.Data.Sqlite;
using Tributary.Core.Projects;

namespace Tributary.Server.Intake;

/// <summary>
/// The intake's write-ahead log: a SQLite database in WAL mode with <c>synchronous=FULL</c>, so an appended event is on
/// disk (fsynced) when <see cref="AppendAsync"/> completes. One writer drains every request waiting at that moment and
/// commits them in one transaction (group commit): many concurrent calls share one fsync, and their events share one row
/// (encoded by <see cref="IntakeLogFormat"/>) with a sequence number that the loader records in the warehouse. The log also remembers
/// each sender's messageId for the dedup window, so an event resent after its acknowledgement, even after a crash, is
/// dropped; an id made here (<see cref="IntakeEvent.GeneratedId"/>) is new by construction and not recorded.
/// </summary>
internal sealed class IntakeLog : IAsyncDisposable
{
    // Events one commit takes at most, so that one transaction stays short and the answers come early.
    private const int MaxEventsPerCommit = 20_000;
    private static readonly TimeSpan PruneEvery = TimeSpan.FromSeconds(30);

    private readonly Channel<PendingAppend> _pending = Channel.CreateUnbounded<PendingAppend>(new UnboundedChannelOptions { SingleReader = true });
    private readonly string _connectionString;
    private readonly TimeSpan _dedupWindow;
    private readonly TimeProvider _time;
    private readonly SqliteConnection _writer;
    private readonly SemaphoreSlim _arrived = new(0);
    private readonly Task _writing;
    private long _backlog;

    private IntakeLog(string connectionString, SqliteConnection writer, long backlog, TimeSpan dedupWindow, TimeProvider time)
    {
        _connectionString = connectionString;
        _writer = writer;
        _backlog = backlog;
        _dedupWindow = dedupWindow;
        _time = time;
        // Task.Run unwraps the loop's task, so DisposeAsync waits for the last commit before closing the connection.
        _writing = Task.Run(WriteLoop);
    }

    /// <summary>Events in the log not yet loaded into the warehouse.</summary>
    public long Backlog => Interlocked.Read(ref _backlog);

    /// <summary>Opens (creating when needed) the log at <paramref name="path"/>.</summary>
    public static IntakeLog Open(string path, TimeSpan dedupWindow, TimeProvider time)
    {
        PrivateFiles.CreateFolder(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var connectionString = new SqliteConnectionStringBuilder { DataSource = path, Pooling = false, DefaultTimeout = 60 }.ToString();
        var writer = Connect(connectionString);
        Execute(writer, """
            PRAGMA journal_mode=WAL;
            CREATE TABLE IF NOT EXISTS batches (seq INTEGER PRIMARY KEY AUTOINCREMENT, events INTEGER NOT NULL, data BLOB NOT NULL);
            CREATE TABLE IF NOT EXISTS seen (message_id TEXT PRIMARY KEY, at INTEGER NOT NULL) WITHOUT ROWID;
            CREATE INDEX IF NOT EXISTS seen_at ON seen (at);
            """);
        // The events hold emails and phones; SQLite created the files with the umask's mode.
        PrivateFiles.Tighten(path, path + "-wal", path + "-shm");
        MoveRowLog(writer);
        using var count = writer.CreateCommand();
        count.CommandText = "SELECT coalesce(sum(events), 0) FROM batches";
        return new IntakeLog(connectionString, writer, (long)count.ExecuteScalar()!, dedupWindow, time);
    }

    /// <summary>
    /// Appends <paramref name="events"/> durably; completes once they are fsynced. Events whose messageId was seen within
    /// the dedup window are dropped (counted in the answer).
    /// </summary>
    public Task<IntakeAppended> AppendAsync(IReadOnlyList<IntakeEvent> events, CancellationToken cancellationToken)
    {
        var pending = new PendingAppend(events, new TaskCompletionSource<IntakeAppended>(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_pending.Writer.TryWrite(pending)) throw new ObjectDisposedException(nameof(IntakeLog), "the intake log is closed");
        // Not cancelled once queued: the caller is answered only after its events are safe or refused.
        return pending.Done.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Waits until at least <paramref name="rows"/> events wait, or <paramref name="timeout"/> passes.</summary>
    public async Task WaitForBacklogAsync(long rows, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = _time.GetTimestamp();
        while (Backlog < rows)
        {
            var left = timeout - _time.GetElapsedTime(deadline);
            if (left <= TimeSpan.Zero || !await _arrived.WaitAsync(left, cancellationToken).ConfigureAwait(false)) return;
        }
    }

    /// <summary>
    /// The events of the appends after sequence <paramref name="after"/>, in order: whole appends, at least one and no more
    /// once <paramref name="max"/> events are read; <see cref="IntakeLogRead.Last"/> is the sequence of the last one read.
    /// </summary>
    public IntakeLogRead Read(long after, int max)
    {
        using var cursor = OpenCursor(after, max);
        var events = cursor.Events().ToList();
        return new IntakeLogRead(cursor.Last, events);
    }

    /// <summary>As <see cref="Read"/>, but the events are read as they are enumerated (see <see cref="IntakeLogCursor"/>).</summary>
    public IntakeLogCursor OpenCursor(long after, int max) => new(Connect(_connectionString), after, max);

    /// <summary>
    /// Removes the events up to sequence <paramref name="through"/> (loaded into the warehouse), and makes sure later events
    /// get higher sequences even if this log is newer than the warehouse's record of what it loaded.
    /// </summary>
    public void Truncate(long through)
    {
        using var connection = Connect(_connectionString);
        using var transaction = connection.BeginTransaction();
        using var command = connection.CreateCommand();
        command.CommandText = """
            DELETE FROM batches WHERE seq <= $through;
            INSERT OR IGNORE INTO sqlite_sequence (name, seq) VALUES ('batches', 0);
            UPDATE sqlite_sequence SET seq = max(seq, $through) WHERE name = 'batches';
            SELECT coalesce(sum(events), 0) FROM batches;
            """;
        command.Parameters.AddWithValue("$through", through);
        var left = (long)command.ExecuteScalar()!;
        transaction.Commit();
        Interlocked.Exchange(ref _backlog, left);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        _pending.Writer.TryComplete();
        await _writing.ConfigureAwait(false);
        await _writer.DisposeAsync().ConfigureAwait(false);
        _arrived.Dispose();
    }

    private async Task WriteLoop()
    {
        using var seen = _writer.CreateCommand();
        seen.CommandText = "INSERT OR IGNORE INTO seen (message_id, at) VALUES ($id, $at)";
        var seenId = seen.Parameters.Add("$id", SqliteType.Text);
        var seenAt = seen.Parameters.Add("$at", SqliteType.Integer);
        using var insert = _writer.CreateCommand();
        insert.CommandText = "INSERT INTO batches (events, data) VALUES ($events, $data)";
        var insertEvents = insert.Parameters.Add("$events", SqliteType.Integer);
        var insertData = insert.Parameters.Add("$data", SqliteType.Blob);
        var encoded = new MemoryStream();
        var accepted = new List<IntakeEvent>();
        var lastPrune = _time.GetTimestamp();
        var batch = new List<PendingAppend>();
        while (await _pending.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            var events = 0;
            while (events < MaxEventsPerCommit && _pending.Reader.TryRead(out var next))
            {
                batch.Add(next);
                events += next.Events.Count;
            }
            try
            {
                var outcomes = new IntakeAppended[batch.Count];
                var added = 0L;
                using (var transaction = _writer.BeginTransaction())
                {
                    seen.Transaction = insert.Transaction = transaction;
                    accepted.Clear();
                    for (var b = 0; b < batch.Count; b++)
                    {
                        var before = accepted.Count;
                        foreach (var e in batch[b].Events)
                        {
                            if (e.GeneratedId)
                            {
                                accepted.Add(e);
                                continue;
                            }
                            seenId.Value = e.EventId;
                            seenAt.Value = e.ReceivedAt.Ticks;
                            if (seen.ExecuteNonQuery() > 0) accepted.Add(e);
                        }
                        var kept = accepted.Count - before;
                        outcomes[b] = new IntakeAppended(kept, batch[b].Events.Count - kept);
                    }
                    // One row for the whole commit: with single-event calls a row per call cost an insert (and a sequence
                    // update) per event.
                    if (accepted.Count > 0)
                    {
                        IntakeLogFormat.Write(encoded, accepted);
                        insertEvents.Value = accepted.Count;
                        insertData.Value = encoded.ToArray();
                        insert.ExecuteNonQuery();
                        added = accepted.Count;
                    }
                    if (_time.GetElapsedTime(lastPrune) > PruneEvery)
                    {
                        Prune(transaction);
                        lastPrune = _time.GetTimestamp();
                    }
                    transaction.Commit();
                }
                Interlocked.Add(ref _backlog, added);
                for (var b = 0; b < batch.Count; b++) batch[b].Done.TrySetResult(outcomes[b]);
                if (added > 0) _arrived.Release();
            }
            catch (Exception e)
            {
                foreach (var p in batch) p.Done.TrySetException(e);
            }
        }
    }

    // A log written before appends were stored as one row each (table 'log', a row per event): its events move to 'batches'
    // under their own sequences, so the warehouse's record of what was loaded still applies to them.
    private static void MoveRowLog(SqliteConnection connection)
    {
        using var exists = connection.CreateCommand();
        exists.CommandText = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'log'";
        if ((long)exists.ExecuteScalar()! == 0) return;
        using var transaction = connection.BeginTransaction();
        using var select = connection.CreateCommand();
        select.Transaction = transaction;
        select.CommandText = $"SELECT seq, {string.Join(", ", IntakeEvent.Columns.Select(c => c.Name))} FROM log ORDER BY seq";
        using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = "INSERT INTO batches (seq, events, data) VALUES ($seq, 1, $data)";
        var seq = insert.Parameters.Add("$seq", SqliteType.Integer);
        var data = insert.Parameters.Add("$data", SqliteType.Blob);
        var encoded = new MemoryStream();
        using (var reader = select.ExecuteReader())
            while (reader.Read())
            {
                string? Text(int i) => reader.IsDBNull(i) ? null : reader.GetString(i);
                var e = new IntakeEvent
                {
                    EventId = reader.GetString(1), Type = reader.GetString(2), Event = Text(3), AnonymousId = Text(4), UserId = Text(5),
                    OccurredAt = new DateTime(reader.GetInt64(6), DateTimeKind.Utc), ReceivedAt = new DateTime(reader.GetInt64(7), DateTimeKind.Utc),
                    Email = Text(8), Phone = Text(9), Ip = Text(10), UserAgent = Text(11), PageUrl = Text(12), PageReferrer = Text(13), UtmSource = Text(14),
                    UtmMedium = Text(15), UtmCampaign = Text(16), OrderId = Text(17), Revenue = reader.IsDBNull(18) ? null : reader.GetDouble(18),
                    Currency = Text(19), Experiment = Text(20), Variant = Text(21), Properties = Text(22),
                };
                IntakeLogFormat.Write(encoded, [e]);
                seq.Value = reader.GetInt64(0);
                data.Value = encoded.ToArray();
                insert.ExecuteNonQuery();
            }
        using var drop = connection.CreateCommand();
        drop.Transaction = transaction;
        drop.CommandText = """
            INSERT OR IGNORE INTO sqlite_sequence (name, seq) VALUES ('batches', 0);
            UPDATE sqlite_sequence SET seq = max(seq, coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'log'), 0)) WHERE name = 'batches';
            DROP TABLE log;
            """;
        drop.ExecuteNonQuery();
        transaction.Commit();
    }

    private void Prune(SqliteTransaction transaction)
    {
        using var prune = _writer.CreateCommand();
        prune.Transaction = transaction;
        prune.CommandText = "DELETE FROM seen WHERE at < $before";
        prune.Parameters.AddWithValue("$before", (_time.GetUtcNow().UtcDateTime - _dedupWindow).Ticks);
        prune.ExecuteNonQuery();
    }

    private static SqliteConnection Connect(string connectionString)
    {
        var connection = new SqliteConnection(connectionString);
        connection.Open();
        // FULL: the WAL is fsynced at every commit, so an acknowledged event survives a power cut, not only a crash.
        Execute(connection, "PRAGMA synchronous=FULL; PRAGMA busy_timeout=60000;");
        return connection;
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private sealed record PendingAppend(IReadOnlyList<IntakeEvent> Events, TaskCompletionSource<IntakeAppended> Done);
}

/// <summary>Events read from the log (in the order of <see cref="IntakeEvent.Columns"/>) and the sequence of the last append they came from.</summary>
internal sealed record IntakeLogRead(long Last, List<object?[]> Events);

/// <summary>What one append did: events written, and events dropped as already seen.</summary>
internal sealed record IntakeAppended(int Accepted, int Duplicates);
