using MathNet.Numerics;
using Tributary.Analytics.Fitting;
using Tributary.Analytics.Special;

namespace Tributary.Analytics.Clv;

/// <summary>
/// Pareto/NBD (Schmittlein, Morrison &amp; Colombo 1987, "Counting Your Customers", Management Science 33(1)):
/// Poisson purchases with gamma(r, α) rates and exponential lifetimes with gamma(s, β) dropout rates. The
/// likelihood and conditional expressions follow Fader &amp; Hardie (2005), "A Note on Deriving the Pareto/NBD
/// Model and Related Expressions", eqs. (11)–(22).
/// </summary>
public static class ParetoNbd
{
    /// <summary>Fits r, α, s, β by maximum likelihood.</summary>
    public static ParetoNbdFit Fit(RfmSummary data, MaximumLikelihoodOptions? options = null)
    {
        data.Validate();
        // Customers with the same (x, t_x, T) contribute the same likelihood: fit the distinct rows, weighted.
        data = data.Weights is null ? data.Compress().Distinct : data;
        var scale = Math.Max(1, Enumerable.Range(0, data.Count).Sum(i => data.Age[i] * data.Weight(i)) / Enumerable.Range(0, data.Count).Sum(data.Weight) / 4);
        var fit = MaximumLikelihood.Maximize(p => LogLikelihood(new ParetoNbdParameters(p[0], p[1], p[2], p[3]), data), [1, scale, 1, scale], options);
        var q = fit.Parameters;
        return new ParetoNbdFit(new ParetoNbdParameters(q[0], q[1], q[2], q[3]), fit);
    }

    /// <summary>Sum of the individual log-likelihoods.</summary>
    public static double LogLikelihood(in ParetoNbdParameters p, RfmSummary data)
    {
        return data.WeightedSum(p, static (q, x, tx, t) => LogLikelihood(q, x, tx, t));
    }

    // FH 2005 note, eq. (22): ln L = ln C + ln(stay term + s/(r+s+x) · A0), each part in logs.
    internal static double LogLikelihood(in ParetoNbdParameters p, double x, double tx, double t)
    {
        var (r, alpha, s, beta) = p;
        var logC = SpecialFunctions.GammaLn(r + x) - SpecialFunctions.GammaLn(r) + r * Math.Log(alpha) + s * Math.Log(beta);
        var stays = -(r + x) * Math.Log(alpha + t) - s * Math.Log(beta + t);
        var logA0 = LogA0(p, x, tx, t);
        if (double.IsNegativeInfinity(logA0)) return logC + stays;
        return logC + BgNbd.LogSumExp(stays, Math.Log(s / (r + s + x)) + logA0);
    }

    /// <summary>P(alive | x, t_x, T), FH 2005 note eq. (18).</summary>
    public static double ProbabilityAlive(in ParetoNbdParameters p, double x, double tx, double t)
    {
        var (r, alpha, s, beta) = p;
        var logA0 = LogA0(p, x, tx, t);
        if (double.IsNegativeInfinity(logA0)) return 1;
        return 1 / (1 + Math.Exp(Math.Log(s / (r + s + x)) + (r + x) * Math.Log(alpha + t) + s * Math.Log(beta + t) + logA0));
    }

    /// <summary>Expected transactions in the next <paramref name="horizon"/> time units, FH 2005 note eq. (21); s must differ from 1.</summary>
    public static double ExpectedPurchases(in ParetoNbdParameters p, double x, double tx, double t, double horizon)
    {
        if (horizon <= 0) return 0;
        var (r, alpha, s, beta) = p;
        var rest = -PreciseMath.ExpM1((s - 1) * Math.Log((beta + t) / (beta + t + horizon)));
        return (r + x) * (beta + t) / ((alpha + t) * (s - 1)) * rest * ProbabilityAlive(p, x, tx, t);
    }

    // A0 = F(t_x) - F(T), FH 2005 note eqs. (19)–(20); the 2F1 argument is kept in [0, 1) by branching on α >= β.
    private static double LogA0(in ParetoNbdParameters p, double x, double tx, double t)
    {
        var (r, alpha, s, beta) = p;
        var sum = r + s + x;
        double LogF(double y) => alpha >= beta
            ? Hypergeometric.LogHyp2F1(sum, s + 1, sum + 1, (alpha - beta) / (alpha + y)) - sum * Math.Log(alpha + y)
            : Hypergeometric.LogHyp2F1(sum, r + x, sum + 1, (beta - alpha) / (beta + y)) - sum * Math.Log(beta + y);
        var atTx = LogF(tx);
        var atT = LogF(t);
        return atT >= atTx ? double.NegativeInfinity : atTx + Log1MinusExp(atT - atTx);
    }

    // log(1 - e^d) for d < 0 (Mächler 2012, "Accurately Computing log(1 - exp(-|a|))").
    private static double Log1MinusExp(double d) =>
        d > -Math.Log(2) ? Math.Log(-PreciseMath.ExpM1(d)) : PreciseMath.Log1P(-Math.Exp(d));
}

/// <summary>Pareto/NBD parameters: gamma(r, α) purchase rates, gamma(s, β) dropout rates.</summary>
public readonly record struct ParetoNbdParameters(double R, double Alpha, double S, double Beta) : IRepeatPurchaseModel
{
    /// <inheritdoc />
    public string Name => "pareto_nbd";

    /// <inheritdoc />
    public double ProbabilityAlive(double x, double tx, double t) => ParetoNbd.ProbabilityAlive(this, x, tx, t);

    /// <inheritdoc />
    public double ExpectedPurchases(double x, double tx, double t, double horizon) => ParetoNbd.ExpectedPurchases(this, x, tx, t, horizon);
}

/// <summary>A Pareto/NBD fit: parameters in the order r, α, s, β, with standard errors and diagnostics.</summary>
public sealed record ParetoNbdFit(ParetoNbdParameters Parameters, MaximumLikelihoodFit Estimate);
