using System.Globalization;
using Tributary.Analytics.Experiments;
using Tributary.Core.Components;

namespace Tributary.Components.Experiments;

/// <summary>One row of an <c>experiment.metrics</c> table.</summary>
internal sealed record StatisticRow(string Experiment, string Variant, string Metric, string Kind, string Stratum, DateOnly? Day, ArmMoments Moments);

/// <summary>Reads the sufficient statistics that <c>experiment.metrics</c> wrote.</summary>
internal static class ExperimentStatistics
{
    public static async Task<List<StatisticRow>> ReadAsync(ComponentContext context, string table, CancellationToken cancellationToken)
    {
        var d = context.Warehouse.Dialect;
        var sql = $"""
            SELECT experiment, variant, metric, kind, stratum, exposure_day, units, sum_y, sum_y2, sum_x, sum_x2, sum_xy,
                   sum_z, sum_z2, sum_yz, sum_xz, sum_w, sum_w2, sum_yw, sum_xw, sum_zw
            FROM {d.Quote(table)} WHERE experiment IS NOT NULL AND variant IS NOT NULL AND metric IS NOT NULL
            """;
        var rows = new List<StatisticRow>();
        await foreach (var r in context.Warehouse.StreamAsync(sql, null, cancellationToken).ConfigureAwait(false))
        {
            double D(int i) => r[i] is null ? 0 : Convert.ToDouble(r[i], CultureInfo.InvariantCulture);
            var day = r[5] switch { DateOnly x => x, DateTime t => DateOnly.FromDateTime(t), _ => (DateOnly?)null };
            rows.Add(new StatisticRow((string)r[0]!, (string)r[1]!, (string)r[2]!, (string?)r[3] ?? "sum", (string?)r[4] ?? "", day,
                new ArmMoments(Convert.ToInt64(r[6], CultureInfo.InvariantCulture), D(7), D(8), D(9), D(10), D(11))
                {
                    Covariates = new CovariateMoments(D(12), D(13), D(14), D(15), D(16), D(17), D(18), D(19), D(20)),
                }));
        }
        return rows;
    }

    /// <summary>The estimator's shape for a kind written by <c>experiment.metrics</c>.</summary>
    public static MetricShape ShapeOf(string kind) => kind == "ratio" ? MetricShape.Ratio : MetricShape.Mean;

    /// <summary>The control variant: the named one, or the first in ordinal order.</summary>
    /// <exception cref="ArgumentException"><paramref name="control"/> is none of the experiment's variants.</exception>
    public static string ControlOf(string experiment, IReadOnlyCollection<string> variants, string? control)
    {
        if (control is null) return variants.Order(StringComparer.Ordinal).First();
        if (variants.Contains(control)) return control;
        throw new ArgumentException($"experiment '{experiment}' has no variant '{control}' (variants: {string.Join(", ", variants.Order(StringComparer.Ordinal))}); set control to one of them.");
    }

    /// <summary>Sums moments.</summary>
    public static ArmMoments Sum(IEnumerable<StatisticRow> rows) => rows.Aggregate(default(ArmMoments), (a, r) => a + r.Moments);
}
