using Tributary.Components.Features;
using Tributary.Core.Components;
using Tributary.Core.Warehousing;

namespace Tributary.Components.Propensity;

/// <summary>One day of a <c>features.customer_snapshot</c> table read into memory: customer ids and their feature rows.</summary>
/// <param name="Customers">Customer ids, ascending.</param>
/// <param name="Rows">The features of each customer in <see cref="Features"/> order; a missing value is NaN (see <see cref="SnapshotRows"/>).</param>
internal sealed record SnapshotTable(List<string> Customers, List<float[]> Rows)
{
    /// <summary>The snapshot's feature names, in row order.</summary>
    public static readonly string[] Features = SnapshotRows.Features;

    /// <summary>Position of a feature in a row.</summary>
    public static int IndexOf(string feature) => Array.IndexOf(Features, feature);

    /// <summary>A customer's value of a feature as the reasons read it: NaN when it is missing, any real value (−1 too) as it is.</summary>
    public static double Value(float[] row, string feature) => IndexOf(feature) is var k && k < 0 ? double.NaN : row[k];

    /// <summary>A feature's value for an output column: null when it is missing.</summary>
    public static double? OrNull(float value) => float.IsNaN(value) ? null : value;

    /// <summary>Reads the rows of one snapshot day.</summary>
    public static async Task<SnapshotTable> ReadAsync(IWarehouse w, string table, DateOnly day, CancellationToken cancellationToken)
    {
        var (customers, rows) = await SnapshotRows.ReadAsync(w, table, day, Features.Length, cancellationToken).ConfigureAwait(false);
        return new SnapshotTable(customers, rows);
    }

    /// <summary>The snapshot days the table holds, ascending.</summary>
    public static async Task<List<DateOnly>> DaysAsync(IWarehouse w, string table, CancellationToken cancellationToken)
    {
        var days = new List<DateOnly>();
        await foreach (var r in w.StreamAsync($"SELECT DISTINCT as_of FROM {w.Dialect.Quote(table)} ORDER BY 1", null, cancellationToken).ConfigureAwait(false))
            if (r[0] is DateOnly d) days.Add(d);
        return days;
    }

    /// <summary>Customers with an order in [from, to), days of the reporting zone as the snapshots' are.</summary>
    public static async Task<HashSet<string>> BuyersAsync(ComponentContext context, string orders, DateOnly from, DateOnly to, CancellationToken cancellationToken)
    {
        var w = context.Warehouse;
        var q = new SqlBuilder(w.Dialect);
        var at = await ReportingZone.LocalAsync(context, q, orders, "ordered_at", cancellationToken).ConfigureAwait(false);
        var sql = $"SELECT DISTINCT CAST(customer_id AS VARCHAR) FROM {q.Quote(orders)} WHERE {at} >= {q.Bind(CustomerSnapshot.Iso(from), DataKind.Date)} AND {at} < {q.Bind(CustomerSnapshot.Iso(to), DataKind.Date)} AND customer_id IS NOT NULL";
        var set = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var r in w.StreamAsync(sql, q.Parameters, cancellationToken).ConfigureAwait(false)) set.Add((string)r[0]!);
        return set;
    }

    /// <summary>
    /// A stable share in [0, 1) per customer id and seed (FNV-1a, then a 64-bit mix): a customer keeps its fold when
    /// others come and go, and across processes.
    /// </summary>
    public static double Share(string customer, int seed)
    {
        var h = 14695981039346656037UL;
        foreach (var c in customer) h = (h ^ c) * 1099511628211UL;
        h ^= (ulong)seed * 0x9E3779B97F4A7C15UL;
        h ^= h >> 31;
        h *= 0xBF58476D1CE4E5B9UL;
        h ^= h >> 29;
        return (h % 10_000) / 10_000.0;
    }
}
