using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.DependencyInjection;
using Tributary.Server.Api;
using Tributary.Server.Contracts;
using Tributary.Server.Security;
using Tributary.Testing;

namespace Tributary.Cli.Tests.Server;

/// <summary><c>/api/health</c> on a server with a token: a load balancer's probe, which has none, reads the status and nothing else.</summary>
public sealed class LivenessOnlyTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private string Project => Path.Combine(_temp.Path, "project");
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Health_WithoutTheToken_AnswersTheStatusOnly_WhileEveryOtherRouteNeedsIt()
    {
        Assert.Equal(0, (await Trib.RunAsync("init", Project)).ExitCode);
        await using var served = await InProcessServer.StartAsync(Project, Ct, token: "s3cret-token");

        foreach (var authorization in new[] { null, "Bearer nope", "Bearer s3cret-token" })
        {
            using var probe = new HttpRequestMessage(HttpMethod.Get, "/api/health");
            if (authorization is not null) probe.Headers.Add("Authorization", authorization);
            using var answer = await served.Http.SendAsync(probe, Ct);
            Assert.True(answer.StatusCode == HttpStatusCode.OK, $"{authorization}: {(int)answer.StatusCode}");
            Assert.Equal("""{"status":"ok"}""", await answer.Content.ReadAsStringAsync(Ct));
        }
        foreach (var path in new[] { "/api/pipelines", "/api/runs", "/api/write-secret" })
            Assert.True(HttpStatusCode.Unauthorized == (await served.Http.GetAsync(path, Ct)).StatusCode, path);
    }

    [Theory]
    [InlineData(false, 503, null)]
    [InlineData(true, 503, "the daemon's ticks fail since 2026-01-01T00:00:00.0000000+00:00: store unreachable")]
    public async Task Filter_AFailingDaemon_ShowsItsReasonOnlyToTheTokenHolder(bool signedIn, int status, string? detail)
    {
        var context = new DefaultHttpContext();
        if (signedIn) context.User = new System.Security.Claims.ClaimsPrincipal(new System.Security.Claims.ClaimsIdentity([], "Bearer"));
        var failing = TypedResults.Problem(ApiProblems.Problem(StatusCodes.Status503ServiceUnavailable, "the daemon's ticks fail since 2026-01-01T00:00:00.0000000+00:00: store unreachable"));

        var result = await new LivenessOnly(tokenRequired: true).InvokeAsync(new DefaultEndpointFilterInvocationContext(context),
            _ => ValueTask.FromResult<object?>((Results<Ok<HealthStatus>, ProblemHttpResult>)failing));

        if (detail is not null)
        {
            Assert.Equal(detail, Assert.IsType<ProblemHttpResult>(((INestedHttpResult)result!).Result).ProblemDetails.Detail);
            return;
        }
        var answer = Assert.IsType<JsonHttpResult<HealthStatus>>(result);
        Assert.Equal((status, "unavailable"), (answer.StatusCode!.Value, answer.Value!.Status));
        Assert.Equal("""{"status":"unavailable"}""", JsonSerializer.Serialize(answer.Value, ApiJson.Options));
    }

    [Fact]
    public async Task ApiError_RunStoreUnreachable_Is503WithRetryAfter()
    {
        var context = new DefaultHttpContext { RequestServices = new ServiceCollection().BuildServiceProvider() };
        var handler = new ApiExceptionHandler(new Tributary.Server.ServerOptions(), Microsoft.Extensions.Logging.Abstractions.NullLogger<ApiExceptionHandler>.Instance);

        await handler.TryHandleAsync(context, new Tributary.Engine.Runs.RunStoreUnavailableException("the PostgreSQL run store could not be reached: refused", new IOException()), Ct);

        Assert.Equal((503, "5"), (context.Response.StatusCode, context.Response.Headers.RetryAfter.ToString()));
    }
}
