using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Tributary.Core.Projects;

namespace Tributary.Engine.Runs;

/// <summary>
/// The default run store: a SQLite file (WAL) with versioned migrations. Writes go through one connection, one at a time;
/// reads through a few read-only connections of their own, so that API reads run in parallel and never wait for a write.
/// </summary>
public sealed partial class SqliteRunStore : IProjectRunStore
{
    // Each entry migrates from version i to i + 1; append only, never edit a released one. Tests build older stores from it.
    internal static readonly string[] Migrations =
    [
        """
        CREATE TABLE runs (run_id TEXT PRIMARY KEY, pipeline TEXT NOT NULL, status TEXT NOT NULL, trigger TEXT NOT NULL,
            selection TEXT, started_at TEXT NOT NULL, ended_at TEXT, error TEXT, pid INTEGER NOT NULL);
        CREATE INDEX runs_pipeline ON runs (pipeline, started_at);
        CREATE TABLE steps (run_id TEXT NOT NULL, asset TEXT NOT NULL, ordinal INTEGER NOT NULL, component_type TEXT NOT NULL,
            status TEXT NOT NULL, attempts INTEGER NOT NULL, started_at TEXT, ended_at TEXT, error TEXT, PRIMARY KEY (run_id, asset));
        CREATE TABLE events (id INTEGER PRIMARY KEY AUTOINCREMENT, run_id TEXT NOT NULL, at TEXT NOT NULL, kind TEXT NOT NULL,
            asset TEXT, message TEXT NOT NULL);
        CREATE INDEX events_run ON events (run_id, id);
        CREATE TABLE materializations (id INTEGER PRIMARY KEY AUTOINCREMENT, run_id TEXT NOT NULL, asset TEXT NOT NULL,
            at TEXT NOT NULL, row_count INTEGER NOT NULL, columns_json TEXT NOT NULL, duration_ms INTEGER NOT NULL, metadata_json TEXT NOT NULL);
        CREATE INDEX materializations_asset ON materializations (asset, id);
        CREATE TABLE check_results (id INTEGER PRIMARY KEY AUTOINCREMENT, run_id TEXT NOT NULL, asset TEXT NOT NULL,
            check_name TEXT NOT NULL, passed INTEGER NOT NULL, blocking INTEGER NOT NULL, detail TEXT NOT NULL, at TEXT NOT NULL);
        """,
        """
        ALTER TABLE runs ADD COLUMN partition_key TEXT;
        CREATE INDEX runs_partition ON runs (pipeline, partition_key, started_at);
        CREATE TABLE cursors (name TEXT PRIMARY KEY, value TEXT NOT NULL, updated_at TEXT NOT NULL);
        CREATE TABLE ticks (id INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, pipeline TEXT NOT NULL, name TEXT NOT NULL,
            at TEXT NOT NULL, status TEXT NOT NULL, reason TEXT NOT NULL, queue_id TEXT);
        CREATE INDEX ticks_pipeline ON ticks (pipeline, id);
        CREATE TABLE queue (queue_id TEXT PRIMARY KEY, pipeline TEXT NOT NULL, partition_key TEXT, trigger TEXT NOT NULL, priority INTEGER NOT NULL,
            params_json TEXT NOT NULL, backfill_id TEXT, state TEXT NOT NULL, run_id TEXT, enqueued_at TEXT NOT NULL, attempt INTEGER NOT NULL);
        CREATE INDEX queue_state ON queue (state, priority, enqueued_at);
        CREATE TABLE backfills (backfill_id TEXT PRIMARY KEY, pipeline TEXT NOT NULL, status TEXT NOT NULL, concurrency INTEGER NOT NULL,
            params_json TEXT NOT NULL, created_at TEXT NOT NULL, ended_at TEXT);
        CREATE TABLE backfill_partitions (backfill_id TEXT NOT NULL, partition_key TEXT NOT NULL, ordinal INTEGER NOT NULL, status TEXT NOT NULL,
            run_id TEXT, PRIMARY KEY (backfill_id, partition_key));
        """,
        """
        ALTER TABLE queue ADD COLUMN selection TEXT;
        """,
        """
        CREATE INDEX runs_started ON runs (started_at DESC, run_id DESC);
        """,
        """
        ALTER TABLE materializations ADD COLUMN step TEXT;
        ALTER TABLE materializations ADD COLUMN output TEXT;
        ALTER TABLE materializations ADD COLUMN role TEXT;
        """,
        """
        ALTER TABLE steps ADD COLUMN peak_rss_bytes INTEGER;
        """,
        """
        ALTER TABLE backfills ADD COLUMN group_name TEXT;
        """,
        """
        ALTER TABLE materializations ADD COLUMN fingerprint TEXT;
        """,
        """
        ALTER TABLE runs ADD COLUMN params_json TEXT;
        """,
        """
        ALTER TABLE runs ADD COLUMN full_refresh INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE queue ADD COLUMN full_refresh INTEGER NOT NULL DEFAULT 0;
        """,
    ];

