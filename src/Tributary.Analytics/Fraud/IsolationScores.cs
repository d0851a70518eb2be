namespace Tributary.Analytics.Fraud;

/// <summary>
/// Scores of rows under an <see cref="IsolationForestModel"/> with their explanation. A row's isolation credit for feature j
/// sums, over the trees and over each cut on the row's path, the share of the node's training rows that the cut separates
/// from the row, (size(node) − size(child)) / size(node), times feature j's part of the row's distance from the cut (1 for
/// an axis-parallel cut; |n_j (x_j − p_j)| / Σ_k |n_k (x_k − p_k)| for a hyperplane). A cut that leaves an outlier alone at
/// the root credits nearly 1.
/// </summary>
/// <param name="Scores">s(x, ψ) in (0, 1] per row; higher is more anomalous.</param>
/// <param name="TopFeature">Per row, the feature with the largest isolation credit (the lowest index on a tie).</param>
/// <param name="Importance">Per feature, its share of the isolation credit averaged over all rows (the shares sum to 1).</param>
public sealed record IsolationScores(double[] Scores, int[] TopFeature, double[] Importance);
