using System.Globalization;
using System.Text;

namespace Tributary.Components.Samples;

/// <summary>
/// A small deterministic shop for the quickstart: customers.csv and orders.csv. Purchase counts are Poisson
/// with customer-specific gamma rates, so a few customers carry most revenue as in real stores.
/// </summary>
public static class QuickstartStore
{
    private static readonly string[] Countries = ["DE", "US", "FR", "GB", "NL", "ES"];
    private static readonly string[] Channels = ["paid_search", "email", "organic_search", "paid_social", "direct", "referral"];

    /// <summary>Writes the two files into <paramref name="folder"/>; the same seed writes the same bytes.</summary>
    public static void Write(string folder, int customers = 500, int seed = 42, DateOnly? start = null)
    {
        Directory.CreateDirectory(folder);
        var random = new Random(seed);
        var first = start ?? new DateOnly(2025, 1, 1);
        var people = new StringBuilder("customer_id,email,country,acquisition_channel,signed_up_at\n");
        var orders = new StringBuilder("order_id,customer_id,ordered_at,amount,currency,status\n");
        var orderId = 1000L;
        for (var c = 1; c <= customers; c++)
        {
            var signup = first.AddDays(random.Next(0, 300));
            people.Append(CultureInfo.InvariantCulture, $"{c},customer{c}@example.com,{Countries[random.Next(Countries.Length)]},{Channels[random.Next(Channels.Length)]},{signup:yyyy-MM-dd}\n");
            // Gamma(shape 0.8) rate per year via the sum of exponentials for the integer part plus a power draw for the rest.
            var rate = Gamma(random, 0.8) * 4.0;
            var basket = 20 + Gamma(random, 2.0) * 30;
            var days = 365 - (signup.DayNumber - first.DayNumber);
            var count = Poisson(random, rate * days / 365.0) + 1;
            for (var i = 0; i < count; i++)
            {
                var at = signup.ToDateTime(TimeOnly.MinValue).AddMinutes(random.Next(0, Math.Max(1, days) * 1440));
                var amount = Math.Round(basket * (0.5 + random.NextDouble()), 2);
                var status = random.NextDouble() < 0.04 ? "refunded" : "paid";
                orders.Append(CultureInfo.InvariantCulture, $"{orderId++},{c},{at:yyyy-MM-dd HH:mm:ss},{amount:0.00},EUR,{status}\n");
            }
        }
        File.WriteAllText(Path.Combine(folder, "customers.csv"), people.ToString());
        File.WriteAllText(Path.Combine(folder, "orders.csv"), orders.ToString());
    }

    // Marsaglia & Tsang (2000) for shape >= 1, boosted by U^(1/shape) below 1.
    private static double Gamma(Random random, double shape)
    {
        if (shape < 1) return Gamma(random, shape + 1) * Math.Pow(random.NextDouble(), 1 / shape);
        var d = shape - 1.0 / 3;
        var c = 1 / Math.Sqrt(9 * d);
        while (true)
        {
            double x, v;
            do
            {
                x = Normal(random);
                v = 1 + c * x;
            } while (v <= 0);
            v = v * v * v;
            var u = random.NextDouble();
            if (Math.Log(u) < 0.5 * x * x + d - d * v + d * Math.Log(v)) return d * v;
        }
    }

    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    // Knuth's multiplication method; means here are small.
    private static int Poisson(Random random, double mean)
    {
        var limit = Math.Exp(-mean);
        var k = 0;
        var p = random.NextDouble();
        while (p > limit)
        {
            k++;
            p *= random.NextDouble();
        }
        return k;
    }
}
