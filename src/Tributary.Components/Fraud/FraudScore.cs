namespace Tributary.Components.Fraud;

/// <summary>The online score of one transaction (see <see cref="FraudScorer"/>).</summary>
/// <param name="TransactionId">The transaction.</param>
/// <param name="Score">Risk 0-100, as <c>analytics.risk_score</c> computes it.</param>
/// <param name="Decision">allow, review or block.</param>
/// <param name="Reasons">The top reasons, strongest first.</param>
/// <param name="RulesFired">Names of the rules that fired, strongest first.</param>
/// <param name="RulePart">The rule score in [0, 1].</param>
/// <param name="AnomalyPart">The anomaly models' mean percentile in [0, 1], null without one.</param>
/// <param name="ModelPart">The supervised model's calibrated probability in [0, 1], null without a trained model.</param>
/// <param name="Known">Whether the transaction id was seen before (then it is scored again but not counted twice).</param>
public sealed record FraudScore(string TransactionId, double Score, string Decision, IReadOnlyList<string> Reasons, IReadOnlyList<string> RulesFired,
    double RulePart, double? AnomalyPart, double? ModelPart, bool Known);
