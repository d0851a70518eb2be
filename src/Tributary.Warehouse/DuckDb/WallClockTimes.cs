using Tributary.Core.Warehousing;

namespace Tributary.Warehouse.DuckDb;

/// <summary>
/// Timestamps read from files without an offset, as wall-clock times of a zone (<see cref="FileReadOptions.OffsetlessZone"/>):
/// DuckDB's SQL that turns them into the UTC instants the warehouse stores. Values with an offset are left alone.
/// </summary>
internal static class WallClockTimes
{
    /// <summary>A value that names its offset: a time of day followed by Z or a signed hour (+01:00, -0500, +01).</summary>
    public const string OffsetPattern = @"\d:\d\d(:\d\d(\.\d+)?)?\s*([Zz]|[+-]\d\d(:?\d\d)?)\s*$";

    /// <summary>The zone's IANA name when it shifts anything: null for none, UTC or a zone that is UTC all year.</summary>
    public static string? Of(string? zone) =>
        zone is null || !TimeZoneInfo.TryFindSystemTimeZoneById(zone, out var found) || SqlBuilder.IsUtc(found) ? null : zone;

    /// <summary>Whether DuckDB's type name is a timestamp without a zone (TIMESTAMP, TIMESTAMP_NS...), which a reader gives times without an offset.</summary>
    public static bool IsWallClock(string typeName)
    {
        var t = typeName.ToUpperInvariant();
        return t.StartsWith("TIMESTAMP", StringComparison.Ordinal) && !t.Contains("TZ", StringComparison.Ordinal) && !t.Contains("TIME ZONE", StringComparison.Ordinal);
    }

    /// <summary>
    /// The UTC time of <paramref name="expression"/>, a wall-clock time in the zone that parameter <paramref name="zone"/>
    /// binds. A time the zone skips or repeats takes its standard offset, as PostgreSQL and .NET read both.
    /// </summary>
    public static string ToUtc(string expression, string zone) => $"timezone('UTC', timezone({zone}, {expression}))";

    /// <summary>
    /// Text <paramref name="column"/> as <paramref name="type"/>: a value that names its offset (parameter <paramref name="pattern"/>
    /// binds <see cref="OffsetPattern"/>) at that offset, any other as a wall-clock time in <paramref name="zone"/>.
    /// </summary>
    public static string ToUtcUnlessOffset(string column, string type, string zone, string pattern) =>
        $"CAST(CASE WHEN regexp_matches({column}, {pattern}) THEN timezone('UTC', CAST({column} AS TIMESTAMPTZ)) ELSE {ToUtc($"CAST({column} AS TIMESTAMP)", zone)} END AS {type})";
}
