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
/// A customer's value is (γ + x z̄) · W / H with W = Σ discount · gamma(p, 1) over the simulated purchases and
/// H ~ gamma(px + q, 1): everything but the scale γ + x z̄ depends on (x, T) alone once alive. The random draws are made
/// once per (x, x of the spend model) on a unit-rate clock and shared by every T (λ = G / (α + T) only rescales the clock),
/// each T's alive values are read from them, and each customer's quantiles are those of the mixture with a point mass at
/// 0 of weight 1 − P(alive), then scaled.
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

        // Customers grouped by what their alive values depend on: (x, x of the spend model) families, and T within them.
        var groups = new Dictionary<(double X, double SpendX, double T), List<int>>();
        for (var i = 0; i < n; i++)
        {
            var key = (customers.Frequency[i], spendFrequency[i], customers.Age[i]);
            if (!groups.TryGetValue(key, out var members)) groups[key] = members = [];
            members.Add(i);
        }
        // Sorted, so the seeds do not depend on the customers' order.
        var keys = groups.Keys.OrderBy(k => k.X).ThenBy(k => k.SpendX).ThenBy(k => k.T).ToArray();
        var familyOf = new int[keys.Length];
        var families = new List<(double X, double SpendX, double MinT)>();
        for (var g = 0; g < keys.Length; g++)
        {
            if (g == 0 || keys[g].X != keys[g - 1].X || keys[g].SpendX != keys[g - 1].SpendX) families.Add((keys[g].X, keys[g].SpendX, keys[g].T));
            familyOf[g] = families.Count - 1;
        }
        var parallel = new ParallelOptions { CancellationToken = cancellationToken };
        // The random part once per family (common random numbers across T), then each T's values from it without drawing.
        var draws = new FamilyDraws[families.Count];
        Parallel.For(0, families.Count, parallel, f =>
            draws[f] = FamilyDraws.Draw(model, spend, families[f].X, families[f].SpendX, families[f].MinT, options, new Random(SeedOf(options.Seed, f))));
        var discount = new MonthlyDiscount(options);
        var (low, high) = (new double[n], new double[n]);
        Parallel.For(0, keys.Length, parallel, () => new double[options.Simulations], (g, _, sample) =>
        {
            var key = keys[g];
            draws[familyOf[g]].Values(model, key.T, options.Horizon, discount, sample);
            SortNonNegative(sample);
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

    // One family's draws per simulation: the rate's gamma(r + x, 1) part G (λ = G / (α + T)), Pareto/NBD's dropout part
    // M (μ = M / (β + T)) and unit exponential lifetime E, the spend's H ~ gamma(px + q, 1), and the purchases on the
    // unit-rate clock (a purchase at clock c comes at c (α + T) / G), each with its gamma(p, 1) spend; BG/NBD's dropout after
    // each purchase is drawn here, so a simulation's purchases end at its dropout. Drawn to the fastest T's horizon.
    private sealed class FamilyDraws
    {
        private readonly double[] _rate, _dropoutRate, _life, _spendScale;
        private readonly int[] _start;
        private readonly double[] _clock, _spend;

        private FamilyDraws(double[] rate, double[] dropoutRate, double[] life, double[] spendScale, int[] start, double[] clock, double[] spend) =>
            (_rate, _dropoutRate, _life, _spendScale, _start, _clock, _spend) = (rate, dropoutRate, life, spendScale, start, clock, spend);

        public static FamilyDraws Draw(IRepeatPurchaseModel model, GammaGammaParameters spend, double x, double spendX, double minT,
            ValuePredictionOptions options, Random random)
        {
            var sims = options.Simulations;
            var (rate, dropoutRate, life, spendScale, start) = (new double[sims], new double[sims], new double[sims], new double[sims], new int[sims + 1]);
            var (clocks, spends) = (new List<double>(), new List<double>());
            for (var s = 0; s < sims; s++)
            {
                double dropout = 0, alpha;
                if (model is BgNbdParameters bg)
                {
                    rate[s] = Gamma.Sample(random, bg.R + x, 1);
                    dropout = Beta.Sample(random, bg.A, bg.B + x);
                    alpha = bg.Alpha;
                }
                else
                {
                    var pareto = (ParetoNbdParameters)model;
                    rate[s] = Gamma.Sample(random, pareto.R + x, 1);
                    dropoutRate[s] = Gamma.Sample(random, pareto.S, 1);
                    life[s] = Exponential.Sample(random, 1);
                    alpha = pareto.Alpha;
                }
                spendScale[s] = Gamma.Sample(random, spend.P * spendX + spend.Q, 1);
                var limit = options.Horizon * rate[s] / (alpha + minT);
                var clock = 0.0;
                while (true)
                {
                    clock += Exponential.Sample(random, 1);
                    if (clock > limit) break;
                    clocks.Add(clock);
                    spends.Add(Gamma.Sample(random, spend.P, 1));
                    if (dropout > 0 && random.NextDouble() < dropout) break;
                }
                start[s + 1] = clocks.Count;
            }
            return new FamilyDraws(rate, dropoutRate, life, spendScale, start, clocks.ToArray(), spends.ToArray());
        }

        // Each simulation's discounted value at age T, per unit of γ + x z̄: Σ discount · spend over the purchases by the
        // horizon (and, for Pareto/NBD, by the end of the lifetime), over H.
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
        public void Values(IRepeatPurchaseModel model, double t, double horizon, MonthlyDiscount discount, double[] values)
        {
            var (alpha, beta) = model is BgNbdParameters bg ? (bg.Alpha, double.NaN) : (((ParetoNbdParameters)model).Alpha, ((ParetoNbdParameters)model).Beta);
            for (var s = 0; s < values.Length; s++)
            {
                var end = double.IsNaN(beta) ? horizon : Math.Min(horizon, _life[s] * (beta + t) / _dropoutRate[s]);
                var scale = (alpha + t) / _rate[s];
                double w = 0;
                for (var k = _start[s]; k < _start[s + 1]; k++)
                {
                    var at = _clock[k] * scale;
                    if (at > end) break;
                    w += discount.At(at) * _spend[k];
                }
                values[s] = w == 0 ? 0 : w / _spendScale[s];
            }
        }
    }

    // The discount of a purchase at a time in the horizon: that of the end of its month, as CustomerValue.Discounted steps.
    private sealed class MonthlyDiscount
    {
        private readonly double _month;
        private readonly double[] _factor;

        public MonthlyDiscount(ValuePredictionOptions o)
        {
            _month = o.UnitsPerYear / 12;
            var count = Math.Max(1, (int)Math.Ceiling(o.Horizon / _month - 1e-9));
            _factor = Enumerable.Range(1, count).Select(k => 1 / Math.Pow(1 + o.AnnualDiscountRate, Math.Min(k * _month, o.Horizon) / o.UnitsPerYear)).ToArray();
        }

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        public double At(double time) => _factor[Math.Clamp((int)Math.Ceiling(time / _month - 1e-9) - 1, 0, _factor.Length - 1)];
    }

    // Sorts values >= 0 where most are often 0 (an alive customer who buys nothing): the zeros go first, only the rest is sorted.
    private static void SortNonNegative(double[] values)
    {
        var zeros = 0;
        for (var i = 0; i < values.Length; i++)
            if (values[i] == 0)
            {
                values[i] = values[zeros];
                values[zeros++] = 0;
            }
        Array.Sort(values, zeros, values.Length - zeros);
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

    // A seed per family from the run's seed (SplitMix64's finalizer), so each family's draws are the same however threads run.
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
