using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using Tributary.Testing;

namespace Tributary.Cli.Tests.Web;

/// <summary>
/// A browser test's session: a project folder of its own, 'trib serve' on it, Debian's Chromium headless and a page that
/// records what the browser reports as errors (console errors and uncaught exceptions). <see cref="CheckAsync"/> runs a
/// test's steps on the page and fails on those errors; when anything fails it saves a screenshot and names it, with the
/// errors, in the message. Disposing the session closes the browser, stops the server and deletes the folder.
/// </summary>
internal sealed class BrowserSession(string projectName) : IAsyncDisposable
{
    /// <summary>Debian's chromium package's binary (test.sh installs it when run as root).</summary>
    public const string Chromium = "/usr/bin/chromium";

    private readonly TempDirectory _temp = new();
    private readonly List<string> _errors = [];
    private readonly TribProcesses _trib = new();
    private IPlaywright? _playwright;
    private IBrowser? _browser;
    private IPage? _page;

    /// <summary>The project's folder (not created: <see cref="InitAsync"/> makes it).</summary>
    public string Project => Path.Combine(_temp.Path, projectName);

    /// <summary>Where 'trib serve' listens, once <see cref="ServeAsync(CancellationToken)"/> has started it.</summary>
    public Uri Address { get; private set; } = new("http://127.0.0.1/");

    /// <summary>Why browser tests cannot run here (Debian's Chromium or the built web UI missing, and how to get it), or null.</summary>
    public static string? MissingReason =>
        !File.Exists(Chromium) ? $"{Chromium} is not installed (test.sh installs Debian's chromium package when run as root)."
        : !File.Exists(Path.Combine(AppContext.BaseDirectory, "wwwroot", "index.html")) ? "the web UI is not built (test.sh runs npm ci and npm run build in web/)."
        : null;

    /// <summary>Skips the test where it cannot run (<see cref="MissingReason"/>), then makes the project with 'trib init'.</summary>
    public async Task InitAsync()
    {
        if (MissingReason is { } reason) Assert.Skip(reason);
        var init = await Trib.RunAsync("init", Project);
        Assert.True(init.ExitCode == 0, init.Error);
    }

    /// <summary>Runs trib on the project (its arguments, then --project) and fails the test unless it succeeds.</summary>
    public async Task<Trib.Outcome> TribAsync(params string[] args)
    {
        var outcome = await Trib.RunAsync([.. args, "--project", Project]);
        Assert.True(outcome.ExitCode == 0, $"trib {string.Join(' ', args)} failed ({outcome.ExitCode}): {outcome.Error}");
        return outcome;
    }

    /// <summary>Starts 'trib serve' on a free port and returns where it listens.</summary>
    public Task<Uri> ServeAsync(CancellationToken cancellationToken) => ServeAsync(new Dictionary<string, string>(), cancellationToken);

    /// <summary>Starts 'trib serve' with extra environment variables (TRIBUTARY_TOKEN, say) and returns where it listens.</summary>
    public async Task<Uri> ServeAsync(IReadOnlyDictionary<string, string> environment, CancellationToken cancellationToken)
    {
        (_, Address) = await _trib.ServeAsync(Project, environment, [], cancellationToken);
        return Address;
    }

    /// <summary>
    /// Opens a page <paramref name="width"/> × 900 px (Chromium launched on first use; a page opened before is closed) and
    /// records its errors from now on, except console errors containing <paramref name="expectedError"/> (a refusal the
    /// test asks for, which Chromium logs as a failed load).
    /// </summary>
    public async Task<IPage> OpenPageAsync(int width, string? expectedError = null)
    {
        if (_page is not null) await _page.CloseAsync();
        _errors.Clear();
        _playwright ??= await Playwright.CreateAsync();
        _browser ??= await LaunchAsync(_playwright);
        var page = await _browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = width, Height = 900 } });
        page.Console += (_, m) =>
        {
            if (m.Type == "error" && (expectedError is null || !m.Text.Contains(expectedError, StringComparison.Ordinal))) _errors.Add(m.Text);
        };
        page.PageError += (_, e) => _errors.Add(e);
        _page = page;
        return page;
    }

    /// <summary>
    /// Runs a test's <paramref name="steps"/> on the page, then fails if the page reported an error. On any failure it saves
    /// a full-page screenshot to <paramref name="failureScreenshot"/> (by default TestName-failure.png beside the test
    /// binaries) and names it, with the errors, in the message.
    /// </summary>
    public async Task CheckAsync(Func<Task> steps, string? failureScreenshot = null)
    {
        try
        {
            await steps();
            Assert.True(_errors.Count == 0, "console errors: " + string.Join(" | ", _errors));
        }
        catch (Exception e) when (e is not Xunit.Sdk.SkipException)
        {
            var shot = failureScreenshot ?? Path.Combine(AppContext.BaseDirectory, $"{TestContext.Current.TestMethod?.MethodName ?? "browser"}-failure.png");
            if (_page is not null) await _page.ScreenshotAsync(new PageScreenshotOptions { Path = shot, FullPage = true });
            throw new Xunit.Sdk.XunitException($"{e.Message}\nscreenshot: {shot}; console errors: {string.Join(" | ", _errors)}");
        }
    }

    // Headless, with no sandbox (tests may run as root) and no first-run or network chatter.
    private static Task<IBrowser> LaunchAsync(IPlaywright playwright)
    {
        // Process-wide: the machine running the tests may be busy, and a page that loads slowly is not a failing page.
        Assertions.SetDefaultExpectTimeout(60_000);
        return playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium, Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
    }

    /// <summary>Fails on any serious or critical accessibility violation axe finds on <paramref name="page"/>, naming where.</summary>
    public static async Task AssertNoSeriousAxeViolationsAsync(IPage page)
    {
        var axe = await page.RunAxe();
        var serious = axe.Violations.Where(v => v.Impact is "serious" or "critical").Select(v => $"{v.Id} ({v.Impact}): {v.Help} at {string.Join("; ", v.Nodes.Take(3).Select(n => n.Html))}").ToList();
        Assert.True(serious.Count == 0, "axe: " + string.Join("\n", serious));
    }

    public async ValueTask DisposeAsync()
    {
        if (_browser is not null) await _browser.DisposeAsync();
        _playwright?.Dispose();
        _trib.Dispose();
        _temp.Dispose();
    }
}
