using System.Globalization;
using Tributary.Core.Warehousing;

namespace Tributary.Components.Features;

/// <summary>
/// One day of a <c>features.customer_snapshot</c> table as a model reads it: customer ids and a row of floats per
/// customer, the snapshot's features in column order. A NULL (no second order, no visit, no open ticket) is NaN,
/// LightGBM's missing value, never a number such as −1 that a real value (a trend of −1) can also be.
/// </summary>
internal static class SnapshotRows
{
    /// <summary>The snapshot's feature names, in row order: every column but customer_id and as_of.</summary>
    public static readonly string[] Features = CustomerSnapshot.Columns.Skip(2).Select(c => c.Name).ToArray();

    /// <summary>
    /// The row of one record read as customer id, then the features as DOUBLE PRECISION; <paramref name="width"/> is at
    /// least the features, leaving room (0) for values a model adds after them.
    /// </summary>
    public static float[] Row(object?[] record, int width)
    {
        var row = new float[width];
        for (var k = 1; k < record.Length; k++) row[k - 1] = record[k] is null ? float.NaN : (float)Convert.ToDouble(record[k], CultureInfo.InvariantCulture);
        return row;
    }

    /// <summary>Reads the rows of one snapshot day, customers ascending, each <paramref name="width"/> long (see <see cref="Row"/>).</summary>
    public static async Task<(List<string> Customers, List<float[]> Rows)> ReadAsync(IWarehouse w, string table, DateOnly day, int width, CancellationToken cancellationToken)
    {
        var q = new SqlBuilder(w.Dialect);
        var names = Features.Select(c => $"CAST({q.Quote(c)} AS DOUBLE PRECISION)");
        var sql = $"SELECT CAST(customer_id AS VARCHAR), {string.Join(", ", names)} FROM {q.Quote(table)} WHERE as_of = {q.Bind(CustomerSnapshot.Iso(day), DataKind.Date)} ORDER BY {w.Dialect.ByteOrder("CAST(customer_id AS VARCHAR)")}";
        var customers = new List<string>();
        var rows = new List<float[]>();
        await foreach (var r in w.StreamAsync(sql, q.Parameters, cancellationToken).ConfigureAwait(false))
        {
            customers.Add((string)r[0]!);
            rows.Add(Row(r, width));
        }
        return (customers, rows);
    }
}
