using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Tributary.Components.Samples.DemoStore;
using Tributary.Server.Contracts;
using Tributary.Testing;

namespace Tributary.Cli.Tests.Server;

/// <summary>
/// Online fraud scoring and analyst feedback in trib serve: the fraud_detection template on a small demo, then the API
/// answers as analytics.risk_score did, stores labels in fraud_feedback, and refuses bad input with a 400 that says why.
/// </summary>
public sealed class FraudApiTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task ScoreAndFeedback_AgreeWithTheBatchAndRoundTrip_BadInputIsA400()
    {
        var directory = Path.Combine(_temp.Path, "project");
        Assert.Equal(0, (await Trib.RunAsync("init", directory)).ExitCode);
        DemoStoreGenerator.Write(Path.Combine(directory, "data", "demo"), new DemoStoreOptions(Customers: 400, Days: 90, Seed: 3));
        File.Copy(Path.Combine(RepositoryFiles.Templates, "fraud_detection.yaml"), Path.Combine(directory, "pipelines", "fraud_detection.yaml"));
        await using var served = await InProcessServer.StartAsync(directory, Ct);
        var http = served.Http;

        var probe = new TransactionToScore("probe", new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.Zero), 10);
        using (var none = await http.PostAsJsonAsync("/api/score/transaction", probe, ApiJson.Options, Ct))
            Assert.Equal(HttpStatusCode.NotFound, none.StatusCode);
        await served.RunAsync("fraud_detection", Ct);

        // The batch's scores and the transactions behind them, by the query API.
        var batch = await WaitForRowsAsync(http, "SELECT r.transaction_id, r.risk_score, r.decision, t.created_at, t.amount, t.status, t.card_fingerprint, t.email, "
            + "t.stripe_customer_id, t.ip_address, t.card_country, t.billing_country FROM risk_scores r JOIN transactions t ON CAST(t.transaction_id AS VARCHAR) = r.transaction_id "
            + "ORDER BY r.risk_score DESC, r.transaction_id LIMIT 40");
        Assert.Contains(batch, r => r[2].GetString() != "allow");
        // The scorer loads after the run: a 404 until then.
        for (var attempt = 0; ; attempt++)
        {
            using var response = await http.PostAsJsonAsync("/api/score/transaction", probe, ApiJson.Options, Ct);
            if (response.IsSuccessStatusCode) break;
            if (attempt >= 300) Assert.Fail($"the scorer did not load: {response.StatusCode} {await response.Content.ReadAsStringAsync(Ct)}");
            await Task.Delay(200, Ct);
        }
        TransactionScore? first = null;
        foreach (var r in batch)
        {
            string? S(int i) => r[i].ValueKind == JsonValueKind.Null ? null : r[i].ToString();
            var t = new TransactionToScore(S(0)!, When(S(3)!), r[4].GetDouble(),
                S(5), S(6), S(7), S(8), S(9), S(10), S(11));
            var scored = await ScoreAsync(http, t);
            first ??= scored;
            // Known transactions are scored as of their own time, from the transactions before them: as the batch did.
            Assert.True(scored.Known);
            Assert.Equal(r[1].GetDouble(), scored.RiskScore);
            Assert.Equal(r[2].GetString(), scored.Decision);
        }
        Assert.Equal("fraud_detection", first!.Pipeline);
        Assert.NotEmpty(first.Reasons);
        // No labels yet, so no supervised model: the answer has no model part.
        Assert.Null(first.ModelPart);

        // A new transaction right after a flagged one on the same card and email adds to its velocity.
        var top = batch[0];
        var at = When(top[3].ToString());
        var fresh = await ScoreAsync(http, new TransactionToScore("online-1", at.AddSeconds(30), 1, "failed", top[6].ToString(), top[7].ToString(), top[8].ToString(), top[9].ToString()));
        Assert.False(fresh.Known);
        Assert.InRange(fresh.RiskScore, 0, 100);
        Assert.Contains(fresh.Decision, new[] { "allow", "review", "block" });
        Assert.True((await ScoreAsync(http, new TransactionToScore("online-1", at.AddSeconds(30), 1, "failed", top[6].ToString(), top[7].ToString(), top[8].ToString(), top[9].ToString()))).Known);

        // Feedback round trip: stored with who and when, the label normalized; a second label for the same transaction is kept too (the latest counts).
        var recorded = await (await Checked(await http.PostAsJsonAsync("/api/fraud/feedback", new FraudFeedbackSubmission(first.TransactionId, " Fraud ", "ana@shop"), ApiJson.Options, Ct)))
            .Content.ReadFromJsonAsync<FraudFeedbackRecorded>(ApiJson.Options, Ct);
        Assert.Equal("fraud", recorded!.Label);
        await Checked(await http.PostAsJsonAsync("/api/fraud/feedback", new FraudFeedbackSubmission("x'; DROP TABLE risk_scores; --", "legitimate", "bo"), ApiJson.Options, Ct));
        var stored = await WaitForRowsAsync(http, "SELECT transaction_id, label, labelled_by, labelled_at FROM fraud_feedback ORDER BY labelled_at");
        Assert.Equal(2, stored.Count);
        Assert.Equal([first.TransactionId, "fraud", "ana@shop"], stored[0].Take(3).Select(v => v.GetString()));
        Assert.Equal(recorded.LabelledAt, When(stored[0][3].GetString()!));
        Assert.Equal("x'; DROP TABLE risk_scores; --", stored[1][0].GetString());
        Assert.NotEmpty(await WaitForRowsAsync(http, "SELECT 1 FROM risk_scores LIMIT 1"));

        // Bad input: a 400 that names the problem.
        var bad = new (string Path, string Body, string Says)[]
        {
            ("/api/score/transaction", """{"transaction_id": "", "created_at": "2025-03-01T00:00:00Z", "amount": 5}""", "transaction_id"),
            ("/api/score/transaction", """{"transaction_id": "a", "created_at": "2025-03-01T00:00:00Z", "amount": -5}""", "amount"),
            ("/api/score/transaction", """{"transaction_id": "a", "amount": 5}""", "created_at"),
            ("/api/score/transaction", """{"transaction_id": "a", "created_at": "2025-03-01T00:00:00Z", "amount": "5"}""", "amount"),
            ("/api/score/transaction", $$"""{"transaction_id": "a", "created_at": "2025-03-01T00:00:00Z", "amount": 5, "email": "{{new string('e', 201)}}"}""", "email"),
            ("/api/score/transaction", "{not json", ""),
            ("/api/fraud/feedback", """{"transaction_id": "t1", "label": "maybe", "labelled_by": "ana"}""", "label must be one of fraud, legitimate"),
            ("/api/fraud/feedback", """{"transaction_id": " ", "label": "fraud", "labelled_by": "ana"}""", "transaction_id"),
            ("/api/fraud/feedback", """{"transaction_id": "t1", "label": "fraud", "labelled_by": ""}""", "labelled_by"),
            ("/api/fraud/feedback", """{"transaction_id": "t1", "label": "fraud"}""", "labelled_by"),
        };
        foreach (var (path, body, says) in bad)
        {
            using var response = await http.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"), Ct);
            var text = await response.Content.ReadAsStringAsync(Ct);
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{path} {body}: {response.StatusCode} {text}");
            Assert.Contains(says, text, StringComparison.Ordinal);
        }
        Assert.Equal(2, (await WaitForRowsAsync(http, "SELECT * FROM fraud_feedback")).Count);
    }

    [Fact]
    public async Task Score_WithAModelTrainedOnFeedback_AnswersTheModelPartAsTheBatch()
    {
        var directory = Path.Combine(_temp.Path, "project");
        Assert.Equal(0, (await Trib.RunAsync("init", directory)).ExitCode);
        var demo = Path.Combine(directory, "data", "demo");
        DemoStoreGenerator.Write(demo, new DemoStoreOptions(Customers: 400, Days: 90, Seed: 3));
        // Without its schedule: a run falling due mid-test would retrain the model, and the answers would be compared with another run's.
        File.WriteAllLines(Path.Combine(directory, "pipelines", "fraud_detection.yaml"),
            File.ReadLines(Path.Combine(RepositoryFiles.Templates, "fraud_detection.yaml")).Where(l => !l.StartsWith("schedule:", StringComparison.Ordinal)));
        await using var served = await InProcessServer.StartAsync(directory, Ct);
        var http = served.Http;

        // Analyst labels through the API, enough for the template's min_labels: the known fraud and every third other charge.
        var fraud = File.ReadLines(Path.Combine(demo, "ground_truth", "fraud_labels.csv")).Skip(1).Select(l => l.Split(',')[0]).ToHashSet(StringComparer.Ordinal);
        var labels = File.ReadLines(Path.Combine(demo, "stripe", "charges.csv")).Skip(1).Select(l => l.Split(',')[0])
            .Where((id, i) => fraud.Contains(id) || i % 3 == 0).Select(id => new FraudFeedbackSubmission(id, fraud.Contains(id) ? "fraud" : "legitimate", "ana")).ToList();
        Assert.True(labels.Count >= 200 && labels.Count(l => l.Label == "fraud") >= 10, $"{labels.Count} labels, {fraud.Count} fraud");
        foreach (var label in labels) (await Checked(await http.PostAsJsonAsync("/api/fraud/feedback", label, ApiJson.Options, Ct))).Dispose();
        await served.RunAsync("fraud_detection", Ct);

        var batch = await WaitForRowsAsync(http, "SELECT r.transaction_id, r.risk_score, r.model_part, t.created_at, t.amount, t.status, t.card_fingerprint, t.email, "
            + "t.stripe_customer_id, t.ip_address, t.card_country, t.billing_country FROM risk_scores r JOIN transactions t ON CAST(t.transaction_id AS VARCHAR) = r.transaction_id "
            + "WHERE r.model_part IS NOT NULL ORDER BY r.model_part DESC, r.transaction_id LIMIT 30");
        var probe = new TransactionToScore("probe", new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.Zero), 10);
        for (var attempt = 0; ; attempt++)
        {
            using var response = await http.PostAsJsonAsync("/api/score/transaction", probe, ApiJson.Options, Ct);
            if (response.IsSuccessStatusCode) break;
            if (attempt >= 300) Assert.Fail($"the scorer did not load: {response.StatusCode} {await response.Content.ReadAsStringAsync(Ct)}");
            await Task.Delay(200, Ct);
        }
        foreach (var r in batch)
        {
            string? S(int i) => r[i].ValueKind == JsonValueKind.Null ? null : r[i].ToString();
            var scored = await ScoreAsync(http, new TransactionToScore(S(0)!, When(S(3)!), r[4].GetDouble(), S(5), S(6), S(7), S(8), S(9), S(10), S(11)));
            Assert.Equal(r[1].GetDouble(), scored.RiskScore);
            Assert.NotNull(scored.ModelPart);
            Assert.Equal(r[2].GetDouble(), scored.ModelPart!.Value, 9);
        }
    }

    // A timestamp without a zone is UTC, as the warehouse stores it.
    private static DateTimeOffset When(string text) => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    private static async Task<TransactionScore> ScoreAsync(HttpClient http, TransactionToScore t)
    {
        using var response = await Checked(await http.PostAsJsonAsync("/api/score/transaction", t, ApiJson.Options, Ct));
        return (await response.Content.ReadFromJsonAsync<TransactionScore>(ApiJson.Options, Ct))!;
    }

    private static async Task<HttpResponseMessage> Checked(HttpResponseMessage response)
    {
        if (!response.IsSuccessStatusCode) Assert.Fail($"{response.RequestMessage?.RequestUri}: {response.StatusCode} {await response.Content.ReadAsStringAsync(Ct)}");
        return response;
    }

    // Polls until the query answers with rows: the run, and then the scorer's load, take a moment.
    private static async Task<IReadOnlyList<JsonElement[]>> WaitForRowsAsync(HttpClient http, string sql)
    {
        for (var attempt = 0; ; attempt++)
        {
            using var response = await http.PostAsJsonAsync("/api/query", new QuerySubmission(sql), ApiJson.Options, Ct);
            if (response.IsSuccessStatusCode)
            {
                using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
                var rows = json.RootElement.GetProperty("rows").EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.Clone()).ToArray()).ToList();
                if (rows.Count > 0) return rows;
            }
            if (attempt >= 300) Assert.Fail($"no rows from {sql} after {attempt} attempts: {response.StatusCode} {await response.Content.ReadAsStringAsync(Ct)}");
            await Task.Delay(200, Ct);
        }
    }
}
