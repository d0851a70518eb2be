using Microsoft.Data.Sqlite;

namespace Tributary.Engine.Runs;

// One run per pipeline and partition across processes: SQLite's write lock (BEGIN IMMEDIATE, waited for up to
// busy_timeout) makes the check and the insert one step for every process on the file.
public sealed partial class SqliteRunStore
{
    /// <inheritdoc />
    public async Task<LiveRun?> TryCreateRunAsync(RunRecord run, IReadOnlyList<StepRecord> steps, Func<int, bool> processAlive, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Microsoft.Data.Sqlite begins IMMEDIATE unless asked to defer: the file's write lock is held from here.
            await using var tx = await _connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            var holders = new List<LiveRun>();
            await using (var command = Command(_connection,
                "SELECT run_id, pipeline, partition_key, trigger, pid, started_at FROM runs WHERE status IN ('running', 'queued') AND pipeline = $p AND partition_key IS $part ORDER BY started_at",
                [("$p", run.Pipeline), ("$part", run.Partition)]))
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    holders.Add(new LiveRun(reader.GetString(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2), reader.GetString(3),
                        reader.GetInt32(4), null, ParseTime(reader.GetString(5))));
            if (holders.FirstOrDefault(h => processAlive(h.ProcessId)) is { } live) return live;
            foreach (var dead in holders)
            {
                await ExecAsync("UPDATE runs SET status = 'failed', ended_at = $e, error = $err WHERE run_id = $id", cancellationToken,
                    ("$e", Time(now)), ("$err", RunExclusion.DeadProcessError), ("$id", dead.RunId)).ConfigureAwait(false);
                await ExecAsync("UPDATE steps SET status = 'failed', ended_at = $e, error = 'process died' WHERE run_id = $id AND status = 'running'", cancellationToken,
                    ("$e", Time(now)), ("$id", dead.RunId)).ConfigureAwait(false);
                await ExecAsync("UPDATE steps SET status = 'skipped' WHERE run_id = $id AND status = 'pending'", cancellationToken, ("$id", dead.RunId)).ConfigureAwait(false);
            }
            await InsertRunAsync(run, steps, cancellationToken).ConfigureAwait(false);
            await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
            return null;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task InsertRunAsync(RunRecord run, IReadOnlyList<StepRecord> steps, CancellationToken cancellationToken)
    {
        await ExecAsync("INSERT INTO runs VALUES ($id, $p, $s, $t, $sel, $start, NULL, NULL, $pid, $part, $params, $fr)", cancellationToken,
            ("$id", run.RunId), ("$p", run.Pipeline), ("$s", Name(run.Status)), ("$t", run.Trigger), ("$sel", run.Selection),
            ("$start", Time(run.StartedAt)), ("$pid", run.ProcessId), ("$part", run.Partition),
            ("$params", run.Params is null ? null : System.Text.Json.JsonSerializer.Serialize(run.Params)), ("$fr", run.FullRefresh ? 1 : 0)).ConfigureAwait(false);
        for (var i = 0; i < steps.Count; i++)
            await ExecAsync("INSERT INTO steps (run_id, asset, ordinal, component_type, status, attempts) VALUES ($id, $a, $o, $ct, $s, 0)", cancellationToken,
                ("$id", run.RunId), ("$a", steps[i].Asset), ("$o", i), ("$ct", steps[i].ComponentType), ("$s", Name(steps[i].Status))).ConfigureAwait(false);
    }
}
