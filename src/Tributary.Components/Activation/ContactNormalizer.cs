using System.Security.Cryptography;
using System.Text;

namespace Tributary.Components.Activation;

/// <summary>
/// Normalizes and hashes contact data the way ad platforms match it: emails trimmed and lower-cased; phones as
/// E.164 (Google Customer Match hashes "+4915112345678") or E.164 digits without "+" (Meta Custom Audiences hashes
/// "4915112345678"); SHA-256 as lower-case hex. Values that cannot be normalized become null, never a hash of junk.
/// </summary>
public static class ContactNormalizer
{
    /// <summary>Trimmed, lower-cased email with whitespace removed, or null when it has no single '@' with text on both sides.</summary>
    public static string? Email(string? raw)
    {
        if (string.IsNullOrWhiteSpace(raw)) return null;
        var email = new string(raw.Where(c => !char.IsWhiteSpace(c)).ToArray()).ToLowerInvariant();
        var at = email.IndexOf('@', StringComparison.Ordinal);
        return at > 0 && at == email.LastIndexOf('@') && at < email.Length - 1 && email[(at + 1)..].Contains('.', StringComparison.Ordinal) ? email : null;
    }

    /// <summary>
    /// The phone as E.164 ("+" and 8–15 digits), or null. "+" or "00" mark an international number; a national
    /// number (leading trunk "0", or no prefix) gets <paramref name="defaultCountryCode"/>.
    /// </summary>
    public static string? PhoneE164(string? raw, string defaultCountryCode)
    {
        if (string.IsNullOrWhiteSpace(raw)) return null;
        var trimmed = raw.Trim();
        var digits = new string(trimmed.Where(char.IsAsciiDigit).ToArray());
        if (digits.Length == 0) return null;
        string international;
        if (trimmed.StartsWith('+')) international = digits;
        else if (digits.StartsWith("00", StringComparison.Ordinal)) international = digits[2..];
        else if (digits.StartsWith(defaultCountryCode, StringComparison.Ordinal) && digits.Length > 10) international = digits;
        else international = defaultCountryCode + digits.TrimStart('0');
        return international.Length is >= 8 and <= 15 && international[0] != '0' ? "+" + international : null;
    }

    /// <summary>SHA-256 of the UTF-8 text as lower-case hex; null stays null.</summary>
    public static string? Sha256(string? normalized) =>
        normalized is null ? null : Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(normalized)));
}
