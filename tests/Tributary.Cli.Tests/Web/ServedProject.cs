using System.Diagnostics;
using Tributary.Testing;

namespace Tributary.Cli.Tests.Web;

/// <summary>
/// A browser test's project: a folder of its own, 'trib serve' on it once the test has set it up, and both gone when the
/// test is disposed.
/// </summary>
internal sealed class ServedProject(string name) : IDisposable
{
    private readonly TempDirectory _temp = new();
    private Process? _server;

    /// <summary>The project's folder (not created: <c>trib init</c> makes it).</summary>
    public string Path => System.IO.Path.Combine(_temp.Path, name);

    /// <summary>Skips the test where Debian's Chromium or the built web UI is missing, saying which and how to get it.</summary>
    public static void SkipWithoutBrowserOrWebUi()
    {
        if (!File.Exists(HeadlessChromium.Executable)) Assert.Skip($"{HeadlessChromium.Executable} is not installed (test.sh installs Debian's chromium package when run as root).");
        if (!File.Exists(System.IO.Path.Combine(AppContext.BaseDirectory, "wwwroot", "index.html"))) Assert.Skip("the web UI is not built (test.sh runs npm ci and npm run build in web/).");
    }

    /// <summary>Starts 'trib serve' on a free port and returns where it listens.</summary>
    public Task<Uri> ServeAsync(CancellationToken cancellationToken) => ServeAsync(new Dictionary<string, string>(), cancellationToken);

    /// <summary>Starts 'trib serve' with extra environment variables (TRIBUTARY_TOKEN, say).</summary>
    public Task<Uri> ServeAsync(IReadOnlyDictionary<string, string> environment, CancellationToken cancellationToken)
    {
        _server = Trib.Start(environment, "serve", "--port", "0", "--project", Path);
        return HeadlessChromium.ServeAddressAsync(_server, cancellationToken);
    }

    public void Dispose()
    {
        if (_server is { HasExited: false }) _server.Kill(entireProcessTree: true);
        _server?.Dispose();
        _temp.Dispose();
    }
}
