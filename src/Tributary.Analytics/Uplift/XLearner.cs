using Tributary.Analytics.Classification;

namespace Tributary.Analytics.Uplift;

/// <summary>
/// The X-learner (Künzel, Sekhon, Bickel &amp; Yu 2019, §3): the T-learner's outcome models μ₀ and μ₁ impute each
/// customer's effect from the other arm — D¹ᵢ = Yᵢ − μ₀(xᵢ) for the treated, D⁰ᵢ = μ₁(xᵢ) − Yᵢ for the control group —
/// boosted regression trees learn τ₁ from D¹ and τ₀ from D⁰, and τ(x) = g·τ₀(x) + (1 − g)·τ₁(x) with g the share treated
/// (the propensity score of a randomized send, constant), so the estimate from the larger arm weighs more.
/// </summary>
public sealed class XLearner : IUpliftModel
{
    private readonly BoostedRegressor _tau1;
    private readonly BoostedRegressor _tau0;
    private readonly double _g;

    private XLearner(TLearner outcomes, BoostedRegressor tau1, BoostedRegressor tau0, double g) => (Outcomes, _tau1, _tau0, _g) = (outcomes, tau1, tau0, g);

    /// <summary>The first stage: μ₁ and μ₀.</summary>
    public TLearner Outcomes { get; }

    /// <summary>Fits the three stages.</summary>
    public static XLearner Fit(UpliftSample sample, BoostedClassifierOptions? options = null)
    {
        var outcomes = TLearner.Fit(sample, options);
        var (x1, y1) = sample.Arm(true);
        var (x0, y0) = sample.Arm(false);
        var mu0OnTreated = outcomes.Control.Predict(x1);
        var mu1OnControl = outcomes.Treated.Predict(x0);
        var d1 = y1.Select((y, i) => (y ? 1.0 : 0.0) - mu0OnTreated[i]).ToList();
        var d0 = y0.Select((y, i) => mu1OnControl[i] - (y ? 1.0 : 0.0)).ToList();
        return new XLearner(outcomes, BoostedRegressor.Train(x1, d1, options), BoostedRegressor.Train(x0, d0, options), sample.TreatedShare);
    }

    /// <inheritdoc />
    public double[] Uplift(IReadOnlyList<float[]> rows)
    {
        var t1 = _tau1.Predict(rows);
        var t0 = _tau0.Predict(rows);
        return t1.Select((t, i) => Math.Clamp(_g * t0[i] + (1 - _g) * t, -1, 1)).ToArray();
    }
}
