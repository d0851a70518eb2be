using Microsoft.AspNetCore.Authentication;

namespace Tributary.Server.Security;

/// <summary>Options of <see cref="BearerTokenHandler"/>: the token (TRIBUTARY_TOKEN), or none when the server runs without one.</summary>
internal sealed class BearerTokenOptions : AuthenticationSchemeOptions
{
    public HashedSecret? Token { get; set; }

    /// <summary>Where wrong tokens are counted; none counts nothing.</summary>
    public SignInThrottle? Throttle { get; set; }
}
