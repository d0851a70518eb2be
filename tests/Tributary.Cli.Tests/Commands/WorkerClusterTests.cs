using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Npgsql;
using Tributary.Core.Warehousing;
using Tributary.Testing;

namespace Tributary.Cli.Tests.Commands;

/// <summary>
/// Issue 23 end to end: PostgreSQL warehouse and run store, <c>trib worker</c> processes on loopback, and a partitioned
/// backfill (<c>trib backfill</c>, its own process) whose steps the engine places on the workers. Each partition of the
/// pipeline writes as many rows as its day of the month, after a pause in the query so that attempts overlap.
/// </summary>
public sealed partial class WorkerClusterTests(PostgresCluster postgres) : IDisposable
{
    private const string First = "2025-01-01";
    private readonly TempDirectory _temp = new();
    private readonly TribProcesses _trib = new();
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        _trib.Dispose();
        _temp.Dispose();
    }

    [Fact]
    public async Task Backfill_OnOneWorker_EveryPartitionMaterializesThereWithItsRows()
    {
        var cluster = await ClusterProject.CreateAsync(postgres, _temp, "one", pauseSeconds: 0);
        var worker = await StartWorkerAsync(cluster, "w1");

        var backfill = await RunBackfillAsync(cluster, days: 3, concurrency: 2);

        Assert.True(backfill.ExitCode == 0, backfill.Log);
        Assert.Contains("3 of 3 partition(s) materialized", backfill.Log, StringComparison.Ordinal);
        var attempts = await cluster.AttemptsAsync();
        Assert.Equal([("2025-01-01", "w1", "succeeded"), ("2025-01-02", "w1", "succeeded"), ("2025-01-03", "w1", "succeeded")],
            attempts.Select(a => (a.Partition, a.Worker, a.Status)).Order());
        Assert.Equal(Expected(3), await cluster.RowsPerPartitionAsync());
        Assert.Equal(Expected(3), await cluster.CommittedRowsAsync());
        Assert.False(worker.Process.HasExited);
    }

    // A statement the worker's warehouse refuses as written fails the same way every time: the run does not retry it.
    [Fact]
    public async Task Backfill_OnAWorker_SqlNamingAColumnThatDoesNotExist_FailsOnItsFirstAttemptDespiteRetries()
    {
        var cluster = await ClusterProject.CreateAsync(postgres, _temp, "refused", pauseSeconds: 0,
            sql: "SELECT '${partition.key}' AS day, refund_amount FROM generate_series(1, 2) AS n", retry: "retry: { max_retries: 2, delay: 1s }");
        await StartWorkerAsync(cluster, "w1");

        var backfill = await RunBackfillAsync(cluster, days: 1, concurrency: 1);

        Assert.True(backfill.ExitCode == 2, backfill.Log);
        var step = Assert.Single(await cluster.StepsAsync());
        Assert.Equal(("failed", 1), (step.Status, step.Attempts));
        Assert.StartsWith("daily (transform.sql) failed: ", step.Error, StringComparison.Ordinal);
        Assert.Contains(" on w1: 42703: column \"refund_amount\" does not exist", step.Error, StringComparison.Ordinal);
        Assert.Equal([("2025-01-01", "w1", "failed")], (await cluster.AttemptsAsync()).Select(a => (a.Partition, a.Worker, a.Status)));
        Assert.DoesNotContain("retrying in", backfill.Log, StringComparison.Ordinal);
    }

    // Any other failure of a step on a worker (here a division by zero in its rows) is still retried by the pipeline's policy.
    [Fact]
    public async Task Backfill_OnAWorker_StepFailingOnItsData_IsRetriedByThePolicy()
    {
        var cluster = await ClusterProject.CreateAsync(postgres, _temp, "retried", pauseSeconds: 0,
            sql: "SELECT '${partition.key}' AS day, n / (n - n) AS ratio FROM generate_series(1, 2) AS n", retry: "retry: { max_retries: 2, delay: 1s }");
        await StartWorkerAsync(cluster, "w1");

        var backfill = await RunBackfillAsync(cluster, days: 1, concurrency: 1);

        Assert.True(backfill.ExitCode == 2, backfill.Log);
        var step = Assert.Single(await cluster.StepsAsync());
        Assert.Equal(("failed", 3), (step.Status, step.Attempts));
        Assert.Equal("daily (transform.sql) failed: PostgresException on w1: 22012: division by zero", step.Error);
        Assert.Equal([("2025-01-01", "w1", "failed"), ("2025-01-01", "w1", "failed"), ("2025-01-01", "w1", "failed")],
            (await cluster.AttemptsAsync()).Select(a => (a.Partition, a.Worker, a.Status)));
    }

    // The done-when test of issue 23, in the slow tier (--filter "Tier=Slow"); five rounds, each on fresh schemas and workers.
    [Theory(Timeout = 360_000)]
    [Trait("Tier", "Slow")]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public async Task Backfill24_OnThreeWorkers_KillDashNineTheBusiest_EveryPartitionMaterializedOnceWithoutDuplicateRows(int round)
    {
        const int days = 24;
        var cluster = await ClusterProject.CreateAsync(postgres, _temp, $"kill{round}", pauseSeconds: 0.5);
        var workers = await Task.WhenAll(new[] { "w1", "w2", "w3" }.Select(n => StartWorkerAsync(cluster, n)));
        var killed = (Name: "", Held: 0, CommittedBefore: 0);

        var backfill = await RunBackfillAsync(cluster, days, concurrency: 6, async child =>
        {
            // Mid-run: a quarter of the partitions committed, attempts under way; the worker running the most goes.
            while (!child.HasExited)
            {
                var attempts = await cluster.AttemptsAsync();
                var committed = attempts.Count(a => a.Status == "succeeded");
                var busiest = attempts.Where(a => a.Status == "running").GroupBy(a => a.Worker).MaxBy(g => g.Count());
                if (committed >= days / 4 && busiest is not null)
                {
                    var victim = workers.Single(w => w.Name == busiest.Key);
                    victim.Process.Kill();
                    await victim.Process.WaitForExitAsync(Ct);
                    killed = (victim.Name, busiest.Count(), committed);
                    return;
                }
                await Task.Delay(50, Ct);
            }
        });

        Assert.True(killed.Held > 0, "the backfill ended before a worker could be killed mid-run");
        Assert.True(backfill.ExitCode == 0, backfill.Log);
        Assert.Contains($"{days} of {days} partition(s) materialized", backfill.Log, StringComparison.Ordinal);
        Assert.Equal(Expected(days), await cluster.RowsPerPartitionAsync());
        Assert.Equal(Enumerable.Range(1, days).ToDictionary(Day, _ => 1L, StringComparer.Ordinal), await cluster.MaterializationsPerPartitionAsync());
        var attempts = await cluster.AttemptsAsync();
        var commits = await cluster.CommitsAsync();
        // The killed worker's attempts never ended; each of their partitions was attempted again, on a surviving worker.
        var lost = attempts.Where(a => a.Worker == killed.Name && a.Status == "running").ToList();
        Assert.NotEmpty(lost);
        Assert.All(lost, a => Assert.Contains(attempts, b => b.Partition == a.Partition && b.Epoch > a.Epoch && b.Worker != killed.Name && b.Status == "succeeded"));
        // Every partition's newest commit is the one in the table, with its rows, by an attempt that succeeded (on the
        // killed worker too, when it answered before the kill); no attempt commits twice. An older commit
        // of a partition is a write the newer attempt replaced: its answer was lost with the killed worker (or the gateway
        // its answer went through), so the run placed the step again.
        foreach (var partition in commits.GroupBy(c => c.Partition))
        {
            var newest = partition.MaxBy(c => c.Epoch)!;
            Assert.Equal(Expected(days)[partition.Key], newest.Rows);
            Assert.Equal(partition.Count(), partition.Select(c => c.Epoch).Distinct().Count());
            Assert.Contains(attempts, a => a.Partition == newest.Partition && a.Epoch == newest.Epoch && a.Status == "succeeded");
        }
        var replaced = commits.Count - days;
        Assert.Equal(days, commits.Select(c => c.Partition).Distinct().Count());
        TestContext.Current.SendDiagnosticMessage(
            $"round {round}: killed {killed.Name} holding {killed.Held} running attempt(s) after {killed.CommittedBefore} partitions committed; " +
            $"{lost.Count} attempt(s) lost and placed again; {attempts.Count} attempts, {commits.Count} commits ({replaced} replaced by a newer attempt) for {days} partitions, rows exact");
    }

    private static Dictionary<string, long> Expected(int days) =>
        Enumerable.Range(1, days).ToDictionary(d => Day(d), d => (long)d, StringComparer.Ordinal);

    private static string Day(int dayOfMonth) => new DateOnly(2025, 1, dayOfMonth).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private async Task<WorkerProcess> StartWorkerAsync(ClusterProject cluster, string name)
    {
        var port = FreePort();
        var child = _trib.Start(cluster.Environment, "worker", "--port", port.ToString(CultureInfo.InvariantCulture),
            "--gateway-port", FreePort().ToString(CultureInfo.InvariantCulture), "--name", name, "--project", cluster.Directory);
        var worker = new WorkerProcess(name, child);
        while (await child.StandardError.ReadLineAsync(Ct) is { } line)
        {
            worker.Lines.Add(line);
            if (line.Contains($"worker {name} joined cluster", StringComparison.Ordinal))
            {
                worker.Drain();
                return worker;
            }
        }
        throw new InvalidOperationException($"trib worker {name} exited with {child.ExitCode} before joining:\n{string.Join('\n', worker.Lines)}");
    }

    private async Task<(int ExitCode, string Log)> RunBackfillAsync(ClusterProject cluster, int days, int concurrency, Func<Process, Task>? whileRunning = null)
    {
        var child = _trib.Start(cluster.Environment, "backfill", "daily", "--from", First, "--to", Day(days),
            "--concurrency", concurrency.ToString(CultureInfo.InvariantCulture), "--project", cluster.Directory);
        var error = child.StandardError.ReadToEndAsync(Ct);
        var output = child.StandardOutput.ReadToEndAsync(Ct);
        if (whileRunning is not null) await whileRunning(child);
        await child.WaitForExitAsync(Ct);
        return (child.ExitCode, await error + await output);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>A <c>trib worker</c> child process and the lines it logged.</summary>
    private sealed class WorkerProcess(string name, Process process)
    {
        public string Name { get; } = name;
        public Process Process { get; } = process;
        public List<string> Lines { get; } = [];

        // Keeps reading the worker's log so that it never blocks on a full pipe.
        public void Drain()
        {
            _ = Task.Run(async () =>
            {
                while (await Process.StandardError.ReadLineAsync(CancellationToken.None) is { } line) lock (Lines) Lines.Add(line);
            });
            _ = Task.Run(async () =>
            {
                while (await Process.StandardOutput.ReadLineAsync(CancellationToken.None) is not null) { }
            });
        }
    }

    /// <summary>One attempt as the run store recorded it.</summary>
    private sealed record Attempt(string Partition, long Epoch, string Worker, string Status);

    /// <summary>One step of a run as the run store recorded it.</summary>
    private sealed record Step(string Status, int Attempts, string? Error);

    /// <summary>One fenced commit of a partition, as the warehouse recorded it.</summary>
    private sealed record Commit(string Partition, long Epoch, long Rows);

    /// <summary>A project folder whose warehouse and run store are fresh schemas of the test's PostgreSQL, with workers set.</summary>
    private sealed class ClusterProject
    {
        private ClusterProject(string directory, string warehouse, string runs)
        {
            Directory = directory;
            Warehouse = warehouse;
            Runs = runs;
            Environment = new Dictionary<string, string> { ["TRIB_TEST_WAREHOUSE"] = warehouse, ["TRIB_TEST_RUNS"] = runs };
        }

        public string Directory { get; }
        public string Warehouse { get; }
        public string Runs { get; }
        public IReadOnlyDictionary<string, string> Environment { get; }

        /// <summary>
        /// The project <paramref name="name"/>: its pipeline's one step runs <paramref name="sql"/>, by default a partition's
        /// rows after a pause of <paramref name="pauseSeconds"/>, under the pipeline's <paramref name="retry"/> line (none by default).
        /// </summary>
        public static async Task<ClusterProject> CreateAsync(PostgresCluster postgres, TempDirectory temp, string name, double pauseSeconds,
            string? sql = null, string retry = "")
        {
            var directory = Path.Combine(temp.Path, name);
            temp.File(Path.Combine(name, "tributary.yaml"), """
                warehouse: { postgres_env: TRIB_TEST_WAREHOUSE }
                run_store: { postgres_env: TRIB_TEST_RUNS }
                workers: { cluster: test, max_placements: 3 }
                """);
            // The pause runs inside the step's query, on the worker, so a killed worker leaves its attempts unfinished.
            var pause = string.Create(CultureInfo.InvariantCulture, $"{pauseSeconds:0.0##}");
            sql ??= $"SELECT '${{partition.key}}' AS day, n FROM generate_series(1, EXTRACT(DAY FROM DATE '${{partition.key}}')::int) AS n CROSS JOIN (SELECT pg_sleep({pause})) AS pause";
            temp.File(Path.Combine(name, "pipelines", "daily.yaml"), $$"""
                pipeline: daily
                partitions: { type: daily, start: {{First}} }
                {{retry}}
                components:
                  - id: daily
                    type: transform.sql
                    with:
                      sql: >-
                        {{sql}}
                """);
            return new ClusterProject(directory, await postgres.NewSchemaAsync(), await postgres.NewSchemaAsync());
        }

        public async Task<List<Attempt>> AttemptsAsync() =>
            await QueryAsync(Runs, "SELECT partition_key, epoch, worker, status FROM attempts ORDER BY partition_key, epoch",
                r => new Attempt(r.GetString(0), r.GetInt64(1), r.GetString(2), r.GetString(3)));

        /// <summary>The steps of every run, as the run store recorded them.</summary>
        public async Task<List<Step>> StepsAsync() =>
            await QueryAsync(Runs, "SELECT status, attempts, error FROM steps", r => new Step(r.GetString(0), r.GetInt32(1), r.IsDBNull(2) ? null : r.GetString(2)));

        /// <summary>Rows of the step's table per partition.</summary>
        public async Task<Dictionary<string, long>> RowsPerPartitionAsync() =>
            (await QueryAsync(Warehouse, "SELECT partition_key, count(*) FROM daily GROUP BY partition_key", r => (r.GetString(0), r.GetInt64(1))))
            .ToDictionary(p => p.Item1, p => p.Item2, StringComparer.Ordinal);

        /// <summary>The fenced commits of the step's partitions.</summary>
        public async Task<List<Commit>> CommitsAsync() =>
            await QueryAsync(Warehouse, $"SELECT partition_key, epoch, row_count FROM \"{WriteFence.CommitTable}\" WHERE table_name = 'daily'",
                r => new Commit(r.GetString(0), r.GetInt64(1), r.GetInt64(2)));

        /// <summary>Materializations of the step the run store recorded, per partition.</summary>
        public async Task<Dictionary<string, long>> MaterializationsPerPartitionAsync() =>
            (await QueryAsync(Runs, "SELECT r.partition_key, count(*) FROM materializations m JOIN runs r USING (run_id) WHERE m.asset = 'daily' GROUP BY 1",
                r => (r.GetString(0), r.GetInt64(1))))
            .ToDictionary(p => p.Item1, p => p.Item2, StringComparer.Ordinal);

        /// <summary>Rows of each partition's fenced commits, summed over its commits (one commit per partition gives its rows).</summary>
        public async Task<Dictionary<string, long>> CommittedRowsAsync() =>
            (await QueryAsync(Warehouse, $"SELECT partition_key, sum(row_count)::bigint FROM \"{WriteFence.CommitTable}\" GROUP BY partition_key",
                r => (r.GetString(0), r.GetInt64(1))))
            .ToDictionary(p => p.Item1, p => p.Item2, StringComparer.Ordinal);

        private static async Task<List<T>> QueryAsync<T>(string connectionString, string sql, Func<NpgsqlDataReader, T> read)
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync(Ct);
            await using var command = new NpgsqlCommand(sql, connection);
            await using var reader = await command.ExecuteReaderAsync(Ct);
            var rows = new List<T>();
            while (await reader.ReadAsync(Ct)) rows.Add(read(reader));
            return rows;
        }
    }
}
