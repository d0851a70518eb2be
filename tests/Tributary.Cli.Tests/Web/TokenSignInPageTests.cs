using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace Tributary.Cli.Tests.Web;

/// <summary>
/// The web UI in Debian's Chromium against 'trib serve' started with TRIBUTARY_TOKEN: it asks for the token, says so when
/// it is wrong, then shows the runs, a run's live log (an event stream) and a CSV download with it, and signs out.
/// </summary>
public sealed class TokenSignInPageTests : IAsyncDisposable
{
    private const string Token = "s3cr3t-token-ops";
    private readonly BrowserSession _browser = new("signed");
    private string Project => _browser.Project;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask DisposeAsync() => _browser.DisposeAsync();

    [Fact]
    public async Task SignIn_OnAServerWithAToken_AsksForIt_RefusesAWrongOne_ThenEveryCallCarriesIt()
    {
        await _browser.InitAsync();
        File.WriteAllText(Path.Combine(Project, "pipelines", "hello.yaml"), "pipeline: hello\ncomponents:\n  - { id: greeting, type: transform.sql, with: { sql: \"SELECT 'hi' AS word\" } }\n");
        var ran = await _browser.TribAsync("run", "hello");
        var runId = Regex.Match(ran.Error, @"run (\S+) succeeded").Groups[1].Value;
        var address = await _browser.ServeAsync(new Dictionary<string, string> { ["TRIBUTARY_TOKEN"] = Token }, Ct);
        // Calls made before signing in, and with the wrong token, are refused with a 401 that Chromium logs.
        var page = await _browser.OpenPageAsync(1400, expectedError: "status of 401");
        await _browser.CheckAsync(async () =>
        {
            var shots = DemoSite.ScreenshotFolder;
            await page.GotoAsync(address + "#/runlist");

            var form = page.GetByRole(AriaRole.Form, new() { Name = "Sign in" });
            await Assertions.Expect(form).ToBeVisibleAsync();
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(shots, "sign-in.png") });
            await form.GetByLabel("Token").FillAsync("not-the-token");
            await form.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
            await Assertions.Expect(form.GetByRole(AriaRole.Alert)).ToHaveTextAsync("The server did not accept this token: it is not the TRIBUTARY_TOKEN the server was started with.");
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(shots, "sign-in-refused.png") });

            await form.GetByLabel("Token").FillAsync(Token);
            await form.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = runId })).ToBeVisibleAsync();
            // Kept for this tab only, in sessionStorage: no cookie the browser would send by itself.
            Assert.Equal(Token, await page.EvaluateAsync<string>("() => sessionStorage.getItem('tributary.token')"));
            Assert.Equal("", await page.EvaluateAsync<string>("() => document.cookie"));

            // A run's log streams (server-sent events) and a table downloads as CSV, both with the token.
            await page.GotoAsync(address + $"#/run/{runId}");
            await Assertions.Expect(page.GetByTestId("run-detail-status")).ToHaveTextAsync("succeeded");
            await Assertions.Expect(page.GetByLabel("Run log")).ToContainTextAsync("greeting");
            await page.GotoAsync(address + "#/asset/greeting");
            var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Button, new() { Name = "Download greeting.csv" }).ClickAsync());
            Assert.Equal("greeting.csv", download.SuggestedFilename);
            Assert.Equal("word\nhi", (await File.ReadAllTextAsync((await download.PathAsync())!, Ct)).ReplaceLineEndings("\n").Trim());

            await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
            await Assertions.Expect(form).ToBeVisibleAsync();
            Assert.Null(await page.EvaluateAsync<string?>("() => sessionStorage.getItem('tributary.token')"));
        });
    }
}
