using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Npgsql;
using Polly;
using Polly.Retry;

namespace Tributary.Engine.Runs;

/// <summary>
/// The run store for several processes: run history and the daemon's state in a PostgreSQL schema (the connection
/// string's search path), so that 'trib serve' processes on several machines share one queue and one history. Migrations
/// are numbered SQL scripts applied once under an advisory lock; the queue is claimed row by row with <c>SKIP LOCKED</c>;
/// one daemon leads at a time by a session advisory lock held on a connection of its own.
/// </summary>
public sealed partial class PostgresRunStore : IProjectRunStore
{
    private const string MigrationResourcePrefix = "Tributary.RunStore.Postgres.";
    private const string RunColumns = """ "run_id", "pipeline", "status", "trigger", "selection", "started_at", "ended_at", "error", "pid", "partition_key", "params_json", "full_refresh" """;
    private const string MaterializationColumns = """ "run_id", "asset", "at", "row_count", "columns_json", "duration_ms", "metadata_json", "step", "output", "role", "fingerprint" """;

    private readonly NpgsqlDataSource _source;
    private readonly string _leaderConnectionString;
    private readonly string _host = Environment.MachineName;
    private readonly SemaphoreSlim _leaderGate = new(1, 1);
    private readonly PostgresRunStoreOptions _options;
    private readonly ResiliencePipeline _retry;
    private NpgsqlConnection? _leader;
    private volatile bool _unreachable;

    // Several processes share one server: each keeps a few connections unless the connection string says otherwise.
    private const int DefaultMaxPoolSize = 10;

    private PostgresRunStore(string connectionString, PostgresRunStoreOptions options)
    {
        _options = options;
        var pooled = new NpgsqlConnectionStringBuilder(connectionString);
        if (!PoolSizeKey().IsMatch(connectionString)) pooled.MaxPoolSize = DefaultMaxPoolSize;
        _source = NpgsqlDataSource.Create(pooled);
        // The leader's lock lives as long as its session: a connection outside the pool, never reset or reused.
        _leaderConnectionString = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ToString();
        _retry = BuildRetry(options, _source);
    }

