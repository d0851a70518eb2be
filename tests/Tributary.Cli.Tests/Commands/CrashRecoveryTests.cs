using System.Text.Json;
using Tributary.Testing;

namespace Tributary.Cli.Tests.Commands;

/// <summary>kill -9 of a 'trib run' child mid-write: every table stays at its old or new version, and the run is failed on next start.</summary>
public sealed class CrashRecoveryTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private string Project => Path.Combine(_temp.Path, "crash");

    public void Dispose() => _temp.Dispose();

    private void WritePipeline(string bigSql) => File.WriteAllText(Path.Combine(Project, "pipelines/crash.yaml"), $$"""
        pipeline: crash
        components:
          - { id: small, type: transform.sql, with: { sql: "SELECT '{{(bigSql.Contains("sum", StringComparison.Ordinal) ? "new" : "old")}}' AS version" } }
          - { id: big, type: transform.sql, inputs: [small], with: { sql: "{{bigSql}}" } }
        """);

    [Fact]
    public async Task KillMinusNine_MidWrite_TablesKeepAVersionAndRunIsFailedOnNextStart()
    {
        Assert.Equal(0, (await Trib.RunAsync("init", Project)).ExitCode);
        WritePipeline("SELECT 'old' AS version");
        Assert.Equal(0, (await Trib.RunAsync("run", "crash", "--project", Project)).ExitCode);
        // The new version of 'big' takes minutes: a cross join summed into one row, so it writes nothing while it runs.
        WritePipeline("SELECT sum(a.range * b.range) AS version FROM range(300000) a, range(300000) b");

        using var child = Trib.Start("run", "crash", "--project", Project);
        var started = false;
        while (await child.StandardError.ReadLineAsync(TestContext.Current.CancellationToken) is { } line)
            if (line.Contains("big (transform.sql) started", StringComparison.Ordinal))
            {
                started = true;
                break;
            }
        Assert.True(started, "the child never started the big step");
        await Task.Delay(1000, TestContext.Current.CancellationToken);
        child.Kill(entireProcessTree: true); // SIGKILL: no cleanup code runs
        await child.WaitForExitAsync(TestContext.Current.CancellationToken);

        var runs = await Trib.RunAsync("runs", "--project", Project, "--format", "json");
        var latest = JsonDocument.Parse(runs.Out).RootElement[0];
        Assert.Equal("failed", latest.GetProperty("status").GetString());
        Assert.StartsWith("The process running this run stopped before it finished", latest.GetProperty("error").GetString(), StringComparison.Ordinal);

        var big = await Trib.RunAsync("query", "SELECT version FROM big", "--project", Project, "--format", "csv");
        Assert.Equal("version\nold\n", big.Out.ReplaceLineEndings("\n"));
        var small = await Trib.RunAsync("query", "SELECT version FROM small", "--project", Project, "--format", "csv");
        Assert.Contains(small.Out.ReplaceLineEndings("\n"), new[] { "version\nold\n", "version\nnew\n" });
        var staging = await Trib.RunAsync("query", "SELECT count(*) AS n FROM information_schema.tables WHERE table_name LIKE '__trib_staging_%'", "--project", Project, "--format", "csv");
        Assert.Equal("n\n0\n", staging.Out.ReplaceLineEndings("\n"));

        var steps = JsonDocument.Parse((await Trib.RunAsync("runs", "show", latest.GetProperty("run_id").GetString()!, "--project", Project, "--format", "json")).Out)
            .RootElement.GetProperty("steps").EnumerateArray().ToDictionary(s => s.GetProperty("asset").GetString()!, s => s.GetProperty("status").GetString());
        Assert.Equal("failed", steps["big"]);
    }
}
