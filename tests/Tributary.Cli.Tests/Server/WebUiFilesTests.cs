using System.Net;
using System.Text.RegularExpressions;
using Tributary.Cli.Hosting;
using Tributary.Cli.Output;
using Tributary.Cli.Projects;
using Tributary.Engine.Orchestration;
using Tributary.Server;
using Tributary.Testing;

namespace Tributary.Cli.Tests.Server;

/// <summary>The web UI's files: built with trib, and a page that says how to build them when they are missing.</summary>
public sealed partial class WebUiFilesTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Serve_WithoutTheWebUi_AnswersTheRootWithAPageSayingHowToBuildIt()
    {
        var directory = Path.Combine(_temp.Path, "project");
        Assert.Equal(0, (await Trib.RunAsync("init", directory)).ExitCode);
        var cli = new CliContext(TextWriter.Null, TextWriter.Null, TimeProvider.System);
        await using var project = ProjectSession.Open(directory, cli.Time);
        var compose = await TributaryHost.ComposeAsync(cli, project, new DaemonScope(new DaemonOptions()), LogFormat.Text, Ct);
        var empty = Directory.CreateDirectory(Path.Combine(_temp.Path, "wwwroot")).FullName;
        await using var server = TributaryServer.Create(new ServerOptions { Port = 0, StaticFiles = empty }, compose);
        await server.StartAsync(Ct);
        using var http = new HttpClient { BaseAddress = server.Address };

        using var root = await http.GetAsync("/", Ct);
        var page = await root.Content.ReadAsStringAsync(Ct);

        Assert.Equal(HttpStatusCode.NotFound, root.StatusCode);
        Assert.Equal("text/html", root.Content.Headers.ContentType?.MediaType);
        Assert.Contains("<h1>The web UI is not built</h1>", page, StringComparison.Ordinal);
        Assert.Contains("cd web &amp;&amp; npm ci &amp;&amp; npm run build", page, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/api/health", Ct)).StatusCode);
        await server.StopAsync(Ct);
    }

    [Fact]
    public void BuildingTrib_BuildsTheWebUiFromTheCurrentSources()
    {
        if (!OnPath("npm")) Assert.Skip("npm is not on the PATH: building trib leaves the web UI out (and warns).");
        var shipped = new FileInfo(Path.Combine(AppContext.BaseDirectory, "wwwroot", "index.html"));
        Assert.True(shipped.Exists, $"{shipped.FullName} is missing: building trib did not build the web UI");
        var sources = Directory.EnumerateFiles(Path.Combine(RepositoryFiles.Root, "web", "src"), "*", SearchOption.AllDirectories)
            .Where(f => !f.EndsWith(".test.ts", StringComparison.Ordinal)).Select(f => new FileInfo(f)).ToList();
        var newest = sources.MaxBy(f => f.LastWriteTimeUtc)!;
        Assert.True(shipped.LastWriteTimeUtc >= newest.LastWriteTimeUtc, $"the shipped UI ({shipped.LastWriteTimeUtc:O}) is older than {newest.FullName} ({newest.LastWriteTimeUtc:O})");
        // The page refers to the scripts that were built with it.
        foreach (Match m in Script().Matches(File.ReadAllText(shipped.FullName)))
            Assert.True(File.Exists(Path.Combine(AppContext.BaseDirectory, "wwwroot", m.Groups[1].Value.TrimStart('/'))), m.Value);
    }

    [GeneratedRegex("src=\"(/assets/[^\"]+)\"")]
    private static partial Regex Script();

    private static bool OnPath(string command) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Any(d => d.Length > 0 && File.Exists(Path.Combine(d, command)));
}
