using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Tributary.Server.Security;

/// <summary>
/// Authenticates <c>Authorization: Bearer &lt;token&gt;</c> against TRIBUTARY_TOKEN. Which routes need it is decided by
/// the authorization policy on the endpoints, so it holds whatever the letter case or form of the path.
/// </summary>
internal sealed class BearerTokenHandler(IOptionsMonitor<BearerTokenOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<BearerTokenOptions>(options, logger, encoder)
{
    public const string SchemeName = "Bearer";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (Options.Token is null) return Task.FromResult(AuthenticateResult.NoResult());
        var header = Request.Headers.Authorization.ToString();
        // The scheme name is case-insensitive (RFC 9110 11.1); the token is not.
        if (!header.StartsWith(SchemeName + " ", StringComparison.OrdinalIgnoreCase)) return Task.FromResult(AuthenticateResult.NoResult());
        if (!Options.Token.Matches(header[(SchemeName.Length + 1)..].Trim()))
        {
            Options.Throttle?.Failed(Context.Connection.RemoteIpAddress);
            return Task.FromResult(AuthenticateResult.Fail("the bearer token is not this server's token"));
        }
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, "token")], SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = SchemeName;
        return Results.Problem(statusCode: StatusCodes.Status401Unauthorized,
            detail: "this server requires a bearer token: send 'Authorization: Bearer <token>' with the value of TRIBUTARY_TOKEN it was started with").ExecuteAsync(Context);
    }
}
