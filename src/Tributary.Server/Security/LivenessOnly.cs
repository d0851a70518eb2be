using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Tributary.Server.Contracts;

namespace Tributary.Server.Security;

/// <summary>
/// Lets a caller without the bearer token read <c>/api/health</c>, as a load balancer's liveness probe does: it gets the
/// answer's status code and its <c>status</c> word, nothing else (no error text, no times). With the token, or on a
/// server without one, the answer passes unchanged.
/// </summary>
internal sealed class LivenessOnly(bool tokenRequired) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var result = await next(context).ConfigureAwait(false);
        if (!tokenRequired || context.HttpContext.User.Identity?.IsAuthenticated == true) return result;
        // A union of outcomes (Results<...>) holds the one answered.
        if (result is INestedHttpResult nested) result = nested.Result;
        var code = (result as IStatusCodeHttpResult)?.StatusCode ?? StatusCodes.Status200OK;
        return TypedResults.Json(new HealthStatus(StatusOf((result as IValueHttpResult)?.Value) ?? (code < 400 ? "ok" : "unavailable")), statusCode: code);
    }

    // The 'status' word of whatever the health endpoint answers (a ProblemDetails has none: its status is a number).
    private static string? StatusOf(object? value)
    {
        if (value is null) return null;
        var json = JsonSerializer.SerializeToElement(value, value.GetType(), ApiJson.Options);
        return json.ValueKind == JsonValueKind.Object && json.TryGetProperty("status", out var status) && status.ValueKind == JsonValueKind.String ? status.GetString() : null;
    }
}
