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
    /// <summary>Fits r, α, a, b by maximum likelihood.</summary>
    public static BgNbdFit Fit(RfmSummary data, MaximumLikelihoodOptions? options = null)
    {
        data.Validate();
        // Customers with the same (x, t_x, T) contribute the same likelihood: fit the distinct rows, weighted.
        data = data.Weights is null ? data.Compress().Distinct : data;
        var fit = MaximumLikelihood.Maximize(p => LogLikelihood(new BgNbdParameters(p[0], p[1], p[2], p[3]), data), [1, Math.Max(1, Enumerable.Range(0, data.Count).Sum(i => data.Age[i] * data.Weight(i)) / Enumerable.Range(0, data.Count).Sum(data.Weight) / 4), 1, 1], options);
        var q = fit.Parameters;
        return new BgNbdFit(new BgNbdParameters(q[0], q[1], q[2], q[3]), fit);
    }

    /// <summary>Sum of the individual log-likelihoods.</summary>
    public static double LogLikelihood(in BgNbdParameters p, RfmSummary data)
    {
        var (r, alpha, a, b) = p;
        // The gamma-function terms depend on x alone: computed once per distinct whole x, not once per customer.
        var maxX = 0;
        var integral = true;
        for (var i = 0; i < data.Count && integral; i++)
        {
            integral = data.Frequency[i] == Math.Floor(data.Frequency[i]) && data.Frequency[i] < 100_000;
            maxX = Math.Max(maxX, (int)data.Frequency[i]);
        }
        if (!integral)
        {
            var parameters = p;
            return data.WeightedSum((x, tx, t) => LogLikelihood(parameters, x, tx, t));
        }
        var byX = new (double Common, double Stays, double Dropped)[maxX + 1];
        var fixedPart = -SpecialFunctions.GammaLn(r) + r * Math.Log(alpha) + SpecialFunctions.GammaLn(a + b) - SpecialFunctions.GammaLn(b);
        for (var x = 0; x <= maxX; x++)
            byX[x] = (fixedPart + SpecialFunctions.GammaLn(r + x) - SpecialFunctions.GammaLn(a + b + x),
                SpecialFunctions.GammaLn(b + x), x == 0 ? 0 : Math.Log(a) + SpecialFunctions.GammaLn(b + x - 1));
        return data.WeightedSum((xd, tx, t) =>
        {
            var x = (int)xd;
            var (common, stays, dropped) = byX[x];
            var stay = stays - (r + x) * Math.Log(alpha + t);
            return x == 0 ? common + stay : common + LogSumExp(stay, dropped - (r + x) * Math.Log(alpha + tx));
        });
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
