using System.Globalization;
using Tributary.Testing;

namespace Tributary.Cli.Tests.Commands;

public sealed class RunCommandTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private string Project => Path.Combine(_temp.Path, "orch");

    public void Dispose() => _temp.Dispose();

    // The reviewer's repro: a plain run of a partitioned pipeline used the first partition's window and replaced every partition.
    [Fact]
    public async Task Run_WithoutPartition_OfAPartitionedPipeline_IsRefusedAndLeavesEveryPartition()
    {
        Assert.Equal(0, (await Trib.RunAsync("init", Project)).ExitCode);
        File.WriteAllText(Path.Combine(Project, "pipelines", "orch.yaml"), """
            pipeline: orch
            partitions: { type: daily, start: 2026-11-25 }
            components:
              - { id: daily_orders, type: transform.sql, with: { sql: "SELECT CAST(${partition.start} AS TIMESTAMP) AS day, 's' AS s, 1 AS n" } }
            """);
        Assert.Equal(0, (await Trib.RunAsync("backfill", "orch", "--from", "2026-11-25", "--to", "2026-12-02", "--project", Project)).ExitCode);
        var latest = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(-1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

        var whole = await Trib.RunAsync("run", "orch", "--project", Project);
        var partition = await Trib.RunAsync("run", "orch", "--partition", "2026-12-01", "--project", Project);

        Assert.Equal(1, whole.ExitCode);
        Assert.Contains("pipeline 'orch' is partitioned (daily), so a run needs a partition: without one it would replace every partition of its assets with one partition's rows. " +
            $"Pass a partition (--partition {latest}, the latest complete one), or backfill a range: trib backfill orch --from 2026-11-25 --to {latest}.", whole.Error, StringComparison.Ordinal);
        Assert.True(partition.ExitCode == 0, partition.Error);
        var rows = await Trib.RunAsync("query", "SELECT count(*) AS n, count(DISTINCT partition_key) AS partitions FROM daily_orders", "--project", Project, "--format", "csv");
        Assert.Equal("n,partitions\n8,8\n", rows.Out.ReplaceLineEndings("\n"));
    }
}
