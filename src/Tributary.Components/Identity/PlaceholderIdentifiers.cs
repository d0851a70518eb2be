namespace Tributary.Components.Identity;

/// <summary>
/// Values that look like identifiers but stand for nobody, blocked by default: phones of one repeated digit (after a
/// country code of up to three digits, as in +1 000 000 0000 or 555-555-5555) and emails whose local part is a
/// placeholder (test@, noreply@, none@…, also with a +tag).
/// </summary>
internal static class PlaceholderIdentifiers
{
    private static readonly HashSet<string> LocalParts = new(StringComparer.OrdinalIgnoreCase)
    {
        "test", "tester", "testing", "noreply", "no-reply", "no_reply", "donotreply", "do-not-reply", "do_not_reply", "none", "null", "nil", "nobody",
        "noemail", "no-email", "no_email", "unknown", "anonymous", "example", "fake", "invalid", "na", "n/a", "void",
    };

    /// <summary>The placeholder local parts, lower case, for the same test in SQL (IdentityLabelPropagation).</summary>
    public static string[] LocalPartList => [.. LocalParts.Select(p => p.ToLowerInvariant()).Order(StringComparer.Ordinal)];

    /// <summary>True when <paramref name="value"/> of identifier type <paramref name="type"/> is a placeholder.</summary>
    public static bool IsPlaceholder(string type, string value)
    {
        var at = value.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0)
        {
            var local = value.AsSpan(0, at).Trim();
            var plus = local.IndexOf('+');
            if (plus >= 0) local = local[..plus];
            return LocalParts.GetAlternateLookup<ReadOnlySpan<char>>().Contains(local);
        }
        return type.Contains("phone", StringComparison.OrdinalIgnoreCase) && RepeatedDigits(value);
    }

    // Seven or more digits that are one digit repeated once the first 0–3 (a country code) are set aside.
    private static bool RepeatedDigits(string value)
    {
        Span<char> digits = stackalloc char[32];
        var count = 0;
        foreach (var c in value)
        {
            if (!char.IsAsciiDigit(c)) continue;
            if (count == digits.Length) return false;
            digits[count++] = c;
        }
        if (count < 7) return false;
        for (var skip = 0; skip <= 3 && count - skip >= 6; skip++)
        {
            var rest = digits[skip..count];
            if (!rest.ContainsAnyExcept(rest[0])) return true;
        }
        return false;
    }
}
