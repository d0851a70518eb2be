using System.Text.Json;

namespace Tributary.Engine.Runs;

// One run per pipeline and partition across processes and machines: a transaction lock of the pipeline (and partition)
// in this schema makes the check and the insert one step; it is released at commit, when the run is recorded.
public sealed partial class PostgresRunStore
{
    /// <inheritdoc />
    public Task<LiveRun?> TryCreateRunAsync(RunRecord run, IReadOnlyList<StepRecord> steps, Func<int, bool> processAlive, DateTimeOffset now,
        CancellationToken cancellationToken) =>
        RetryAsync(ct => TryCreateRunOnceAsync(run, steps, processAlive, now, ct), cancellationToken);

    private async Task<LiveRun?> TryCreateRunOnceAsync(RunRecord run, IReadOnlyList<StepRecord> steps, Func<int, bool> processAlive, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        await using var connection = await _source.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await ExecAsync(connection, """
            SELECT pg_advisory_xact_lock(hashtextextended(coalesce(current_schema(), '') || '/tributary-run/' || @p || coalesce('/partition/' || @part::text, '/whole'), 0))
            """, cancellationToken, ("p", run.Pipeline), ("part", run.Partition)).ConfigureAwait(false);
        var holders = new List<LiveRun>();
        await using (var command = Command(connection.CreateCommand(), """
            SELECT "run_id", "pipeline", "partition_key", "trigger", "pid", "host", "started_at" FROM "runs"
            WHERE "status" IN ('running', 'queued') AND "pipeline" = @p AND "partition_key" IS NOT DISTINCT FROM @part::text ORDER BY "started_at"
            """, [("p", run.Pipeline), ("part", run.Partition)]))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                holders.Add(new LiveRun(reader.GetString(0), reader.GetString(1), Text(reader, 2), reader.GetString(3), reader.GetInt32(4), reader.GetString(5), Time(reader, 6)));
        // Process ids mean something on their own machine only: another host's run holds the pipeline until that host ends it.
        // A retry after a commit whose answer was lost finds this very run: it is recorded, not refused.
        if (holders.Any(h => h.RunId == run.RunId)) return null;
        if (holders.FirstOrDefault(h => h.Host != _host || processAlive(h.ProcessId)) is { } live) return live;
        foreach (var dead in holders)
        {
            await ExecAsync(connection, """UPDATE "runs" SET "status" = 'failed', "ended_at" = @e, "error" = @err WHERE "run_id" = @id""", cancellationToken,
                ("e", Time(now)), ("err", RunExclusion.DeadProcessError), ("id", dead.RunId)).ConfigureAwait(false);
            await ExecAsync(connection, """UPDATE "steps" SET "status" = 'failed', "ended_at" = @e, "error" = 'process died' WHERE "run_id" = @id AND "status" = 'running'""",
                cancellationToken, ("e", Time(now)), ("id", dead.RunId)).ConfigureAwait(false);
            await ExecAsync(connection, """UPDATE "steps" SET "status" = 'skipped' WHERE "run_id" = @id AND "status" = 'pending'""", cancellationToken, ("id", dead.RunId))
                .ConfigureAwait(false);
        }
        await ExecAsync(connection, $"""INSERT INTO "runs" ({RunColumns}, "host") VALUES (@id, @p, @s, @t, @sel, @start, NULL, NULL, @pid, @part, @params, @fr, @host)""", cancellationToken,
            ("id", run.RunId), ("p", run.Pipeline), ("s", Name(run.Status)), ("t", run.Trigger), ("sel", run.Selection), ("start", Time(run.StartedAt)),
            ("pid", run.ProcessId), ("part", run.Partition), ("params", run.Params is null ? null : JsonSerializer.Serialize(run.Params)), ("fr", run.FullRefresh), ("host", _host))
            .ConfigureAwait(false);
        for (var i = 0; i < steps.Count; i++)
            await ExecAsync(connection, """INSERT INTO "steps" ("run_id", "asset", "ordinal", "component_type", "status", "attempts") VALUES (@id, @a, @o, @ct, @s, 0)""",
                cancellationToken, ("id", run.RunId), ("a", steps[i].Asset), ("o", i), ("ct", steps[i].ComponentType), ("s", Name(steps[i].Status))).ConfigureAwait(false);
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        return null;
    }
}
