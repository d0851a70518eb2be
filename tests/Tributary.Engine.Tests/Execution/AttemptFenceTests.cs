using Tributary.Core.Warehousing;
using Tributary.Engine.Execution;
using Tributary.Engine.Runs;
using Tributary.Testing;

namespace Tributary.Engine.Tests.Execution;

/// <summary>
/// The fence of a partition commit, without any cluster: two attempts of one partition, and the older one (a worker
/// presumed dead that wakes up) can never commit once the newer one started, whatever the order of their commits.
/// </summary>
public sealed class AttemptFenceTests(PostgresCluster postgres)
{
    private const string Day = "2025-01-02";
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Commit_OlderAttemptAfterANewerOneStarted_IsRefusedAndLeavesTheTableUnchanged(string engine)
    {
        using var temp = new TempDirectory();
        await using var warehouse = await TestWarehouses.CreateAsync(engine, temp, postgres);
        var tables = new HashSet<string>(StringComparer.Ordinal) { "sales" };
        await new PartitionedWarehouse(warehouse, tables, "2025-01-01").ReplaceTableAsync("sales", Build("SELECT 7 AS v"), Ct); // another day, unfenced
        await AttemptFences.RaiseAsync(warehouse, tables, Day, 1, Ct);
        await AttemptFences.RaiseAsync(warehouse, tables, Day, 2, Ct);
        var stale = new PartitionedWarehouse(warehouse, tables, Day, new WriteFence(1, "run-old"));
        var newer = new PartitionedWarehouse(warehouse, tables, Day, new WriteFence(2, "run-new"));

        // The old attempt wakes up before the new one commits, and again after it: refused both times.
        var early = await Assert.ThrowsAsync<StaleAttemptException>(() => stale.ReplaceTableAsync("sales", Build("SELECT 1 AS v UNION ALL SELECT 1"), Ct));
        Assert.Equal(1, early.Epoch);
        Assert.Equal([7L], await ValuesAsync(warehouse));
        Assert.Equal(2, await newer.ReplaceTableAsync("sales", Build("SELECT 2 AS v UNION ALL SELECT 3"), Ct));
        await Assert.ThrowsAsync<StaleAttemptException>(() => stale.ReplaceTableAsync("sales", Build("SELECT 1 AS v UNION ALL SELECT 1"), Ct));

        Assert.Equal([2L, 3L, 7L], await ValuesAsync(warehouse));
        var commits = await warehouse.QueryAsync(
            $"SELECT \"table_name\", \"partition_key\", \"epoch\", \"run_id\", \"row_count\" FROM \"{WriteFence.CommitTable}\"", null, 100, Ct);
        var commit = Assert.Single(commits.Rows);
        Assert.Equal(["sales", Day, 2L, "run-new", 2L], commit.Select(v => v is long or int ? Convert.ToInt64(v, System.Globalization.CultureInfo.InvariantCulture) : v));
        Assert.DoesNotContain(WriteFence.FenceTable, await warehouse.ListTablesAsync(Ct));
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Commit_WithoutARaisedFence_IsRefused(string engine)
    {
        using var temp = new TempDirectory();
        await using var warehouse = await TestWarehouses.CreateAsync(engine, temp, postgres);
        var fenced = new PartitionedWarehouse(warehouse, new HashSet<string>(StringComparer.Ordinal) { "sales" }, Day, new WriteFence(5, "run"));

        await Assert.ThrowsAsync<StaleAttemptException>(() => fenced.ReplaceTableAsync("sales", Build("SELECT 1 AS v"), Ct));

        Assert.Null(await warehouse.DescribeTableAsync("sales", Ct));
    }

    // The worker's own path: epochs from the shared run store, the step's component run through the same context as in
    // process. The first attempt stalls after building its rows; a second attempt of the partition runs meanwhile.
    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Runner_StalledAttemptWakesAfterARetryCommitted_ItsCommitIsRefusedAndTheRowsAreThereOnce(string engine)
    {
        using var temp = new TempDirectory();
        await using var warehouse = await TestWarehouses.CreateAsync(engine, temp, postgres);
        await using var store = await PostgresRunStore.OpenAsync(await postgres.NewSchemaAsync(), Ct);
        var probe = ProbeState.Create();
        var yaml = $$"""
            pipeline: fenced
            partitions: { type: daily, start: 2025-01-01 }
            components:
              - { id: daily, type: test.probe, with: { probe: "{{probe.Id}}", hold_first: true, sql: "SELECT '${partition.key}' AS day, 1 AS n UNION ALL SELECT '${partition.key}', 2" } }
            """;
        var runner = new StepAttemptRunner((_, _, vars) => Load(yaml, vars), EngineHarness.Catalog, warehouse, store, temp.Path, TimeProvider.System);
        var attempt = new StepAttempt("fenced", new Dictionary<string, string>(), Day, "daily", "run-1");

        var first = runner.RunAsync(attempt, "worker-a", _ => { }, Ct);
        await Task.WhenAny(first, probe.BlockedStarted.Task);
        Assert.False(first.IsCompleted, first.Exception?.ToString());
        var (retried, epoch) = await runner.RunAsync(attempt, "worker-b", _ => { }, Ct);
        probe.Release.SetResult();
        var refused = await Assert.ThrowsAsync<StaleAttemptException>(() => first);

        Assert.Equal((1L, 2L), (refused.Epoch, epoch));
        Assert.Equal(2, retried.RowCount);
        Assert.Equal(2L, Convert.ToInt64(await warehouse.ScalarAsync("SELECT count(*) FROM \"daily\" WHERE \"partition_key\" = $1", [Day], Ct),
            System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(1L, Convert.ToInt64(await warehouse.ScalarAsync($"SELECT count(*) FROM \"{WriteFence.CommitTable}\"", null, Ct),
            System.Globalization.CultureInfo.InvariantCulture));
    }

    private static Core.Pipelines.PipelineSpec Load(string yaml, IReadOnlyDictionary<string, string>? partition)
    {
        var result = new Core.Loading.PipelineLoader(EngineHarness.Catalog).Load(yaml, "test.yaml", new Core.Loading.LoadOptions { Environment = _ => null, Partition = partition });
        Assert.True(result.Succeeded, string.Join("\n", result.Diagnostics));
        return result.Pipeline!;
    }

    private static Func<ITableBuilder, CancellationToken, Task> Build(string sql) => (b, ct) => b.CreateAsSelectAsync(sql, null, ct);

    private static async Task<List<long>> ValuesAsync(IWarehouse warehouse) =>
        (await warehouse.QueryAsync("SELECT v FROM \"sales\" ORDER BY v", null, 100, Ct)).Rows
            .Select(r => Convert.ToInt64(r[0], System.Globalization.CultureInfo.InvariantCulture)).ToList();
}
