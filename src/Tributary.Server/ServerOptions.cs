using System.Net;

namespace Tributary.Server;

/// <summary>Where the server listens, how it authenticates and what it accepts.</summary>
public sealed record ServerOptions
{
    /// <summary>Address to bind; 127.0.0.1 unless told otherwise.</summary>
    public string Host { get; init; } = "127.0.0.1";
    /// <summary>Port; 0 picks a free one.</summary>
    public int Port { get; init; } = 8080;
    /// <summary>Bearer token every API call must carry; required to bind anywhere but loopback. Never blank.</summary>
    public string? Token { get; init; }
    /// <summary>
    /// Per-install secret that state-changing calls must send in the <c>X-Tributary-Write-Secret</c> header when there
    /// is no <see cref="Token"/>; null turns the check off.
    /// </summary>
    public string? WriteSecret { get; init; }
    /// <summary>Largest request body accepted; larger ones are answered 413. Default 1 MB.</summary>
    public long MaxRequestBodyBytes { get; init; } = 1024 * 1024;
    /// <summary>Largest JSON answer of <c>POST /api/query</c>, in bytes of its rows; the rows past it are left out and the answer says so. Default 32 MB.</summary>
    public long MaxQueryAnswerBytes { get; init; } = 32L * 1024 * 1024;
    /// <summary>Folder of the web UI's built files, when present.</summary>
    public string? StaticFiles { get; init; }

    /// <summary>True for 127.0.0.0/8, ::1 and localhost.</summary>
    public bool IsLoopback => Host == "localhost" || (IPAddress.TryParse(Host, out var ip) && IPAddress.IsLoopback(ip));

    /// <summary>True when <see cref="Host"/> binds every interface (0.0.0.0, ::, * or +).</summary>
    public bool IsWildcard => Host is "*" or "+" || (IPAddress.TryParse(Host, out var ip) && (ip.Equals(IPAddress.Any) || ip.Equals(IPAddress.IPv6Any)));

    /// <summary>
    /// Host names the server answers to: the loopback names and the configured host. Bound to every interface (which
    /// needs a token) it answers to any name, since a page reached through DNS rebinding still has no token to send.
    /// </summary>
    public IReadOnlyList<string> AllowedHosts =>
        IsWildcard ? ["*"] : new[] { "127.0.0.1", "localhost", "[::1]", Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]" : Host }.Distinct(StringComparer.OrdinalIgnoreCase).ToList();

    /// <summary>True when a request with this Host header name (without port) is answered.</summary>
    public bool AllowsHost(string host) => AllowedHosts.Any(h => h == "*" || string.Equals(h, host, StringComparison.OrdinalIgnoreCase));

    /// <summary>Throws when the server would be reachable from the network without a token, or the token is blank.</summary>
    public ServerOptions Validate()
    {
        if (Port is < 0 or > 65535) throw new ArgumentOutOfRangeException(nameof(Port), Port, "a port is 0 to 65535.");
        if (Token is not null && string.IsNullOrWhiteSpace(Token))
            throw new InvalidOperationException("TRIBUTARY_TOKEN is set but blank; set it to a secret, or unset it to serve on loopback without a token.");
        if (Token is not null && Token.Trim().Length != Token.Length)
            throw new InvalidOperationException("TRIBUTARY_TOKEN starts or ends with white space, which an Authorization header cannot carry; remove it.");
        if (!IsLoopback && Token is null)
            throw new InvalidOperationException($"binding to {Host} makes the API reachable from the network; set TRIBUTARY_TOKEN to a secret first (every call must then send it as a bearer token).");
        // Reachable from the network, the token is the only lock: a short one is guessed (wrong tokens are throttled per address, not per network).
        if (!IsLoopback && Token!.Length < MinNetworkTokenLength)
            throw new InvalidOperationException($"binding to {Host} needs a TRIBUTARY_TOKEN of at least {MinNetworkTokenLength} characters (this one has {Token.Length}); "
                + "make one with e.g. 'openssl rand -hex 32'.");
        return this;
    }

    /// <summary>Shortest token accepted when the server binds beyond loopback.</summary>
    public const int MinNetworkTokenLength = 16;
}
