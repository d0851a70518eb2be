namespace Tributary.Server.Contracts;

/// <summary>One payment to score (<c>POST /api/score/transaction</c>), with the columns the fraud pipeline's features read.</summary>
/// <param name="TransactionId">Its id; scoring the same id again does not count it twice in the velocity state.</param>
/// <param name="CreatedAt">When it happened (ISO 8601 with a zone).</param>
/// <param name="Amount">Amount, 0 or more.</param>
/// <param name="Status">Payment status; the pipeline's declined status (Stripe: failed) counts as a decline. Default succeeded.</param>
/// <param name="CardFingerprint">Card fingerprint.</param>
/// <param name="Email">Payer's email.</param>
/// <param name="CustomerId">Customer id (the features step's profile column, e.g. the Stripe customer id).</param>
/// <param name="IpAddress">Payer's IP address.</param>
/// <param name="CardCountry">Card's issuing country.</param>
/// <param name="BillingCountry">Billing address country.</param>
public sealed record TransactionToScore(string TransactionId, DateTimeOffset CreatedAt, double Amount, string? Status = null, string? CardFingerprint = null,
    string? Email = null, string? CustomerId = null, string? IpAddress = null, string? CardCountry = null, string? BillingCountry = null);
