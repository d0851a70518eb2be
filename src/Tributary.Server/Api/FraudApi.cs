using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Tributary.Components.Fraud;
using Tributary.Core.Warehousing;
using Tributary.Engine.Runs;
using Tributary.Server.Contracts;

namespace Tributary.Server.Api;

/// <summary>
/// Online fraud scoring and analyst feedback: <c>POST /api/score/transaction</c> scores one payment with the features,
/// rules, stored forests and combination of the latest fraud pipeline run (see <see cref="FraudScorer"/>), and
/// <c>POST /api/fraud/feedback</c> stores an analyst's label in the fraud_feedback table that analytics.fraud_model learns from.
/// </summary>
internal static class FraudApi
{
    /// <summary>The table analytics.fraud_model reads labels from by default.</summary>
    public const string FeedbackTable = "fraud_feedback";
    private const int MaxText = 200;
    private static readonly string[] Labels = ["fraud", "legitimate"];

    public static void Map(RouteGroupBuilder api, TributaryProject project, RunEventHub events, IHostApplicationLifetime lifetime, TimeProvider time, ILogger log)
    {
        var scorers = new FraudScorers(project, log);
        var tableCreation = new SemaphoreSlim(1, 1);
        lifetime.ApplicationStarted.Register(() => _ = scorers.FollowAsync(events, lifetime.ApplicationStopping));

        api.MapPost("/score/transaction", async Task<Results<Ok<TransactionScore>, NotFound<ProblemDetails>, BadRequest<ProblemDetails>>> (TransactionToScore t, CancellationToken ct) =>
        {
            if (Invalid(t) is { } problem) return ApiProblems.BadRequest(problem);
            if (await scorers.GetAsync(ct).ConfigureAwait(false) is not { } loaded)
                return ApiProblems.NotFound("no risk scores materialized yet: run a pipeline with analytics.risk_score (e.g. the fraud_detection template)");
            var s = loaded.Scorer.Score(new TransactionEvent(t.TransactionId, t.CreatedAt, t.Amount, loaded.Scorer.IsDeclined(t.Status), t.CardFingerprint, t.Email,
                t.CustomerId, t.IpAddress, t.CardCountry, t.BillingCountry));
            return TypedResults.Ok(new TransactionScore(s.TransactionId, s.Score, s.Decision, s.Reasons, s.RulesFired, s.RulePart, s.AnomalyPart, s.ModelPart, s.Known,
                loaded.Pipeline, loaded.MaterializedAt));
        }).WithName("ScoreTransaction").WithTags("Fraud");

        api.MapPost("/fraud/feedback", async Task<Results<Ok<FraudFeedbackRecorded>, BadRequest<ProblemDetails>>> (FraudFeedbackSubmission f, CancellationToken ct) =>
        {
            if ((Text("transaction_id", f.TransactionId) ?? Text("labelled_by", f.LabelledBy)) is { } problem) return ApiProblems.BadRequest(problem);
            var label = f.Label.Trim().ToLowerInvariant();
            if (!Labels.Contains(label)) return ApiProblems.BadRequest($"label must be one of {string.Join(", ", Labels)}, got '{f.Label}'");
            var at = time.GetUtcNow();
            // Whole microseconds, as both engines store a timestamp.
            at = new DateTimeOffset(at.UtcTicks - at.UtcTicks % 10, TimeSpan.Zero);
            await RecordAsync(project.Warehouse, tableCreation, f.TransactionId.Trim(), label, f.LabelledBy.Trim(), at, ct).ConfigureAwait(false);
            return TypedResults.Ok(new FraudFeedbackRecorded(f.TransactionId.Trim(), label, f.LabelledBy.Trim(), at));
        }).WithName("RecordFraudFeedback").WithTags("Fraud");
    }

    private static async Task RecordAsync(IWarehouse warehouse, SemaphoreSlim tableCreation, string id, string label, string who, DateTimeOffset at, CancellationToken ct)
    {
        var d = warehouse.Dialect;
        var table = d.Quote(FeedbackTable);
        await tableCreation.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            await warehouse.ExecuteAsync($"CREATE TABLE IF NOT EXISTS {table} ({d.Quote("transaction_id")} {d.TypeName(DataKind.Text)}, {d.Quote("label")} {d.TypeName(DataKind.Text)}, "
                + $"{d.Quote("labelled_by")} {d.TypeName(DataKind.Text)}, {d.Quote("labelled_at")} {d.TypeName(DataKind.Timestamp)})", null, ct).ConfigureAwait(false);
        }
        finally
        {
            tableCreation.Release();
        }
        var q = new SqlBuilder(d);
        var sql = $"INSERT INTO {table} ({d.Quote("transaction_id")}, {d.Quote("label")}, {d.Quote("labelled_by")}, {d.Quote("labelled_at")}) "
            + $"VALUES ({q.Bind(id, DataKind.Text)}, {q.Bind(label, DataKind.Text)}, {q.Bind(who, DataKind.Text)}, {q.Bind(DateTime.SpecifyKind(at.UtcDateTime, DateTimeKind.Unspecified), DataKind.Timestamp)})";
        await warehouse.ExecuteAsync(sql, q.Parameters, ct).ConfigureAwait(false);
    }

    private static string? Invalid(TransactionToScore t)
    {
        if (Text("transaction_id", t.TransactionId) is { } problem) return problem;
        if (!double.IsFinite(t.Amount) || t.Amount < 0) return $"amount must be a number of 0 or more, got {t.Amount}";
        if (t.CreatedAt == default) return "created_at is required (ISO 8601 with a zone, e.g. 2026-12-02T09:30:00Z)";
        foreach (var (name, value) in new[] { ("status", t.Status), ("card_fingerprint", t.CardFingerprint), ("email", t.Email), ("customer_id", t.CustomerId),
                     ("ip_address", t.IpAddress), ("card_country", t.CardCountry), ("billing_country", t.BillingCountry) })
            if (value is { Length: > MaxText }) return $"{name} is longer than {MaxText} characters";
        return null;
    }

    private static string? Text(string name, string value) =>
        string.IsNullOrWhiteSpace(value) ? $"{name} must not be empty" : value.Length > MaxText ? $"{name} is longer than {MaxText} characters" : null;
}
