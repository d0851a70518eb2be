using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.WebUtilities;
using Tributary.Core.Diagnostics;
using Tributary.Server.Contracts;

namespace Tributary.Server.Api;

/// <summary>
/// Error answers of the API: ProblemDetails (RFC 9457) whose <c>detail</c> says what went wrong, typed by status so
/// that OpenAPI lists them (<see cref="ProblemAnswerFilter"/> writes them as application/problem+json).
/// </summary>
internal static class ApiProblems
{
    /// <summary>The name of the ProblemDetails member that lists a pipeline's problems.</summary>
    public const string DiagnosticsMember = "diagnostics";

    public static NotFound<ProblemDetails> NotFound(string detail) => TypedResults.NotFound(Problem(StatusCodes.Status404NotFound, detail));

    public static BadRequest<ProblemDetails> BadRequest(string detail) => TypedResults.BadRequest(Problem(StatusCodes.Status400BadRequest, detail));

    public static Conflict<ProblemDetails> Conflict(string detail) => TypedResults.Conflict(Problem(StatusCodes.Status409Conflict, detail));

    /// <summary>A 400 listing a pipeline's problems with their positions under <c>diagnostics</c>.</summary>
    public static BadRequest<ProblemDetails> Invalid(string detail, IEnumerable<Diagnostic> diagnostics) =>
        TypedResults.BadRequest(Problem(StatusCodes.Status400BadRequest, detail, Describe(diagnostics)));

    /// <summary>A ProblemDetails with its status and detail, and the diagnostics when there are some.</summary>
    public static ProblemDetails Problem(int status, string detail, IReadOnlyList<DiagnosticView>? diagnostics = null)
    {
        var problem = new ProblemDetails { Status = status, Detail = detail };
        if (diagnostics is not null) problem.Extensions[DiagnosticsMember] = diagnostics;
        return problem;
    }

    /// <summary>Diagnostics as the API shows them: code, line, column, message, hint.</summary>
    public static IReadOnlyList<DiagnosticView> Describe(IEnumerable<Diagnostic> diagnostics) => diagnostics.Select(DiagnosticView.Of).ToList();

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
