using System.Globalization;
using Tributary.Core.Components;
using Tributary.Core.Warehousing;

namespace Tributary.Components.Ltv;

/// <summary>
/// One customer's calibration history: transaction days (same-day orders merged), in days from the first, and the value of
/// the repeat days (the first day's value is not in the models: Gamma-Gamma takes the mean of repeat transactions).
/// </summary>
internal sealed record CustomerHistory(string CustomerId, int RepeatDays, int DaysToLast, int DaysObserved, double RepeatValue);

/// <summary>
/// Reads order lines into per-customer histories with one pushed-down query (keyed by customer, so it
/// distributes): same-day orders count as one transaction, as in the buy-till-you-die literature.
/// </summary>
internal static class PurchaseHistory
{
    public static async Task<DateOnly> LastOrderDayAsync(ComponentContext context, string table, string dateColumn, CancellationToken cancellationToken)
    {
        var q = new SqlBuilder(context.Warehouse.Dialect);
        var day = q.Cast(await ReportingZone.LocalAsync(context, q, table, dateColumn, cancellationToken).ConfigureAwait(false), DataKind.Date);
        var value = await context.Warehouse.ScalarAsync($"SELECT max({day}) FROM {q.Quote(table)}", q.Parameters, cancellationToken)
            .ConfigureAwait(false);
        return value is DateOnly last ? last : throw new InputDataException($"input '{table}' has no orders with a date in '{dateColumn}'.");
    }

    public static async Task<List<CustomerHistory>> ReadAsync(ComponentContext context, string table, LtvParameters p, DateOnly calibrationEnd,
        CancellationToken cancellationToken)
    {
        var d = context.Warehouse.Dialect;
        var (c, t, a) = (d.Quote(p.CustomerColumn), d.Quote(p.DateColumn), d.Quote(p.AmountColumn));
        var q = new SqlBuilder(d);
        // Same-day orders are one transaction on the reporting zone's days.
        var day = q.Cast(await ReportingZone.LocalAsync(context, q, table, p.DateColumn, cancellationToken).ConfigureAwait(false), DataKind.Date);
        var end = q.Bind(calibrationEnd.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), DataKind.Date);
        // Grouped by the id as stored (text only on the way out); day counts come out of the engine as integers (DATE − DATE
        // is a whole number of days on both engines) and every column is read typed, so a customer costs no boxed values.
        // Amounts are summed exactly: a floating-point sum's last bits follow the order the engine meets the rows, which
        // moves the fitted parameters and every score on a re-run over the same orders.
        var integer = d.TypeName(DataKind.Integer);
        var sql = $"""
            WITH days AS (
                SELECT {c} AS customer_id, {day} AS day, {q.ExactSum($"CAST({a} AS DOUBLE PRECISION)")} AS value
                FROM {d.Quote(table)}
                WHERE {c} IS NOT NULL AND {t} IS NOT NULL AND {day} <= {end}
                GROUP BY 1, 2),
            ranked AS (SELECT customer_id, day, value, row_number() OVER (PARTITION BY customer_id ORDER BY day) AS n FROM days)
            SELECT CAST(customer_id AS VARCHAR) AS id, CAST(count(*) - 1 AS {integer}), CAST(max(day) - min(day) AS {integer}), CAST({end} - min(day) AS {integer}),
                coalesce({q.ExactSum("value", "n > 1")}, 0)
            FROM ranked GROUP BY customer_id ORDER BY {d.ByteOrder("CAST(customer_id AS VARCHAR)")}
            """;
        var list = new List<CustomerHistory>();
        await foreach (var r in context.Warehouse.StreamRecordsAsync(sql, q.Parameters, cancellationToken).ConfigureAwait(false))
            list.Add(new CustomerHistory(r.GetString(0), (int)r.GetInt64(1), (int)r.GetInt64(2), (int)r.GetInt64(3), r.GetDouble(4)));
        return list;
    }

    /// <summary>Distinct purchase days per customer in (calibration end, holdout end].</summary>
    public static async Task<Dictionary<string, int>> HoldoutAsync(ComponentContext context, string table, LtvParameters p, DateOnly calibrationEnd,
        DateOnly holdoutEnd, CancellationToken cancellationToken)
    {
        var d = context.Warehouse.Dialect;
        var c = d.Quote(p.CustomerColumn);
        var q = new SqlBuilder(d);
        var day = q.Cast(await ReportingZone.LocalAsync(context, q, table, p.DateColumn, cancellationToken).ConfigureAwait(false), DataKind.Date);
        var (from, to) = (q.Bind(calibrationEnd.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), DataKind.Date),
            q.Bind(holdoutEnd.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), DataKind.Date));
        var sql = $"""
            SELECT CAST({c} AS VARCHAR), count(DISTINCT {day}) FROM {d.Quote(table)}
            WHERE {c} IS NOT NULL AND {day} > {from} AND {day} <= {to}
            GROUP BY 1
            """;
        var result = new Dictionary<string, int>(StringComparer.Ordinal);
        await foreach (var row in context.Warehouse.StreamAsync(sql, q.Parameters, cancellationToken).ConfigureAwait(false))
            result[(string)row[0]!] = Convert.ToInt32(row[1], CultureInfo.InvariantCulture);
        return result;
    }
}
