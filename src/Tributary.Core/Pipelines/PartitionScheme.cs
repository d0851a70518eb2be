using System.Globalization;

namespace Tributary.Core.Pipelines;

/// <summary>
/// One partition: its key, and for time partitions the window [Start, End) as instants. A two-dimensional partition
/// (time windows × static keys) has a key <c>time|static</c>.
/// </summary>
public sealed record PartitionKey(string Key, DateTimeOffset? Start, DateTimeOffset? End, string? Static)
{
    /// <summary>Values for <c>${partition.key}</c>, <c>.start</c>, <c>.end</c> (UTC, <c>yyyy-MM-dd HH:mm:ss</c>) and <c>.static</c>.</summary>
    public IReadOnlyDictionary<string, string> Variables => new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["key"] = Key,
        ["start"] = Start is { } s ? s.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) : "",
        ["end"] = End is { } e ? e.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) : "",
        ["static"] = Static ?? "",
    };
}

/// <summary>
/// The partitions a <see cref="PartitionsSpec"/> defines. Time windows follow the wall clock of the spec's timezone:
/// a daily partition runs from local midnight to the next (23 or 25 hours across a daylight-saving change), weeks
/// start on Monday (ISO 8601), months on the 1st. Hourly keys are local times; the repeated hour when clocks go back
/// gets its UTC offset appended so both hours have a key. Only complete windows exist: a window is listed once it has ended.
/// </summary>
public sealed class PartitionScheme
{
    /// <summary>The most partitions a pipeline may have by the day it is validated: hourly ones for about 11 years, daily ones for 270.</summary>
    public const int MaxPartitions = 100_000;

    /// <summary>The earliest start date of time partitions.</summary>
    public static DateOnly EarliestStart { get; } = new(1900, 1, 1);

    /// <summary>The latest start date of time partitions.</summary>
    public static DateOnly LatestStart { get; } = new(2999, 12, 31);

    private static readonly DateOnly DefaultStart = new(2000, 1, 1);

    private readonly PartitionsSpec _spec;
    private readonly TimeZoneInfo _zone;

    /// <summary>The scheme of <paramref name="spec"/>.</summary>
    public PartitionScheme(PartitionsSpec spec)
    {
        _spec = spec;
        _zone = TimeZoneInfo.FindSystemTimeZoneById(spec.Timezone);
    }

    /// <summary>True for hourly, daily, weekly and monthly partitions (with or without static keys).</summary>
    public bool IsTimeBased => _spec.Type != PartitionGranularity.Static;

    /// <summary>
    /// How many partitions <paramref name="spec"/> has on <paramref name="today"/>, computed without listing them and
    /// for any start date: whole days since the start (24 hours each), times the static keys.
    /// </summary>
    public static long Count(PartitionsSpec spec, DateOnly today)
    {
        if (spec.Type == PartitionGranularity.Static) return spec.Keys.Count;
        var start = spec.Start ?? DefaultStart;
        long days = Math.Max(0, today.DayNumber - start.DayNumber);
        var windows = spec.Type switch
        {
            PartitionGranularity.Hourly => days * 24,
            PartitionGranularity.Daily => days,
            PartitionGranularity.Weekly => days / 7,
            _ => Math.Max(0, ((long)today.Year - start.Year) * 12 + today.Month - start.Month),
        };
        return windows * Math.Max(1, spec.Keys.Count);
    }

    /// <summary>Every partition that exists at <paramref name="now"/>, oldest first; time before static key.</summary>
    public IReadOnlyList<PartitionKey> All(DateTimeOffset now) => Existing(now).ToList();

    /// <summary>The partitions of <see cref="All"/> one at a time, for callers that page through them.</summary>
    public IEnumerable<PartitionKey> Existing(DateTimeOffset now)
    {
        if (!IsTimeBased) return _spec.Keys.Select(k => new PartitionKey(k, null, null, k));
        return Windows().TakeWhile(w => w.End <= now).SelectMany(w => Combine(w.Key, w.Start, w.End));
    }

    /// <summary>
    /// What a schedule's or sensor's tick at <paramref name="now"/> materializes: the newest complete window, once for
    /// each static key (every key of static partitions); empty before the first window ends.
    /// </summary>
    public IReadOnlyList<PartitionKey> Latest(DateTimeOffset now)
    {
        var all = All(now);
        return IsTimeBased ? all.Skip(all.Count - Math.Min(all.Count, Math.Max(1, _spec.Keys.Count))).ToList() : all;
    }

