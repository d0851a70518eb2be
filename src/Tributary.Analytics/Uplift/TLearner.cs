using Tributary.Analytics.Classification;

namespace Tributary.Analytics.Uplift;

/// <summary>
/// The T-learner (two models; Künzel et al. 2019, §2): μ₁ fitted on the treated, μ₀ on the control group, each a
/// Platt-scaled boosted classifier; τ(x) = μ₁(x) − μ₀(x).
/// </summary>
public sealed class TLearner : IUpliftModel
{
    private TLearner(ProbabilityModel treated, ProbabilityModel control) => (Treated, Control) = (treated, control);

    /// <summary>μ₁: conversion probability if contacted.</summary>
    public ProbabilityModel Treated { get; }

    /// <summary>μ₀: conversion probability if not contacted.</summary>
    public ProbabilityModel Control { get; }

    /// <summary>Fits both outcome models.</summary>
    public static TLearner Fit(UpliftSample sample, BoostedClassifierOptions? options = null)
    {
        sample.EnsureLearnable();
        var (x1, y1) = sample.Arm(true);
        var (x0, y0) = sample.Arm(false);
        return new TLearner(ProbabilityModel.Train(x1, y1, options), ProbabilityModel.Train(x0, y0, options));
    }

    /// <inheritdoc />
    public double[] Uplift(IReadOnlyList<float[]> rows) => Uplift(Probabilities(rows));

    /// <summary>μ₁ and μ₀ per row, for callers that need them beside the uplift without scoring twice.</summary>
    public (double[] Contacted, double[] Alone) Probabilities(IReadOnlyList<float[]> rows) => (Treated.Predict(rows), Control.Predict(rows));

    /// <summary>τ = μ₁ − μ₀ from probabilities already computed.</summary>
    public static double[] Uplift((double[] Contacted, double[] Alone) probabilities) =>
        probabilities.Contacted.Select((p, i) => p - probabilities.Alone[i]).ToArray();
}
