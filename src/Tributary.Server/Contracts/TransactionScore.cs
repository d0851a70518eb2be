namespace Tributary.Server.Contracts;

/// <summary>The risk of one payment, as analytics.risk_score would score it (<c>POST /api/score/transaction</c>).</summary>
/// <param name="TransactionId">The transaction.</param>
/// <param name="RiskScore">Risk 0-100.</param>
/// <param name="Decision">allow, review or block, by the pipeline's thresholds.</param>
/// <param name="Reasons">The top reasons, strongest first.</param>
/// <param name="RulesFired">The rules that fired, strongest first.</param>
/// <param name="RulePart">The rule score, 0-1.</param>
/// <param name="AnomalyPart">The anomaly models' percentile, 0-1; absent without one.</param>
/// <param name="ModelPart">The supervised model's calibrated fraud probability, 0-1; absent while no model is trained.</param>
/// <param name="Known">Whether the transaction id was known already (scored again, not counted twice).</param>
/// <param name="Pipeline">The pipeline whose latest run the models come from.</param>
/// <param name="MaterializedAt">When that run wrote the risk scores.</param>
public sealed record TransactionScore(string TransactionId, double RiskScore, string Decision, IReadOnlyList<string> Reasons, IReadOnlyList<string> RulesFired,
    double RulePart, double? AnomalyPart, double? ModelPart, bool Known, string Pipeline, DateTimeOffset MaterializedAt);
