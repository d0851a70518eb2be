using System.Globalization;
using Tributary.Core.Pipelines;
using Tributary.Core.Warehousing;

namespace Tributary.Engine.Checks;

/// <summary>Evaluates data quality checks on a materialized table, each as one counting query.</summary>
public static class CheckRunner
{
    /// <summary>Runs a check; the detail says how many rows broke it.</summary>
    public static async Task<(bool Passed, string Detail)> RunAsync(IWarehouse warehouse, string table, CheckSpec check, CancellationToken cancellationToken)
    {
        var d = warehouse.Dialect;
        var t = d.Quote(table);
        var cols = check.Columns.Select(d.Quote).ToList();
        var q = new SqlBuilder(d);
        var (sql, parameters) = check.Type switch
        {
            CheckType.RowCountMin => ($"SELECT count(*) FROM {t}", (IReadOnlyList<object?>?)null),
            CheckType.NotNull => ($"SELECT count(*) FROM {t} WHERE {string.Join(" OR ", cols.Select(c => $"{c} IS NULL"))}", null),
            CheckType.Unique => ($"SELECT count(*) FROM (SELECT {string.Join(", ", cols)} FROM {t} GROUP BY {string.Join(", ", cols)} HAVING count(*) > 1) AS dup", null),
            CheckType.AcceptedValues => ($"SELECT count(*) FROM {t} WHERE {cols[0]} IS NOT NULL AND CAST({cols[0]} AS VARCHAR) NOT IN ({q.BindList(check.Values, DataKind.Text)})",
                q.Parameters),
            // The predicate is the user's own SQL by design; a NULL result counts as a failure.
            CheckType.Expression => ($"SELECT count(*) FROM {t} WHERE NOT COALESCE(({check.Sql}), FALSE)", null),
            _ => throw new System.Diagnostics.UnreachableException(check.Type.ToString()),
        };
        var count = Convert.ToInt64(await warehouse.ScalarAsync(sql, parameters, cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
        return check.Type switch
        {
            CheckType.RowCountMin => (count >= check.Value, $"{count} rows, at least {check.Value} required"),
            CheckType.Unique => (count == 0, count == 0 ? "no duplicates" : $"{count} duplicated values"),
            _ => (count == 0, count == 0 ? "all rows pass" : $"{count} rows fail"),
        };
    }
}
