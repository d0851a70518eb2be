using Npgsql;

namespace Tributary.Engine.Runs;

// Retention: old history deleted in one transaction; a dry run counts the same deletes and rolls them back.
public sealed partial class PostgresRunStore
{
    /// <inheritdoc />
    public Task<PruneResult> PruneAsync(PruneCutoffs cutoffs, bool dryRun, CancellationToken cancellationToken) =>
        RetryAsync(ct => PruneOnceAsync(cutoffs, dryRun, ct), cancellationToken);

    private async Task<PruneResult> PruneOnceAsync(PruneCutoffs cutoffs, bool dryRun, CancellationToken cancellationToken)
    {
        await using var connection = await _source.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        long runs = 0, events = 0, materializations = 0, checks = 0, ticks = 0, queue = 0;
        if (cutoffs.Runs is { } before)
        {
            await CountedAsync(connection, """
                CREATE TEMP TABLE "pruned_runs" ON COMMIT DROP AS
                SELECT "run_id" FROM "runs" WHERE "status" NOT IN ('running', 'queued') AND coalesce("ended_at", "started_at") < @before
                EXCEPT SELECT "run_id" FROM "materializations" WHERE "id" IN (SELECT max("id") FROM "materializations" GROUP BY "asset")
                EXCEPT SELECT "run_id" FROM (SELECT "run_id", row_number() OVER (PARTITION BY "pipeline", "partition_key" ORDER BY "started_at" DESC, "run_id" DESC) AS "n" FROM "runs") AS "latest" WHERE "n" = 1
                EXCEPT SELECT "run_id" FROM (SELECT "run_id", row_number() OVER (PARTITION BY "pipeline", "partition_key" ORDER BY "started_at" DESC, "run_id" DESC) AS "n" FROM "runs" WHERE "status" = 'succeeded') AS "good" WHERE "n" = 1
                """, cancellationToken, ("before", before.ToUniversalTime())).ConfigureAwait(false);
            events = await CountedAsync(connection, """DELETE FROM "events" WHERE "run_id" IN (SELECT "run_id" FROM "pruned_runs")""", cancellationToken).ConfigureAwait(false);
            materializations = await CountedAsync(connection, """DELETE FROM "materializations" WHERE "run_id" IN (SELECT "run_id" FROM "pruned_runs")""", cancellationToken).ConfigureAwait(false);
            checks = await CountedAsync(connection, """DELETE FROM "check_results" WHERE "run_id" IN (SELECT "run_id" FROM "pruned_runs")""", cancellationToken).ConfigureAwait(false);
            await CountedAsync(connection, """DELETE FROM "steps" WHERE "run_id" IN (SELECT "run_id" FROM "pruned_runs")""", cancellationToken).ConfigureAwait(false);
            // Attempts of ended runs; their partition's epoch stays, so a later attempt still fences an older one.
            await CountedAsync(connection, """DELETE FROM "attempts" WHERE "run_id" IN (SELECT "run_id" FROM "pruned_runs") AND "status" <> 'running'""", cancellationToken).ConfigureAwait(false);
            runs = await CountedAsync(connection, """DELETE FROM "runs" WHERE "run_id" IN (SELECT "run_id" FROM "pruned_runs")""", cancellationToken).ConfigureAwait(false);
            queue = await CountedAsync(connection, """
                DELETE FROM "queue" WHERE "state" IN ('done', 'cancelled') AND "enqueued_at" < @before AND ("run_id" IS NULL OR "run_id" NOT IN (SELECT "run_id" FROM "runs"))
                """, cancellationToken, ("before", before.ToUniversalTime())).ConfigureAwait(false);
        }
        if (cutoffs.Ticks is { } ticksBefore)
            ticks += await CountedAsync(connection, """DELETE FROM "ticks" WHERE "status" <> 'skipped' AND "at" < @before""", cancellationToken, ("before", ticksBefore.ToUniversalTime()))
                .ConfigureAwait(false);
        if (cutoffs.SkippedTicks is { } skippedBefore)
            ticks += await CountedAsync(connection, """DELETE FROM "ticks" WHERE "status" = 'skipped' AND "at" < @before""", cancellationToken, ("before", skippedBefore.ToUniversalTime()))
                .ConfigureAwait(false);
        if (dryRun) await tx.RollbackAsync(cancellationToken).ConfigureAwait(false);
        else await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new PruneResult(runs, events, materializations, checks, ticks, queue);
    }

    private static async Task<long> CountedAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var command = Command(connection.CreateCommand(), sql, parameters);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
