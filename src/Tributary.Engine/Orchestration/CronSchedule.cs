using Cronos;
using Tributary.Core.Pipelines;

namespace Tributary.Engine.Orchestration;

/// <summary>
/// A pipeline's cron schedule in its IANA timezone (Cronos). Across daylight-saving changes: a time inside the skipped
/// hour fires at the first valid instant after it; a time inside the repeated hour fires once, in its first occurrence.
/// </summary>
public sealed class CronSchedule
{
    private readonly CronExpression _expression;
    private readonly TimeZoneInfo _zone;

    /// <summary>The schedule of <paramref name="spec"/>.</summary>
    public CronSchedule(ScheduleSpec spec)
    {
        var fields = spec.Cron.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
        _expression = CronExpression.Parse(spec.Cron, fields == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard);
        _zone = TimeZoneInfo.FindSystemTimeZoneById(spec.Timezone);
    }

    /// <summary>The next tick strictly after <paramref name="instant"/>.</summary>
    public DateTimeOffset? Next(DateTimeOffset instant) => _expression.GetNextOccurrence(instant, _zone);

    /// <summary>Ticks in (<paramref name="after"/>, <paramref name="upTo"/>], oldest first.</summary>
    public IReadOnlyList<DateTimeOffset> Due(DateTimeOffset after, DateTimeOffset upTo) =>
        _expression.GetOccurrences(after, upTo, _zone, fromInclusive: false, toInclusive: true).ToList();
}
