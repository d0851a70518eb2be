using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;

namespace Tributary.Server.Api;

/// <summary>
/// An endpoint's typed ProblemDetails answer (<c>NotFound&lt;ProblemDetails&gt;</c> and the like, typed so that OpenAPI
/// lists it) is written through the problem details service, as application/problem+json like every other error answer.
/// </summary>
internal sealed class ProblemAnswerFilter : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var result = await next(context).ConfigureAwait(false);
        var answer = result is INestedHttpResult nested ? nested.Result : result;
        return answer is IValueHttpResult<ProblemDetails> { Value: { } problem } ? TypedResults.Problem(problem) : result;
    }
}
