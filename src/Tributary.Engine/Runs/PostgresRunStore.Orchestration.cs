using System.Text.Json;
using Npgsql;
using Tributary.Engine.Orchestration;

namespace Tributary.Engine.Runs;

// The daemon's state, shared by every process on the store: the queue is claimed row by row, and one daemon leads.
public sealed partial class PostgresRunStore
{
    private const string QueueColumns =
        """ "queue_id", "pipeline", "partition_key", "trigger", "priority", "params_json", "backfill_id", "state", "run_id", "enqueued_at", "attempt", "selection", "full_refresh" """;
    private const string BackfillColumns = """ "backfill_id", "pipeline", "status", "concurrency", "params_json", "created_at", "ended_at", "group_name" """;

    /// <inheritdoc />
    public async Task<string?> GetCursorAsync(string name, CancellationToken cancellationToken) =>
        await ReadAsync("""SELECT "value" FROM "cursors" WHERE "name" = @n""", r => r.GetString(0), cancellationToken, ("n", name)).ConfigureAwait(false) is [var first, ..] ? first : null;

    /// <inheritdoc />
    public Task SetCursorAsync(string name, string value, DateTimeOffset at, CancellationToken cancellationToken) =>
        WriteAsync("""
            INSERT INTO "cursors" ("name", "value", "updated_at") VALUES (@n, @v, @at)
            ON CONFLICT ("name") DO UPDATE SET "value" = excluded."value", "updated_at" = excluded."updated_at"
            """, cancellationToken, ("n", name), ("v", value), ("at", Time(at)));

    /// <inheritdoc />
    public Task AddTickAsync(TickRecord tick, CancellationToken cancellationToken) =>
        WriteAsync("""INSERT INTO "ticks" ("kind", "pipeline", "name", "at", "status", "reason", "queue_id") VALUES (@k, @p, @n, @at, @s, @r, @q)""", cancellationToken,
            ("k", tick.Kind), ("p", tick.Pipeline), ("n", tick.Name), ("at", Time(tick.At)), ("s", Name(tick.Status)), ("r", tick.Reason), ("q", tick.QueueId));

