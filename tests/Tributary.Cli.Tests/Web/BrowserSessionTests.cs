namespace Tributary.Cli.Tests.Web;

/// <summary>
/// What every browser test leans on: a page's console error or uncaught exception fails the steps, with a screenshot named
/// in the message; an error the test expects does not.
/// </summary>
public sealed class BrowserSessionTests : IAsyncDisposable
{
    private readonly BrowserSession _browser = new("session");

    public ValueTask DisposeAsync() => _browser.DisposeAsync();

    [Theory]
    [InlineData("console.error('boom')", "console errors: boom")]
    [InlineData("setTimeout(() => { throw new Error('thrown') })", "thrown")]
    public async Task Check_APageThatReportsAnError_FailsNamingItAndTheScreenshot(string script, string says)
    {
        if (BrowserSession.MissingReason is { } reason) Assert.Skip(reason);
        var page = await _browser.OpenPageAsync(800);

        var failure = await Assert.ThrowsAsync<Xunit.Sdk.XunitException>(() => _browser.CheckAsync(async () =>
        {
            await page.EvaluateAsync(script);
            // The uncaught exception arrives after the script returns; a later evaluation runs after it.
            await page.EvaluateAsync("new Promise(r => setTimeout(r, 0))");
        }));

        Assert.Contains(says, failure.Message, StringComparison.Ordinal);
        var shot = Path.Combine(AppContext.BaseDirectory, nameof(Check_APageThatReportsAnError_FailsNamingItAndTheScreenshot) + "-failure.png");
        Assert.Contains($"screenshot: {shot}", failure.Message, StringComparison.Ordinal);
        Assert.True(File.Exists(shot));
    }

    [Fact]
    public async Task Check_AnErrorTheTestExpects_PassesAndAnotherStillFails()
    {
        if (BrowserSession.MissingReason is { } reason) Assert.Skip(reason);
        var page = await _browser.OpenPageAsync(800, expectedError: "status of 400");

        await _browser.CheckAsync(() => page.EvaluateAsync("console.error('Failed to load resource: the server responded with a status of 400 (Bad Request)')"));
        var failure = await Assert.ThrowsAsync<Xunit.Sdk.XunitException>(() => _browser.CheckAsync(() => page.EvaluateAsync("console.error('status of 500')")));

        Assert.Contains("console errors: status of 500", failure.Message, StringComparison.Ordinal);
    }
}
