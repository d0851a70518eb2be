using Tributary.Engine.Runs;
using Tributary.Testing;

namespace Tributary.Cli.Tests.Commands;

/// <summary><c>trib runs prune</c>: old history deleted by tributary.yaml's retention or --older-than, and said.</summary>
public sealed class RunsPruneTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private string Project => Path.Combine(_temp.Path, "pruned");
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Prune_RunsOlderThanRetention_DryRunSaysAndPruneDeletesKeepingTheLatest()
    {
        Assert.Equal(0, (await Trib.RunAsync("init", Project)).ExitCode);
        var old = DateTimeOffset.UtcNow.AddDays(-200);
        await using (var store = await SqliteRunStore.OpenAsync(Path.Combine(Project, ".tributary", "runs.db"), Ct))
            foreach (var (id, days) in new[] { ("r-old", 0), ("r-older", -1), ("r-latest", 1) })
            {
                await store.CreateRunAsync(new RunRecord(id, "orch", RunStatus.Running, "cli", null, old.AddDays(days), null, null, 1), [], Ct);
                await store.AddEventAsync(new RunEvent(id, old.AddDays(days), RunEventKind.RunStarted, null, "started"), Ct);
                await store.EndRunAsync(id, RunStatus.Succeeded, old.AddDays(days), null, Ct);
            }

        var dry = await Trib.RunAsync("runs", "prune", "--dry-run", "--project", Project);
        var kept = await Trib.RunAsync("runs", "prune", "--older-than", "365d", "--project", Project);
        var pruned = await Trib.RunAsync("runs", "prune", "--project", Project);
        var bad = await Trib.RunAsync("runs", "prune", "--older-than", "3 months", "--project", Project);

        Assert.Equal("would delete 2 run(s) with 2 event(s), 0 materialization(s) and 0 check result(s); 0 tick(s); 0 finished queue entries\n", dry.Out.ReplaceLineEndings("\n"));
        Assert.StartsWith("deleted 0 run(s)", kept.Out, StringComparison.Ordinal);
        Assert.Equal("deleted 2 run(s) with 2 event(s), 0 materialization(s) and 0 check result(s); 0 tick(s); 0 finished queue entries\n", pruned.Out.ReplaceLineEndings("\n"));
        var runs = await Trib.RunAsync("runs", "--project", Project, "--format", "csv");
        Assert.Contains("r-latest", runs.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("r-old", runs.Out, StringComparison.Ordinal);
        Assert.Equal(1, bad.ExitCode);
        Assert.Contains("error: --older-than must be a number of days or hours, such as 90d or 12h, or 'forever'; got '3 months'.", bad.Error, StringComparison.Ordinal);
    }
}