    /// <inheritdoc />
    public Task<IReadOnlyList<TickRecord>> ListTicksAsync(string? pipeline, int limit, CancellationToken cancellationToken) =>
        ReadAsync("""
            SELECT "id", "kind", "pipeline", "name", "at", "status", "reason", "queue_id" FROM "ticks"
            WHERE (@p::text IS NULL OR "pipeline" = @p::text) ORDER BY "id" DESC LIMIT @l
            """,
            r => new TickRecord(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), Time(r, 4), Enum.Parse<TickStatus>(r.GetString(5), true),
                r.GetString(6), Text(r, 7)), cancellationToken, ("p", pipeline), ("l", limit));

    /// <inheritdoc />
    public Task EnqueueAsync(QueuedRun run, CancellationToken cancellationToken) =>
        WriteAsync($"""INSERT INTO "queue" ({QueueColumns}) VALUES (@id, @p, @part, @t, @pr, @params, @b, @s, @run, @at, @attempt, @sel, @fr)""", cancellationToken,
            ("id", run.QueueId), ("p", run.Pipeline), ("part", run.Partition), ("t", run.Trigger), ("pr", run.Priority), ("params", JsonSerializer.Serialize(run.Params)),
            ("b", run.BackfillId), ("s", Name(run.State)), ("run", run.RunId), ("at", Time(run.EnqueuedAt)), ("attempt", run.Attempt), ("sel", run.Selection),
            ("fr", run.FullRefresh));

    /// <inheritdoc />
    public Task<IReadOnlyList<QueuedRun>> ListQueueAsync(IReadOnlyList<QueueState> states, CancellationToken cancellationToken) =>
        ReadAsync($"""SELECT {QueueColumns} FROM "queue" WHERE "state" = ANY(@s) ORDER BY "priority" DESC, "enqueued_at", "queue_id" """, ReadQueued, cancellationToken,
            ("s", states.Select(Name).ToArray()));

    // A row another process is claiming right now is skipped, not waited for: that process gets it, this one goes on.
    /// <inheritdoc />
    public async Task<bool> ClaimQueuedAsync(string queueId, CancellationToken cancellationToken) =>
        await WriteAsync("""
            UPDATE "queue" SET "state" = 'launched'
            WHERE "queue_id" = (SELECT "queue_id" FROM "queue" WHERE "queue_id" = @id AND "state" = 'queued' FOR UPDATE SKIP LOCKED)
            """, cancellationToken, ("id", queueId)).ConfigureAwait(false) == 1;

    /// <inheritdoc />
    public async Task<bool> HoldLeadershipAsync(CancellationToken cancellationToken)
    {
        await _leaderGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_leader is not null)
            {
                // The lock is the session's: while the connection answers, this process still leads.
                try
                {
                    await ExecAsync(_leader, "SELECT 1", cancellationToken).ConfigureAwait(false);
                    return true;
                }
                catch (Exception e) when (e is NpgsqlException or InvalidOperationException)
                {
                    await _leader.DisposeAsync().ConfigureAwait(false);
                    _leader = null;
                }
            }
            var connection = new NpgsqlConnection(_leaderConnectionString);
            try
            {
                await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
                await using var command = new NpgsqlCommand("SELECT pg_try_advisory_lock(hashtextextended(coalesce(current_schema(), '') || '/tributary-daemon-leader', 0))", connection);
                if (await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is true)
                {
                    _leader = connection;
                    return true;
                }
            }
            catch (Exception e) when (e is NpgsqlException or InvalidOperationException)
            {
                // Unreachable is not "another process leads": the tick fails (health says so), and this process, still the
                // leader as far as it knows, keeps its runs and takes the lock back when the database answers again.
                await connection.DisposeAsync().ConfigureAwait(false);
                throw new RunStoreUnavailableException($"the daemon cannot reach the PostgreSQL run store to hold the lead: {e.Message.TrimEnd('.')}", e);
            }
            await connection.DisposeAsync().ConfigureAwait(false);
            return false;
        }
        finally
        {
            _leaderGate.Release();
        }
    }

    /// <inheritdoc />
    public Task UpdateQueueAsync(string queueId, QueueState state, string? runId, CancellationToken cancellationToken) =>
        WriteAsync("""UPDATE "queue" SET "state" = @s, "run_id" = coalesce(@r::text, "run_id") WHERE "queue_id" = @id""", cancellationToken,
            ("s", Name(state)), ("r", runId), ("id", queueId));

    /// <inheritdoc />
    public Task CreateBackfillAsync(BackfillRecord backfill, IReadOnlyList<string> partitions, CancellationToken cancellationToken) =>
        RetryAsync(ct => CreateBackfillOnceAsync(backfill, partitions, ct), cancellationToken);

    private async Task CreateBackfillOnceAsync(BackfillRecord backfill, IReadOnlyList<string> partitions, CancellationToken cancellationToken)
    {
        await using var connection = await _source.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await ExecAsync(connection, $"""INSERT INTO "backfills" ({BackfillColumns}) VALUES (@id, @p, @s, @c, @params, @at, NULL, @g::text)""", cancellationToken,
            ("id", backfill.BackfillId), ("p", backfill.Pipeline), ("s", Name(backfill.Status)), ("c", backfill.Concurrency),
            ("params", JsonSerializer.Serialize(backfill.Params)), ("at", Time(backfill.CreatedAt)), ("g", backfill.Group)).ConfigureAwait(false);
        for (var i = 0; i < partitions.Count; i++)
            await ExecAsync(connection, """INSERT INTO "backfill_partitions" ("backfill_id", "partition_key", "ordinal", "status") VALUES (@id, @k, @o, 'pending')""",
                cancellationToken, ("id", backfill.BackfillId), ("k", partitions[i]), ("o", i)).ConfigureAwait(false);
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<BackfillRecord?> GetBackfillAsync(string backfillId, CancellationToken cancellationToken) =>
        await ReadAsync($"""SELECT {BackfillColumns} FROM "backfills" WHERE "backfill_id" = @id""", ReadBackfill, cancellationToken, ("id", backfillId)).ConfigureAwait(false)
            is [var first, ..] ? first : null;

    /// <inheritdoc />
    public Task<IReadOnlyList<BackfillRecord>> ListBackfillsAsync(CancellationToken cancellationToken) =>
        ReadAsync($"""SELECT {BackfillColumns} FROM "backfills" ORDER BY "created_at" DESC, "backfill_id" DESC""", ReadBackfill, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<BackfillPartition>> GetBackfillPartitionsAsync(string backfillId, CancellationToken cancellationToken) =>
        ReadAsync("""SELECT "partition_key", "status", "run_id" FROM "backfill_partitions" WHERE "backfill_id" = @id ORDER BY "ordinal" """,
            r => new BackfillPartition(r.GetString(0), Enum.Parse<PartitionRunStatus>(r.GetString(1), true), Text(r, 2)), cancellationToken, ("id", backfillId));

    /// <inheritdoc />
    public Task SetBackfillPartitionAsync(string backfillId, string key, PartitionRunStatus status, string? runId, CancellationToken cancellationToken) =>
        WriteAsync("""UPDATE "backfill_partitions" SET "status" = @s, "run_id" = coalesce(@r::text, "run_id") WHERE "backfill_id" = @id AND "partition_key" = @k""",
            cancellationToken, ("s", Name(status)), ("r", runId), ("id", backfillId), ("k", key));

    /// <inheritdoc />
    public Task SetBackfillStatusAsync(string backfillId, BackfillStatus status, DateTimeOffset? endedAt, CancellationToken cancellationToken) =>
        WriteAsync("""UPDATE "backfills" SET "status" = @s, "ended_at" = @e WHERE "backfill_id" = @id""", cancellationToken,
            ("s", Name(status)), ("e", Time(endedAt)), ("id", backfillId));

    private static QueuedRun ReadQueued(NpgsqlDataReader r) =>
        new(r.GetString(0), r.GetString(1), Text(r, 2), r.GetString(3), r.GetInt32(4),
            JsonSerializer.Deserialize<Dictionary<string, string>>(r.GetString(5))!, Text(r, 6),
            Enum.Parse<QueueState>(r.GetString(7), true), Text(r, 8), Time(r, 9), r.GetInt32(10), Text(r, 11), r.GetBoolean(12));

    private static BackfillRecord ReadBackfill(NpgsqlDataReader r) =>
        new(r.GetString(0), r.GetString(1), Enum.Parse<BackfillStatus>(r.GetString(2), true), r.GetInt32(3),
            JsonSerializer.Deserialize<Dictionary<string, string>>(r.GetString(4))!, Time(r, 5), OptionalTime(r, 6), Text(r, 7));
}
