using MathNet.Numerics;
using Tributary.Analytics.Fitting;
using Tributary.Analytics.Special;

namespace Tributary.Analytics.Clv;

/// <summary>
/// BG/NBD (Fader, Hardie &amp; Lee 2005, "Counting Your Customers the Easy Way: An Alternative to the Pareto/NBD
/// Model", Marketing Science 24(2)). Transactions follow a Poisson process with gamma(r, α) rates; after each
/// transaction a customer drops out with a beta(a, b) probability.
/// </summary>
public static class BgNbd
{
    /// <summary>Fits r, α, a, b by maximum likelihood (BFGS with the analytic gradient when frequencies are whole numbers).</summary>
    public static BgNbdFit Fit(RfmSummary data, MaximumLikelihoodOptions? options = null)
    {
        data.Validate();
        // Customers with the same (x, t_x, T) contribute the same likelihood: fit the distinct rows, weighted.
        data = data.Weights is null ? data.Compress().Distinct : data;
        double[] start = [1, Math.Max(1, Enumerable.Range(0, data.Count).Sum(i => data.Age[i] * data.Weight(i)) / Enumerable.Range(0, data.Count).Sum(data.Weight) / 4), 1, 1];
        var likelihood = Likelihood.TryCreate(data);
        var fit = likelihood is null
            ? MaximumLikelihood.Maximize(p => LogLikelihood(new BgNbdParameters(p[0], p[1], p[2], p[3]), data), start, options)
            : MaximumLikelihood.Maximize((p, gradient) => likelihood.Evaluate(new BgNbdParameters(p[0], p[1], p[2], p[3]), gradient), start, options);
        var q = fit.Parameters;
        return new BgNbdFit(new BgNbdParameters(q[0], q[1], q[2], q[3]), fit);
    }

    /// <summary>Sum of the individual log-likelihoods.</summary>
    public static double LogLikelihood(in BgNbdParameters p, RfmSummary data) =>
        Likelihood.TryCreate(data) is { } likelihood ? likelihood.Evaluate(p, null) : data.WeightedSum(p, static (q, x, tx, t) => LogLikelihood(q, x, tx, t));

    // The summed log-likelihood and its gradient over rows with whole x. Terms in x alone (gamma and digamma functions)
    // are computed once per distinct x, logs of α + T and α + t_x once per distinct T and t_x, so a row costs one exp and one log.
    private sealed class Likelihood
    {
        private readonly int[] _x;
        private readonly double[] _weight;
        private readonly int[] _t;
        private readonly int[] _tx;
        private readonly double[] _ages;
        private readonly double[] _recencies;
        private readonly int _maxX;

        private Likelihood(int[] x, double[] weight, int[] t, int[] tx, double[] ages, double[] recencies, int maxX) =>
            (_x, _weight, _t, _tx, _ages, _recencies, _maxX) = (x, weight, t, tx, ages, recencies, maxX);

        public static Likelihood? TryCreate(RfmSummary data)
        {
            var x = new int[data.Count];
            var maxX = 0;
            for (var i = 0; i < data.Count; i++)
            {
                var f = data.Frequency[i];
                if (f != Math.Floor(f) || f >= 100_000) return null;
                maxX = Math.Max(maxX, x[i] = (int)f);
            }
            var (t, ages) = Index(data.Age);
            var (tx, recencies) = Index(data.Recency);
            return new Likelihood(x, Enumerable.Range(0, data.Count).Select(data.Weight).ToArray(), t, tx, ages, recencies, maxX);
        }

        private static (int[] Index, double[] Values) Index(double[] column)
        {
            var ids = new Dictionary<double, int>();
            var index = new int[column.Length];
            for (var i = 0; i < column.Length; i++)
            {
                ref var slot = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(ids, column[i], out var exists);
                if (!exists) slot = ids.Count - 1;
                index[i] = slot;
            }
            var values = new double[ids.Count];
            foreach (var (value, i) in ids) values[i] = value;
            return (index, values);
        }

