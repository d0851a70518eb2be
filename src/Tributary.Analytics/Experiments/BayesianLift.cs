using MathNet.Numerics.Distributions;

namespace Tributary.Analytics.Experiments;

/// <summary>A normal posterior of the relative lift and the decision quantities read from it.</summary>
/// <param name="Mean">Posterior mean of the relative lift.</param>
/// <param name="StdDev">Posterior standard deviation.</param>
/// <param name="Low">Lower end of the equal-tailed credible interval.</param>
/// <param name="High">Upper end.</param>
/// <param name="ChanceToBeatControl">P(lift &gt; 0 | data).</param>
/// <param name="RiskOfShipping">Expected loss (relative) of shipping the variant: E[max(0, −lift)].</param>
/// <param name="RiskOfKeepingControl">Expected loss of keeping control: E[max(0, lift)].</param>
public sealed record LiftPosterior(double Mean, double StdDev, double Low, double High, double ChanceToBeatControl, double RiskOfShipping, double RiskOfKeepingControl);

/// <summary>
/// Bayesian relative lift as GrowthBook's Bayesian engine models it: the delta-method estimate of the relative lift is a
/// normal likelihood, N(lift, se²), combined with a normal prior N(μ₀, τ²) by precision weighting (conjugate normal).
/// The documented default prior is N(0, 0.3²): lifts beyond ±60% are a priori unlikely. τ = 0 means a flat prior, and
/// the posterior is then the likelihood itself.
/// </summary>
public static class BayesianLift
{
    /// <summary>The posterior for an estimated relative lift with standard error <paramref name="stdError"/>.</summary>
    public static LiftPosterior Posterior(double relative, double stdError, double priorMean = 0, double priorStdDev = 0.3, double credibility = 0.95)
    {
        double mean, sd;
        if (priorStdDev > 0)
        {
            var precision = 1 / (stdError * stdError) + 1 / (priorStdDev * priorStdDev);
            mean = (relative / (stdError * stdError) + priorMean / (priorStdDev * priorStdDev)) / precision;
            sd = Math.Sqrt(1 / precision);
        }
        else (mean, sd) = (relative, stdError);
        if (!double.IsFinite(mean) || !double.IsFinite(sd) || sd <= 0)
            return new LiftPosterior(mean, sd, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN);
        var z = Normal.InvCDF(0, 1, 0.5 + credibility / 2);
        var u = mean / sd;
        var density = Normal.PDF(0, 1, u);
        // For L ~ N(μ, σ²): E[max(0, −L)] = σφ(μ/σ) − μΦ(−μ/σ), E[max(0, L)] = σφ(μ/σ) + μΦ(μ/σ).
        var riskShip = sd * density - mean * Normal.CDF(0, 1, -u);
        var riskControl = sd * density + mean * Normal.CDF(0, 1, u);
        return new LiftPosterior(mean, sd, mean - z * sd, mean + z * sd, Normal.CDF(0, 1, u), riskShip, riskControl);
    }
}