    // A restart or failover of the database must not fail a run: transient errors are retried with backoff for
    // options.RetryFor, and the pool is cleared before each retry so that connections the server dropped are not reused.
    private static ResiliencePipeline BuildRetry(PostgresRunStoreOptions options, NpgsqlDataSource source)
    {
        var retries = 0;
        var waited = TimeSpan.Zero;
        for (var delay = options.FirstRetryDelay; waited + delay <= options.RetryFor; delay = Min(delay * 2, options.MaxRetryDelay), retries++) waited += delay;
        if (retries == 0) return ResiliencePipeline.Empty;
        return new ResiliencePipelineBuilder { TimeProvider = options.Time }
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = retries,
                Delay = options.FirstRetryDelay,
                MaxDelay = options.MaxRetryDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = false,
                ShouldHandle = new PredicateBuilder().Handle<Exception>(IsTransient),
                OnRetry = _ =>
                {
                    source.Clear();
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    /// <summary>
    /// True for an error that a database restart, failover or dropped connection causes, and that the same call can
    /// outlive: a connection refused, reset or timed out, an administrator's shutdown (57P01, 57P02), a server still
    /// starting (57P03), or a connection exception (class 08).
    /// </summary>
    public static bool IsTransient(Exception e) => e switch
    {
        PostgresException p => p.SqlState is "57P01" or "57P02" or "57P03" || p.SqlState.StartsWith("08", StringComparison.Ordinal),
        NpgsqlException n => n.IsTransient,
        _ => false,
    };

    // Every call after opening goes through here; a call that still fails once the retries are used up says so. Until a
    // call succeeds again the calls after it try once: a run that is ending must not wait out the outage at each write.
    private async Task<T> RetryAsync<T>(Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        try
        {
            var result = _unreachable
                ? await call(cancellationToken).ConfigureAwait(false)
                : await _retry.ExecuteAsync(async ct => await call(ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
            _unreachable = false;
            return result;
        }
        catch (Exception e) when (IsTransient(e))
        {
            _unreachable = true;
            _source.Clear();
            throw new RunStoreUnavailableException(
                $"the PostgreSQL run store could not be reached for {_options.RetryFor.TotalSeconds:0}s: {e.Message.TrimEnd('.')}", e);
        }
    }

    private Task<bool> RetryAsync(Func<CancellationToken, Task> call, CancellationToken cancellationToken) =>
        RetryAsync(async ct =>
        {
            await call(ct).ConfigureAwait(false);
            return true;
        }, cancellationToken);

    [GeneratedRegex(@"max(imum)?\s*pool\s*size\s*=", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex PoolSizeKey();

    /// <summary>The migration scripts this build carries, by version (the number their file name starts with).</summary>
    public static IReadOnlyList<(int Version, string Name, string Sql)> Migrations { get; } = LoadMigrations();

    /// <summary>Opens the store in the connection string's database and schema, applying the migrations it lacks.</summary>
    public static Task<PostgresRunStore> OpenAsync(string connectionString, CancellationToken cancellationToken) =>
        OpenAsync(connectionString, new PostgresRunStoreOptions(), cancellationToken);

    /// <summary>Opens the store as <see cref="OpenAsync(string, CancellationToken)"/> does, riding out outages as <paramref name="options"/> say.</summary>
    public static async Task<PostgresRunStore> OpenAsync(string connectionString, PostgresRunStoreOptions options, CancellationToken cancellationToken)
    {
        var store = new PostgresRunStore(connectionString, options);
        try
        {
            await store.MigrateAsync(cancellationToken).ConfigureAwait(false);
            return store;
        }
        catch
        {
            await store.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static List<(int Version, string Name, string Sql)> LoadMigrations()
    {
        var assembly = typeof(PostgresRunStore).Assembly;
        var scripts = new List<(int Version, string Name, string Sql)>();
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(MigrationResourcePrefix, StringComparison.Ordinal)))
        {
            var name = resource[MigrationResourcePrefix.Length..];
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream);
            scripts.Add((int.Parse(name[..name.IndexOf('_', StringComparison.Ordinal)], CultureInfo.InvariantCulture), name, reader.ReadToEnd()));
        }
        scripts.Sort((a, b) => a.Version.CompareTo(b.Version));
        for (var i = 0; i < scripts.Count; i++)
            if (scripts[i].Version != i + 1) throw new InvalidOperationException($"run store migration {scripts[i].Name} is out of sequence: expected version {i + 1}.");
        return scripts;
    }

    // One transaction under a lock of this schema: two processes starting together apply each script once, in order.
    private async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _source.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await ExecAsync(connection, "SELECT pg_advisory_xact_lock(hashtextextended(coalesce(current_schema(), '') || '/tributary-run-store-migrations', 0))", cancellationToken).ConfigureAwait(false);
        await ExecAsync(connection, """CREATE TABLE IF NOT EXISTS "schema_migrations" ("version" integer PRIMARY KEY, "name" text NOT NULL, "applied_at" timestamptz NOT NULL DEFAULT now())""",
            cancellationToken).ConfigureAwait(false);
        await using var read = new NpgsqlCommand("""SELECT coalesce(max("version"), 0) FROM "schema_migrations" """, connection);
        var version = Convert.ToInt32(await read.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
        // Thrown inside the transaction: the rollback leaves the schema as the newer build left it.
        if (version > Migrations.Count)
            throw new RunStoreTooNewException($"PostgreSQL run store (database {connection.Database}, schema {await CurrentSchemaAsync(connection, cancellationToken).ConfigureAwait(false)})",
                version, Migrations.Count);
        foreach (var (v, name, sql) in Migrations.Skip(version))
        {
            await ExecAsync(connection, sql, cancellationToken).ConfigureAwait(false);
            await ExecAsync(connection, """INSERT INTO "schema_migrations" ("version", "name") VALUES (@v, @n)""", cancellationToken, ("v", v), ("n", name)).ConfigureAwait(false);
        }
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task<string?> CurrentSchemaAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT current_schema()", connection);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string;
    }

    /// <inheritdoc />
    public Task CreateRunAsync(RunRecord run, IReadOnlyList<StepRecord> steps, CancellationToken cancellationToken) =>
        RetryAsync(ct => CreateRunOnceAsync(run, steps, ct), cancellationToken);

    private async Task CreateRunOnceAsync(RunRecord run, IReadOnlyList<StepRecord> steps, CancellationToken cancellationToken)
    {
        await using var connection = await _source.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await ExecAsync(connection, $"""INSERT INTO "runs" ({RunColumns}, "host") VALUES (@id, @p, @s, @t, @sel, @start, NULL, NULL, @pid, @part, @params, @fr, @host)""", cancellationToken,
            ("id", run.RunId), ("p", run.Pipeline), ("s", Name(run.Status)), ("t", run.Trigger), ("sel", run.Selection), ("start", Time(run.StartedAt)),
            ("pid", run.ProcessId), ("part", run.Partition), ("params", run.Params is null ? null : JsonSerializer.Serialize(run.Params)), ("fr", run.FullRefresh), ("host", _host)).ConfigureAwait(false);
        for (var i = 0; i < steps.Count; i++)
            await ExecAsync(connection, """INSERT INTO "steps" ("run_id", "asset", "ordinal", "component_type", "status", "attempts") VALUES (@id, @a, @o, @ct, @s, 0)""",
                cancellationToken, ("id", run.RunId), ("a", steps[i].Asset), ("o", i), ("ct", steps[i].ComponentType), ("s", Name(steps[i].Status))).ConfigureAwait(false);
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public Task EndRunAsync(string runId, RunStatus status, DateTimeOffset endedAt, string? failure, CancellationToken cancellationToken) =>
        WriteAsync("""UPDATE "runs" SET "status" = @s, "ended_at" = @e, "error" = @err WHERE "run_id" = @id""", cancellationToken,
            ("s", Name(status)), ("e", Time(endedAt)), ("err", failure), ("id", runId));

    /// <inheritdoc />
    public Task UpdateStepAsync(StepRecord record, CancellationToken cancellationToken) =>
        WriteAsync("""UPDATE "steps" SET "status" = @s, "attempts" = @n, "started_at" = @st, "ended_at" = @e, "error" = @err, "peak_rss_bytes" = @rss WHERE "run_id" = @id AND "asset" = @a""",
            cancellationToken, ("s", Name(record.Status)), ("n", record.Attempts), ("st", Time(record.StartedAt)), ("e", Time(record.EndedAt)),
            ("err", record.Error), ("rss", record.PeakRssBytes), ("id", record.RunId), ("a", record.Asset));

    /// <inheritdoc />
    public Task AddEventAsync(RunEvent e, CancellationToken cancellationToken) =>
        WriteAsync("""INSERT INTO "events" ("run_id", "at", "kind", "asset", "message") VALUES (@id, @at, @k, @a, @m)""", cancellationToken,
            ("id", e.RunId), ("at", Time(e.At)), ("k", e.Kind.ToString()), ("a", e.Asset), ("m", e.Message));

    /// <inheritdoc />
    public Task AddMaterializationAsync(MaterializationRecord m, CancellationToken cancellationToken) =>
        WriteAsync($"""INSERT INTO "materializations" ({MaterializationColumns}) VALUES (@id, @a, @at, @n, @c, @d, @m, @s, @o, @r, @f)""",
            cancellationToken, ("id", m.RunId), ("a", m.Asset), ("at", Time(m.At)), ("n", m.RowCount),
            ("c", JsonSerializer.Serialize(m.Columns.Select(c => new[] { c.Name, c.Type }))), ("d", (long)m.Duration.TotalMilliseconds), ("m", m.MetadataJson),
            ("s", m.Step), ("o", m.Output), ("r", m.Role is { } role ? Name(role) : null), ("f", m.Fingerprint));

    /// <inheritdoc />
    public Task AddCheckAsync(CheckRecord c, CancellationToken cancellationToken) =>
        WriteAsync("""INSERT INTO "check_results" ("run_id", "asset", "check_name", "passed", "blocking", "detail", "at") VALUES (@id, @a, @c, @p, @b, @d, @at)""",
            cancellationToken, ("id", c.RunId), ("a", c.Asset), ("c", c.Check), ("p", c.Passed), ("b", c.Blocking), ("d", c.Detail), ("at", Time(c.At)));

    /// <inheritdoc />
    public Task<IReadOnlyList<RunRecord>> ListRunsAsync(int limit, string? pipeline, CancellationToken cancellationToken) =>
        ReadAsync($"""SELECT {RunColumns} FROM "runs" WHERE (@p::text IS NULL OR "pipeline" = @p::text) ORDER BY "started_at" DESC, "run_id" DESC LIMIT @n""", ReadRun,
            cancellationToken, ("p", pipeline), ("n", limit));

    /// <inheritdoc />
    public async Task<RunRecord?> GetRunAsync(string runId, CancellationToken cancellationToken) =>
        await ReadAsync($"""SELECT {RunColumns} FROM "runs" WHERE "run_id" = @id""", ReadRun, cancellationToken, ("id", runId)).ConfigureAwait(false) is [var first, ..] ? first : null;

    /// <inheritdoc />
    public Task<IReadOnlyList<StepRecord>> GetStepsAsync(string runId, CancellationToken cancellationToken) =>
        ReadAsync("""SELECT "run_id", "asset", "component_type", "status", "attempts", "started_at", "ended_at", "error", "peak_rss_bytes" FROM "steps" WHERE "run_id" = @id ORDER BY "ordinal" """,
            r => new StepRecord(r.GetString(0), r.GetString(1), r.GetString(2), Enum.Parse<StepStatus>(r.GetString(3), true), r.GetInt32(4),
                OptionalTime(r, 5), OptionalTime(r, 6), Text(r, 7)) { PeakRssBytes = r.IsDBNull(8) ? null : r.GetInt64(8) }, cancellationToken, ("id", runId));

    /// <inheritdoc />
    public Task<IReadOnlyList<RunEvent>> GetEventsAsync(string runId, CancellationToken cancellationToken) =>
        ReadAsync("""SELECT "run_id", "at", "kind", "asset", "message", row_number() OVER (ORDER BY "id") FROM "events" WHERE "run_id" = @id ORDER BY "id" """,
            r => new RunEvent(r.GetString(0), Time(r, 1), Enum.Parse<RunEventKind>(r.GetString(2)), Text(r, 3), r.GetString(4)) { Sequence = r.GetInt64(5) },
            cancellationToken, ("id", runId));

    /// <inheritdoc />
    public Task<IReadOnlyList<MaterializationRecord>> GetMaterializationsAsync(string? runId, string? asset, CancellationToken cancellationToken) =>
        ReadAsync($"""SELECT {MaterializationColumns} FROM "materializations" WHERE (@id::text IS NULL OR "run_id" = @id::text) AND (@a::text IS NULL OR "asset" = @a::text) ORDER BY "id" DESC""",
            ReadMaterialization, cancellationToken, ("id", runId), ("a", asset));

    /// <inheritdoc />
    public Task<IReadOnlyList<MaterializationRecord>> GetLatestMaterializationsAsync(CancellationToken cancellationToken) =>
        ReadAsync($"""SELECT {MaterializationColumns} FROM "materializations" WHERE "id" IN (SELECT max("id") FROM "materializations" GROUP BY "asset") ORDER BY "asset" """,
            ReadMaterialization, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<CheckRecord>> GetChecksAsync(string runId, CancellationToken cancellationToken) =>
        ReadAsync("""SELECT "run_id", "asset", "check_name", "passed", "blocking", "detail", "at" FROM "check_results" WHERE "run_id" = @id ORDER BY "id" """,
            r => new CheckRecord(r.GetString(0), r.GetString(1), r.GetString(2), r.GetBoolean(3), r.GetBoolean(4), r.GetString(5), Time(r, 6)),
            cancellationToken, ("id", runId));

    // Process ids mean something on their own machine only: runs started on another host are that host's to judge.
    /// <inheritdoc />
    public async Task<IReadOnlyList<string>> FailAbandonedRunsAsync(Func<int, bool> processAlive, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var running = await ReadAsync($"""SELECT {RunColumns} FROM "runs" WHERE "status" IN ('running', 'queued') AND "host" = @host""", ReadRun, cancellationToken,
            ("host", _host)).ConfigureAwait(false);
        var dead = new List<string>();
        foreach (var run in running.Where(r => !processAlive(r.ProcessId)))
            if (await FailUnfinishedRunAsync(run.RunId, RunFailures.ProcessDied, RunFailures.ProcessDiedStep, now, cancellationToken).ConfigureAwait(false)) dead.Add(run.RunId);
        return dead;
    }

    // The row lock of the run's update decides between two processes closing it at once: the second finds it ended.
    /// <inheritdoc />
    public Task<bool> FailUnfinishedRunAsync(string runId, string failure, string stepFailure, DateTimeOffset at, CancellationToken cancellationToken) =>
        RetryAsync(async ct =>
        {
            await using var connection = await _source.OpenConnectionAsync(ct).ConfigureAwait(false);
            await using var tx = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
            await using var end = Command(connection.CreateCommand(),
                """UPDATE "runs" SET "status" = 'failed', "ended_at" = @e, "error" = @err WHERE "run_id" = @id AND "status" IN ('running', 'queued')""",
                [("e", Time(at)), ("err", failure), ("id", runId)]);
            if (await end.ExecuteNonQueryAsync(ct).ConfigureAwait(false) == 0) return false;
            await ExecAsync(connection, """UPDATE "steps" SET "status" = 'failed', "ended_at" = @e, "error" = @err WHERE "run_id" = @id AND "status" = 'running'""",
                ct, ("e", Time(at)), ("err", stepFailure), ("id", runId)).ConfigureAwait(false);
            await ExecAsync(connection, """UPDATE "steps" SET "status" = 'skipped' WHERE "run_id" = @id AND "status" = 'pending'""", ct, ("id", runId)).ConfigureAwait(false);
            await tx.CommitAsync(ct).ConfigureAwait(false);
            return true;
        }, cancellationToken);

    private static MaterializationRecord ReadMaterialization(NpgsqlDataReader r) =>
        new(r.GetString(0), r.GetString(1), Time(r, 2), r.GetInt64(3),
            JsonSerializer.Deserialize<string[][]>(r.GetString(4))!.Select(c => (c[0], c[1])).ToList(), TimeSpan.FromMilliseconds(r.GetInt64(5)), r.GetString(6))
        {
            Step = Text(r, 7), Output = Text(r, 8), Role = r.IsDBNull(9) ? null : Enum.Parse<Core.Components.OutputRole>(r.GetString(9), ignoreCase: true),
            Fingerprint = Text(r, 10),
        };

    private static RunRecord ReadRun(NpgsqlDataReader r) =>
        new(r.GetString(0), r.GetString(1), Enum.Parse<RunStatus>(r.GetString(2), true), r.GetString(3), Text(r, 4),
            Time(r, 5), OptionalTime(r, 6), Text(r, 7), r.GetInt32(8), Text(r, 9))
        {
            Params = Text(r, 10) is { } json ? JsonSerializer.Deserialize<Dictionary<string, string>>(json) : null,
            FullRefresh = r.GetBoolean(11),
        };

    private static string Name<T>(T value) where T : Enum => value.ToString().ToLowerInvariant();
    // timestamptz takes UTC instants only.
    private static DateTimeOffset? Time(DateTimeOffset? t) => t?.ToUniversalTime();
    private static DateTimeOffset Time(NpgsqlDataReader r, int i) => r.GetFieldValue<DateTimeOffset>(i);
    private static DateTimeOffset? OptionalTime(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : Time(r, i);
    private static string? Text(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);

    private Task<int> WriteAsync(string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters) =>
        RetryAsync(async ct =>
        {
            await using var command = Command(_source.CreateCommand(), sql, parameters);
            return await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }, cancellationToken);

    private static async Task ExecAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var command = Command(connection.CreateCommand(), sql, parameters);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    // Reads do not wait: a reader (an API request, 'trib runs', a daemon tick) is better told at once that the store is
    // down than kept waiting out the writes' retries; it asks again. A second try, on a cleared pool, is for a pooled
    // connection that the database's restart left dead. Writes keep riding out the outage (RetryAsync).
    private async Task<IReadOnlyList<T>> ReadAsync<T>(string sql, Func<NpgsqlDataReader, T> map, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var command = Command(_source.CreateCommand(), sql, parameters);
                await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                var list = new List<T>();
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) list.Add(map(reader));
                return list;
            }
            catch (Exception e) when (IsTransient(e))
            {
                _source.Clear();
                if (attempt == 2) throw new RunStoreUnavailableException($"the PostgreSQL run store could not be reached: {e.Message.TrimEnd('.')}", e);
            }
        }
    }

    private static NpgsqlCommand Command(NpgsqlCommand command, string sql, (string Name, object? Value)[] parameters)
    {
#pragma warning disable CA2100 // Fixed statements; values are bound.
        command.CommandText = sql;
#pragma warning restore CA2100
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        return command;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_leader is not null)
        {
            // Unlocked before the close: closing only asks the server to end the session, whose backend releases the lock
            // some milliseconds later, so another daemon's next try could still find it held (a flaky test showed it).
            try
            {
                await ExecAsync(_leader, "SELECT pg_advisory_unlock_all()", CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e) when (e is NpgsqlException or InvalidOperationException)
            {
                // The session is gone already, and its lock with it.
            }
            await _leader.DisposeAsync().ConfigureAwait(false);
        }
        await _source.DisposeAsync().ConfigureAwait(false);
        _leaderGate.Dispose();
    }
}
