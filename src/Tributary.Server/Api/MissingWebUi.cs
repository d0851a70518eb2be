using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Tributary.Server.Api;

/// <summary>
/// What <c>/</c> answers when the web UI's files are not beside trib: a page that says how to build them, instead of
/// an empty 404 that leaves a new user guessing. The API works meanwhile.
/// </summary>
internal static class MissingWebUi
{
    public const string Html = """
        <!doctype html>
        <html lang="en">
        <head><meta charset="utf-8"><title>Tributary: the web UI is not built</title>
        <style>body{font-family:system-ui,sans-serif;max-width:46rem;margin:4rem auto;padding:0 1rem;line-height:1.5;color:#1f2933}code,pre{background:#f0f2f5;border-radius:4px;padding:.1rem .3rem}pre{padding:.8rem}</style>
        </head>
        <body>
        <h1>The web UI is not built</h1>
        <p>This <code>trib serve</code> runs (schedules, sensors, the run queue and the REST API under <code>/api</code>),
        but the web UI's files are not beside it. They are built from <code>web/</code> whenever trib is built with
        Node.js 20 or later (and npm) on the PATH:</p>
        <pre>dotnet build src/Tributary.Cli</pre>
        <p>or by hand, then restart <code>trib serve</code>:</p>
        <pre>cd web &amp;&amp; npm ci &amp;&amp; npm run build</pre>
        <p>The API's description is at <a href="/openapi/v1.json">/openapi/v1.json</a>.</p>
        </body>
        </html>
        """;

    /// <summary>Answers <c>/</c> and <c>/index.html</c> with the page (status 404: the UI is not there).</summary>
    public static void Map(IEndpointRouteBuilder app)
    {
        foreach (var path in new[] { "/", "/index.html" })
            app.MapGet(path, () => Results.Content(Html, "text/html; charset=utf-8", statusCode: StatusCodes.Status404NotFound)).ExcludeFromDescription();
    }
}
