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

    // Google's formatting guidance (Data Manager API, "Format user data"): gmail.com and googlemail.com lose their dots and +tags.
    [Theory]
    [InlineData(" Cloudy.SanFrancisco+shopping@GMAIL.com ", "cloudysanfrancisco@gmail.com")]
    [InlineData("j.o.e@googlemail.com", "joe@googlemail.com")]
    [InlineData("User.Name+NYC@Example.com", "user.name+nyc@example.com")]
    [InlineData("first.last@mail.gmail.com.au", "first.last@mail.gmail.com.au")]
    [InlineData("+tag@gmail.com", null)]
    [InlineData("no-at-sign.example.com", null)]
    public void GoogleEmail_DropsGmailDotsAndTagsOnly(string raw, string? expected) => Assert.Equal(expected, ContactNormalizer.GoogleEmail(raw));

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

    // National numbers are read in the row's country, else default_country_code's; "+" and "00" keep their own country.
    [Theory]
    [InlineData("07700 900123", "1", "GB", "+447700900123")]
    [InlineData("07700 900123", "1", "United Kingdom", "+447700900123")]
    [InlineData("07700 900123", "44", null, "+447700900123")]
    [InlineData("07700 900123", "GB", null, "+447700900123")]
    [InlineData("+44 (0)7700 900123", "1", "US", "+447700900123")]
    [InlineData("0044 7700 900123", "1", "DE", "+447700900123")]
    [InlineData("030 901820", "1", "DE", "+4930901820")]
    [InlineData("0151 1234 5678", "1", "DEU", "+4915112345678")]
    [InlineData("+49 151 1234 5678", "1", "FR", "+4915112345678")]
    [InlineData("06 12 34 56 78", "1", "FR", "+33612345678")]
    [InlineData("01 42 68 53 00", "1", "France", "+33142685300")]
    [InlineData("+33 6 12 34 56 78", "1", "GB", "+33612345678")]
    [InlineData("(201) 555-0123", "44", "US", "+12015550123")]
    [InlineData("1-201-555-0123", "1", "USA", "+12015550123")]
    [InlineData("098765 43210", "1", "IN", "+919876543210")]
    [InlineData("98765 43210", "1", "India", "+919876543210")]
    [InlineData("+91 98765 43210", "1", "GB", "+919876543210")]
    [InlineData("(201) 555-0123", "1", "Narnia", "+12015550123")]
    public void PhoneE164_NationalNumberReadInTheRowsCountry(string raw, string defaultCountry, string? country, string expected) =>
        Assert.Equal(expected, ContactNormalizer.PhoneE164(raw, defaultCountry, country));

    // Junk stays refused: too short or too long for the country, no digits, an unknown calling code, letters for digits.
    [Theory]
    [InlineData("0770090", "GB")]
    [InlineData("+44 7700 900123 456 789", "US")]
    [InlineData("+999 123 456 789", "US")]
    [InlineData("---", "GB")]
    [InlineData("1-800-FLOWERS", "US")]
    [InlineData("201555012", "US")]
    public void PhoneE164_ImpossibleNumber_IsNull(string raw, string country) => Assert.Null(ContactNormalizer.PhoneE164(raw, "1", country));

    // A placeholder is refused here or keeps every digit, so the identity blocklist still knows it (555-555-5555).
    [Theory]
    [InlineData("000-000-0000", "US", null)]
    [InlineData("555-555-5555", "US", "+15555555555")]
    [InlineData("07777 777777", "GB", "+447777777777")]
    public void PhoneE164_Placeholder_IsRefusedOrKeepsItsDigits(string raw, string country, string? expected) =>
        Assert.Equal(expected, ContactNormalizer.PhoneE164(raw, "1", country));

    [Theory]
    [InlineData("1", "US")]
    [InlineData("44", "GB")]
    [InlineData("+49", "DE")]
    [InlineData("gb", "GB")]
    [InlineData("FR", "FR")]
    [InlineData("999", null)]
    [InlineData("United Kingdom", null)]
    [InlineData("", null)]
    public void DefaultRegion_CallingCodeOrRegion(string given, string? expected) => Assert.Equal(expected, ContactNormalizer.DefaultRegion(given));

    [Fact]
    public void Sha256_IsLowerHexOfUtf8() =>
        // echo -n "test@example.com" | sha256sum
        Assert.Equal("973dfe463ec85785f5f95af5ba3906eedb2d931c24e69824a89ea65dba4e813b", ContactNormalizer.Sha256("test@example.com"));
}