    // Enough for the server's request threads on a small machine; each is a native connection and a file handle.
    private static readonly int ReadConnections = Math.Clamp(Environment.ProcessorCount, 2, 8);
    private const int MaxKeptAnswers = 64;
    private const int MaxKeptRuns = 1000;

    private readonly SqliteConnection _connection;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly string _readConnectionString;
    private readonly ConcurrentBag<SqliteConnection> _readers = [];
    private readonly SemaphoreSlim _readSlots = new(ReadConnections, ReadConnections);
    private readonly SemaphoreSlim _versionGate = new(1, 1);
    private readonly ConcurrentDictionary<string, (long Version, object Answer)> _answers = new(StringComparer.Ordinal);
    private SqliteConnection? _versionReader;

    private SqliteRunStore(SqliteConnection connection, string path)
    {
        _connection = connection;
        _readConnectionString = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString();
    }

    /// <summary>The schema version this build writes.</summary>
    public static int SchemaVersion => Migrations.Length;

    /// <summary>Opens (creating and migrating if needed) the store at <paramref name="path"/>.</summary>
    public static async Task<SqliteRunStore> OpenAsync(string path, CancellationToken cancellationToken)
    {
        PrivateFiles.CreateFolder(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        var store = new SqliteRunStore(connection, path);
        try
        {
            // Read before any setting is written: a store of a newer schema is left exactly as it is.
            var version = Convert.ToInt32(await store.ScalarAsync("PRAGMA user_version", cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
            if (version > Migrations.Length) throw new RunStoreTooNewException(path, version, Migrations.Length);
            // Only before the first table: deleted history can then be given back without rewriting the file (ReclaimSpaceAsync).
            if (version == 0) await store.ExecAsync("PRAGMA auto_vacuum = INCREMENTAL", cancellationToken).ConfigureAwait(false);
            await store.ExecAsync("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000;", cancellationToken).ConfigureAwait(false);
            // SQLite creates the file and its WAL with the umask's mode: the runs' params and errors name people.
            PrivateFiles.Tighten(path, path + "-wal", path + "-shm");
            await store.MigrateAsync(cancellationToken).ConfigureAwait(false);
            return store;
        }
        catch
        {
            await store.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task MigrateAsync(CancellationToken cancellationToken)
    {
        var version = Convert.ToInt32(await ScalarAsync("PRAGMA user_version", cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
        for (var v = version; v < Migrations.Length; v++)
        {
            await using var tx = await _connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await ExecAsync(Migrations[v], cancellationToken).ConfigureAwait(false);
            await ExecAsync($"PRAGMA user_version = {v + 1}", cancellationToken).ConfigureAwait(false);
            await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async Task CreateRunAsync(RunRecord run, IReadOnlyList<StepRecord> steps, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var tx = await _connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await ExecAsync("INSERT INTO runs VALUES ($id, $p, $s, $t, $sel, $start, NULL, NULL, $pid, $part, $params, $fr)", cancellationToken,
                ("$id", run.RunId), ("$p", run.Pipeline), ("$s", Name(run.Status)), ("$t", run.Trigger), ("$sel", run.Selection),
                ("$start", Time(run.StartedAt)), ("$pid", run.ProcessId), ("$part", run.Partition),
                ("$params", run.Params is null ? null : JsonSerializer.Serialize(run.Params)), ("$fr", run.FullRefresh ? 1 : 0)).ConfigureAwait(false);
            for (var i = 0; i < steps.Count; i++)
                await ExecAsync("INSERT INTO steps (run_id, asset, ordinal, component_type, status, attempts) VALUES ($id, $a, $o, $ct, $s, 0)", cancellationToken,
                    ("$id", run.RunId), ("$a", steps[i].Asset), ("$o", i), ("$ct", steps[i].ComponentType), ("$s", Name(steps[i].Status))).ConfigureAwait(false);
            await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc />
    public Task EndRunAsync(string runId, RunStatus status, DateTimeOffset endedAt, string? failure, CancellationToken cancellationToken) =>
        WriteAsync("UPDATE runs SET status = $s, ended_at = $e, error = $err WHERE run_id = $id", cancellationToken,
            ("$s", Name(status)), ("$e", Time(endedAt)), ("$err", failure), ("$id", runId));

    /// <inheritdoc />
    public Task UpdateStepAsync(StepRecord record, CancellationToken cancellationToken) =>
        WriteAsync("UPDATE steps SET status = $s, attempts = $n, started_at = $st, ended_at = $e, error = $err, peak_rss_bytes = $rss WHERE run_id = $id AND asset = $a",
            cancellationToken, ("$s", Name(record.Status)), ("$n", record.Attempts), ("$st", Time(record.StartedAt)), ("$e", Time(record.EndedAt)),
            ("$err", record.Error), ("$rss", record.PeakRssBytes), ("$id", record.RunId), ("$a", record.Asset));

    /// <inheritdoc />
    public Task AddEventAsync(RunEvent e, CancellationToken cancellationToken) =>
        WriteAsync("INSERT INTO events (run_id, at, kind, asset, message) VALUES ($id, $at, $k, $a, $m)", cancellationToken,
            ("$id", e.RunId), ("$at", Time(e.At)), ("$k", e.Kind.ToString()), ("$a", e.Asset), ("$m", e.Message));

    /// <inheritdoc />
    public Task AddMaterializationAsync(MaterializationRecord m, CancellationToken cancellationToken) =>
        WriteAsync("INSERT INTO materializations (run_id, asset, at, row_count, columns_json, duration_ms, metadata_json, step, output, role, fingerprint) VALUES ($id, $a, $at, $n, $c, $d, $m, $s, $o, $r, $f)",
            cancellationToken, ("$id", m.RunId), ("$a", m.Asset), ("$at", Time(m.At)), ("$n", m.RowCount),
            ("$c", JsonSerializer.Serialize(m.Columns.Select(c => new[] { c.Name, c.Type }))), ("$d", (long)m.Duration.TotalMilliseconds), ("$m", m.MetadataJson),
            ("$s", m.Step), ("$o", m.Output), ("$r", m.Role is { } role ? Name(role) : null), ("$f", m.Fingerprint));

    /// <inheritdoc />
    public Task AddCheckAsync(CheckRecord c, CancellationToken cancellationToken) =>
        WriteAsync("INSERT INTO check_results (run_id, asset, check_name, passed, blocking, detail, at) VALUES ($id, $a, $c, $p, $b, $d, $at)",
            cancellationToken, ("$id", c.RunId), ("$a", c.Asset), ("$c", c.Check), ("$p", c.Passed), ("$b", c.Blocking), ("$d", c.Detail), ("$at", Time(c.At)));

    /// <inheritdoc />
    public Task<IReadOnlyList<RunRecord>> ListRunsAsync(int limit, string? pipeline, CancellationToken cancellationToken)
    {
        Task<IReadOnlyList<RunRecord>> Read() =>
            ReadAsync("SELECT * FROM runs WHERE ($p IS NULL OR pipeline = $p) ORDER BY started_at DESC, run_id DESC LIMIT $n", ReadRun, cancellationToken,
                ("$p", pipeline), ("$n", limit));
        // Pages of the size the API asks for are kept; whole histories (partition status) are read each time.
        return limit <= MaxKeptRuns ? CachedAsync($"runs {limit} {pipeline}", Read, cancellationToken) : Read();
    }

    /// <inheritdoc />
    public async Task<RunRecord?> GetRunAsync(string runId, CancellationToken cancellationToken) =>
        await ReadAsync("SELECT * FROM runs WHERE run_id = $id", ReadRun, cancellationToken, ("$id", runId)).ConfigureAwait(false) is [var first, ..] ? first : null;

    /// <inheritdoc />
    public Task<IReadOnlyList<StepRecord>> GetStepsAsync(string runId, CancellationToken cancellationToken) =>
        ReadAsync("SELECT run_id, asset, component_type, status, attempts, started_at, ended_at, error, peak_rss_bytes FROM steps WHERE run_id = $id ORDER BY ordinal",
            r => new StepRecord(r.GetString(0), r.GetString(1), r.GetString(2), Enum.Parse<StepStatus>(r.GetString(3), true), r.GetInt32(4),
                OptionalTime(r, 5), OptionalTime(r, 6), r.IsDBNull(7) ? null : r.GetString(7)) { PeakRssBytes = r.IsDBNull(8) ? null : r.GetInt64(8) },
            cancellationToken, ("$id", runId));

    /// <inheritdoc />
    public Task<IReadOnlyList<RunEvent>> GetEventsAsync(string runId, CancellationToken cancellationToken) =>
        ReadAsync("SELECT run_id, at, kind, asset, message, row_number() OVER (ORDER BY id) FROM events WHERE run_id = $id ORDER BY id",
            r => new RunEvent(r.GetString(0), ParseTime(r.GetString(1)), Enum.Parse<RunEventKind>(r.GetString(2)), r.IsDBNull(3) ? null : r.GetString(3), r.GetString(4))
                { Sequence = r.GetInt64(5) },
            cancellationToken, ("$id", runId));

    /// <inheritdoc />
    public Task<IReadOnlyList<MaterializationRecord>> GetMaterializationsAsync(string? runId, string? asset, CancellationToken cancellationToken) =>
        ReadAsync("SELECT run_id, asset, at, row_count, columns_json, duration_ms, metadata_json, step, output, role, fingerprint FROM materializations WHERE ($id IS NULL OR run_id = $id) AND ($a IS NULL OR asset = $a) ORDER BY id DESC",
            ReadMaterialization, cancellationToken, ("$id", runId), ("$a", asset));

    /// <inheritdoc />
    public Task<IReadOnlyList<MaterializationRecord>> GetLatestMaterializationsAsync(CancellationToken cancellationToken) =>
        CachedAsync("latest materializations", () => ReadAsync("SELECT run_id, asset, at, row_count, columns_json, duration_ms, metadata_json, step, output, role, fingerprint FROM materializations WHERE id IN (SELECT max(id) FROM materializations GROUP BY asset) ORDER BY asset",
            ReadMaterialization, cancellationToken), cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<CheckRecord>> GetChecksAsync(string runId, CancellationToken cancellationToken) =>
        ReadAsync("SELECT run_id, asset, check_name, passed, blocking, detail, at FROM check_results WHERE run_id = $id ORDER BY id",
            r => new CheckRecord(r.GetString(0), r.GetString(1), r.GetString(2), r.GetInt64(3) != 0, r.GetInt64(4) != 0, r.GetString(5), ParseTime(r.GetString(6))),
            cancellationToken, ("$id", runId));

    /// <inheritdoc />
    public async Task<IReadOnlyList<string>> FailAbandonedRunsAsync(Func<int, bool> processAlive, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var running = await ReadAsync("SELECT * FROM runs WHERE status IN ('running', 'queued')", ReadRun, cancellationToken).ConfigureAwait(false);
        var dead = new List<string>();
        foreach (var run in running.Where(r => !processAlive(r.ProcessId)))
            if (await FailUnfinishedRunAsync(run.RunId, RunFailures.ProcessDied, RunFailures.ProcessDiedStep, now, cancellationToken).ConfigureAwait(false)) dead.Add(run.RunId);
        return dead;
    }

    // One transaction: of two processes closing the run at once (both open the file), the second finds it ended.
    /// <inheritdoc />
    public async Task<bool> FailUnfinishedRunAsync(string runId, string failure, string stepFailure, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var tx = await _connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using var end = Command(_connection, "UPDATE runs SET status = 'failed', ended_at = $e, error = $err WHERE run_id = $id AND status IN ('running', 'queued')",
                [("$e", Time(at)), ("$err", failure), ("$id", runId)]);
            if (await end.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 0) return false;
            await ExecAsync("UPDATE steps SET status = 'failed', ended_at = $e, error = $err WHERE run_id = $id AND status = 'running'", cancellationToken,
                ("$e", Time(at)), ("$err", stepFailure), ("$id", runId)).ConfigureAwait(false);
            await ExecAsync("UPDATE steps SET status = 'skipped' WHERE run_id = $id AND status = 'pending'", cancellationToken, ("$id", runId)).ConfigureAwait(false);
            await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }
        finally
        {
            _gate.Release();
        }
    }

    private static MaterializationRecord ReadMaterialization(SqliteDataReader r) =>
        new(r.GetString(0), r.GetString(1), ParseTime(r.GetString(2)), r.GetInt64(3),
            JsonSerializer.Deserialize<string[][]>(r.GetString(4))!.Select(c => (c[0], c[1])).ToList(), TimeSpan.FromMilliseconds(r.GetInt64(5)), r.GetString(6))
        {
            Step = r.IsDBNull(7) ? null : r.GetString(7), Output = r.IsDBNull(8) ? null : r.GetString(8),
            Role = r.IsDBNull(9) ? null : Enum.Parse<Core.Components.OutputRole>(r.GetString(9), ignoreCase: true),
            Fingerprint = r.IsDBNull(10) ? null : r.GetString(10),
        };

    private static RunRecord ReadRun(SqliteDataReader r) =>
        new(r.GetString(0), r.GetString(1), Enum.Parse<RunStatus>(r.GetString(2), true), r.GetString(3), r.IsDBNull(4) ? null : r.GetString(4),
            ParseTime(r.GetString(5)), OptionalTime(r, 6), r.IsDBNull(7) ? null : r.GetString(7), r.GetInt32(8), r.IsDBNull(9) ? null : r.GetString(9))
        {
            Params = r.IsDBNull(10) ? null : JsonSerializer.Deserialize<Dictionary<string, string>>(r.GetString(10)),
            FullRefresh = r.GetInt64(11) != 0,
        };

    private static string Name<T>(T value) where T : Enum => value.ToString().ToLowerInvariant();
    private static string? Time(DateTimeOffset? t) => t?.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);
    private static DateTimeOffset ParseTime(string s) => DateTimeOffset.Parse(s, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);
    private static DateTimeOffset? OptionalTime(SqliteDataReader r, int i) => r.IsDBNull(i) ? null : ParseTime(r.GetString(i));

    private async Task WriteAsync(string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await ExecAsync(sql, cancellationToken, parameters).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    // The answers of the reads that the API repeats most (run list, asset list) are kept until anything commits to the
    // file, from this process or another: SQLite's data_version, read on a connection that never writes, changes then.
    private async Task<IReadOnlyList<T>> CachedAsync<T>(string key, Func<Task<IReadOnlyList<T>>> read, CancellationToken cancellationToken)
    {
        var version = await DataVersionAsync(cancellationToken).ConfigureAwait(false);
        if (_answers.TryGetValue(key, out var kept) && kept.Version == version) return (IReadOnlyList<T>)kept.Answer;
        // Read after the version: the answer is at least as new as the version it is kept under.
        var answer = await read().ConfigureAwait(false);
        if (_answers.Count >= MaxKeptAnswers) _answers.Clear();
        _answers[key] = (version, answer);
        return answer;
    }

    private async Task<long> DataVersionAsync(CancellationToken cancellationToken)
    {
        await _versionGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            _versionReader ??= await OpenReaderAsync(cancellationToken).ConfigureAwait(false);
            await using var command = Command(_versionReader, "PRAGMA data_version", []);
            return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
        }
        finally
        {
            _versionGate.Release();
        }
    }

    // A read sees every write that returned before it started (WAL: each statement reads the latest commit).
    private async Task<IReadOnlyList<T>> ReadAsync<T>(string sql, Func<SqliteDataReader, T> map, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await _readSlots.WaitAsync(cancellationToken).ConfigureAwait(false);
        SqliteConnection? connection = null;
        try
        {
            connection = _readers.TryTake(out var idle) ? idle : await OpenReaderAsync(cancellationToken).ConfigureAwait(false);
            await using var command = Command(connection, sql, parameters);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            var list = new List<T>();
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) list.Add(map(reader));
            return list;
        }
        finally
        {
            if (connection is not null) _readers.Add(connection);
            _readSlots.Release();
        }
    }

    private async Task<SqliteConnection> OpenReaderAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_readConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var timeout = Command(connection, "PRAGMA busy_timeout = 5000;", []);
            await timeout.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task ExecAsync(string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var command = Command(_connection, sql, parameters);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<object?> ScalarAsync(string sql, CancellationToken cancellationToken)
    {
        await using var command = Command(_connection, sql, []);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
    }

    private static SqliteCommand Command(SqliteConnection connection, string sql, (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
#pragma warning disable CA2100 // Fixed statements; values are bound.
        command.CommandText = sql;
#pragma warning restore CA2100
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        return command;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        while (_readers.TryTake(out var reader)) await reader.DisposeAsync().ConfigureAwait(false);
        if (_versionReader is not null) await _versionReader.DisposeAsync().ConfigureAwait(false);
        await _connection.DisposeAsync().ConfigureAwait(false);
        _gate.Dispose();
        _readSlots.Dispose();
        _versionGate.Dispose();
    }
}
