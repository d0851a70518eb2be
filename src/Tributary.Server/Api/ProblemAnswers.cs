using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;

namespace Tributary.Server.Api;

/// <summary>
/// Puts the exception handler and status code pages outside every other middleware, including the host filtering
/// that the web host's defaults insert ahead of the app's own, so that even a refused Host gets a ProblemDetails answer.
/// </summary>
internal sealed class ProblemAnswers : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        next(app);
    };
}
