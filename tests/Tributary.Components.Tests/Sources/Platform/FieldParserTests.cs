using System.Globalization;
using Tributary.Components.Sources.Platform;
using Tributary.Core.Warehousing;

namespace Tributary.Components.Tests.Sources.Platform;

public sealed class FieldParserTests
{
    private const string InvariantComma = "expected a number: ',' groups thousands (by three digits) in the invariant culture; if ',' is this file's decimal separator, set culture (e.g. de-DE)";

    [Theory]
    [InlineData("", "", null, null)]
    [InlineData("", "12.50", 12.5, null)]
    [InlineData("", "1,234.50", 1234.5, null)]
    [InlineData("", "1,234,567", 1234567.0, null)]
    [InlineData("", "$-1,234.50", -1234.5, null)]
    [InlineData("", "-$3", -3.0, null)]
    [InlineData("", "12%", 12.0, null)]
    [InlineData("", "1e3", 1000.0, null)]
    [InlineData("", ".5", 0.5, null)]
    [InlineData("", "12,50", null, InvariantComma)]
    [InlineData("", "1,2345.00", null, InvariantComma)]
    [InlineData("", "12.50.1", null, "expected a number")]
    [InlineData("", "lots", null, "expected a number")]
    [InlineData("", "1,234e5", null, InvariantComma)]
    [InlineData("de-DE", "12,50", 12.5, null)]
    [InlineData("de-DE", "1.234,50 €", 1234.5, null)]
    [InlineData("de-DE", "12.50", null, "expected a number in de-DE: '.' groups thousands (by three digits) and ',' is the decimal separator")]
    [InlineData("fr-FR", "1 234,5", 1234.5, null)]
    [InlineData("", "0042.50", 42.5, null)]
    [InlineData("", "-0.25", -0.25, null)]
    [InlineData("", "12.", 12.0, null)]
    [InlineData("", "-", null, "expected a number")]
    [InlineData("", "1.2.3", null, "expected a number")]
    [InlineData("de-DE", "12.500", 12500.0, null)]
    [InlineData("de-DE", "-7", -7.0, null)]
    public void TryParse_Number_InTheDeclaredCultureOnly(string culture, string text, double? expected, string? reason)
    {
        var ok = FieldParser.TryParse(text, DataKind.Number, CultureInfo.GetCultureInfo(culture), out var value, out var why);

        Assert.Equal((reason is null, reason), (ok, why));
        Assert.Equal(expected, (double?)value);
    }

    [Theory]
    [InlineData("1,234", 1234L, null)]
    [InlineData("-7", -7L, null)]
    [InlineData("1,23", null, InvariantComma)]
    [InlineData("3.0", null, "expected a whole number")]
    [InlineData("99999999999999999999", null, "expected a whole number")]
    [InlineData("-9223372036854775808", long.MinValue, null)]
    [InlineData("007", 7L, null)]
    [InlineData("--7", null, "expected a whole number")]
    public void TryParse_Integer_InvariantCulture(string text, long? expected, string? reason)
    {
        var ok = FieldParser.TryParse(text, DataKind.Integer, CultureInfo.InvariantCulture, out var value, out var why);

        Assert.Equal((reason is null, reason), (ok, why));
        Assert.Equal(expected, (long?)value);
    }

