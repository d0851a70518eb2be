using Microsoft.AspNetCore.Http;

namespace Tributary.Server.Security;

/// <summary>
/// Response headers that keep other sites from framing the UI (click-jacking a Run or Save), browsers from sniffing a
/// CSV or JSON answer into HTML, and scripts from any origin but this server's from running in its pages.
/// </summary>
internal static class SecurityHeaders
{
    // The UI is one module script and one stylesheet from /assets; React and the charts set inline style attributes
    // (which need 'unsafe-inline' for style-src), never inline scripts or eval. frame-ancestors is CSP's X-Frame-Options.
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; "
        + "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    public static Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XFrameOptions = "DENY";
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        headers["Cross-Origin-Opener-Policy"] = "same-origin";
        headers["Cross-Origin-Resource-Policy"] = "same-origin";
        return next(context);
    }
}
