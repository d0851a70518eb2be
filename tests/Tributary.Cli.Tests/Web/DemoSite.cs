using System.Diagnostics;
using Microsoft.Playwright;
using Tributary.Testing;

namespace Tributary.Cli.Tests.Web;

/// <summary>
/// One demo project for the page tests: demo data, the customer_ltv and marketing_attribution templates run once, then
/// 'trib serve' on it and Debian's Chromium. Each page test opens its own browser page.
/// </summary>
public sealed class DemoSite : IAsyncLifetime
{
    private readonly TempDirectory _temp = new();
    private Process? _server;
    private IPlaywright? _playwright;

    /// <summary>Why the page tests cannot run here, if they cannot.</summary>
    public string? SkipReason { get; private set; }
    public Uri Address { get; private set; } = new("http://127.0.0.1/");
    public IBrowser Browser { get; private set; } = null!;
    public string Project => Path.Combine(_temp.Path, "site");

    /// <summary>Where the tests save each page's screenshot: web/screenshots in the repository (gitignored).</summary>
    public static string ScreenshotFolder
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Tributary.slnx"))) dir = dir.Parent;
            var folder = Path.Combine(dir?.FullName ?? AppContext.BaseDirectory, "web", "screenshots");
            Directory.CreateDirectory(folder);
            return folder;
        }
    }

    public async ValueTask InitializeAsync()
    {
        if (!File.Exists(HeadlessChromium.Executable)) { SkipReason = $"{HeadlessChromium.Executable} is not installed (test.sh installs Debian's chromium package when run as root)."; return; }
        if (!File.Exists(Path.Combine(AppContext.BaseDirectory, "wwwroot", "index.html"))) { SkipReason = "the web UI is not built (test.sh runs npm ci and npm run build in web/)."; return; }
        await Expect0(Trib.RunAsync("init", Project));
        await Expect0(Trib.RunAsync("demo-data", "--customers", "300", "--project", Project));
        foreach (var template in new[] { "customer_ltv", "marketing_attribution", "customer_journey", "ab_testing", "churn_prevention", "product_recommendations", "propensity_marketing", "fraud_detection" })
        {
            await Expect0(Trib.RunAsync("templates", "add", template, "--project", Project));
            await Expect0(Trib.RunAsync("run", template, "--project", Project));
        }
        _server = Trib.Start("serve", "--port", "0", "--project", Project);
        Address = await HeadlessChromium.ServeAddressAsync(_server, CancellationToken.None);
        // The machine running the tests may be busy: a page that loads slowly is not a failing page.
        Assertions.SetDefaultExpectTimeout(30_000);
        _playwright = await Playwright.CreateAsync();
        Browser = await HeadlessChromium.LaunchAsync(_playwright);
    }

    private static async Task Expect0(Task<Trib.Outcome> run)
    {
        var outcome = await run;
        if (outcome.ExitCode != 0) throw new InvalidOperationException($"trib failed ({outcome.ExitCode}): {outcome.Error}");
    }

    public async ValueTask DisposeAsync()
    {
        if (Browser is not null) await Browser.DisposeAsync();
        _playwright?.Dispose();
        if (_server is { HasExited: false }) _server.Kill(entireProcessTree: true);
        _server?.Dispose();
        _temp.Dispose();
    }
}
