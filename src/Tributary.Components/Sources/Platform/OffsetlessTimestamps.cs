namespace Tributary.Components.Sources.Platform;

/// <summary>
/// Export timestamps written without an offset, read as wall-clock times of the project's reporting zone (tributary.yaml's
/// <c>timezone:</c>) rather than as UTC, unless the platform states that the column is UTC (<see cref="PlatformColumn.StatedUtc"/>).
/// </summary>
internal static class OffsetlessTimestamps
{
    /// <summary>Whether <paramref name="text"/> names its offset: a <c>Z</c>, or a sign after the time of day (<c>+01:00</c>, <c>-0500</c>).</summary>
    public static bool HasOffset(ReadOnlySpan<char> text)
    {
        text = text.Trim();
        if (text.Length > 0 && text[^1] is 'Z' or 'z') return true;
        // A date's own dashes come before the time of day; an offset after it.
        var time = text.IndexOf(':');
        return time > 0 && text[time..].IndexOfAny('+', '-') > 0;
    }

    /// <summary>
    /// The UTC time of <paramref name="wall"/>, a wall-clock time in <paramref name="zone"/>. A time the zone skips (the hour
    /// clocks go forward) or repeats (the hour they go back) takes the zone's standard offset, as .NET reads both.
    /// </summary>
    public static DateTime ToUtc(DateTime wall, TimeZoneInfo zone)
    {
        var local = DateTime.SpecifyKind(wall, DateTimeKind.Unspecified);
        return DateTime.SpecifyKind(local - zone.GetUtcOffset(local), DateTimeKind.Unspecified);
    }
}
