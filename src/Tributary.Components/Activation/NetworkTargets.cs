using System.Net;
using System.Net.Sockets;

namespace Tributary.Components.Activation;

/// <summary>
/// Which addresses an outgoing call may reach: never link-local ones (where cloud metadata services answer), and loopback or
/// private ranges only when the step allows them. Checked on the addresses a name resolves to, at connect time.
/// </summary>
internal static class NetworkTargets
{
    // AWS's IPv6 metadata endpoint lies in the unique-local range, so it is named here to be refused always.
    private static readonly IPAddress AwsMetadataV6 = IPAddress.Parse("fd00:ec2::254");

    /// <summary>Why <paramref name="address"/> may not be called, or null when it may.</summary>
    public static string? Refusal(IPAddress address, bool allowPrivate)
    {
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (IsLinkLocal(address)) return "a link-local address (where cloud metadata services answer), refused always";
        if (!allowPrivate && Private(address) is { } kind) return $"a {kind} address, refused unless the step sets allow_private_network: true";
        return null;
    }

    /// <summary>Whether <paramref name="address"/> is link-local (169.254.0.0/16, fe80::/10) or a cloud metadata address.</summary>
    public static bool IsLinkLocal(IPAddress address) => address.AddressFamily == AddressFamily.InterNetwork
        ? address.GetAddressBytes() is [169, 254, _, _]
        : address.IsIPv6LinkLocal || address.Equals(AwsMetadataV6);

    private static string? Private(IPAddress address)
    {
        if (IPAddress.IsLoopback(address)) return "loopback";
        if (address.AddressFamily == AddressFamily.InterNetwork)
            return address.GetAddressBytes() switch
            {
                // 0.0.0.0/8 reaches the host itself on Linux.
                [0, _, _, _] => "loopback",
                [10, _, _, _] or [192, 168, _, _] or [172, >= 16 and <= 31, _, _] => "private",
                [100, >= 64 and <= 127, _, _] => "shared (carrier-grade NAT)",
                [>= 224, _, _, _] => "multicast or reserved",
                _ => null,
            };
        if (address.Equals(IPAddress.IPv6Any)) return "loopback";
        if ((address.GetAddressBytes()[0] & 0xFE) == 0xFC || address.IsIPv6SiteLocal) return "private";
        return address.IsIPv6Multicast ? "multicast or reserved" : null;
    }

    /// <summary>
    /// A handler that connects only to addresses <see cref="Refusal"/> lets through, as resolved, and follows no redirect
    /// (a redirect could lead anywhere). A refused address fails the request with an <see cref="UnauthorizedAccessException"/> inside.
    /// </summary>
    public static SocketsHttpHandler Handler(bool allowPrivate) => new()
    {
        AllowAutoRedirect = false,
        // Through a proxy, the address checked would be the proxy's, not the endpoint's.
        UseProxy = false,
        ConnectCallback = async (connect, cancellationToken) =>
        {
            var host = connect.DnsEndPoint.Host.Trim('[', ']');
            var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, cancellationToken).ConfigureAwait(false);
            // Every address is checked, not only the one connected to: a name answering a public and a private address is refused.
            foreach (var address in addresses)
                if (Refusal(address, allowPrivate) is { } why)
                    throw new UnauthorizedAccessException(address.ToString() == host ? $"{host} is {why}" : $"{host} resolves to {address}, {why}");
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(addresses, connect.DnsEndPoint.Port, cancellationToken).ConfigureAwait(false);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    };
}
