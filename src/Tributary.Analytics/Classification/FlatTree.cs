namespace Tributary.Analytics.Classification;

/// <summary>
/// One regression tree in ML.NET's layout. Internal node n sends a row left when its value of feature
/// <c>Feature[n]</c> is at most <c>Threshold[n]</c>, right otherwise; a missing value (NaN) is first replaced by
/// <c>MissingAs[n]</c>, which is how LightGBM's default direction reaches ML.NET (the threshold itself when missing
/// values go left, a value above it when they go right). A child index c ≥ 0 is an internal node, c &lt; 0 is leaf ~c.
/// A tree with no internal node is the single leaf <c>LeafValues[0]</c>.
/// </summary>
/// <param name="Feature">Split feature per internal node.</param>
/// <param name="Threshold">Split threshold per internal node.</param>
/// <param name="MissingAs">Value that stands for a missing feature value per internal node.</param>
/// <param name="Left">Child for values at most the threshold.</param>
/// <param name="Right">Child for values above the threshold.</param>
/// <param name="LeafValues">Output per leaf.</param>
/// <param name="Weight">The tree's weight in the ensemble's sum.</param>
public sealed record FlatTree(int[] Feature, float[] Threshold, float[] MissingAs, int[] Left, int[] Right, double[] LeafValues, double Weight = 1);
