namespace Tributary.Server.Contracts;

/// <summary>An analyst's label of one transaction (<c>POST /api/fraud/feedback</c>), for analytics.fraud_model.</summary>
/// <param name="TransactionId">The transaction.</param>
/// <param name="Label">fraud or legitimate.</param>
/// <param name="LabelledBy">Who labelled it.</param>
public sealed record FraudFeedbackSubmission(string TransactionId, string Label, string LabelledBy);
