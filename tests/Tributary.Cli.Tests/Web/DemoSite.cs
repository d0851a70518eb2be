namespace Tributary.Cli.Tests.Web;

/// <summary>
/// One demo project for the page tests: demo data, the customer_ltv and marketing_attribution templates run once, then
/// 'trib serve' on it and Debian's Chromium. Each page test opens its own browser page.
/// </summary>
public sealed class DemoSite : IAsyncLifetime
{
    private readonly BrowserSession _session = new("site");

    /// <summary>Why the page tests cannot run here, if they cannot.</summary>
    public string? SkipReason { get; private set; }
    public Uri Address => _session.Address;
    public string Project => _session.Project;

    /// <summary>The served demo project in Chromium; each page test opens its page here.</summary>
    internal BrowserSession Session => _session;

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
        SkipReason = BrowserSession.MissingReason;
        if (SkipReason is not null) return;
        await _session.InitAsync();
        await _session.TribAsync("demo-data", "--customers", "300");
        foreach (var template in new[] { "customer_ltv", "marketing_attribution", "customer_journey", "ab_testing", "churn_prevention", "product_recommendations", "propensity_marketing", "fraud_detection" })
        {
            await _session.TribAsync("templates", "add", template);
            await _session.TribAsync("run", template);
        }
        await _session.ServeAsync(CancellationToken.None);
    }

    public ValueTask DisposeAsync() => _session.DisposeAsync();
}