    [Theory]
    [InlineData("2025-01-31T14:05:00.123Z", true)]
    [InlineData("2025-01-31T14:05:00Z", true)]
    [InlineData("2025-01-31T14:05:00", true)]
    [InlineData("2025-01-31T14:05:00.1234567Z", true)]
    [InlineData("2025-01-31T14:05:00.5", true)]
    [InlineData("2024-02-29T23:59:59.999Z", true)]
    [InlineData("0001-01-01T00:00:00Z", true)]
    [InlineData("2025-02-29T10:00:00Z", false)]
    [InlineData("2025-13-01T10:00:00Z", false)]
    [InlineData("2025-01-31T24:00:00Z", false)]
    [InlineData("2025-01-31T14:60:00Z", false)]
    [InlineData("2025-01-31T14:05:60Z", false)]
    [InlineData("0000-01-01T00:00:00Z", false)]
    [InlineData("2025-01-31T14:05:00.Z", false)]
    [InlineData("2025-01-31T14:05:00.12345678Z", false)]
    [InlineData("2025-01-31T14:05:00ZZ", false)]
    [InlineData("2025-01-31T14:05:00+01:00", false)]
    [InlineData("2025-1-31T14:05:00Z", false)]
    [InlineData("2025-01-31 14:05:00Z", false)]
    [InlineData("2025-01-31T14:05:0xZ", false)]
    [InlineData("+025-01-31T14:05:00Z", false)]
    public void TryParse_IsoTimestampShortcut_TakesOnlyWhatTheFormatsTake_WithTheSameValue(string text, bool shortcut)
    {
        var general = DateTimeOffset.TryParseExact(text, ["yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", "yyyy-MM-dd'T'HH:mm:ss"], CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AllowWhiteSpaces, out var parsed);

        Assert.Equal(shortcut, FieldParser.TryParseIsoUtc(text, out var fast));
        if (shortcut) Assert.Equal((true, DateTime.SpecifyKind(parsed.UtcDateTime, DateTimeKind.Unspecified)), (general, fast));
        if (general)
        {
            Assert.True(FieldParser.TryParse(text, DataKind.Timestamp, CultureInfo.InvariantCulture, out var value, out _));
            Assert.Equal(DateTime.SpecifyKind(parsed.UtcDateTime, DateTimeKind.Unspecified), value);
        }
    }

    [Theory]
    [InlineData("2025-07-10 07:52:07 +0100", true)]
    [InlineData("2025-07-10 07:52:07 +01:00", true)]
    [InlineData("2025-07-10 07:52:07 -0530", true)]
    [InlineData("2025-07-10 07:52:07 +0000", true)]
    [InlineData("2024-02-29 23:30:00 -0100", true)]
    [InlineData("2025-01-01 00:30:00 +1400", true)]
    [InlineData("9998-12-31 23:59:59 -1400", true)]
    [InlineData("2025-01-01 00:30:00 +1401", false)]
    [InlineData("2025-01-01 00:30:00 +1500", false)]
    [InlineData("2025-01-01 00:30:00 +0160", false)]
    [InlineData("0001-01-01 00:00:00 +0100", false)]
    [InlineData("9999-12-31 23:59:59 -0100", false)]
    [InlineData("2025-02-29 10:00:00 +0100", false)]
    [InlineData("2025-07-10 24:00:00 +0100", false)]
    [InlineData("2025-07-10 07:52:07+0100", false)]
    [InlineData("2025-07-10 07:52:07 +01", false)]
    [InlineData("2025-07-10 07:52:07 0100", false)]
    [InlineData("2025-07-10 07:52:07 +01-00", false)]
    [InlineData("2025-07-10 07:52:07 +01:0x", false)]
    [InlineData("2025-07-10T07:52:07 +0100", false)]
    [InlineData("2025-07-10 07:52:07 Z0100", false)]
    public void TryParse_OffsetTimestampShortcut_TakesOnlyWhatTheFormatsTake_WithTheSameValue(string text, bool shortcut)
    {
        var general = DateTimeOffset.TryParseExact(text, FieldParser.TimestampFormats, CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AllowWhiteSpaces, out var parsed);

        Assert.Equal(shortcut, FieldParser.TryParseWithOffset(text, out var fast));
        if (shortcut) Assert.Equal((true, DateTime.SpecifyKind(parsed.UtcDateTime, DateTimeKind.Unspecified)), (general, fast));
        if (general)
        {
            Assert.True(FieldParser.TryParse(text, DataKind.Timestamp, CultureInfo.InvariantCulture, out var value, out _));
            Assert.Equal(DateTime.SpecifyKind(parsed.UtcDateTime, DateTimeKind.Unspecified), value);
        }
    }
}
