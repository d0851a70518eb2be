using System.Text.Json;
using Microsoft.Data.Sqlite;
using Tributary.Engine.Orchestration;

namespace Tributary.Engine.Runs;

// The daemon's state lives in the same SQLite file as the run history, so a run and the queue entry or backfill
// partition that launched it are read together.
public sealed partial class SqliteRunStore : IOrchestrationStore
{
    /// <inheritdoc />
    public async Task<string?> GetCursorAsync(string name, CancellationToken cancellationToken) =>
        await ReadAsync("SELECT value FROM cursors WHERE name = $n", r => r.GetString(0), cancellationToken, ("$n", name)).ConfigureAwait(false) is [var first, ..] ? first : null;

    /// <inheritdoc />
    public Task SetCursorAsync(string name, string value, DateTimeOffset at, CancellationToken cancellationToken) =>
        WriteAsync("INSERT INTO cursors VALUES ($n, $v, $at) ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
            cancellationToken, ("$n", name), ("$v", value), ("$at", Time(at)));

    /// <inheritdoc />
    public Task AddTickAsync(TickRecord tick, CancellationToken cancellationToken) =>
        WriteAsync("INSERT INTO ticks (kind, pipeline, name, at, status, reason, queue_id) VALUES ($k, $p, $n, $at, $s, $r, $q)", cancellationToken,
            ("$k", tick.Kind), ("$p", tick.Pipeline), ("$n", tick.Name), ("$at", Time(tick.At)), ("$s", Name(tick.Status)), ("$r", tick.Reason), ("$q", tick.QueueId));

