using MathNet.Numerics.Distributions;

namespace Tributary.Analytics.Clv;

/// <summary>
/// A per-customer prediction interval of the discounted value a customer will spend over a horizon: the quantiles of
/// that value simulated from the fitted models given the customer's history, so it covers what a customer actually
/// spends (including nothing), where an interval of the expected value covers only the mean. Parameters are held at
/// their estimates; the simulation draws whether the customer is alive, their purchase and dropout rates from their
/// posterior, the purchases to the horizon and each purchase's spend.
/// <list type="bullet">
/// <item>BG/NBD (Fader, Hardie &amp; Lee 2005, "Counting Your Customers the Easy Way", eq. 3 times the priors): the
/// posterior of (λ, p) given (x, t_x, T) is a mixture. With weight P(alive), eq. (13), the customer is alive at T with
/// λ ~ gamma(r + x, α + T) and p ~ beta(a, b + x) (x purchases, none followed by dropout); otherwise they dropped out
/// after their last purchase and buy nothing more. Alive, they buy at exponential gaps of rate λ and drop out with
/// chance p after each purchase.</item>
/// <item>Pareto/NBD (Fader &amp; Hardie 2005, "A Note on Deriving the Pareto/NBD Model and Related Expressions": the
/// individual likelihood's term for a customer still alive at T, λ^x e^−(λ+μ)T, times the priors): alive with P(alive),
/// eq. (18), λ ~ gamma(r + x, α + T) and μ ~ gamma(s, β + T); the remaining lifetime is exponential(μ) (memoryless) and
/// purchases Poisson(λ) within it.</item>
/// <item>Gamma-Gamma (Fader &amp; Hardie 2013, "The Gamma-Gamma Model of Monetary Value", eq. 4): the customer's
/// ν | x, z̄ ~ gamma(px + q, γ + x z̄), and each purchase spends gamma(p, ν).</item>
/// </list>
/// Each purchase is discounted as <see cref="CustomerValue.Discounted"/> discounts the expected value: by the end of
/// its month, at the annual rate, so the simulated mean is the point CLV.
/// </summary>
/// <remarks>
/// A customer's value is (γ + x z̄) · W / G with W = Σ discount · gamma(p, 1) over the simulated purchases and
/// G ~ gamma(px + q, 1): everything but the scale γ + x z̄ depends on (x, T) alone once alive. So the alive values are
/// simulated once per distinct (x, T, x of the spend model), and each customer's quantiles are read from them as the
/// mixture with a point mass at 0 of weight 1 − P(alive), then scaled.
/// </remarks>
public static class ValuePrediction
{
    /// <summary>
    /// The lower and upper quantiles (<see cref="ValuePredictionOptions.Lower"/>, <see cref="ValuePredictionOptions.Upper"/>) of each customer's discounted value over the horizon.
    /// </summary>
    /// <param name="model">The fitted repeat-purchase model: <see cref="BgNbdParameters"/> or <see cref="ParetoNbdParameters"/>.</param>
    /// <param name="spend">The fitted Gamma-Gamma parameters.</param>
    /// <param name="customers">x, t_x, T per customer in the model's time unit.</param>
    /// <param name="spendFrequency">x as the spend model counts it (0 below its minimum of repeat orders), per customer.</param>
    /// <param name="meanValue">z̄, the mean value of the customer's repeat purchases (ignored where spendFrequency is 0).</param>
    /// <param name="alive">P(alive) per customer, as the model gives it.</param>
    /// <param name="options">Horizon, discounting, simulations, seed and levels.</param>
    /// <param name="cancellationToken">Stops the simulation.</param>
    /// <exception cref="ArgumentException">Mismatched lengths, another model, or fewer than 10 simulations.</exception>
    public static (double[] Low, double[] High) Interval(IRepeatPurchaseModel model, GammaGammaParameters spend, RfmSummary customers,
        IReadOnlyList<double> spendFrequency, IReadOnlyList<double> meanValue, IReadOnlyList<double> alive, ValuePredictionOptions options,
        CancellationToken cancellationToken = default)
    {
        var n = customers.Count;
        if (spendFrequency.Count != n || meanValue.Count != n || alive.Count != n)
            throw new ArgumentException($"every input needs one value per customer: {n} histories, {spendFrequency.Count} spend frequencies, {meanValue.Count} mean values, {alive.Count} P(alive).");
        if (model is not (BgNbdParameters or ParetoNbdParameters))
            throw new ArgumentException($"no value simulation for model '{model.Name}'.", nameof(model));
        if (options.Simulations < 10) throw new ArgumentException($"need at least 10 simulations, got {options.Simulations}.", nameof(options));

        // Customers grouped by what their alive values depend on; the groups sorted so the seeds do not depend on input order.
        var groups = new Dictionary<(double X, double T, double SpendX), List<int>>();
        for (var i = 0; i < n; i++)
        {
            var key = (customers.Frequency[i], customers.Age[i], spendFrequency[i]);
            if (!groups.TryGetValue(key, out var members)) groups[key] = members = [];
            members.Add(i);
        }
        var keys = groups.Keys.OrderBy(k => k.T).ThenBy(k => k.X).ThenBy(k => k.SpendX).ToArray();
        var steps = Steps(options);
        var (low, high) = (new double[n], new double[n]);
        Parallel.For(0, keys.Length, new ParallelOptions { CancellationToken = cancellationToken },
            () => new double[options.Simulations], (g, _, sample) =>
            {
                var key = keys[g];
                var random = new Random(SeedOf(options.Seed, g));
                for (var s = 0; s < sample.Length; s++)
                    sample[s] = AliveValue(model, spend, key.X, key.T, key.SpendX, options.Horizon, steps, random);
                Array.Sort(sample);
                foreach (var i in groups[key])
                {
                    var scale = spendFrequency[i] > 0 ? spend.Gamma + spendFrequency[i] * meanValue[i] : spend.Gamma;
                    low[i] = scale * MixtureQuantile(sample, alive[i], options.Lower);
                    high[i] = scale * MixtureQuantile(sample, alive[i], options.Upper);
                }
                return sample;
            }, _ => { });
        return (low, high);
    }

