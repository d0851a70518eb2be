using System.Net.Http.Json;
using System.Text.Json;
using Tributary.Testing;

namespace Tributary.Cli.Tests.Commands;

/// <summary>What pipelines can reach on disk: the project and allowed_paths, in 'trib run' and in 'trib serve'.</summary>
public sealed class FileAccessTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly TribProcesses _trib = new();
    private string Project => Path.Combine(_temp.Path, "project");
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        _trib.Dispose();
        _temp.Dispose();
    }

    [Fact]
    public async Task Serve_SqlReadingFilesOutsideTheProject_IsRefusedByDuckDbWhileProjectFilesWork()
    {
        Assert.Equal(0, (await Trib.RunAsync("init", Project)).ExitCode);
        var inside = Path.Combine(Project, "data", "ok.csv");
        File.WriteAllText(inside, "a\n1\n2\n");
        File.WriteAllText(Path.Combine(Project, "pipelines", "passwd.yaml"),
            "pipeline: passwd\ncomponents:\n  - { id: leak, type: transform.sql, with: { sql: \"select * from read_csv('/etc/passwd')\" } }\n");
        File.WriteAllText(Path.Combine(Project, "pipelines", "inside.yaml"),
            $"pipeline: inside\ncomponents:\n  - {{ id: ok, type: transform.sql, with: {{ sql: \"select * from read_csv('{inside}')\" }} }}\n");
        var (_, address) = await _trib.ServeAsync(Project, Ct);

        var leak = await Trib.RunAsync("run", "passwd", "--project", Project);
        var ok = await Trib.RunAsync("run", "inside", "--project", Project);

        Assert.Equal(2, leak.ExitCode);
        Assert.True(ok.ExitCode == 0, ok.Error);
        using var http = new HttpClient { BaseAddress = address };
        var runs = await http.GetFromJsonAsync<JsonElement>("/api/runs?pipeline=passwd", Ct);
        Assert.Equal("cli", runs[0].GetProperty("trigger").GetString());
        Assert.Contains("Permission Error: Cannot access file \"/etc/passwd\" - file system operations are disabled by configuration",
            runs[0].GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_SourceOutsideTheProject_NeedsItsFolderUnderAllowedPaths()
    {
        Assert.Equal(0, (await Trib.RunAsync("init", Project)).ExitCode);
        var exports = Path.Combine(_temp.Path, "exports");
        Directory.CreateDirectory(exports);
        File.WriteAllText(Path.Combine(exports, "orders.csv"), "id\n1\n2\n");
        File.WriteAllText(Path.Combine(Project, "pipelines", "outside.yaml"),
            "pipeline: outside\ncomponents:\n  - { id: orders, type: source.csv, with: { path: ../exports/orders.csv } }\n");

        var refused = await Trib.RunAsync("run", "outside", "--project", Project);
        File.AppendAllText(Path.Combine(Project, "tributary.yaml"), "allowed_paths:\n  - ../exports\n");
        var allowed = await Trib.RunAsync("run", "outside", "--project", Project);

        Assert.Equal(2, refused.ExitCode);
        Assert.Contains($"path '../exports/orders.csv' resolves to '{Path.Combine(exports, "orders.csv")}', outside the project folder '{Project}'. "
            + "Use a path inside the project, or list its folder under allowed_paths: in tributary.yaml.", refused.Error, StringComparison.Ordinal);
        Assert.True(allowed.ExitCode == 0, allowed.Error);
    }
}
