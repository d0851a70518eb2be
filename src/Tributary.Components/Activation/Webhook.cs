using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Polly;
using Polly.Retry;
using Tributary.Core.Components;
using Tributary.Core.Warehousing;

namespace Tributary.Components.Activation;

/// <summary>Parameters of <c>activate.webhook</c>.</summary>
public sealed record WebhookParameters : IValidatableObject
{
    /// <summary>Endpoint URL.</summary>
    [Description("Endpoint to POST to (http or https). Put tokens in the environment: url: ${env.CRM_WEBHOOK_URL}.")]
    public required string Url { get; init; }

    /// <summary>Env variable with the signing secret.</summary>
    [Description("Environment variable holding the HMAC secret. When set, each request carries X-Tributary-Timestamp and X-Tributary-Signature: sha256=HMAC-SHA256(secret, timestamp + '.' + body) in hex.")]
    public string? SecretEnv { get; init; }

    /// <summary>Rows per request.</summary>
    [Description("Rows per request. Default 500.")]
    [Range(1, 100_000)]
    public int BatchSize { get; init; } = 500;

    /// <summary>Retries per batch.</summary>
    [Description("Retries per batch on 429, 5xx, timeouts and connection errors, with exponential backoff from retry_delay (Retry-After is honoured). Default 5.")]
    [Range(0, 20)]
    public int MaxRetries { get; init; } = 5;

    /// <summary>First retry delay.</summary>
    [Description("Delay before the first retry; doubles each time. Default 1s.")]
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Per-request timeout.</summary>
    [Description("Timeout of one request. Default 30s.")]
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Whether dead-lettered batches fail the step.</summary>
    [Description("Fail the step when a batch ends in the dead-letter table. Default false: the step succeeds and reports the count.")]
    public bool FailOnDeadLetter { get; init; }

    /// <summary>Who may be sent, by marketing consent.</summary>
    [Description(MarketingConsent.RuleDescription)]
    public ConsentRule Consent { get; init; } = ConsentRule.Required;

    /// <summary>The consent column.</summary>
    [Description(MarketingConsent.ColumnDescription)]
    public string ConsentColumn { get; init; } = MarketingConsent.DefaultColumn;

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!Uri.TryCreate(Url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            yield return new ValidationResult($"url must be an absolute http or https URL, got '{Url}'.", [nameof(Url)]);
    }
}

