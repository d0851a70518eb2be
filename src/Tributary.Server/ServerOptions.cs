using System.Net;

namespace Tributary.Server;

/// <summary>Where the server listens and how it authenticates.</summary>
public sealed record ServerOptions
{
    /// <summary>Address to bind; 127.0.0.1 unless told otherwise.</summary>
    public string Host { get; init; } = "127.0.0.1";
    /// <summary>Port; 0 picks a free one.</summary>
    public int Port { get; init; } = 8080;
    /// <summary>Bearer token every API call must carry; required to bind anywhere but loopback.</summary>
    public string? Token { get; init; }
    /// <summary>Folder of the web UI's built files, when present.</summary>
    public string? StaticFiles { get; init; }

    /// <summary>True for 127.0.0.0/8, ::1 and localhost.</summary>
    public bool IsLoopback => Host == "localhost" || (IPAddress.TryParse(Host, out var ip) && IPAddress.IsLoopback(ip));

    /// <summary>Throws when the server would be reachable from the network without a token.</summary>
    public ServerOptions Validate()
    {
        if (Port is < 0 or > 65535) throw new ArgumentOutOfRangeException(nameof(Port), Port, "a port is 0 to 65535.");
        if (!IsLoopback && string.IsNullOrEmpty(Token))
            throw new InvalidOperationException($"binding to {Host} makes the API reachable from the network; set TRIBUTARY_TOKEN to a secret first (every call must then send it as a bearer token).");
        return this;
    }
}
