using Tributary.Core.Components;
using Tributary.Core.Warehousing;

namespace Tributary.Components;

/// <summary>
/// Timestamps as the project's reporting time zone sees them (tributary.yaml's <c>timezone:</c>, <see cref="ComponentContext.TimeZone"/>):
/// the warehouse holds UTC, and a day-level figure buckets by this zone's calendar days.
/// </summary>
internal static class ReportingZone
{
    /// <summary>
    /// SQL for <paramref name="column"/> of <paramref name="table"/> in the zone's wall-clock time (<see cref="SqlBuilder.Local"/>):
    /// a TIMESTAMP converted, a DATE as it is. In UTC it is the quoted column, and the table is not looked up.
    /// </summary>
    public static async Task<string> LocalAsync(ComponentContext context, SqlBuilder q, string table, string column, CancellationToken cancellationToken)
    {
        var kind = await KindAsync(context, table, column, cancellationToken).ConfigureAwait(false);
        return q.Local(q.Quote(column), kind, context.TimeZone);
    }

    /// <summary>
    /// The kind of <paramref name="column"/> of <paramref name="table"/> for <see cref="SqlBuilder.Local"/>: TIMESTAMP unless
    /// the warehouse says otherwise. In UTC the table is not looked up.
    /// </summary>
    public static async Task<DataKind> KindAsync(ComponentContext context, string table, string column, CancellationToken cancellationToken) =>
        SqlBuilder.IsUtc(context.TimeZone) ? DataKind.Timestamp
            : (await context.Warehouse.DescribeTableAsync(table, cancellationToken).ConfigureAwait(false))?.Find(column)?.Kind ?? DataKind.Timestamp;

    /// <summary>The zone's calendar day of the UTC time <paramref name="utc"/>.</summary>
    public static DateOnly Day(DateTime utc, TimeZoneInfo zone) =>
        DateOnly.FromDateTime(SqlBuilder.IsUtc(zone) ? utc : TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(utc, DateTimeKind.Utc), zone));
}
