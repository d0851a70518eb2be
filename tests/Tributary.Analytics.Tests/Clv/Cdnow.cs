using System.Globalization;
using Tributary.Analytics.Clv;
using Tributary.Testing;

namespace Tributary.Analytics.Tests.Clv;

/// <summary>
/// The CDNOW sample (2,357 customers, weeks, calibration through 1997-09-30) from the team's shared data.
/// Tests that need it skip with a clear message when ../shared/data is absent (and fail in CI).
/// </summary>
public static class Cdnow
{
    /// <summary>x, t_x, T in weeks, one row per customer (cdnow_customers_summary.csv).</summary>
    public static RfmSummary Summary()
    {
        var rows = ReadCsv("cdnow_customers_summary.csv");
        return new RfmSummary(rows.Select(r => r[1]).ToArray(), rows.Select(r => r[2]).ToArray(), rows.Select(r => r[3]).ToArray());
    }

    /// <summary>x and zbar (mean value of repeat transactions) for every customer.</summary>
    public static (double[] Frequency, double[] MeanValue) Spend()
    {
        var rows = ReadCsv("cdnow_customers_summary_with_transactions.csv");
        return (rows.Select(r => r[1]).ToArray(), rows.Select(r => r[4]).ToArray());
    }

    private static List<double[]> ReadCsv(string name)
    {
        var folder = RepositoryFiles.RequireSharedData("cdnow");
        return File.ReadAllLines(Path.Combine(folder, name)).Skip(1).Where(l => l.Length > 0)
            .Select(l => l.Split(',').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray()).ToList();
    }
}
