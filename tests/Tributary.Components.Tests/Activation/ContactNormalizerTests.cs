using Tributary.Components.Activation;

namespace Tributary.Components.Tests.Activation;

public sealed class ContactNormalizerTests
{
    [Theory]
    [InlineData("  Jane.Doe@Example.COM ", "jane.doe@example.com")]
    [InlineData("jane doe@example.com", "janedoe@example.com")]
    [InlineData("no-at-sign.example.com", null)]
    [InlineData("two@@example.com", null)]
    [InlineData("x@localhost", null)]
    [InlineData("", null)]
    public void Email_NormalizesOrRejects(string raw, string? expected) => Assert.Equal(expected, ContactNormalizer.Email(raw));

    [Theory]
    [InlineData("+1 (415) 555-0132", "1", "+14155550132")]
    [InlineData("415.555.0132", "1", "+14155550132")]
    [InlineData("0049 151 1234 5678", "1", "+4915112345678")]
    [InlineData("0151 1234 5678", "49", "+4915112345678")]
    [InlineData("+44 20 7946 0958", "1", "+442079460958")]
    [InlineData("14155550132", "1", "+14155550132")]
    [InlineData("12", "1", null)]
    [InlineData("n/a", "1", null)]
    public void PhoneE164_HandlesCommonFormats(string raw, string country, string? expected) => Assert.Equal(expected, ContactNormalizer.PhoneE164(raw, country));

    [Fact]
    public void Sha256_IsLowerHexOfUtf8() =>
        // echo -n "test@example.com" | sha256sum
        Assert.Equal("973dfe463ec85785f5f95af5ba3906eedb2d931c24e69824a89ea65dba4e813b", ContactNormalizer.Sha256("test@example.com"));
}