    /// <summary>The partitions from <paramref name="from"/> to <paramref name="to"/> inclusive (time keys, or full keys).</summary>
    public IReadOnlyList<PartitionKey> Range(string from, string to, DateTimeOffset now)
    {
        var all = All(now);
        bool Matches(PartitionKey p, string key) => p.Key == key || p.Key.StartsWith(key + "|", StringComparison.Ordinal);
        int Index(string key, bool last)
        {
            var i = last ? all.ToList().FindLastIndex(p => Matches(p, key)) : all.ToList().FindIndex(p => Matches(p, key));
            if (i < 0)
                throw new ArgumentException($"'{key}' is not a partition of this pipeline{(all.Count == 0 ? " (none exist yet)" : $"; they run from {all[0].Key} to {all[^1].Key}")}.");
            return i;
        }
        var a = Index(from, last: false);
        var b = Index(to, last: true);
        if (b < a) throw new ArgumentException($"From ({from}) comes after To ({to}); swap the two.");
        return all.Skip(a).Take(b - a + 1).ToList();
    }

    /// <summary>The partition with this key, or an error naming what keys look like.</summary>
    public PartitionKey Parse(string key, DateTimeOffset now) =>
        All(now).FirstOrDefault(p => p.Key == key)
        ?? throw new ArgumentException($"'{key}' is not a partition of this pipeline; keys look like '{Example()}'.");

    /// <summary>The keys of an input's partitions that partition <paramref name="key"/> depends on under <paramref name="mapping"/>.</summary>
    public IReadOnlyList<string> Map(string key, PartitionMapping mapping, DateTimeOffset now)
    {
        switch (mapping.Kind)
        {
            case PartitionMappingKind.Identity:
                return [key];
            case PartitionMappingKind.All:
                return All(now).Select(p => p.Key).ToList();
            case PartitionMappingKind.Last:
                return All(now) is { Count: > 0 } all ? [all[^1].Key] : [];
            default:
                // Offsets move along the time windows and keep the static key.
                var same = All(now).Where(p => p.Static == Parse(key, now).Static).ToList();
                var i = same.FindIndex(p => p.Key == key) + mapping.Offset;
                return i >= 0 && i < same.Count ? [same[i].Key] : [];
        }
    }

    /// <summary>The first partition, for validating a pipeline without a clock.</summary>
    public PartitionKey First()
    {
        if (!IsTimeBased) return new PartitionKey(_spec.Keys[0], null, null, _spec.Keys[0]);
        var (start, end, key) = Windows().First();
        return Combine(key, start, end).First();
    }

    private string Example() => First().Key;

    private IEnumerable<PartitionKey> Combine(string key, DateTimeOffset start, DateTimeOffset end) =>
        _spec.Keys.Count == 0 ? [new PartitionKey(key, start, end, null)] : _spec.Keys.Select(k => new PartitionKey($"{key}|{k}", start, end, k));

    private IEnumerable<(DateTimeOffset Start, DateTimeOffset End, string Key)> Windows()
    {
        var local = (_spec.Start ?? DefaultStart).ToDateTime(TimeOnly.MinValue);
        if (_spec.Type == PartitionGranularity.Weekly) local = local.AddDays(-(((int)local.DayOfWeek + 6) % 7));
        if (_spec.Type == PartitionGranularity.Monthly) local = new DateTime(local.Year, local.Month, 1, 0, 0, 0, DateTimeKind.Unspecified);
        if (_spec.Type == PartitionGranularity.Hourly)
        {
            // Hours are instants; the key is the local wall time.
            var instant = Instant(local);
            while (true)
            {
                var next = instant.AddHours(1);
                var wall = TimeZoneInfo.ConvertTime(instant, _zone);
                var key = wall.ToString("yyyy-MM-dd'T'HH:mm", CultureInfo.InvariantCulture);
                if (_zone.IsAmbiguousTime(wall.DateTime) && wall.Offset == _zone.GetAmbiguousTimeOffsets(wall.DateTime).Min()) key += wall.ToString("zzz", CultureInfo.InvariantCulture);
                yield return (instant, next, key);
                instant = next;
            }
        }
        while (true)
        {
            var nextLocal = _spec.Type switch
            {
                PartitionGranularity.Daily => local.AddDays(1),
                PartitionGranularity.Weekly => local.AddDays(7),
                _ => local.AddMonths(1),
            };
            var key = local.ToString(_spec.Type == PartitionGranularity.Monthly ? "yyyy-MM" : "yyyy-MM-dd", CultureInfo.InvariantCulture);
            yield return (Instant(local), Instant(nextLocal), key);
            local = nextLocal;
        }
    }

    // A local midnight that falls in a skipped hour moves to the first valid instant after it.
    private DateTimeOffset Instant(DateTime local)
    {
        while (_zone.IsInvalidTime(local)) local = local.AddMinutes(30);
        var offset = _zone.IsAmbiguousTime(local) ? _zone.GetAmbiguousTimeOffsets(local).Max() : _zone.GetUtcOffset(local);
        return new DateTimeOffset(local, offset);
    }
}
