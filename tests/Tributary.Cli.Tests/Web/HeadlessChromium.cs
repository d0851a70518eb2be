using System.Diagnostics;
using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace Tributary.Cli.Tests.Web;

/// <summary>
/// What every browser test here shares: Debian's Chromium launched headless without its background traffic, and the
/// address a started 'trib serve' prints.
/// </summary>
internal static partial class HeadlessChromium
{
    /// <summary>Debian's chromium package's binary (test.sh installs it when run as root).</summary>
    public const string Executable = "/usr/bin/chromium";

    /// <summary>Launches Chromium headless, with no sandbox (tests may run as root) and no first-run or network chatter.</summary>
    public static Task<IBrowser> LaunchAsync(IPlaywright playwright) => playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
    {
        ExecutablePath = Executable, Headless = true,
        Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });

    /// <summary>
    /// Reads <paramref name="server"/>'s standard error until it says where it listens, then drains the rest in the
    /// background (a full pipe would stall the server). Throws when the server exits without saying.
    /// </summary>
    public static async Task<Uri> ServeAddressAsync(Process server, CancellationToken cancellationToken)
    {
        Uri? address = null;
        while (address is null && await server.StandardError.ReadLineAsync(cancellationToken) is { } line)
            if (Listening().Match(line) is { Success: true } m) address = new Uri(m.Groups[1].Value);
        _ = Task.Run(async () => { while (await server.StandardError.ReadLineAsync(CancellationToken.None) is not null) { } }, CancellationToken.None);
        return address ?? throw new InvalidOperationException("trib serve did not say where it listens");
    }

    [GeneratedRegex(@"at (http://[^ ]+/)")]
    private static partial Regex Listening();
}
