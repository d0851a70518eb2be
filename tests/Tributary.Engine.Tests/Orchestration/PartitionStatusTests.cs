using Tributary.Core.Loading;
using Tributary.Core.Pipelines;
using Tributary.Engine.Execution;
using Tributary.Engine.Orchestration;
using Tributary.Engine.Runs;
using Tributary.Testing;

namespace Tributary.Engine.Tests.Orchestration;

public sealed class PartitionStatusTests(PostgresCluster postgres)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string Yaml = """
        pipeline: daily
        partitions: { type: daily, start: 2025-01-01 }
        components:
          - { id: raw, type: transform.sql, with: { sql: "SELECT '${partition.key}' AS day, CAST(${param.value} AS INTEGER) AS v" } }
          - { id: same_day, type: transform.sql, inputs: [raw], with: { sql: "SELECT day, v FROM raw WHERE day = '${partition.key}'" } }
          - id: next_day
            type: transform.sql
            inputs: [raw]
            partition_mapping: { raw: offset -1 }
            with: { sql: "SELECT count(*) AS n FROM raw" }
        params:
          value: { type: string, default: "1" }
        """;

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Status_ReRunningAnUpstreamPartition_MakesItsMappedDownstreamPartitionsStale(string engine)
    {
        await using var h = await EngineHarness.CreateAsync(engine, postgres);
        var now = DateTimeOffset.Parse("2025-01-04T12:00:00Z");
        var scheme = new PartitionScheme(EngineHarness.Pipeline(Yaml).Partitions!);
        async Task<RunResult> Run(string partition, string? select = null, string value = "1")
        {
            var spec = new PipelineLoader(EngineHarness.Catalog).Load(Yaml, "daily.yaml", new LoadOptions
            {
                Partition = scheme.Parse(partition, now).Variables, ParamOverrides = new Dictionary<string, string> { ["value"] = value },
            }).GetPipelineOrThrow();
            return await new RunExecutor(EngineHarness.Catalog, h.Warehouse, h.Store, new ExecutorOptions(2), TimeProvider.System)
                .ExecuteAsync(spec, new RunRequest { ProjectDirectory = h.Temp.Path, Partition = partition, Selection = select }, Ct);
        }

        Assert.Equal(RunStatus.Succeeded, (await Run("2025-01-01")).Status);
        Assert.Equal(RunStatus.Succeeded, (await Run("2025-01-02")).Status);
        await Task.Delay(20, Ct);
        Assert.Equal(RunStatus.Succeeded, (await Run("2025-01-01", select: "raw", value: "2")).Status);
        Assert.Equal(RunStatus.Failed, (await Run("2025-01-03", value: "x")).Status);

        var status = (await PartitionStatus.OfAsync(EngineHarness.Pipeline(Yaml), h.Store, now, Ct)).ToDictionary(s => (s.Asset, s.Partition), s => s.State);

        Assert.Equal(PartitionState.Materialized, status[("raw", "2025-01-01")]);
        Assert.Equal(PartitionState.Stale, status[("same_day", "2025-01-01")]);      // identity: raw 01 changed after it
        Assert.Equal(PartitionState.Materialized, status[("same_day", "2025-01-02")]);
        Assert.Equal(PartitionState.Stale, status[("next_day", "2025-01-02")]);      // offset -1: depends on raw 01
        Assert.Equal(PartitionState.Materialized, status[("next_day", "2025-01-01")]); // raw 12-31 does not exist
        Assert.Equal(PartitionState.Failed, status[("raw", "2025-01-03")]);
        Assert.Equal(PartitionState.Missing, status[("same_day", "2025-01-03")]);    // skipped after raw failed
        // Each partition holds only its own rows.
        var rows = await h.Warehouse.QueryAsync("SELECT partition_key, v FROM raw ORDER BY 1", null, 10, Ct);
        Assert.Equal([("2025-01-01", 2L), ("2025-01-02", 1L)], rows.Rows.Select(r => ((string)r[0]!, Convert.ToInt64(r[1]))));
    }

    // Without a time column a run without a partition leaves the table without partition keys: its partitions are gone.
    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Status_AfterARunWithoutPartition_ShowsTheGroupsPartitionsMissingUnlessTheyHaveATimeColumn(string engine)
    {
        const string groups = """
            pipeline: split
            groups:
              days: { assets: [day_rows], partitions: { type: daily, start: 2025-01-01 } }
              windows: { assets: [window_rows], partitions: { type: daily, start: 2025-01-01, column: day } }
            components:
              - { id: day_rows, type: transform.sql, with: { sql: "SELECT ${partition.key} AS day" } }
              - { id: window_rows, type: transform.sql, with: { sql: "SELECT CAST(${partition.start} AS TIMESTAMP) AS day" } }
            """;
        await using var h = await EngineHarness.CreateAsync(engine, postgres);
        var now = DateTimeOffset.Parse("2025-01-02T12:00:00Z");
        async Task<RunResult> Run(string? partition, string? select)
        {
            var spec = PartitionedPipelines.Load((_, _, variables) => new PipelineLoader(EngineHarness.Catalog).Load(groups, "split.yaml", new LoadOptions { Partition = variables })
                .GetPipelineOrThrow(), "split", new Dictionary<string, string>(), partition, now, select);
            return await new RunExecutor(EngineHarness.Catalog, h.Warehouse, h.Store, new ExecutorOptions(2), TimeProvider.System).ExecuteAsync(spec, new RunRequest
            {
                ProjectDirectory = h.Temp.Path, Partition = partition, Selection = select,
                PartitionWindow = partition is null ? null : PartitionedPipelines.TablePartitionOf(spec, select, partition, now).Window,
            }, Ct);
        }
        async Task<List<(string, PartitionState)>> Status() =>
            [.. (await PartitionStatus.OfAsync(EngineHarness.Pipeline(groups), h.Store, now, Ct)).Select(s => (s.Asset, s.State))];
        Assert.Equal(RunStatus.Succeeded, (await Run("2025-01-01", "group:days")).Status);
        Assert.Equal(RunStatus.Succeeded, (await Run("2025-01-01", "group:windows")).Status);
        var before = await Status();
        await Task.Delay(20, Ct);

        Assert.Equal(RunStatus.Succeeded, (await Run(null, null)).Status);

        Assert.Equal([("day_rows", PartitionState.Materialized), ("window_rows", PartitionState.Materialized)], before);
        Assert.Equal([("day_rows", PartitionState.Missing), ("window_rows", PartitionState.Materialized)], await Status());
        Assert.Null(await h.Warehouse.DescribeTableAsync("day_rows", Ct) is { } t ? t.Find("partition_key") : null);
    }

    [Fact]
    public async Task Page_CancelledOnceTheHistoryIsRead_StopsBeforeListingPartitions()
    {
        using var temp = new TempDirectory();
        await using var store = await SqliteRunStore.OpenAsync(Path.Combine(temp.Path, "runs.db"), Ct);
        using var disconnect = CancellationTokenSource.CreateLinkedTokenSource(Ct);

        // The client goes away while the server reads the history; listing the partitions must not go on.
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => PartitionStatus.OfAsync(EngineHarness.Pipeline(Yaml),
            new CancelsAfterListing(store, disconnect), DateTimeOffset.Parse("2025-01-04T12:00:00Z"), disconnect.Token));
    }

    [Fact]
    public async Task Page_OffsetAndLimit_ReturnTheRowsOfThosePartitionsAndTheTotal()
    {
        using var temp = new TempDirectory();
        await using var store = await SqliteRunStore.OpenAsync(Path.Combine(temp.Path, "runs.db"), Ct);

        var page = await PartitionStatus.PageAsync(EngineHarness.Pipeline(Yaml), store, DateTimeOffset.Parse("2025-01-10T12:00:00Z"), 2, 3, Ct);

        Assert.Equal(9, page.Total);
        Assert.Equal(2, page.Offset);
        Assert.Equal(["2025-01-03", "2025-01-04", "2025-01-05"], page.Items.Select(i => i.Partition).Distinct());
        Assert.Equal(9, page.Items.Count);
        Assert.All(page.Items, i => Assert.Equal(PartitionState.Missing, i.State));
    }

    [Fact]
    public async Task Page_SeveralPartitionedGroups_ListsEachGroupsPartitionsOfItsAssets()
    {
        const string groups = """
            pipeline: split
            groups:
              days: { assets: [daily_rows], partitions: { type: daily, start: 2025-01-01 } }
              hours: { assets: [hourly_rows], partitions: { type: hourly, start: 2025-01-02 } }
              whole: { assets: [totals] }
            components:
              - { id: daily_rows, type: transform.sql, with: { sql: "SELECT 1 AS v" } }
              - { id: hourly_rows, type: transform.sql, with: { sql: "SELECT 1 AS v" } }
              - { id: totals, type: transform.sql, inputs: [daily_rows, hourly_rows], with: { sql: "SELECT count(*) AS n FROM daily_rows" } }
            """;
        using var temp = new TempDirectory();
        await using var store = await SqliteRunStore.OpenAsync(Path.Combine(temp.Path, "runs.db"), Ct);

        // Two whole days before 2025-01-03T02:30, then the two whole hours of the 3rd after the 2nd's 24.
        var page = await PartitionStatus.PageAsync(EngineHarness.Pipeline(groups), store, DateTimeOffset.Parse("2025-01-03T02:30:00Z"), 0, 100, Ct);

        Assert.Equal(2 + 26, page.Total);
        Assert.Equal([("days", "daily_rows", 2), ("hours", "hourly_rows", 26)],
            page.Items.GroupBy(i => (i.Group, i.Asset)).Select(g => (g.Key.Group, g.Key.Asset, g.Count())));
        var second = await PartitionStatus.PageAsync(EngineHarness.Pipeline(groups), store, DateTimeOffset.Parse("2025-01-03T02:30:00Z"), 1, 2, Ct);
        Assert.Equal([("days", "2025-01-02"), ("hours", "2025-01-02T00:00")], second.Items.Select(i => (i.Group, i.Partition)));
    }

    private sealed class CancelsAfterListing(IRunStore inner, CancellationTokenSource cancel) : IRunStore
    {
        public async Task<IReadOnlyList<RunRecord>> ListRunsAsync(int limit, string? pipeline, CancellationToken cancellationToken)
        {
            var runs = await inner.ListRunsAsync(limit, pipeline, cancellationToken);
            await cancel.CancelAsync();
            return runs;
        }

        public Task CreateRunAsync(RunRecord run, IReadOnlyList<StepRecord> steps, CancellationToken cancellationToken) => inner.CreateRunAsync(run, steps, cancellationToken);
        public Task EndRunAsync(string runId, RunStatus status, DateTimeOffset endedAt, string? error, CancellationToken cancellationToken) => inner.EndRunAsync(runId, status, endedAt, error, cancellationToken);
        public Task UpdateStepAsync(StepRecord step, CancellationToken cancellationToken) => inner.UpdateStepAsync(step, cancellationToken);
        public Task AddEventAsync(RunEvent e, CancellationToken cancellationToken) => inner.AddEventAsync(e, cancellationToken);
        public Task AddMaterializationAsync(MaterializationRecord m, CancellationToken cancellationToken) => inner.AddMaterializationAsync(m, cancellationToken);
        public Task AddCheckAsync(CheckRecord c, CancellationToken cancellationToken) => inner.AddCheckAsync(c, cancellationToken);
        public Task<RunRecord?> GetRunAsync(string runId, CancellationToken cancellationToken) => inner.GetRunAsync(runId, cancellationToken);
        public Task<IReadOnlyList<StepRecord>> GetStepsAsync(string runId, CancellationToken cancellationToken) => inner.GetStepsAsync(runId, cancellationToken);
        public Task<IReadOnlyList<RunEvent>> GetEventsAsync(string runId, CancellationToken cancellationToken) => inner.GetEventsAsync(runId, cancellationToken);
        public Task<IReadOnlyList<MaterializationRecord>> GetMaterializationsAsync(string? runId, string? asset, CancellationToken cancellationToken) => inner.GetMaterializationsAsync(runId, asset, cancellationToken);
        public Task<IReadOnlyList<MaterializationRecord>> GetLatestMaterializationsAsync(CancellationToken cancellationToken) => inner.GetLatestMaterializationsAsync(cancellationToken);
        public Task<IReadOnlyList<CheckRecord>> GetChecksAsync(string runId, CancellationToken cancellationToken) => inner.GetChecksAsync(runId, cancellationToken);
        public Task<IReadOnlyList<string>> FailAbandonedRunsAsync(Func<int, bool> processAlive, DateTimeOffset now, CancellationToken cancellationToken) => inner.FailAbandonedRunsAsync(processAlive, now, cancellationToken);
        public Task<bool> FailUnfinishedRunAsync(string runId, string failure, string stepFailure, DateTimeOffset at, CancellationToken cancellationToken) =>
            inner.FailUnfinishedRunAsync(runId, failure, stepFailure, at, cancellationToken);
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
