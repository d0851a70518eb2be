using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;
using Tributary.Core.Diagnostics;
using Tributary.Engine.Runs;

namespace Tributary.Server.Api;

/// <summary>
/// Turns an exception that escaped an endpoint into a ProblemDetails answer with a message: a request the server
/// could not read is the client's error (400, 413, 415), a pipeline with errors is a 400 with its diagnostics, a run store
/// that cannot be reached a 503 with Retry-After, and anything else a 500 that names the error, which the server also logs.
/// </summary>
internal sealed class ApiExceptionHandler(ServerOptions options, ILogger<ApiExceptionHandler> log) : IExceptionHandler
{
    // Long enough for a database restart's first seconds, short enough that a page polling the API recovers soon after.
    internal const int RetryAfterSeconds = 5;

    public ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        var problem = exception switch
        {
            BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } e =>
                ApiProblems.Problem(e.StatusCode, ApiProblems.Describe(context, e.StatusCode, options)),
            BadHttpRequestException { InnerException: JsonException json } e => ApiProblems.Problem(e.StatusCode, $"the request body is not what this call takes: {json.Message}"),
            BadHttpRequestException e => ApiProblems.Problem(e.StatusCode, e.Message),
            PipelineException e => ApiProblems.Problem(StatusCodes.Status400BadRequest, "the pipeline has errors", ApiProblems.Describe(e.Diagnostics)),
            // An outage of the PostgreSQL run store: the client is told at once to come back, not kept waiting.
            RunStoreUnavailableException e => ApiProblems.Problem(StatusCodes.Status503ServiceUnavailable, $"{e.Message}; try again in {RetryAfterSeconds} s"),
            _ => ApiProblems.Problem(StatusCodes.Status500InternalServerError, $"the server failed: {exception.GetType().Name}: {exception.Message}"),
        };
        if (problem.Status == StatusCodes.Status500InternalServerError) log.RequestFailed(exception, context.Request.Method, context.Request.Path.Value);
        context.Response.StatusCode = problem.Status!.Value;
        if (problem.Status == StatusCodes.Status503ServiceUnavailable) context.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var problems = context.RequestServices.GetService(typeof(IProblemDetailsService)) as IProblemDetailsService;
        return problems is null ? ValueTask.FromResult(false) : problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem, Exception = exception });
    }
}
