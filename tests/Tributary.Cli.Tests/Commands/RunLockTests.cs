using System.Diagnostics;
using Tributary.Engine.Runs;
using Tributary.Testing;

namespace Tributary.Cli.Tests.Commands;

/// <summary>One run of a pipeline at a time outside the server too: a second 'trib run' while a live process runs it is refused.</summary>
public sealed class RunLockTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private string Project => Path.Combine(_temp.Path, "locked");
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _temp.Dispose();

    // The reviewer's repro: two 'trib run customer_ltv' at once loaded the same export twice and both sent the activations.
    [Fact]
    public async Task Run_WhileAnotherLiveProcessRunsThePipeline_IsRefusedAndRunsOnceThatProcessIsGone()
    {
        Assert.Equal(0, (await Trib.RunAsync("init", Project)).ExitCode);
        File.WriteAllText(Path.Combine(Project, "pipelines", "orch.yaml"), """
            pipeline: orch
            components:
              - { id: numbers, type: transform.sql, with: { sql: "SELECT 1 AS n" } }
            """);
        using var other = Process.Start(new ProcessStartInfo("sleep", "300") { UseShellExecute = false })!;
        var since = new DateTimeOffset(2026, 12, 5, 1, 30, 0, TimeSpan.Zero);
        await using (var store = await SqliteRunStore.OpenAsync(Path.Combine(Project, ".tributary", "runs.db"), Ct))
            await store.CreateRunAsync(new RunRecord("r-other", "orch", RunStatus.Running, "cli", null, since, null, null, other.Id), [], Ct);

        var refused = await Trib.RunAsync("run", "orch", "--project", Project);
        other.Kill();
        await other.WaitForExitAsync(Ct);
        var after = await Trib.RunAsync("run", "orch", "--project", Project);

        Assert.Equal(1, refused.ExitCode);
        Assert.Contains($"error: pipeline 'orch' is already running: run r-other (trigger cli), process {other.Id}, since 2026-12-05 01:30:00Z. Two runs of one pipeline at once "
            + "would load the same files twice; this one is not started. Wait for it to end (trib runs show r-other), or stop it (Ctrl+C where it runs, 'trib runs cancel r-other' when 'trib serve' runs it, or end process "
            + $"{other.Id}); a run whose process died does not block.", refused.Error, StringComparison.Ordinal);
        Assert.True(after.ExitCode == 0, after.Error);
        var runs = await Trib.RunAsync("runs", "--project", Project, "--format", "csv");
        Assert.Equal(2, runs.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Count(l => l.Contains("orch", StringComparison.Ordinal)));
    }
}
