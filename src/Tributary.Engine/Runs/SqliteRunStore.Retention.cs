using System.Globalization;

namespace Tributary.Engine.Runs;

// Retention: old history deleted in one transaction; a dry run counts the same deletes and rolls them back.
public sealed partial class SqliteRunStore
{
    /// <inheritdoc />
    public async Task<PruneResult> PruneAsync(PruneCutoffs cutoffs, bool dryRun, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var tx = await _connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            long runs = 0, events = 0, materializations = 0, checks = 0, ticks = 0, queue = 0;
            if (cutoffs.Runs is { } before)
            {
                await ExecAsync("DROP TABLE IF EXISTS temp.pruned_runs", cancellationToken).ConfigureAwait(false);
                await ExecAsync("""
                    CREATE TEMP TABLE pruned_runs AS
                    SELECT run_id FROM runs WHERE status NOT IN ('running', 'queued') AND coalesce(ended_at, started_at) < $before
                    EXCEPT SELECT run_id FROM materializations WHERE id IN (SELECT max(id) FROM materializations GROUP BY asset)
                    EXCEPT SELECT run_id FROM (SELECT run_id, row_number() OVER (PARTITION BY pipeline, partition_key ORDER BY started_at DESC, run_id DESC) AS n FROM runs) WHERE n = 1
                    EXCEPT SELECT run_id FROM (SELECT run_id, row_number() OVER (PARTITION BY pipeline, partition_key ORDER BY started_at DESC, run_id DESC) AS n FROM runs WHERE status = 'succeeded') WHERE n = 1
                    """, cancellationToken, ("$before", Time(before))).ConfigureAwait(false);
                events = await CountedAsync("DELETE FROM events WHERE run_id IN (SELECT run_id FROM temp.pruned_runs)", cancellationToken).ConfigureAwait(false);
                materializations = await CountedAsync("DELETE FROM materializations WHERE run_id IN (SELECT run_id FROM temp.pruned_runs)", cancellationToken).ConfigureAwait(false);
                checks = await CountedAsync("DELETE FROM check_results WHERE run_id IN (SELECT run_id FROM temp.pruned_runs)", cancellationToken).ConfigureAwait(false);
                await CountedAsync("DELETE FROM steps WHERE run_id IN (SELECT run_id FROM temp.pruned_runs)", cancellationToken).ConfigureAwait(false);
                runs = await CountedAsync("DELETE FROM runs WHERE run_id IN (SELECT run_id FROM temp.pruned_runs)", cancellationToken).ConfigureAwait(false);
                await ExecAsync("DROP TABLE temp.pruned_runs", cancellationToken).ConfigureAwait(false);
                queue = await CountedAsync("DELETE FROM queue WHERE state IN ('done', 'cancelled') AND enqueued_at < $before AND (run_id IS NULL OR run_id NOT IN (SELECT run_id FROM runs))",
                    cancellationToken, ("$before", Time(before))).ConfigureAwait(false);
            }
            if (cutoffs.Ticks is { } ticksBefore)
                ticks += await CountedAsync("DELETE FROM ticks WHERE status <> 'skipped' AND at < $before", cancellationToken, ("$before", Time(ticksBefore))).ConfigureAwait(false);
            if (cutoffs.SkippedTicks is { } skippedBefore)
                ticks += await CountedAsync("DELETE FROM ticks WHERE status = 'skipped' AND at < $before", cancellationToken, ("$before", Time(skippedBefore))).ConfigureAwait(false);
            if (dryRun) await tx.RollbackAsync(cancellationToken).ConfigureAwait(false);
            else await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
            return new PruneResult(runs, events, materializations, checks, ticks, queue);
        }
        finally
        {
            _gate.Release();
        }
    }

    // Incremental auto-vacuum (set when the file is created) truncates freed pages at the next checkpoint; a file from
    // before it holds on to them, and only a VACUUM that switches the mode on gives them back.
    /// <inheritdoc />
    public async Task<long> ReclaimSpaceAsync(bool rewrite, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var before = await FileBytesAsync(cancellationToken).ConfigureAwait(false);
            var incremental = Convert.ToInt64(await ScalarAsync("PRAGMA auto_vacuum", cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture) == 2;
            if (incremental) await ExecAsync("PRAGMA incremental_vacuum", cancellationToken).ConfigureAwait(false);
            else if (rewrite) await ExecAsync("PRAGMA auto_vacuum = INCREMENTAL; VACUUM", cancellationToken).ConfigureAwait(false);
            else return 0;
            await ExecAsync("PRAGMA wal_checkpoint(TRUNCATE)", cancellationToken).ConfigureAwait(false);
            return Math.Max(0, before - await FileBytesAsync(cancellationToken).ConfigureAwait(false));
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<long> FileBytesAsync(CancellationToken cancellationToken) =>
        Convert.ToInt64(await ScalarAsync("PRAGMA page_count", cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture)
        * Convert.ToInt64(await ScalarAsync("PRAGMA page_size", cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);

    private async Task<long> CountedAsync(string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var command = Command(_connection, sql, parameters);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
