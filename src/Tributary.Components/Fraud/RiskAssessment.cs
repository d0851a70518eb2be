namespace Tributary.Components.Fraud;

/// <summary>The outcome of <see cref="RiskCombination.Assess"/> for one transaction.</summary>
/// <param name="Score">Risk 0-100, rounded to one decimal.</param>
/// <param name="Decision">allow, review or block.</param>
/// <param name="Reasons">The top reasons, strongest first, joined by "; "; null when there are none.</param>
/// <param name="AnomalyPart">The mean percentile of the anomaly models, null without one.</param>
/// <param name="Combined">The combined score in [0, 1] before rounding.</param>
public sealed record RiskAssessment(double Score, string Decision, string? Reasons, double? AnomalyPart, double Combined);