        // Σ w·ln L_i, FHL 2005 eq. (6); with a gradient array, also Σ w·∂ln L_i/∂(r, α, a, b). The rows' loop is optimized from
        // its first call: a fit makes a few dozen calls over tens of thousands of rows, too few for the runtime's tiering.
        public double Evaluate(BgNbdParameters p, double[]? gradient)
        {
            var (r, alpha, a, b) = p;
            var fixedPart = -SpecialFunctions.GammaLn(r) + r * Math.Log(alpha) + SpecialFunctions.GammaLn(a + b) - SpecialFunctions.GammaLn(b);
            var (psiR, psiAB, psiB, logA, logAlpha) = (SpecialFunctions.DiGamma(r), SpecialFunctions.DiGamma(a + b), SpecialFunctions.DiGamma(b), Math.Log(a), Math.Log(alpha));
            // Per x: A (common), S0 = lnΓ(b+x), D0 = ln a + lnΓ(b+x−1), and ∂A/∂r, ∂A/∂a, ∂A/∂b, ∂S/∂b, ∂D/∂b.
            var byX = new double[(_maxX + 1) * 8];
            for (var x = 0; x <= _maxX; x++)
            {
                var o = x * 8;
                byX[o] = fixedPart + SpecialFunctions.GammaLn(r + x) - SpecialFunctions.GammaLn(a + b + x);
                byX[o + 1] = SpecialFunctions.GammaLn(b + x);
                byX[o + 2] = x == 0 ? 0 : logA + SpecialFunctions.GammaLn(b + x - 1);
                if (gradient is null) continue;
                var psiABX = SpecialFunctions.DiGamma(a + b + x);
                byX[o + 3] = SpecialFunctions.DiGamma(r + x) - psiR + logAlpha;
                byX[o + 4] = psiAB - psiABX;
                byX[o + 5] = psiAB - psiB - psiABX;
                byX[o + 6] = SpecialFunctions.DiGamma(b + x);
                byX[o + 7] = x == 0 ? 0 : SpecialFunctions.DiGamma(b + x - 1);
            }
            var logT = _ages.Select(t => Math.Log(alpha + t)).ToArray();
            var logTx = _recencies.Select(t => Math.Log(alpha + t)).ToArray();
            var totals = new double[gradient is null ? 1 : 5];
            var withGradient = gradient is not null;
            ChunkedSum.Run(_x.Length, totals, [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)] (start, end, sum) =>
            {
                for (var i = start; i < end; i++)
                {
                    var x = _x[i];
                    var o = x * 8;
                    var w = _weight[i];
                    var lt = logT[_t[i]];
                    var stay = byX[o + 1] - (r + x) * lt;
                    double ll, wStay = 1, wDrop = 0, ltx = 0;
                    if (x == 0) ll = byX[o] + stay;
                    else
                    {
                        ltx = logTx[_tx[i]];
                        var drop = byX[o + 2] - (r + x) * ltx;
                        var m = Math.Max(stay, drop);
                        var (eStay, eDrop) = (Math.Exp(stay - m), Math.Exp(drop - m));
                        var total = eStay + eDrop;
                        ll = byX[o] + m + Math.Log(total);
                        (wStay, wDrop) = (eStay / total, eDrop / total);
                    }
                    sum[0] += w * ll;
                    if (!withGradient) continue;
                    sum[1] += w * (byX[o + 3] - wStay * lt - wDrop * ltx);
                    sum[2] += w * (r / alpha - (r + x) * (wStay / (alpha + _ages[_t[i]]) + (x == 0 ? 0 : wDrop / (alpha + _recencies[_tx[i]]))));
                    sum[3] += w * (byX[o + 4] + wDrop / a);
                    sum[4] += w * (byX[o + 5] + wStay * byX[o + 6] + wDrop * byX[o + 7]);
                }
            });
            if (gradient is not null) totals.AsSpan(1).CopyTo(gradient);
            return totals[0];
        }
    }

    // FHL 2005 eq. (6) in log form; the two terms meet in a log-sum-exp so large x cannot overflow.
    internal static double LogLikelihood(in BgNbdParameters p, double x, double tx, double t)
    {
        var (r, alpha, a, b) = p;
        var common = SpecialFunctions.GammaLn(r + x) - SpecialFunctions.GammaLn(r) + r * Math.Log(alpha)
            + SpecialFunctions.GammaLn(a + b) - SpecialFunctions.GammaLn(b) - SpecialFunctions.GammaLn(a + b + x);
        var stays = SpecialFunctions.GammaLn(b + x) - (r + x) * Math.Log(alpha + t);
        if (x == 0) return common + stays;
        var dropped = Math.Log(a) + SpecialFunctions.GammaLn(b + x - 1) - (r + x) * Math.Log(alpha + tx);
        return common + LogSumExp(stays, dropped);
    }

    /// <summary>P(alive | x, t_x, T), FHL 2005 eq. (13) (equal to 1 for x = 0).</summary>
    public static double ProbabilityAlive(in BgNbdParameters p, double x, double tx, double t) =>
        x == 0 ? 1 : 1 / (1 + Math.Exp(Math.Log(p.A) - Math.Log(p.B + x - 1) + (p.R + x) * (Math.Log(p.Alpha + t) - Math.Log(p.Alpha + tx))));

    /// <summary>Expected transactions in the next <paramref name="horizon"/> time units, FHL 2005 eq. (10).</summary>
    public static double ExpectedPurchases(in BgNbdParameters p, double x, double tx, double t, double horizon)
    {
        if (horizon <= 0) return 0;
        var (r, alpha, a, b) = p;
        var z = horizon / (alpha + t + horizon);
        // ((α+T)/(α+T+t))^(r+x) 2F1(r+x, b+x; a+b+x-1; z), in logs.
        var logTail = (r + x) * Math.Log((alpha + t) / (alpha + t + horizon)) + Hypergeometric.LogHyp2F1(r + x, b + x, a + b + x - 1, z);
        var numerator = (a + b + x - 1) / (a - 1) * -PreciseMath.ExpM1(logTail);
        var denominator = x == 0 ? 1 : 1 + a / (b + x - 1) * Math.Exp((r + x) * (Math.Log(alpha + t) - Math.Log(alpha + tx)));
        return numerator / denominator;
    }

    /// <summary>
    /// <see cref="ProbabilityAlive"/>, <see cref="ExpectedPurchases"/> and <see cref="CustomerValue.Discounted"/> for every row
    /// at once. Eq. (10) is a part in (x, T) over eq. (13)'s denominator in (x, t_x, T), and so is every monthly step of the
    /// discounted sum: the hypergeometric parts are computed once per distinct (x, T), and a row costs one exp and a log.
    /// </summary>
    public static CustomerScores Score(in BgNbdParameters p, RfmSummary rows, double horizon, double unitsPerYear, double annualDiscountRate,
        CancellationToken cancellationToken = default) =>
        Score([p], rows, horizon, unitsPerYear, annualDiscountRate, cancellationToken)[0];

    /// <summary>
    /// <see cref="Score(in BgNbdParameters, RfmSummary, double, double, double, CancellationToken)"/> under each of
    /// <paramref name="parameters"/> (a fit and its draws, say) in one parallel pass; the monthly steps of one (x, T) share
    /// one hypergeometric series.
    /// </summary>
    public static IReadOnlyList<CustomerScores> Score(IReadOnlyList<BgNbdParameters> parameters, RfmSummary rows, double horizon, double unitsPerYear,
        double annualDiscountRate, CancellationToken cancellationToken = default)
    {
        var pairs = ScorePairs(parameters, rows, horizon, unitsPerYear, annualDiscountRate, withHorizon: true, cancellationToken);
        var scores = new CustomerScores[parameters.Count];
        // An array, not the list: its elements are read per row, where an interface call is not inlined.
        var sets = parameters.ToArray();
        Parallel.For(0, sets.Length, new ParallelOptions { CancellationToken = cancellationToken }, [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)] (s) =>
        {
            var alive = new double[rows.Count];
            var expected = new double[rows.Count];
            var value = new double[rows.Count];
            for (var i = 0; i < rows.Count; i++)
            {
                // Eq. (13)'s denominator; P(alive) is its inverse.
                var denominator = AliveDenominator(sets[s], rows.Frequency[i], rows.Recency[i], rows.Age[i]);
                alive[i] = 1 / denominator;
                expected[i] = pairs.AtHorizon![s][pairs.PairOf[i]] / denominator;
                value[i] = pairs.Discounted[s][pairs.PairOf[i]] / denominator;
            }
            scores[s] = new CustomerScores(alive, expected, value);
        });
        return scores;
    }

    /// <summary>
    /// <see cref="CustomerScores.Discounted"/> alone under each of <paramref name="parameters"/> (the draws of an interval, say),
    /// laid out by row: row i's value under set s is at <c>[i · parameters.Count + s]</c>, so one customer's values under every
    /// set are read together. Equal to what <see cref="Score(IReadOnlyList{BgNbdParameters}, RfmSummary, double, double, double, CancellationToken)"/>
    /// gives, without P(alive) and expected purchases that a draw does not need.
    /// </summary>
    public static double[] DiscountedPurchases(IReadOnlyList<BgNbdParameters> parameters, RfmSummary rows, double horizon, double unitsPerYear,
        double annualDiscountRate, CancellationToken cancellationToken = default)
    {
        var pairs = ScorePairs(parameters, rows, horizon, unitsPerYear, annualDiscountRate, withHorizon: false, cancellationToken);
        var sets = parameters.Count;
        var models = parameters.ToArray();
        var result = new double[(long)rows.Count * sets];
        Parallel.For(0, (rows.Count + 4095) / 4096, new ParallelOptions { CancellationToken = cancellationToken }, [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)] (block) =>
        {
            var end = Math.Min(rows.Count, (block + 1) * 4096);
            for (var i = block * 4096; i < end; i++)
            {
                var pair = pairs.PairOf[i];
                for (var s = 0; s < sets; s++)
                    result[(long)i * sets + s] = pairs.Discounted[s][pair] / AliveDenominator(models[s], rows.Frequency[i], rows.Recency[i], rows.Age[i]);
            }
        });
        return result;
    }

    // Eq. (13)'s denominator: 1 + a/(b+x−1) ((α+T)/(α+t_x))^(r+x), 1 for x = 0. Inlined into the loops over every row and draw.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static double AliveDenominator(in BgNbdParameters p, double x, double tx, double t) =>
        x == 0 ? 1 : 1 + p.A / (p.B + x - 1) * Math.Exp((p.R + x) * (Math.Log(p.Alpha + t) - Math.Log(p.Alpha + tx)));

    // Per distinct (x, T) pair and parameter set: eq. (10)'s numerator at the horizon (when asked) and the discounted sum of its
    // monthly steps, both still to be divided by eq. (13)'s denominator of each row; and each row's pair.
    private sealed record PairScores(int[] PairOf, double[][]? AtHorizon, double[][] Discounted);

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static PairScores ScorePairs(IReadOnlyList<BgNbdParameters> parameters, RfmSummary rows, double horizon, double unitsPerYear,
        double annualDiscountRate, bool withHorizon, CancellationToken cancellationToken)
    {
        var pairs = new Dictionary<(double X, double T), int>();
        var pairOf = new int[rows.Count];
        for (var i = 0; i < rows.Count; i++)
        {
            ref var slot = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(pairs, (rows.Frequency[i], rows.Age[i]), out var exists);
            if (!exists) slot = pairs.Count - 1;
            pairOf[i] = slot;
        }
        var keys = new (double X, double T)[pairs.Count];
        foreach (var (key, j) in pairs) keys[j] = key;
        // Sorted by T, then x: neighbours in a block share T, and with it every step's z and ln(1 − z).
        var order = Enumerable.Range(0, keys.Length).OrderBy(j => keys[j].T).ThenBy(j => keys[j].X).ToArray();
        var rank = new int[keys.Length];
        for (var i = 0; i < order.Length; i++) rank[order[i]] = i;
        keys = order.Select(j => keys[j]).ToArray();
        for (var i = 0; i < pairOf.Length; i++) pairOf[i] = rank[pairOf[i]];
        // The monthly steps of CustomerValue.Discounted, then the horizon when the last step falls short of it.
        var month = unitsPerYear / 12;
        var steps = horizon <= 0 ? 0 : (int)Math.Ceiling(horizon / month - 1e-9);
        var discount = new double[steps];
        var taus = new List<double>();
        for (var k = 0; k < steps; k++)
        {
            taus.Add(Math.Min((k + 1) * month, horizon));
            discount[k] = Math.Pow(1 + annualDiscountRate, taus[k] / unitsPerYear);
        }
        // The horizon itself matters only for expected purchases: without them the monthly steps suffice.
        if (withHorizon && steps > 0 && taus[^1] != horizon) taus.Add(horizon);
        var at = taus.ToArray();

        var sets = parameters.Count;
        var atHorizon = withHorizon ? new double[sets][] : null;
        var discounted = new double[sets][];
        for (var s = 0; s < sets; s++)
        {
            discounted[s] = new double[keys.Length];
            if (atHorizon is not null) atHorizon[s] = new double[keys.Length];
        }
        // One loop over every (parameter set, block of pairs): the threads meet once, not once per draw. The loops here run
        // once per step, so they are optimized from their first call rather than left to the runtime's tiering.
        const int Block = 256;
        var blocks = (keys.Length + Block - 1) / Block;
        var options = new ParallelOptions { CancellationToken = cancellationToken };
        Parallel.For(0, (long)sets * blocks, options, () => new StepScratch(at.Length), [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)] (item, _, scratch) =>
        {
            var s = (int)(item / blocks);
            var p = parameters[s];
            var end = Math.Min(keys.Length, (int)(item % blocks) * Block + Block);
            var numerator = scratch.Numerator;
            scratch.T = double.NaN;
            for (var j = (int)(item % blocks) * Block; j < end; j++)
            {
                var (x, t) = keys[j];
                if (t != scratch.T)
                {
                    scratch.T = t;
                    for (var k = 0; k < at.Length; k++)
                    {
                        scratch.Z[k] = at[k] / (p.Alpha + t + at[k]);
                        scratch.Log1MinusZ[k] = PreciseMath.Log1P(-scratch.Z[k]);
                    }
                }
                Numerators(p, x, scratch.Z, scratch.Log1MinusZ, numerator);
                if (atHorizon is not null) atHorizon[s][j] = steps == 0 ? 0 : numerator[^1];
                double total = 0, previous = 0;
                for (var k = 0; k < steps; k++)
                {
                    total += (numerator[k] - previous) / discount[k];
                    previous = numerator[k];
                }
                discounted[s][j] = total;
            }
            return scratch;
        }, _ => { });
        return new PairScores(pairOf, atHorizon, discounted);
    }

    // Eq. (10)'s numerator at each τ > 0: (a+b+x−1)/(a−1) · (1 − ((α+T)/(α+T+τ))^(r+x) 2F1(r+x, b+x; a+b+x−1; τ/(α+T+τ))),
    // given z = τ/(α+T+τ) and ln(1 − z) = ln((α+T)/(α+T+τ)) for each τ.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static void Numerators(in BgNbdParameters p, double x, ReadOnlySpan<double> z, ReadOnlySpan<double> log1MinusZ, Span<double> result)
    {
        var (r, _, a, b) = p;
        Hypergeometric.LogHyp2F1(r + x, b + x, a + b + x - 1, z, log1MinusZ, result);
        for (var k = 0; k < z.Length; k++)
            result[k] = (a + b + x - 1) / (a - 1) * -PreciseMath.ExpM1((r + x) * log1MinusZ[k] + result[k]);
    }

    // One thread's buffers for the monthly steps, with the T whose z and ln(1 − z) they hold.
    private sealed class StepScratch(int steps)
    {
        public double[] Numerator { get; } = new double[steps];
        public double[] Z { get; } = new double[steps];
        public double[] Log1MinusZ { get; } = new double[steps];
        public double T { get; set; } = double.NaN;
    }

    /// <summary>Expected transactions of a new customer in <paramref name="horizon"/> time units, FHL 2005 eq. (9).</summary>
    public static double ExpectedPurchasesNewCustomer(in BgNbdParameters p, double horizon)
    {
        var (r, alpha, a, b) = p;
        var z = horizon / (alpha + horizon);
        return (a + b - 1) / (a - 1) * -PreciseMath.ExpM1(r * Math.Log(alpha / (alpha + horizon)) + Hypergeometric.LogHyp2F1(r, b, a + b - 1, z));
    }

    internal static double LogSumExp(double u, double v)
    {
        var m = Math.Max(u, v);
        return m + Math.Log(Math.Exp(u - m) + Math.Exp(v - m));
    }
}

/// <summary>BG/NBD parameters: gamma(r, α) purchase rates, beta(a, b) dropout probabilities.</summary>
public readonly record struct BgNbdParameters(double R, double Alpha, double A, double B) : IRepeatPurchaseModel
{
    /// <inheritdoc />
    public string Name => "bgnbd";

    /// <inheritdoc />
    public double ProbabilityAlive(double x, double tx, double t) => BgNbd.ProbabilityAlive(this, x, tx, t);

    /// <inheritdoc />
    public double ExpectedPurchases(double x, double tx, double t, double horizon) => BgNbd.ExpectedPurchases(this, x, tx, t, horizon);
}

/// <summary>A BG/NBD fit: parameters in the order r, α, a, b, with standard errors and diagnostics.</summary>
public sealed record BgNbdFit(BgNbdParameters Parameters, MaximumLikelihoodFit Estimate);