    /// <inheritdoc />
    public Task<IReadOnlyList<TickRecord>> ListTicksAsync(string? pipeline, int limit, CancellationToken cancellationToken) =>
        ReadAsync("SELECT id, kind, pipeline, name, at, status, reason, queue_id FROM ticks WHERE ($p IS NULL OR pipeline = $p) ORDER BY id DESC LIMIT $l",
            r => new TickRecord(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), ParseTime(r.GetString(4)), Enum.Parse<TickStatus>(r.GetString(5), true),
                r.GetString(6), r.IsDBNull(7) ? null : r.GetString(7)), cancellationToken, ("$p", pipeline), ("$l", limit));

    /// <inheritdoc />
    public Task EnqueueAsync(QueuedRun run, CancellationToken cancellationToken) =>
        WriteAsync("INSERT INTO queue VALUES ($id, $p, $part, $t, $pr, $params, $b, $s, $run, $at, $attempt, $sel, $fr)", cancellationToken,
            ("$id", run.QueueId), ("$p", run.Pipeline), ("$part", run.Partition), ("$t", run.Trigger), ("$pr", run.Priority), ("$params", JsonSerializer.Serialize(run.Params)),
            ("$b", run.BackfillId), ("$s", Name(run.State)), ("$run", run.RunId), ("$at", Time(run.EnqueuedAt)), ("$attempt", run.Attempt), ("$sel", run.Selection),
            ("$fr", run.FullRefresh ? 1 : 0));

    /// <inheritdoc />
    public async Task<IReadOnlyList<QueuedRun>> ListQueueAsync(IReadOnlyList<QueueState> states, CancellationToken cancellationToken)
    {
        var all = await ReadAsync("SELECT * FROM queue ORDER BY priority DESC, enqueued_at, queue_id", ReadQueued, cancellationToken).ConfigureAwait(false);
        return all.Where(q => states.Contains(q.State)).ToList();
    }

    /// <inheritdoc />
    public async Task<bool> ClaimQueuedAsync(string queueId, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var command = Command(_connection, "UPDATE queue SET state = 'launched' WHERE queue_id = $id AND state = 'queued'", [("$id", queueId)]);
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
        }
        finally
        {
            _gate.Release();
        }
    }

    // The SQLite file belongs to one process (the daemon of 'trib serve' or 'trib backfill'), which always leads.
    /// <inheritdoc />
    public Task<bool> HoldLeadershipAsync(CancellationToken cancellationToken) => Task.FromResult(true);

    /// <inheritdoc />
    public Task UpdateQueueAsync(string queueId, QueueState state, string? runId, CancellationToken cancellationToken) =>
        WriteAsync("UPDATE queue SET state = $s, run_id = coalesce($r, run_id) WHERE queue_id = $id", cancellationToken, ("$s", Name(state)), ("$r", runId), ("$id", queueId));

    /// <inheritdoc />
    public async Task CreateBackfillAsync(BackfillRecord backfill, IReadOnlyList<string> partitions, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var tx = await _connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await ExecAsync("INSERT INTO backfills VALUES ($id, $p, $s, $c, $params, $at, NULL, $g)", cancellationToken,
                ("$id", backfill.BackfillId), ("$p", backfill.Pipeline), ("$s", Name(backfill.Status)), ("$c", backfill.Concurrency),
                ("$params", JsonSerializer.Serialize(backfill.Params)), ("$at", Time(backfill.CreatedAt)), ("$g", backfill.Group)).ConfigureAwait(false);
            for (var i = 0; i < partitions.Count; i++)
                await ExecAsync("INSERT INTO backfill_partitions VALUES ($id, $k, $o, 'pending', NULL)", cancellationToken,
                    ("$id", backfill.BackfillId), ("$k", partitions[i]), ("$o", i)).ConfigureAwait(false);
            await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc />
    public async Task<BackfillRecord?> GetBackfillAsync(string backfillId, CancellationToken cancellationToken) =>
        await ReadAsync("SELECT * FROM backfills WHERE backfill_id = $id", ReadBackfill, cancellationToken, ("$id", backfillId)).ConfigureAwait(false) is [var first, ..] ? first : null;

    /// <inheritdoc />
    public Task<IReadOnlyList<BackfillRecord>> ListBackfillsAsync(CancellationToken cancellationToken) =>
        ReadAsync("SELECT * FROM backfills ORDER BY created_at DESC, backfill_id DESC", ReadBackfill, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<BackfillPartition>> GetBackfillPartitionsAsync(string backfillId, CancellationToken cancellationToken) =>
        ReadAsync("SELECT partition_key, status, run_id FROM backfill_partitions WHERE backfill_id = $id ORDER BY ordinal",
            r => new BackfillPartition(r.GetString(0), Enum.Parse<PartitionRunStatus>(r.GetString(1), true), r.IsDBNull(2) ? null : r.GetString(2)),
            cancellationToken, ("$id", backfillId));

    /// <inheritdoc />
    public Task SetBackfillPartitionAsync(string backfillId, string key, PartitionRunStatus status, string? runId, CancellationToken cancellationToken) =>
        WriteAsync("UPDATE backfill_partitions SET status = $s, run_id = coalesce($r, run_id) WHERE backfill_id = $id AND partition_key = $k", cancellationToken,
            ("$s", Name(status)), ("$r", runId), ("$id", backfillId), ("$k", key));

    /// <inheritdoc />
    public Task SetBackfillStatusAsync(string backfillId, BackfillStatus status, DateTimeOffset? endedAt, CancellationToken cancellationToken) =>
        WriteAsync("UPDATE backfills SET status = $s, ended_at = $e WHERE backfill_id = $id", cancellationToken, ("$s", Name(status)), ("$e", Time(endedAt)), ("$id", backfillId));

    private static QueuedRun ReadQueued(SqliteDataReader r) =>
        new(r.GetString(0), r.GetString(1), r.IsDBNull(2) ? null : r.GetString(2), r.GetString(3), r.GetInt32(4),
            JsonSerializer.Deserialize<Dictionary<string, string>>(r.GetString(5))!, r.IsDBNull(6) ? null : r.GetString(6),
            Enum.Parse<QueueState>(r.GetString(7), true), r.IsDBNull(8) ? null : r.GetString(8), ParseTime(r.GetString(9)), r.GetInt32(10),
            r.IsDBNull(11) ? null : r.GetString(11), r.GetInt64(12) != 0);

    private static BackfillRecord ReadBackfill(SqliteDataReader r) =>
        new(r.GetString(0), r.GetString(1), Enum.Parse<BackfillStatus>(r.GetString(2), true), r.GetInt32(3),
            JsonSerializer.Deserialize<Dictionary<string, string>>(r.GetString(4))!, ParseTime(r.GetString(5)), OptionalTime(r, 6), r.IsDBNull(7) ? null : r.GetString(7));
}
