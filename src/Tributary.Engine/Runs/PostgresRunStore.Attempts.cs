using System.Globalization;

namespace Tributary.Engine.Runs;

public sealed partial class PostgresRunStore : IAttemptLedger
{
    /// <inheritdoc />
    public Task<long> BeginAttemptAsync(string runId, string asset, string partition, string worker, CancellationToken cancellationToken) =>
        RetryAsync(ct => BeginAttemptOnceAsync(runId, asset, partition, worker, ct), cancellationToken);

    private async Task<long> BeginAttemptOnceAsync(string runId, string asset, string partition, string worker, CancellationToken cancellationToken)
    {
        await using var connection = await _source.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        // The upsert's row lock hands out each partition's epochs one at a time, across every process sharing the store.
        await using var next = Command(connection.CreateCommand(),
            """
            INSERT INTO "attempt_epochs" ("asset", "partition_key", "epoch") VALUES (@a, @p, 1)
            ON CONFLICT ("asset", "partition_key") DO UPDATE SET "epoch" = "attempt_epochs"."epoch" + 1 RETURNING "epoch"
            """, [("a", asset), ("p", partition)]);
        var epoch = Convert.ToInt64(await next.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
        await ExecAsync(connection, """INSERT INTO "attempts" ("asset", "partition_key", "epoch", "run_id", "worker", "status", "started_at") VALUES (@a, @p, @e, @r, @w, 'running', now())""",
            cancellationToken, ("a", asset), ("p", partition), ("e", epoch), ("r", runId), ("w", worker)).ConfigureAwait(false);
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        return epoch;
    }

    /// <inheritdoc />
    public Task EndAttemptAsync(string asset, string partition, long epoch, string? failure, CancellationToken cancellationToken) =>
        WriteAsync("""UPDATE "attempts" SET "status" = @s, "error" = @err, "ended_at" = now() WHERE "asset" = @a AND "partition_key" = @p AND "epoch" = @e""",
            cancellationToken, ("s", failure is null ? "succeeded" : "failed"), ("err", failure), ("a", asset), ("p", partition), ("e", epoch));
}
