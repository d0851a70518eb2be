using MathNet.Numerics;
using MathNet.Numerics.Statistics;
using Tributary.Analytics.Fitting;

namespace Tributary.Analytics.Clv;

/// <summary>
/// Gamma-Gamma model of spend per transaction (Fader &amp; Hardie 2013, "The Gamma-Gamma Model of Monetary
/// Value"; Colombo &amp; Jiang 1999): each transaction's value is gamma(p, ν) with ν ~ gamma(q, γ) across
/// customers. Fitted on repeat buyers only (x &gt; 0), from x and the mean value z̄ of their repeat transactions.
/// Assumes spend is independent of frequency; check <see cref="FrequencySpendCorrelation"/>.
/// </summary>
public static class GammaGamma
{
    /// <summary>Fits p, q, γ by maximum likelihood on the customers with x &gt; 0 and z̄ &gt; 0.</summary>
    /// <exception cref="ArgumentException">Fewer than 3 repeat buyers, or mismatched lengths.</exception>
    public static GammaGammaFit Fit(IReadOnlyList<double> frequency, IReadOnlyList<double> meanValue, MaximumLikelihoodOptions? options = null)
    {
        var (x, z) = RepeatBuyers(frequency, meanValue);
        var data = new SpendData(x, z);
        var fit = MaximumLikelihood.Maximize((p, gradient) => data.LogLikelihood(new GammaGammaParameters(p[0], p[1], p[2]), gradient), [1, 1, Math.Max(1, z.Average())], options);
        var q = fit.Parameters;
        return new GammaGammaFit(new GammaGammaParameters(q[0], q[1], q[2]), fit, x.Length);
    }

    /// <summary>Sum over repeat buyers of FH 2013 eq. (3) in log form.</summary>
    public static double LogLikelihood(in GammaGammaParameters parameters, IReadOnlyList<double> frequency, IReadOnlyList<double> meanValue) =>
        new SpendData(frequency.ToArray(), meanValue.ToArray()).LogLikelihood(parameters, null);

    // FH 2013 eq. (3) summed: lnΓ(px+q) − lnΓ(px) − lnΓ(q) + q ln γ + (px−1) ln z̄ + px ln x − (px+q) ln(γ + x z̄).
    // Terms in x alone are summed per distinct x and those in z̄ alone once, so each evaluation costs one log per customer.
    private sealed class SpendData
    {
        private readonly double[] _x;
        private readonly double[] _z;
        private readonly (double X, int Count, double SumXLnX)[] _byFrequency;
        private readonly double _sumXLnZ;
        private readonly double _sumLnZ;

        public SpendData(double[] x, double[] z)
        {
            (_x, _z) = (x, z);
            _byFrequency = x.GroupBy(v => v).Select(g => (g.Key, g.Count(), g.Count() * g.Key * Math.Log(g.Key))).ToArray();
            _sumXLnZ = x.Zip(z, (a, b) => a * Math.Log(b)).Sum();
            _sumLnZ = z.Sum(Math.Log);
        }

        // With a gradient array, also ∂/∂(p, q, γ): ∂p = Σ x(ψ(px+q) − ψ(px) + ln z̄ + ln x − ln(γ + x z̄)),
        // ∂q = Σ (ψ(px+q) − ψ(q) + ln γ − ln(γ + x z̄)), ∂γ = Σ (q/γ − (px+q)/(γ + x z̄)).
        public double LogLikelihood(in GammaGammaParameters parameters, double[]? gradient)
        {
            var (p, q, gamma) = parameters;
            double sum = 0, dp = 0, dq = 0;
            foreach (var (x, count, sumXLnX) in _byFrequency)
            {
                sum += count * (SpecialFunctions.GammaLn(p * x + q) - SpecialFunctions.GammaLn(p * x)) + p * sumXLnX;
                if (gradient is null) continue;
                var psi = SpecialFunctions.DiGamma(p * x + q);
                dp += count * x * (psi - SpecialFunctions.DiGamma(p * x)) + sumXLnX;
                dq += count * psi;
            }
            var n = _x.Length;
            sum += n * (q * Math.Log(gamma) - SpecialFunctions.GammaLn(q)) + p * _sumXLnZ - _sumLnZ;
            var totals = new double[gradient is null ? 2 : 4];
            var (xs, zs) = (_x, _z);
            // Optimized from its first call: a fit makes a few dozen calls, too few for the runtime's tiering.
            ChunkedSum.Run(n, totals, [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)] (start, end, t) =>
            {
                for (var i = start; i < end; i++)
                {
                    var u = gamma + xs[i] * zs[i];
                    var l = Math.Log(u);
                    t[0] += l;
                    t[1] += xs[i] * l;
                    if (t.Length == 2) continue;
                    t[2] += 1 / u;
                    t[3] += xs[i] / u;
                }
            });
            if (gradient is not null)
            {
                gradient[0] = dp + _sumXLnZ - totals[1];
                gradient[1] = dq - n * SpecialFunctions.DiGamma(q) + n * Math.Log(gamma) - totals[0];
                gradient[2] = n * q / gamma - q * totals[2] - p * totals[3];
            }
            return sum - p * totals[1] - q * totals[0];
        }
    }

    /// <summary>E[M | x, z̄], FH 2013 eq. (5): a weighted mean of the population mean pγ/(q-1) and z̄. For x = 0 the population mean.</summary>
    /// <remarks>Inlined into the loops over every customer and draw (the properties read directly, not deconstructed, for it).</remarks>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public static double ExpectedAverageValue(in GammaGammaParameters parameters, double x, double meanValue)
    {
        var (p, q, gamma) = (parameters.P, parameters.Q, parameters.Gamma);
        return x == 0 ? p * gamma / (q - 1) : p * (gamma + x * meanValue) / (p * x + q - 1);
    }

    /// <summary>Pearson correlation of frequency and mean spend among repeat buyers; the model assumes it is near 0.</summary>
    public static double FrequencySpendCorrelation(IReadOnlyList<double> frequency, IReadOnlyList<double> meanValue)
    {
        var (x, z) = RepeatBuyers(frequency, meanValue);
        return Correlation.Pearson(x, z);
    }

    private static (double[] X, double[] Z) RepeatBuyers(IReadOnlyList<double> frequency, IReadOnlyList<double> meanValue)
    {
        if (frequency.Count != meanValue.Count)
            throw new ArgumentException($"frequency and mean value need one value per customer; got {frequency.Count} and {meanValue.Count}.");
        var keep = Enumerable.Range(0, frequency.Count).Where(i => frequency[i] > 0 && meanValue[i] > 0).ToList();
        if (keep.Count < 3) throw new ArgumentException($"Gamma-Gamma needs at least 3 repeat buyers with positive spend; got {keep.Count}.");
        return (keep.Select(i => frequency[i]).ToArray(), keep.Select(i => meanValue[i]).ToArray());
    }
}

/// <summary>Gamma-Gamma parameters: shape p of transaction values, and gamma(q, γ) for their scale across customers.</summary>
public readonly record struct GammaGammaParameters(double P, double Q, double Gamma);

/// <summary>A Gamma-Gamma fit with the number of repeat buyers it used.</summary>
public sealed record GammaGammaFit(GammaGammaParameters Parameters, MaximumLikelihoodFit Estimate, int Customers);
