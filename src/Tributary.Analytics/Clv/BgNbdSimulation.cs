using MathNet.Numerics.Distributions;

namespace Tributary.Analytics.Clv;

/// <summary>
/// Draws customers from the BG/NBD generative story (FHL 2005, section 3): rate λ ~ gamma(r, α), dropout
/// p ~ beta(a, b), exponential gaps between purchases, and a dropout chance of p after each repeat purchase.
/// Known ground truth for fitting tests and benchmarks.
/// </summary>
public static class BgNbdSimulation
{
    /// <summary>Simulates <paramref name="customers"/> customers each observed for <paramref name="age"/> time units.</summary>
    public static RfmSummary Simulate(BgNbdParameters truth, int customers, double age, Random random)
    {
        var x = new double[customers];
        var tx = new double[customers];
        var t = new double[customers];
        for (var i = 0; i < customers; i++)
        {
            var rate = Gamma.Sample(random, truth.R, truth.Alpha);
            var dropout = Beta.Sample(random, truth.A, truth.B);
            double clock = 0, last = 0;
            var count = 0;
            while (true)
            {
                clock += Exponential.Sample(random, rate);
                if (clock > age) break;
                count++;
                last = clock;
                if (random.NextDouble() < dropout) break;
            }
            (x[i], tx[i], t[i]) = (count, last, age);
        }
        return new RfmSummary(x, tx, t);
    }
}
