using System.Net;
using Tributary.Components.Activation;

namespace Tributary.Components.Tests.Activation;

public sealed class NetworkTargetsTests
{
    [Theory]
    [InlineData("169.254.169.254", false, "a link-local address (where cloud metadata services answer), refused always")]
    [InlineData("169.254.169.254", true, "a link-local address (where cloud metadata services answer), refused always")]
    [InlineData("::ffff:169.254.169.254", true, "a link-local address (where cloud metadata services answer), refused always")]
    [InlineData("fe80::1", true, "a link-local address (where cloud metadata services answer), refused always")]
    [InlineData("fd00:ec2::254", true, "a link-local address (where cloud metadata services answer), refused always")]
    [InlineData("127.0.0.1", false, "a loopback address, refused unless the step sets allow_private_network: true")]
    [InlineData("::1", false, "a loopback address, refused unless the step sets allow_private_network: true")]
    [InlineData("0.0.0.0", false, "a loopback address, refused unless the step sets allow_private_network: true")]
    [InlineData("10.1.2.3", false, "a private address, refused unless the step sets allow_private_network: true")]
    [InlineData("172.16.0.1", false, "a private address, refused unless the step sets allow_private_network: true")]
    [InlineData("192.168.1.1", false, "a private address, refused unless the step sets allow_private_network: true")]
    [InlineData("::ffff:192.168.1.1", false, "a private address, refused unless the step sets allow_private_network: true")]
    [InlineData("fd12::1", false, "a private address, refused unless the step sets allow_private_network: true")]
    [InlineData("100.64.0.1", false, "a shared (carrier-grade NAT) address, refused unless the step sets allow_private_network: true")]
    [InlineData("127.0.0.1", true, null)]
    [InlineData("10.1.2.3", true, null)]
    [InlineData("172.32.0.1", false, null)]
    [InlineData("93.184.215.14", false, null)]
    [InlineData("2606:2800:21f:cb07:6820:80da:af6b:8b2c", false, null)]
    public void Refusal_OfAnAddress_IsItsRange(string address, bool allowPrivate, string? expected) =>
        Assert.Equal(expected, NetworkTargets.Refusal(IPAddress.Parse(address), allowPrivate));
}
