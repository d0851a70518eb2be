using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Tributary.Core.Diagnostics;

namespace Tributary.Server.Api;

/// <summary>Error answers of the API: ProblemDetails (RFC 9457) whose <c>detail</c> says what went wrong.</summary>
internal static class ApiProblems
{
    public static IResult NotFound(string detail) => Results.Problem(statusCode: StatusCodes.Status404NotFound, detail: detail);

    public static IResult BadRequest(string detail) => Results.Problem(statusCode: StatusCodes.Status400BadRequest, detail: detail);

    public static IResult Conflict(string detail) => Results.Problem(statusCode: StatusCodes.Status409Conflict, detail: detail);

    /// <summary>A 400 listing a pipeline's problems with their positions under <c>diagnostics</c>.</summary>
    public static IResult Invalid(string detail, IEnumerable<Diagnostic> diagnostics) =>
        Results.Problem(statusCode: StatusCodes.Status400BadRequest, detail: detail, extensions: new Dictionary<string, object?> { ["diagnostics"] = Describe(diagnostics) });

    /// <summary>Diagnostics as the API shows them: code, line, column, message, hint.</summary>
    public static List<object> Describe(IEnumerable<Diagnostic> diagnostics) =>
        diagnostics.Select(d => (object)new { d.Code, line = d.Location.Line, column = d.Location.Column, d.Message, d.Hint }).ToList();

    /// <summary>The detail of an error answer that carries none of its own (no route, a refused Host, a body over the cap...).</summary>
    public static string Describe(HttpContext context, int status, ServerOptions options) => status switch
    {
        StatusCodes.Status400BadRequest when !options.AllowsHost(context.Request.Host.Host) =>
            $"this server does not answer to the host name '{context.Request.Host.Host}' (it answers to {string.Join(", ", options.AllowedHosts)}); "
            + "other names are refused so that a web page cannot reach it through DNS rebinding",
        StatusCodes.Status404NotFound => $"nothing at {context.Request.Method} {context.Request.Path}",
        StatusCodes.Status405MethodNotAllowed => $"{context.Request.Method} is not allowed on {context.Request.Path}",
        StatusCodes.Status413PayloadTooLarge => $"the request body is larger than this server accepts ({options.MaxRequestBodyBytes / 1024} KB)",
        StatusCodes.Status415UnsupportedMediaType => "send the body as JSON (Content-Type: application/json)",
        _ => $"{status} {ReasonPhrases.GetReasonPhrase(status)}",
    };
}
