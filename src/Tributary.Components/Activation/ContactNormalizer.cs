using System.Security.Cryptography;
using System.Text;
using PhoneNumbers;
using Tributary.Components.Standardize;

namespace Tributary.Components.Activation;

/// <summary>
/// Normalizes and hashes contact data the way ad platforms match it: emails trimmed and lower-cased (for Google, also
/// without the dots and +tags Gmail ignores: <see cref="GoogleEmail"/>); phones as
/// E.164 (Google Customer Match hashes "+4915112345678") or E.164 digits without "+" (Meta Custom Audiences hashes
/// "4915112345678"); SHA-256 as lower-case hex. Values that cannot be normalized become null, never a hash of junk.
/// </summary>
public static class ContactNormalizer
{
    // libphonenumber's one shared instance: immutable metadata, safe to use from many threads.
    private static readonly PhoneNumberUtil Phones = PhoneNumberUtil.GetInstance();

    /// <summary>Trimmed, lower-cased email with whitespace removed, or null when it has no single '@' with text on both sides.</summary>
    public static string? Email(string? raw)
    {
        if (string.IsNullOrWhiteSpace(raw)) return null;
        var email = new string(raw.Where(c => !char.IsWhiteSpace(c)).ToArray()).ToLowerInvariant();
        var at = email.IndexOf('@', StringComparison.Ordinal);
        return at > 0 && at == email.LastIndexOf('@') && at < email.Length - 1 && email[(at + 1)..].Contains('.', StringComparison.Ordinal) ? email : null;
    }

    /// <summary>
    /// <see cref="Email"/> as Google matches it (Customer Match, through Google Ads and its Data Manager API): for gmail.com
    /// and googlemail.com addresses every '.' before the '@' is removed, and a '+' with all after it up to the '@'
    /// (cloudy.sanfrancisco+shopping@gmail.com is cloudysanfrancisco@gmail.com); other domains are left as they are. Meta's
    /// Custom Audiences ask for no such change, so its files use <see cref="Email"/>.
    /// </summary>
    public static string? GoogleEmail(string? raw)
    {
        if (Email(raw) is not { } email) return null;
        var at = email.IndexOf('@', StringComparison.Ordinal);
        var domain = email[(at + 1)..];
        if (domain is not ("gmail.com" or "googlemail.com")) return email;
        var local = email[..at];
        var plus = local.IndexOf('+', StringComparison.Ordinal);
        local = (plus >= 0 ? local[..plus] : local).Replace(".", "", StringComparison.Ordinal);
        return local.Length > 0 ? $"{local}@{domain}" : null;
    }

    /// <summary>
    /// The region (ISO 3166-1 alpha-2) national numbers are read in for a <c>default_country_code</c>: a calling code of
    /// 1 to 3 digits (1 is US, 44 GB, 49 DE: the code's main region) or a region code such as GB; null when it is neither.
    /// </summary>
    public static string? DefaultRegion(string defaultCountryCode)
    {
        var text = defaultCountryCode.Trim().TrimStart('+');
        if (text.Length is >= 1 and <= 3 && text.All(char.IsAsciiDigit))
            return Phones.GetRegionCodeForCountryCode(int.Parse(text, System.Globalization.CultureInfo.InvariantCulture)) is var r && Supported(r) ? r : null;
        var region = text.ToUpperInvariant();
        return Supported(region) ? region : null;
    }

    private static bool Supported(string region) => Phones.GetSupportedRegions().Contains(region);

    /// <summary>
    /// The phone as E.164 ("+" and 8–15 digits), or null. A number written with "+" or "00" keeps its own country code;
    /// a national number is read in <paramref name="country"/> (a code or name, e.g. GB, GBR, United Kingdom) when the
    /// row has one, else in <paramref name="defaultCountryCode"/>'s country (<see cref="DefaultRegion"/>). The trunk
    /// prefix (the UK's, Germany's and France's leading 0) is dropped and a country code written without "+" is
    /// recognized, as libphonenumber parses them; an extension is not part of E.164 and is left off. A number whose length
    /// is impossible for its country, or whose digits would change beyond those prefixes, is null: nothing is guessed.
    /// </summary>
    public static string? PhoneE164(string? raw, string defaultCountryCode, string? country = null) =>
        string.IsNullOrWhiteSpace(raw) ? null : ParsePhone(raw, defaultCountryCode, country);

    /// <summary><see cref="PhoneE164"/> of a value known not to be blank.</summary>
    internal static string? ParsePhone(string raw, string defaultCountryCode, string? country)
    {
        var text = raw.Trim();
        var digits = new string(text.Where(char.IsAsciiDigit).ToArray());
        if (digits.Length == 0) return null;
        // "00" is the international prefix of most of the world; read as "+" whatever the region's own prefix is.
        if (!text.StartsWith('+') && digits.StartsWith("00", StringComparison.Ordinal))
        {
            text = "+" + text[(text.IndexOf("00", StringComparison.Ordinal) + 2)..];
            digits = digits[2..];
        }
        var region = CountryCodes.ToAlpha2(country) is { } code && Supported(code) ? code : DefaultRegion(defaultCountryCode);
        if (region is null && !text.StartsWith('+')) return null;
        PhoneNumber number;
        try
        {
            number = Phones.Parse(text, region ?? "ZZ");
        }
        catch (NumberParseException)
        {
            return null;
        }
        if (Phones.IsPossibleNumberWithReason(number) != PhoneNumberUtil.ValidationResult.IS_POSSIBLE) return null;
        var national = Phones.GetNationalSignificantNumber(number);
        // A number libphonenumber does not know as valid is kept only when it has the length of its country's numbers and does
        // not still start with a trunk 0 that could not be dropped ("+44 0770090" is a short number, not a UK one).
        if (national.StartsWith('0') && !Phones.IsValidNumber(number)
            && Phones.GetMetadataForRegion(Phones.GetRegionCodeForCountryCode(number.CountryCode)) is { NationalPrefix: "0" }) return null;
        // No digit dropped but a country code, "00" or trunk prefix before the number and an extension after it.
        if (number.HasExtension && digits.EndsWith(number.Extension, StringComparison.Ordinal)) digits = digits[..^number.Extension.Length];
        if (!digits.EndsWith(national, StringComparison.Ordinal) || digits.Length - national.Length > 5) return null;
        var e164 = Phones.Format(number, PhoneNumberFormat.E164);
        return e164.Length is >= 9 and <= 16 ? e164 : null;
    }

    /// <summary>SHA-256 of the UTF-8 text as lower-case hex; null stays null.</summary>
    public static string? Sha256(string? normalized) =>
        normalized is null ? null : Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(normalized)));
}
