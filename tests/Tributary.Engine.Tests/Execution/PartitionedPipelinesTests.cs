using System.Globalization;
using Microsoft.Extensions.Time.Testing;
using Tributary.Core.Loading;
using Tributary.Core.Pipelines;
using Tributary.Core.Warehousing;
using Tributary.Engine.Execution;
using Tributary.Engine.Runs;
using Tributary.Testing;

namespace Tributary.Engine.Tests.Execution;

/// <summary>
/// A run without a partition of a pipeline partitioned as a whole: refused unless the partitions declare a time column,
/// when it spans the whole history and its partitions replace their windows of it afterwards.
/// </summary>
public sealed class PartitionedPipelinesTests(PostgresCluster postgres)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly DateTimeOffset Now = DateTimeOffset.Parse("2026-12-03T10:00:00Z", CultureInfo.InvariantCulture);

    // The reviewer's pipeline: a day's orders by their time; retried, so that a failure that cannot succeed shows as one attempt.
    private const string Daily = """
        pipeline: orch
        partitions: { type: daily, start: 2026-11-25 }
        retry: { max_retries: 2, delay: 1ms }
        components:
          - id: daily_orders
            type: transform.sql
            with:
              sql: "SELECT CAST(ordered_at AS DATE) AS day, 's' AS s, count(*) AS n FROM raw_orders WHERE ordered_at >= ${partition.start} AND ordered_at < ${partition.end} GROUP BY 1"
        """;

    private const string RefusedMessage =
        "pipeline 'orch' is partitioned (daily), so a run needs a partition: without one it would replace every partition of its assets with one partition's rows. " +
        "Pass a partition (--partition 2026-12-02, the latest complete one), or backfill a range: trib backfill orch --from 2026-11-25 --to 2026-12-02. " +
        "To run it whole, declare the time column every asset has in its partitions ('column:').";

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Run_WithoutPartition_OfAPartitionedPipeline_IsRefusedAndEveryPartitionKeepsItsRows(string engine)
    {
        await using var h = await EngineHarness.CreateAsync(engine, postgres);
        await RawOrdersAsync(h);
        foreach (var day in new PartitionScheme(EngineHarness.Pipeline(Daily).Partitions!).All(Now))
            Assert.Equal(RunStatus.Succeeded, (await RunAsync(h, Daily, day.Key)).Status);

        var loading = Assert.Throws<WholeRunRefusedException>(() => Load(Daily, null));
        var executing = await Assert.ThrowsAsync<WholeRunRefusedException>(() => Executor(h, new FakeTimeProvider(Now)).ExecuteAsync(EngineHarness.Pipeline(Daily),
            new RunRequest { ProjectDirectory = h.Temp.Path }, Ct));

        Assert.Equal(RefusedMessage, loading.Message);
        Assert.Equal(RefusedMessage, executing.Message);
        Assert.Equal(8, (await h.Store.ListRunsAsync(100, "orch", Ct)).Count);
        Assert.Equal(8, await h.ScalarAsync("SELECT count(DISTINCT partition_key) FROM daily_orders"));
        Assert.Equal(RunStatus.Succeeded, (await RunAsync(h, Daily, "2026-12-01")).Status);
    }

    // A table written whole before runs were refused: the partition's failure says why, and is not retried.
    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Run_OfAPartition_OfATableWrittenWhole_FailsOnceNamingTheMissingKeyColumn(string engine)
    {
        await using var h = await EngineHarness.CreateAsync(engine, postgres);
        await RawOrdersAsync(h);
        await h.Warehouse.ReplaceTableAsync("daily_orders", (b, ct) => b.CreateAsSelectAsync("SELECT DATE '2026-11-25' AS day, 's' AS s, 1 AS n", null, ct), Ct);

        var result = await RunAsync(h, Daily, "2026-12-01");

        Assert.Equal(RunStatus.Failed, result.Status);
        Assert.Equal(1, result.Steps[0].Attempts);
        Assert.Equal("daily_orders (transform.sql) failed: daily_orders: the table has no 'partition_key' column, so a partition cannot replace its rows: " +
            "a run without a partition wrote it whole. Drop the table and run its partitions again (trib backfill), or declare the partitions' time column ('column:') " +
            "so that each partition replaces the rows of its window.", result.Error);
    }

    // With 'column:' a run without a partition loads every day (not the first day's window), and a day replaces its rows later.
    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Run_WithoutPartition_OfAPipelinePartitionedByAColumn_LoadsTheWholeHistoryThenADayReplacesItsWindow(string engine)
    {
        var yaml = Daily.Replace("start: 2026-11-25 }", "start: 2026-11-25, column: day }", StringComparison.Ordinal);
        await using var h = await EngineHarness.CreateAsync(engine, postgres);
        await RawOrdersAsync(h);

        var whole = await RunAsync(h, yaml, null);
        await h.Warehouse.ExecuteAsync("INSERT INTO raw_orders VALUES (CAST('2026-11-26 12:00:00' AS TIMESTAMP))", null, Ct);
        var day = await RunAsync(h, yaml, "2026-11-26");

        Assert.True(whole.Status == RunStatus.Succeeded, whole.Error);
        Assert.True(day.Status == RunStatus.Succeeded, day.Error);
        Assert.Equal(8, await h.ScalarAsync("SELECT count(*) FROM daily_orders"));
        Assert.Equal(17, await h.ScalarAsync("SELECT sum(n) FROM daily_orders"));
        Assert.Equal(3, await h.ScalarAsync("SELECT n FROM daily_orders WHERE partition_key = '2026-11-26'"));
    }

    // Two orders on each day from 2026-11-25 to 2026-12-02.
    private static async Task RawOrdersAsync(EngineHarness h)
    {
        await h.Warehouse.ExecuteAsync("CREATE TABLE raw_orders (ordered_at TIMESTAMP)", null, Ct);
        for (var d = 0; d < 8; d++)
            foreach (var hour in new[] { 9, 17 })
                await h.Warehouse.ExecuteAsync("INSERT INTO raw_orders VALUES (CAST($1 AS TIMESTAMP))",
                    [new DateTime(2026, 11, 25, hour, 0, 0, DateTimeKind.Unspecified).AddDays(d).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)], Ct);
    }

    // The system clock runs the steps (a retry waits on it); the refusal reads the fake one.
    private static RunExecutor Executor(EngineHarness h, TimeProvider? time = null) =>
        new(EngineHarness.Catalog, h.Warehouse, h.Store, new ExecutorOptions(2), time ?? TimeProvider.System);

    private static Task<RunResult> RunAsync(EngineHarness h, string yaml, string? partition)
    {
        var spec = PartitionedPipelines.Load((_, _, variables) => LoadWith(yaml, variables), "orch", new Dictionary<string, string>(), partition, Now);
        return Executor(h).ExecuteAsync(spec, new RunRequest
        {
            ProjectDirectory = h.Temp.Path, Partition = partition,
            PartitionWindow = partition is null ? null : PartitionedPipelines.TablePartitionOf(spec, null, partition, Now).Window,
        }, Ct);
    }

    private static PipelineSpec Load(string yaml, string? partition) =>
        PartitionedPipelines.Load((_, _, variables) => LoadWith(yaml, variables), "orch", new Dictionary<string, string>(), partition, Now);

    private static PipelineSpec LoadWith(string yaml, IReadOnlyDictionary<string, string>? partition)
    {
        var result = new PipelineLoader(EngineHarness.Catalog).Load(yaml, "orch.yaml", new LoadOptions { Environment = _ => null, Partition = partition });
        Assert.True(result.Succeeded, string.Join("\n", result.Diagnostics));
        return result.Pipeline!;
    }
}
