using Cronos;
using Tributary.Core.Pipelines;

namespace Tributary.Engine.Orchestration;

/// <summary>
/// A pipeline's cron schedule in its IANA timezone (Cronos). Across daylight-saving changes: a time inside the skipped
/// hour fires at the first valid instant after it; a time inside the repeated hour fires once, in its first occurrence,
/// unless the hour field is <c>*</c>: such a schedule (<c>0 * * * *</c>, <c>*/30 * * * *</c>) runs every real hour, the
/// repeated one too, as cron and Cronos run it.
/// </summary>
public sealed class CronSchedule
{
    private readonly CronExpression _expression;
    private readonly TimeZoneInfo _zone;
    private readonly bool _everyHour;

    /// <summary>The schedule of <paramref name="spec"/>.</summary>
    public CronSchedule(ScheduleSpec spec)
    {
        var fields = spec.Cron.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        _expression = CronExpression.Parse(spec.Cron, fields.Length == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard);
        _zone = TimeZoneInfo.FindSystemTimeZoneById(spec.Timezone);
        // Cronos fires any expression with a non-fixed second, minute or hour in both occurrences; only an every-hour one should.
        _everyHour = fields[fields.Length == 6 ? 2 : 1] is "*" or "*/1";
    }

    /// <summary>The next tick strictly after <paramref name="instant"/>.</summary>
    public DateTimeOffset? Next(DateTimeOffset instant)
    {
        var next = _expression.GetNextOccurrence(instant, _zone);
        while (next is { } n && IsRepeat(n)) next = _expression.GetNextOccurrence(n, _zone);
        return next;
    }

    /// <summary>Ticks in (<paramref name="after"/>, <paramref name="upTo"/>], oldest first.</summary>
    public IReadOnlyList<DateTimeOffset> Due(DateTimeOffset after, DateTimeOffset upTo) =>
        _expression.GetOccurrences(after, upTo, _zone, fromInclusive: false, toInclusive: true).Where(t => !IsRepeat(t)).ToList();

    // The second occurrence of a wall-clock time inside the repeated hour (the smaller of its two offsets).
    private bool IsRepeat(DateTimeOffset tick)
    {
        if (_everyHour || !_zone.IsAmbiguousTime(tick)) return false;
        return tick.Offset < _zone.GetAmbiguousTimeOffsets(tick).Max();
    }
}
