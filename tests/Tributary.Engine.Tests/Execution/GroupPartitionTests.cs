using System.Globalization;
using Tributary.Core.Loading;
using Tributary.Core.Pipelines;
using Tributary.Engine.Execution;
using Tributary.Engine.Runs;
using Tributary.Testing;

namespace Tributary.Engine.Tests.Execution;

/// <summary>
/// A group with its own <c>partitions:</c>: a run of the group with a partition replaces only that partition of its assets
/// (and the rows a run without a partition wrote in its window), while an unpartitioned group reads every partition.
/// </summary>
public sealed class GroupPartitionTests(PostgresCluster postgres)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    // The intake group loads a day's events by their time column; the analytics group reads the whole history.
    private const string Yaml = """
        pipeline: shop
        groups:
          intake:
            assets: [day_events]
            partitions: { type: daily, start: 2024-01-01, column: seen_at }
          analytics:
            assets: [totals]
        components:
          - id: day_events
            type: transform.sql
            with:
              sql: "SELECT id, seen_at, amount FROM raw_events WHERE seen_at >= ${partition.start} AND seen_at < ${partition.end}"
          - id: totals
            type: transform.sql
            inputs: [day_events]
            with: { sql: "SELECT count(*) AS n, sum(amount) AS amount FROM day_events" }
        """;

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task PartitionedGroup_ReplacesOnlyItsPartition_TheUnpartitionedGroupReadsEveryPartition(string engine)
    {
        await using var h = await EngineHarness.CreateAsync(engine, postgres);
        await h.Warehouse.ExecuteAsync("CREATE TABLE raw_events (id INTEGER, seen_at TIMESTAMP, amount INTEGER)", null, Ct);
        await InsertAsync(h, (1, "2024-01-01 09:00:00", 10), (2, "2024-01-01 23:59:59", 20), (3, "2024-01-02 00:00:00", 30), (4, "2024-01-02 12:00:00", 40));

        // The first run has no partition: ${partition.*} spans the whole history and the group's table is written whole.
        var whole = await RunAsync(h, null, null);
        Assert.True(whole.Status == RunStatus.Succeeded, whole.Error);
        Assert.Equal("4 100", await TotalsAsync(h));

        // Both days change at the source; a run of the second day replaces that day only (the whole run's rows of it too).
        await h.Warehouse.ExecuteAsync("DELETE FROM raw_events WHERE id = 1", null, Ct);
        await InsertAsync(h, (5, "2024-01-02 18:00:00", 50), (6, "2024-01-03 01:00:00", 60));
        var day2 = await RunAsync(h, "group:intake", "2024-01-02");
        Assert.True(day2.Status == RunStatus.Succeeded, day2.Error);
        Assert.Equal(["day_events"], day2.Steps.Select(s => s.Asset));
        Assert.Equal(
            ["1 2024-01-01 09:00:00 ∅", "2 2024-01-01 23:59:59 ∅", "3 2024-01-02 00:00:00 2024-01-02", "4 2024-01-02 12:00:00 2024-01-02", "5 2024-01-02 18:00:00 2024-01-02"],
            await DayEventsAsync(h));

        // The analytics group, unpartitioned, reads every partition and the rows written whole.
        var analytics = await RunAsync(h, "group:analytics", null);
        Assert.True(analytics.Status == RunStatus.Succeeded, analytics.Error);
        Assert.Equal("5 150", await TotalsAsync(h));

        // The first day's partition replaces the whole run's rows of that day: event 1, deleted at the source, is gone.
        Assert.Equal(RunStatus.Succeeded, (await RunAsync(h, "group:intake", "2024-01-01")).Status);
        Assert.Equal(RunStatus.Succeeded, (await RunAsync(h, "group:analytics", null)).Status);
        Assert.Equal("4 140", await TotalsAsync(h));
        Assert.Equal(
            ["2 2024-01-01 23:59:59 2024-01-01", "3 2024-01-02 00:00:00 2024-01-02", "4 2024-01-02 12:00:00 2024-01-02", "5 2024-01-02 18:00:00 2024-01-02"],
            await DayEventsAsync(h));

        // Running a partition again changes nothing.
        Assert.Equal(RunStatus.Succeeded, (await RunAsync(h, "group:intake", "2024-01-02")).Status);
        Assert.Equal(4, (await DayEventsAsync(h)).Count);
    }

    [Fact]
    public void PartitionedRun_OutsideThePartitionedGroup_IsRefusedWithTheGroupToSelect()
    {
        var spec = EngineHarness.Pipeline(Yaml);
        Assert.NotNull(spec.Groups.Single(g => g.Name == "intake").Partitions);
        Assert.Null(spec.Partitions);

        var e = Assert.Throws<InvalidOperationException>(() => PartitionedPipelines.SchemeOf(spec, "day_events+", "2024-01-02"));
        Assert.Contains("group:intake", e.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => PartitionedPipelines.SchemeOf(spec, null, "2024-01-02"));
        Assert.Equal("seen_at", PartitionedPipelines.TablePartitionOf(spec, "group:intake", "2024-01-02", TimeProvider.System.GetUtcNow()).Window!.Column);
    }

    private static Task<RunResult> RunAsync(EngineHarness h, string? selection, string? partition)
    {
        var now = TimeProvider.System.GetUtcNow();
        var spec = PartitionedPipelines.Load((_, _, variables) => Load(variables), "shop", new Dictionary<string, string>(), partition, now, selection);
        return new RunExecutor(EngineHarness.Catalog, h.Warehouse, h.Store, new ExecutorOptions(2), TimeProvider.System).ExecuteAsync(spec, new RunRequest
        {
            Selection = selection, ProjectDirectory = h.Temp.Path, Partition = partition,
            PartitionWindow = partition is null ? null : PartitionedPipelines.TablePartitionOf(spec, selection, partition, now).Window,
        }, Ct);
    }

    private static PipelineSpec Load(IReadOnlyDictionary<string, string>? partition)
    {
        var result = new PipelineLoader(EngineHarness.Catalog).Load(Yaml, "shop.yaml", new LoadOptions { Environment = _ => null, Partition = partition });
        Assert.True(result.Succeeded, string.Join("\n", result.Diagnostics));
        return result.Pipeline!;
    }

    private static async Task InsertAsync(EngineHarness h, params (int Id, string At, int Amount)[] rows)
    {
        foreach (var (id, at, amount) in rows)
            await h.Warehouse.ExecuteAsync("INSERT INTO raw_events VALUES ($1, CAST($2 AS TIMESTAMP), $3)", [id, at, amount], Ct);
    }

    private static async Task<string> TotalsAsync(EngineHarness h)
    {
        var row = (await h.Warehouse.QueryAsync("SELECT n, amount FROM totals", null, 1, Ct)).Rows.Single();
        return string.Create(CultureInfo.InvariantCulture, $"{Convert.ToInt64(row[0], CultureInfo.InvariantCulture)} {Convert.ToInt64(row[1], CultureInfo.InvariantCulture)}");
    }

    private static async Task<List<string>> DayEventsAsync(EngineHarness h) =>
        (await h.Warehouse.QueryAsync("SELECT id, seen_at, partition_key FROM day_events ORDER BY id", null, 100, Ct)).Rows
            .Select(r => string.Create(CultureInfo.InvariantCulture,
                $"{Convert.ToInt64(r[0], CultureInfo.InvariantCulture)} {(DateTime)r[1]!:yyyy-MM-dd HH:mm:ss} {r[2] ?? "∅"}"))
            .ToList();
}
