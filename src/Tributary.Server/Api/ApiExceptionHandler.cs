using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;
using Tributary.Core.Diagnostics;

namespace Tributary.Server.Api;

/// <summary>
/// Turns an exception that escaped an endpoint into a ProblemDetails answer with a message: a request the server
/// could not read is the client's error (400, 413, 415), a pipeline with errors is a 400 with its diagnostics, and
/// anything else a 500 that names the error, which the server also logs.
/// </summary>
internal sealed class ApiExceptionHandler(ServerOptions options, ILogger<ApiExceptionHandler> log) : IExceptionHandler
{
    public ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        var problem = exception switch
        {
            BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } e =>
                ApiProblems.Problem(e.StatusCode, ApiProblems.Describe(context, e.StatusCode, options)),
            BadHttpRequestException { InnerException: JsonException json } e => ApiProblems.Problem(e.StatusCode, $"the request body is not what this call takes: {json.Message}"),
            BadHttpRequestException e => ApiProblems.Problem(e.StatusCode, e.Message),
            PipelineException e => ApiProblems.Problem(StatusCodes.Status400BadRequest, "the pipeline has errors", ApiProblems.Describe(e.Diagnostics)),
            _ => ApiProblems.Problem(StatusCodes.Status500InternalServerError, $"the server failed: {exception.GetType().Name}: {exception.Message}"),
        };
        if (problem.Status == StatusCodes.Status500InternalServerError) log.RequestFailed(exception, context.Request.Method, context.Request.Path.Value);
        context.Response.StatusCode = problem.Status!.Value;
        var problems = context.RequestServices.GetService(typeof(IProblemDetailsService)) as IProblemDetailsService;
        return problems is null ? ValueTask.FromResult(false) : problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem, Exception = exception });
    }
}
