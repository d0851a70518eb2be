using Tributary.Analytics.Classification;

namespace Tributary.Analytics.Uplift;

/// <summary>
/// A boosted classifier with Platt scaling fitted on its own training rows, so that differences of its probabilities
/// (the T- and X-learners' first stage) are on the probability scale; ranking is the trees'.
/// </summary>
public sealed class ProbabilityModel
{
    private readonly BoostedClassifier _trees;
    private readonly StackedCalibration _platt;

    private ProbabilityModel(BoostedClassifier trees, StackedCalibration platt) => (_trees, _platt) = (trees, platt);

    /// <summary>Trains the trees and the scaling on rows holding both classes.</summary>
    public static ProbabilityModel Train(IReadOnlyList<float[]> rows, IReadOnlyList<bool> labels, BoostedClassifierOptions? options = null)
    {
        var trees = BoostedClassifier.Train(rows, labels, options);
        var (margins, _) = trees.Score(rows, contributions: false);
        return new ProbabilityModel(trees, StackedCalibration.Fit(margins.Select(m => new[] { m }).ToList(), labels));
    }

    /// <summary>Probability of the positive class per row.</summary>
    public double[] Predict(IReadOnlyList<float[]> rows)
    {
        var (margins, _) = _trees.Score(rows, contributions: false);
        return margins.Select(m => _platt.Probability([m])).ToArray();
    }
}
