using System.Threading.Channels;
using Microsoft.Data.Sqlite;

namespace Tributary.Server.Intake;

/// <summary>
/// The intake's write-ahead log: a SQLite database in WAL mode with <c>synchronous=FULL</c>, so an appended event is on
/// disk (fsynced) when <see cref="AppendAsync"/> completes. One writer drains every request waiting at that moment
/// and commits them in one transaction (group commit): many concurrent calls share one fsync. The log also remembers
/// each messageId for the dedup window, so an event resent after its acknowledgement, even after a crash, is dropped.
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
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var connectionString = new SqliteConnectionStringBuilder { DataSource = path, Pooling = false, DefaultTimeout = 60 }.ToString();
        var writer = Connect(connectionString);
        Execute(writer, """
            PRAGMA journal_mode=WAL;
            CREATE TABLE IF NOT EXISTS log (
                seq INTEGER PRIMARY KEY AUTOINCREMENT, event_id TEXT NOT NULL, type TEXT NOT NULL, event TEXT, anonymous_id TEXT, user_id TEXT,
                occurred_at INTEGER NOT NULL, received_at INTEGER NOT NULL, email TEXT, phone TEXT, ip TEXT, user_agent TEXT, page_url TEXT,
                page_referrer TEXT, utm_source TEXT, utm_medium TEXT, utm_campaign TEXT, order_id TEXT, revenue REAL, currency TEXT,
                experiment TEXT, variant TEXT, properties TEXT);
            CREATE TABLE IF NOT EXISTS seen (message_id TEXT PRIMARY KEY, at INTEGER NOT NULL) WITHOUT ROWID;
            CREATE INDEX IF NOT EXISTS seen_at ON seen (at);
            """);
        using var count = writer.CreateCommand();
        count.CommandText = "SELECT count(*) FROM log";
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

    /// <summary>Up to <paramref name="max"/> events after sequence <paramref name="after"/>, in order, with their sequence.</summary>
    public List<(long Sequence, object?[] Values)> Read(long after, int max)
    {
        using var connection = Connect(_connectionString);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT * FROM log WHERE seq > $after ORDER BY seq LIMIT $max";
        command.Parameters.AddWithValue("$after", after);
        command.Parameters.AddWithValue("$max", max);
        using var reader = command.ExecuteReader();
        var rows = new List<(long, object?[])>();
        while (reader.Read())
        {
            var values = new object?[IntakeEvent.Columns.Count];
            for (var i = 0; i < values.Length; i++)
            {
                var v = reader.IsDBNull(i + 1) ? null : reader.GetValue(i + 1);
                values[i] = IntakeEvent.Columns[i].Kind == Core.Warehousing.DataKind.Timestamp ? new DateTime((long)v!, DateTimeKind.Utc) : v;
            }
            rows.Add((reader.GetInt64(0), values));
        }
        return rows;
    }

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
            DELETE FROM log WHERE seq <= $through;
            INSERT OR IGNORE INTO sqlite_sequence (name, seq) VALUES ('log', 0);
            UPDATE sqlite_sequence SET seq = max(seq, $through) WHERE name = 'log';
            SELECT count(*) FROM log;
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
        insert.CommandText = $"INSERT INTO log ({string.Join(", ", IntakeEvent.Columns.Select(c => c.Name))}) VALUES ({string.Join(", ", IntakeEvent.Columns.Select((_, i) => $"$p{i}"))})";
        var parameters = IntakeEvent.Columns.Select((c, i) => insert.Parameters.Add($"$p{i}", c.Kind switch
        {
            Core.Warehousing.DataKind.Timestamp => SqliteType.Integer,
            Core.Warehousing.DataKind.Number => SqliteType.Real,
            _ => SqliteType.Text,
        })).ToArray();
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
                    for (var b = 0; b < batch.Count; b++)
                    {
                        var accepted = 0;
                        foreach (var e in batch[b].Events)
                        {
                            seenId.Value = e.EventId;
                            seenAt.Value = e.ReceivedAt.Ticks;
                            if (seen.ExecuteNonQuery() == 0) continue;
                            var values = e.Values();
                            for (var i = 0; i < values.Length; i++)
                                parameters[i].Value = values[i] switch { null => DBNull.Value, DateTime t => t.Ticks, var v => v };
                            insert.ExecuteNonQuery();
                            accepted++;
                        }
                        outcomes[b] = new IntakeAppended(accepted, batch[b].Events.Count - accepted);
                        added += accepted;
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

/// <summary>What one append did: events written, and events dropped as already seen.</summary>
internal sealed record IntakeAppended(int Accepted, int Duplicates);