    // The q quantile of "0 with probability 1 − π, else a draw of the alive sample" (sorted), interpolated within the
    // sample as OrderStatistics.Quantile does.
    internal static double MixtureQuantile(double[] sorted, double alive, double q)
    {
        if (alive <= 0 || q <= 1 - alive) return 0;
        var u = Math.Min(1, (q - (1 - alive)) / alive);
        var position = u * (sorted.Length - 1);
        var lower = (int)Math.Floor(position);
        var upper = Math.Min(lower + 1, sorted.Length - 1);
        return sorted[lower] + (position - lower) * (sorted[upper] - sorted[lower]);
    }

    // Each month step's end (the horizon for the last) and its discount factor, as CustomerValue.Discounted steps.
    private static (double End, double Factor)[] Steps(ValuePredictionOptions o)
    {
        var month = o.UnitsPerYear / 12;
        var count = o.Horizon <= 0 ? 0 : (int)Math.Ceiling(o.Horizon / month - 1e-9);
        return Enumerable.Range(1, count).Select(k => Math.Min(k * month, o.Horizon))
            .Select(end => (end, 1 / Math.Pow(1 + o.AnnualDiscountRate, end / o.UnitsPerYear))).ToArray();
    }

    // One alive customer's value over the horizon per unit of γ + x z̄: the purchases simulated to the horizon, each month's
    // count spending gamma(p · count, 1) in all (a sum of gamma(p, 1)), discounted, over G ~ gamma(px + q, 1).
    private static double AliveValue(IRepeatPurchaseModel model, GammaGammaParameters spend, double x, double t, double spendX, double horizon,
        (double End, double Factor)[] steps, Random random)
    {
        double end, rate, dropout = 0;
        if (model is BgNbdParameters bg)
        {
            rate = Gamma.Sample(random, bg.R + x, bg.Alpha + t);
            dropout = Beta.Sample(random, bg.A, bg.B + x);
            end = horizon;
        }
        else
        {
            var pareto = (ParetoNbdParameters)model;
            rate = Gamma.Sample(random, pareto.R + x, pareto.Alpha + t);
            end = Math.Min(horizon, Exponential.Sample(random, Gamma.Sample(random, pareto.S, pareto.Beta + t)));
        }
        if (steps.Length == 0) return 0;
        double w = 0, clock = 0;
        int step = 0, count = 0;
        while (true)
        {
            clock += Exponential.Sample(random, rate);
            if (clock > end) break;
            while (clock > steps[step].End + 1e-12 && step < steps.Length - 1)
            {
                if (count > 0) w += steps[step].Factor * Gamma.Sample(random, spend.P * count, 1);
                (step, count) = (step + 1, 0);
            }
            count++;
            if (dropout > 0 && random.NextDouble() < dropout) break;
        }
        if (count > 0) w += steps[step].Factor * Gamma.Sample(random, spend.P * count, 1);
        return w == 0 ? 0 : w / Gamma.Sample(random, spend.P * spendX + spend.Q, 1);
    }

    // A seed per group from the run's seed (SplitMix64's finalizer), so each group's draws are the same however threads run.
    private static int SeedOf(int seed, int group)
    {
        var z = unchecked((ulong)(uint)seed * 0x9E3779B97F4A7C15UL + (ulong)group + 1);
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return (int)(uint)(z ^ (z >> 31)) & int.MaxValue;
    }
}

/// <summary>What <see cref="ValuePrediction.Interval"/> simulates: a horizon in model time units, its discounting and draws.</summary>
/// <param name="Horizon">Horizon in model time units.</param>
/// <param name="UnitsPerYear">Model time units in a year: 365.25 for days, 365.25/7 for weeks.</param>
/// <param name="AnnualDiscountRate">e.g. 0.1 for 10% a year.</param>
/// <param name="Simulations">Simulated futures per distinct history (at least 10).</param>
/// <param name="Seed">Seed of the simulations.</param>
/// <param name="Lower">Lower quantile, 0.05 for a 90% interval.</param>
/// <param name="Upper">Upper quantile, 0.95 for a 90% interval.</param>
public sealed record ValuePredictionOptions(double Horizon, double UnitsPerYear, double AnnualDiscountRate, int Simulations, int Seed,
    double Lower = 0.05, double Upper = 0.95);
