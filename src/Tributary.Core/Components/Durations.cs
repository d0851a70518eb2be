using System.Globalization;

namespace Tributary.Core.Components;

/// <summary>Durations as pipeline files write them: <c>500ms</c>, <c>10s</c>, <c>5m</c>, <c>2h</c>, <c>1d</c>.</summary>
public static class Durations
{
    private const string Example = "a duration such as 500ms, 10s, 5m, 2h or 1d";

    /// <summary>What a duration looks like, as a JSON Schema <c>pattern</c>: a number and one of ms, s, m, h, d.</summary>
    public const string Pattern = @"^\s*[0-9.]+(ms|s|m|h|d)\s*$";

    /// <summary>Parses a duration; false when the text is not one or is longer than <see cref="TimeSpan.MaxValue"/>.</summary>
    public static bool TryParse(string text, out TimeSpan value) => Read(text, out value) == Reading.Valid;

    /// <summary>
    /// Parses a duration that must be more than zero (or, with <paramref name="allowZero"/>, not negative: a retry may
    /// come at once). When it is not one, <paramref name="expected"/> says what was expected, for "must be X, got Y" messages.
    /// </summary>
    public static bool TryParsePositive(string text, out TimeSpan value, out string expected, bool allowZero = false)
    {
        (var ok, expected) = Read(text, out value) switch
        {
            Reading.Valid when value > TimeSpan.Zero || (allowZero && value == TimeSpan.Zero) => (true, ""),
            Reading.Valid => (false, "more than zero"),
            Reading.TooLong => (false, $"at most {Format(TimeSpan.MaxValue - TimeSpan.FromTicks(TimeSpan.MaxValue.Ticks % TimeSpan.TicksPerDay))}"),
            _ => (false, Example),
        };
        return ok;
    }

    private enum Reading { Valid, Malformed, TooLong }

    private static Reading Read(string text, out TimeSpan value)
    {
        value = default;
        text = text.Trim();
        var unitStart = 0;
        while (unitStart < text.Length && (char.IsAsciiDigit(text[unitStart]) || text[unitStart] == '.')) unitStart++;
        if (unitStart == 0 || !double.TryParse(text[..unitStart], NumberStyles.Float, CultureInfo.InvariantCulture, out var n)) return Reading.Malformed;
        double? ms = text[unitStart..] switch
        {
            "ms" => n,
            "s" => n * 1000,
            "m" => n * 60_000,
            "h" => n * 3_600_000,
            "d" => n * 86_400_000,
            _ => null,
        };
        if (ms is null) return Reading.Malformed;
        // TimeSpan.FromMilliseconds throws beyond its range; a double compares safely.
        if (!(ms.Value < TimeSpan.MaxValue.TotalMilliseconds)) return Reading.TooLong;
        value = TimeSpan.FromMilliseconds(ms.Value);
        return Reading.Valid;
    }

    /// <summary>
    /// An elapsed time as a person reads it, to its two largest units: <c>45s</c>, <c>4m 59s</c>, <c>2h 5m</c>, <c>3d 4h</c>
    /// (an age such as "materialized 4m 59s ago", where <see cref="Format"/> gives 299595ms).
    /// </summary>
    public static string Approximate(TimeSpan value)
    {
        var v = value < TimeSpan.Zero ? TimeSpan.Zero : value;
        static string Two(long a, string ua, long b, string ub) => b == 0 ? $"{a}{ua}" : $"{a}{ua} {b}{ub}";
        return v.TotalDays >= 1 ? Two((long)v.TotalDays, "d", v.Hours, "h")
            : v.TotalHours >= 1 ? Two((long)v.TotalHours, "h", v.Minutes, "m")
            : v.TotalMinutes >= 1 ? Two((long)v.TotalMinutes, "m", v.Seconds, "s")
            : $"{(long)v.TotalSeconds}s";
    }

    /// <summary>The shortest exact spelling of a duration.</summary>
    public static string Format(TimeSpan value) =>
        value.TotalMilliseconds % 86_400_000 == 0 && value > TimeSpan.Zero ? $"{value.TotalDays:0}d" :
        value.TotalMilliseconds % 3_600_000 == 0 && value > TimeSpan.Zero ? $"{value.TotalHours:0}h" :
        value.TotalMilliseconds % 60_000 == 0 && value > TimeSpan.Zero ? $"{value.TotalMinutes:0}m" :
        value.TotalMilliseconds % 1000 == 0 ? $"{value.TotalSeconds:0}s" : $"{value.TotalMilliseconds:0}ms";
}
