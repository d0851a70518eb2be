using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Tributary.Server.Api;

/// <summary>With a token configured, every <c>/api</c> call must send <c>Authorization: Bearer &lt;token&gt;</c>; compared in constant time.</summary>
internal static class TokenAuthentication
{
    public static Func<HttpContext, RequestDelegate, Task> Require(string? token)
    {
        var expected = token is { Length: > 0 } ? Encoding.UTF8.GetBytes(token) : null;
        return (context, next) =>
        {
            if (expected is null || !context.Request.Path.StartsWithSegments("/api", StringComparison.Ordinal)) return next(context);
            var header = context.Request.Headers.Authorization.ToString();
            var given = header.StartsWith("Bearer ", StringComparison.Ordinal) ? Encoding.UTF8.GetBytes(header["Bearer ".Length..]) : [];
            if (CryptographicOperations.FixedTimeEquals(given, expected)) return next(context);
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            context.Response.Headers.WWWAuthenticate = "Bearer";
            return context.Response.WriteAsJsonAsync(new { error = "this server requires a bearer token (TRIBUTARY_TOKEN)" });
        };
    }
}
