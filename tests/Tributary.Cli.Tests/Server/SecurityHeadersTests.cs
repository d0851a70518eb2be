using System.Net;
using Microsoft.Extensions.Time.Testing;
using Tributary.Server.Security;
using Tributary.Testing;

namespace Tributary.Cli.Tests.Server;

/// <summary>Headers that keep other sites from framing or sniffing the server's pages, and the throttle on guessed tokens.</summary>
public sealed class SecurityHeadersTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private string Project => Path.Combine(_temp.Path, "project");
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData("/")]
    [InlineData("/api/pipelines")]
    [InlineData("/api/no-such-route")]
    public async Task EveryAnswer_ForbidsFramingSniffingAndForeignScripts(string path)
    {
        Assert.Equal(0, (await Trib.RunAsync("init", Project)).ExitCode);
        await using var served = await InProcessServer.StartAsync(Project, Ct);

        using var answer = await served.Http.GetAsync(path, Ct);

        Assert.Equal("DENY", answer.Headers.GetValues("X-Frame-Options").Single());
        Assert.Equal("nosniff", answer.Headers.GetValues("X-Content-Type-Options").Single());
        var policy = answer.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("frame-ancestors 'none'", policy, StringComparison.Ordinal);
        Assert.Contains("script-src 'self';", policy, StringComparison.Ordinal);
        Assert.Equal("no-referrer", answer.Headers.GetValues("Referrer-Policy").Single());
    }

    [Fact]
    public async Task WrongTokens_FromOneAddress_AreRefusedForTheRestOfTheMinute_EvenTheRightOne()
    {
        Assert.Equal(0, (await Trib.RunAsync("init", Project)).ExitCode);
        await using var served = await InProcessServer.StartAsync(Project, Ct, token: "s3cret-token");

        for (var i = 0; i < SignInThrottle.Limit; i++)
            Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(served.Http, $"guess-{i}")).StatusCode);
        using var refused = await SendAsync(served.Http, "s3cret-token");

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.InRange(refused.Headers.RetryAfter!.Delta!.Value.TotalSeconds, 1, 60);
        Assert.Contains("10 wrong tokens came from this address within a minute", await refused.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public void Throttle_CountsPerAddressAndWindow()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-12-05T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var throttle = new SignInThrottle(time);
        var (guesser, other) = (IPAddress.Parse("10.0.0.1"), IPAddress.Parse("10.0.0.2"));

        for (var i = 0; i < SignInThrottle.Limit - 1; i++) throttle.Failed(guesser);
        Assert.False(throttle.Refuses(guesser, out _));
        throttle.Failed(guesser);
        time.Advance(TimeSpan.FromSeconds(20));
        Assert.True(throttle.Refuses(guesser, out var wait));
        Assert.Equal(TimeSpan.FromSeconds(40), wait);
        Assert.False(throttle.Refuses(other, out _));
        time.Advance(TimeSpan.FromSeconds(40));
        Assert.False(throttle.Refuses(guesser, out _));
        // A new window starts from the next wrong token.
        throttle.Failed(guesser);
        Assert.False(throttle.Refuses(guesser, out _));
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient http, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/pipelines") { Headers = { { "Authorization", $"Bearer {token}" } } };
        return await http.SendAsync(request, Ct);
    }
}
