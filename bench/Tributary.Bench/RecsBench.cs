using System.Diagnostics;
using System.Globalization;
using Tributary.Analytics.Recommendations;

namespace Tributary.Bench;

/// <summary>Implicit ALS speed: a generated users × items matrix written to CSV (for the Python peer), then fitted.</summary>
internal static class RecsBench
{
    /// <summary>Writes user,item,weight rows: each user picks items mostly from one of 20 taste groups, items by a Zipf-like popularity.</summary>
    public static void WriteData(string path, int users, int items, int interactions, int seed)
    {
        var random = new Random(seed);
        var perUser = interactions / users;
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        using var w = new StreamWriter(path);
        w.WriteLine("user,item,weight");
        var groupSize = items / 20;
        for (var u = 0; u < users; u++)
        {
            var group = random.Next(20);
            var seen = new HashSet<int>();
            while (seen.Count < perUser)
            {
                var rank = (int)Math.Min(groupSize - 1, Math.Floor(groupSize * Math.Pow(random.NextDouble(), 2)));
                var item = random.NextDouble() < 0.8 ? group * groupSize + rank : random.Next(items);
                if (seen.Add(item)) w.WriteLine($"{u},{item},{1 + random.Next(3)}");
            }
        }
    }

    public static void Als(string path, int factors, int iterations)
    {
        var watch = Stopwatch.StartNew();
        var (rows, cols, vals) = (new List<int>(), new List<int>(), new List<double>());
        foreach (var line in File.ReadLines(path).Skip(1))
        {
            var f = line.Split(',');
            rows.Add(int.Parse(f[0], CultureInfo.InvariantCulture));
            cols.Add(int.Parse(f[1], CultureInfo.InvariantCulture));
            vals.Add(double.Parse(f[2], CultureInfo.InvariantCulture));
        }
        var matrix = InteractionMatrix.FromTriplets(rows.Max() + 1, cols.Max() + 1, rows.ToArray(), cols.ToArray(), vals.ToArray());
        Console.Error.WriteLine($"read {matrix.Count:N0} interactions ({matrix.Users:N0} × {matrix.Items:N0}) in {watch.Elapsed.TotalSeconds:0.0}s");
        // One sweep first to JIT, then the measured sweeps.
        ImplicitAls.Fit(matrix, new ImplicitAlsOptions(factors, 0.1, 10, 1, 3, 1));
        watch.Restart();
        ImplicitAls.Fit(matrix, new ImplicitAlsOptions(factors, 0.1, 10, iterations, 3, 1));
        Console.WriteLine($"seconds={(watch.Elapsed.TotalSeconds / iterations).ToString("0.000", CultureInfo.InvariantCulture)}");
    }
}
