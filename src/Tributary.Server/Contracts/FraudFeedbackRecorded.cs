namespace Tributary.Server.Contracts;

/// <summary>A label as stored in the fraud_feedback table.</summary>
/// <param name="TransactionId">The transaction.</param>
/// <param name="Label">fraud or legitimate.</param>
/// <param name="LabelledBy">Who labelled it.</param>
/// <param name="LabelledAt">When the server stored it (UTC).</param>
public sealed record FraudFeedbackRecorded(string TransactionId, string Label, string LabelledBy, DateTimeOffset LabelledAt);
