namespace Tributary.Server.Contracts;

/// <summary>The per-install write secret, given only to the server's own pages (<c>GET /api/write-secret</c>).</summary>
/// <param name="Header">The request header that state-changing calls carry it in.</param>
/// <param name="Secret">The secret; null when no secret is needed (a bearer token guards the server, or the check is off).</param>
public sealed record WriteSecretGrant(string Header, string? Secret);
