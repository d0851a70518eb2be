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
}