/// <summary>
/// Sends the input table as batched JSON POSTs ({"asset", "run_id", "batch", "rows": [...]}), signed with
/// HMAC-SHA256, retried with backoff on 429 and 5xx; batches that still fail go to <c>&lt;id&gt;__dead_letter</c>
/// with their payload, so nothing is lost. The asset is the delivery log, one row per batch.
/// </summary>
public sealed class Webhook : IComponent<WebhookParameters>
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <inheritdoc />
    public static string TypeName => "activate.webhook";
    /// <inheritdoc />
    public static string Description => "POST the input rows as signed JSON batches to a webhook, with retries and a dead-letter table.";
    /// <inheritdoc />
    public static InputArity Inputs => InputArity.One;

    /// <inheritdoc />
    public ComponentPlan Plan(WebhookParameters parameters, PlanContext context) => new(new TableSchema(
        new (string, DataKind)[] { ("batch", DataKind.Integer), ("rows", DataKind.Integer), ("status_code", DataKind.Integer), ("attempts", DataKind.Integer), ("delivered", DataKind.Boolean) }
            .Select(c => new ColumnSchema(c.Item1, c.Item2.ToString().ToUpperInvariant(), c.Item2)).ToList()), [.. MarketingConsent.Requirement(parameters.Consent, parameters.ConsentColumn)])
    {
        SideOutputs = [new(DeadLetter, OutputRole.Rejected, "A batch that could not be delivered after its retries: status, error and the JSON payload.", Standardize.Schema.Of(DeadLetterColumns))],
    };

    private const string DeadLetter = "dead_letter";
    private static readonly (string, DataKind)[] DeadLetterColumns =
        [("batch", DataKind.Integer), ("rows", DataKind.Integer), ("status_code", DataKind.Integer), ("attempts", DataKind.Integer),
         ("error", DataKind.Text), ("payload", DataKind.Text), ("failed_at", DataKind.Timestamp)];

    private sealed record Delivery(int Batch, int Rows, int? StatusCode, int Attempts, bool Delivered, string? Error, string Payload);

    /// <inheritdoc />
    public async Task<Materialization> MaterializeAsync(WebhookParameters p, ComponentContext context, CancellationToken cancellationToken)
    {
        byte[]? secret = null;
        if (p.SecretEnv is { } env)
            secret = Encoding.UTF8.GetBytes(context.Environment(env) ?? throw new InvalidOperationException($"environment variable '{env}' (secret_env) is not set."));
        using var http = context.Http?.Invoke() ?? throw new InvalidOperationException("this host gives components no HTTP client, so the webhook cannot be called.");
        // Each attempt's time limit is the retry policy's, not the client's.
        http.Timeout = System.Threading.Timeout.InfiniteTimeSpan;
        var retry = Retry(p, context.Time);

        var table = context.Warehouse.Dialect.Quote(context.Inputs[0]);
        await MarketingConsent.ExcludeAsync(context, p.Consent, p.ConsentColumn, cancellationToken).ConfigureAwait(false);
        var consented = MarketingConsent.Where(p.Consent, p.ConsentColumn, context.Warehouse.Dialect);
        var schema = (await context.Warehouse.QueryAsync($"SELECT * FROM {table} LIMIT 0", null, 0, cancellationToken).ConfigureAwait(false)).Schema;
        var names = schema.Columns.Select(c => c.Name).ToList();
        var deliveries = new List<Delivery>();
        var batch = new List<Dictionary<string, object?>>(p.BatchSize);
        await foreach (var row in context.Warehouse.StreamAsync($"SELECT * FROM {table}{consented}", null, cancellationToken).ConfigureAwait(false))
        {
            batch.Add(names.Select((n, i) => (n, v: row[i])).ToDictionary(x => x.n, x => x.v));
            if (batch.Count == p.BatchSize)
            {
                deliveries.Add(await SendAsync(http, retry, p, secret, context, deliveries.Count + 1, batch, cancellationToken).ConfigureAwait(false));
                batch.Clear();
            }
        }
        if (batch.Count > 0) deliveries.Add(await SendAsync(http, retry, p, secret, context, deliveries.Count + 1, batch, cancellationToken).ConfigureAwait(false));

        var dead = deliveries.Where(d => !d.Delivered).ToList();
        var deadTable = context.Output(DeadLetter);
        var rows = (await context.Warehouse.WriteTablesAsync(
        [
            new TableWrite(context.Asset, TableWriteMode.Replace, (b, ct) => b.CreateAndAppendAsync(
                [("batch", DataKind.Integer), ("rows", DataKind.Integer), ("status_code", DataKind.Integer), ("attempts", DataKind.Integer), ("delivered", DataKind.Boolean)],
                deliveries.Select(d => new object?[] { d.Batch, d.Rows, d.StatusCode, d.Attempts, d.Delivered }), ct)),
            new TableWrite(deadTable, TableWriteMode.Replace, (b, ct) => b.CreateAndAppendAsync(DeadLetterColumns,
                dead.Select(d => new object?[] { d.Batch, d.Rows, d.StatusCode, d.Attempts, d.Error, d.Payload, context.Time.GetUtcNow().UtcDateTime }), ct)),
        ], cancellationToken).ConfigureAwait(false))[0];

        var sent = deliveries.Where(d => d.Delivered).Sum(d => d.Rows);
        context.Log($"delivered {sent} rows in {deliveries.Count - dead.Count} of {deliveries.Count} batches; {dead.Count} batch(es) in {deadTable}");
        if (dead.Count > 0 && p.FailOnDeadLetter)
            throw new InvalidOperationException($"{dead.Count} of {deliveries.Count} batches could not be delivered (first: {dead[0].Error}); they are in {deadTable}.");
        return new Materialization(rows, new Dictionary<string, object?> { ["rows_delivered"] = sent, ["batches"] = deliveries.Count, ["dead_lettered"] = dead.Count })
        {
            Warnings = dead.Count == 0 ? [] : [$"{dead.Sum(d => d.Rows)} row(s) in {dead.Count} of {deliveries.Count} batch(es) could not be delivered (first: {dead[0].Error}); they are in {deadTable}"],
        };
    }

    private static async Task<Delivery> SendAsync(HttpClient http, ResiliencePipeline<HttpResponseMessage> retry, WebhookParameters p, byte[]? secret,
        ComponentContext context, int number, List<Dictionary<string, object?>> rows, CancellationToken cancellationToken)
    {
        var payload = JsonSerializer.Serialize(new { asset = context.Asset, run_id = context.RunId, batch = number, rows }, Json);
        var attempts = 0;
        try
        {
            using var response = await retry.ExecuteAsync(async ct =>
            {
                attempts++;
                using var request = new HttpRequestMessage(HttpMethod.Post, p.Url) { Content = new StringContent(payload, Encoding.UTF8, "application/json") };
                if (secret is not null)
                {
                    var timestamp = context.Time.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
                    request.Headers.Add("X-Tributary-Timestamp", timestamp);
                    request.Headers.Add("X-Tributary-Signature", "sha256=" + Signature(secret, timestamp, payload));
                }
                request.Headers.Add("Idempotency-Key", $"{context.RunId}-{context.Asset}-{number}");
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                timeout.CancelAfter(p.Timeout);
                return await http.SendAsync(request, timeout.Token).ConfigureAwait(false);
            }, cancellationToken).ConfigureAwait(false);
            var code = (int)response.StatusCode;
            return response.IsSuccessStatusCode
                ? new Delivery(number, rows.Count, code, attempts, true, null, payload)
                : new Delivery(number, rows.Count, code, attempts, false, $"HTTP {code} {response.ReasonPhrase}", payload);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return new Delivery(number, rows.Count, null, attempts, false, e is TaskCanceledException ? $"timed out after {p.Timeout.TotalSeconds:0.#}s" : e.Message, payload);
        }
    }

    /// <summary>HMAC-SHA256(secret, timestamp + "." + body) as lower-case hex: what a receiver recomputes to verify.</summary>
    public static string Signature(byte[] secret, string timestamp, string body) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(secret, Encoding.UTF8.GetBytes(timestamp + "." + body)));

    private static ResiliencePipeline<HttpResponseMessage> Retry(WebhookParameters p, TimeProvider time)
    {
        if (p.MaxRetries == 0) return ResiliencePipeline<HttpResponseMessage>.Empty;
        return new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = p.MaxRetries,
                Delay = p.RetryDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = false,
                ShouldHandle = new PredicateBuilder<HttpResponseMessage>()
                    .HandleResult(r => r.StatusCode == HttpStatusCode.TooManyRequests || (int)r.StatusCode >= 500)
                    .Handle<HttpRequestException>()
                    .Handle<TaskCanceledException>(),
                // Retry-After (seconds or a date) wins over the computed backoff.
                DelayGenerator = args => ValueTask.FromResult(args.Outcome.Result?.Headers.RetryAfter switch
                {
                    { Delta: { } delta } => (TimeSpan?)delta,
                    { Date: { } date } => date - time.GetUtcNow() is var wait && wait > TimeSpan.Zero ? wait : TimeSpan.Zero,
                    _ => null,
                }),
                OnRetry = args =>
                {
                    args.Outcome.Result?.Dispose();
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
    }
}
