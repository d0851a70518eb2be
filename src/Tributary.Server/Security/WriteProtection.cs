using Microsoft.AspNetCore.Http;

namespace Tributary.Server.Security;

/// <summary>
/// Guards state-changing requests (POST, PUT, PATCH, DELETE) against other web sites: a request a browser sends on
/// behalf of another origin (<c>Origin</c> not this server's, or <c>Sec-Fetch-Site</c> other than same-origin) is
/// refused, and without a bearer token every write must carry the per-install <see cref="WriteSecret"/>, which a page
/// from another origin cannot read.
/// </summary>
internal sealed class WriteProtection(HashedSecret? secret)
{
    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        if (HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method) || HttpMethods.IsOptions(context.Request.Method))
        {
            await next(context).ConfigureAwait(false);
            return;
        }
        if (CrossSiteReason(context.Request) is { } reason)
        {
            await Refuse(context, $"{reason}; this server accepts changes only from its own pages and from trib").ConfigureAwait(false);
            return;
        }
        if (secret is not null && !secret.Matches(context.Request.Headers[WriteSecret.Header].ToString()))
        {
            await Refuse(context, $"changes need the per-install write secret in the {WriteSecret.Header} header: the web UI sends it, "
                + "and trib reads it from .tributary/write-secret in the project (turn it off with 'server: { write_secret: false }' in tributary.yaml)").ConfigureAwait(false);
            return;
        }
        await next(context).ConfigureAwait(false);
    }

    /// <summary>Why the request comes from another site, or null when it comes from this server's pages or from outside a browser.</summary>
    public static string? CrossSiteReason(HttpRequest request)
    {
        // Browsers send Sec-Fetch-Site to loopback and https origins; same-site covers other ports of the same host.
        var site = request.Headers["Sec-Fetch-Site"].ToString();
        if (site.Length > 0 && site is not ("same-origin" or "none")) return $"the request comes from another site (Sec-Fetch-Site: {site})";
        var origin = request.Headers.Origin.ToString();
        if (origin.Length > 0 && !IsOwnOrigin(origin, request)) return $"the request comes from another origin ({origin})";
        return null;
    }

    private static bool IsOwnOrigin(string origin, HttpRequest request)
    {
        if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri)) return false;
        var host = request.Host;
        var port = host.Port ?? (request.IsHttps ? 443 : 80);
        return string.Equals(uri.Scheme, request.Scheme, StringComparison.OrdinalIgnoreCase)
            && string.Equals(uri.Host.Trim('[', ']'), host.Host.Trim('[', ']'), StringComparison.OrdinalIgnoreCase) && uri.Port == port;
    }

    private static Task Refuse(HttpContext context, string detail) =>
        Results.Problem(statusCode: StatusCodes.Status403Forbidden, detail: detail).ExecuteAsync(context);
}
