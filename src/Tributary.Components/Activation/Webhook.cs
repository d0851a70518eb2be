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
    [Description("Environment variable holding the HMAC secret. When set, each request carries X-Tributary-Timestamp and X-Tributary-Signature: sha256=HMAC-SHA256(secret, timestamp + '.' + body) in hex. Not one of Tributary's own (TRIBUTARY_*, tributary.yaml's postgres_env); its value is shown as <env NAME> in the run's errors and logs.")]
    public string? SecretEnv { get; init; }

    /// <summary>Rows per request.</summary>
    [Description("Rows per request. Default 500.")]
    [Range(1, 100_000)]
    public int BatchSize { get; init; } = 500;

    /// <summary>Retries per batch.</summary>
    [Description("Retries per batch on 429, 5xx, timeouts and connection errors, with exponential backoff from retry_delay (Retry-After is honoured up to max_retry_wait). Default 5.")]
    [Range(0, 20)]
    public int MaxRetries { get; init; } = 5;

    /// <summary>First retry delay.</summary>
    [Description("Delay before the first retry; doubles each time. Default 1s.")]
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Per-request timeout.</summary>
    [Description("Timeout of one request. Default 30s.")]
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Whether any dead-lettered batch fails the step.</summary>
    [Description("Fail the step when any batch ends in the dead-letter table: the same as max_failed_ratio: 0. Default false: max_failed_ratio decides.")]
    public bool FailOnDeadLetter { get; init; }

    /// <summary>Largest share of rows that may fail while the step succeeds.</summary>
    [Description("Largest share of the input rows (0 to 1) that may end in the dead-letter table while the step still succeeds, with a warning; above it the step fails (alerting on_failure), its delivery log and dead letters written all the same. Default 0.1: a destination missing more than one row in ten is not the audience the pipeline computed. Whatever the setting, the step fails when nothing of a non-empty input was delivered.")]
    [Range(0.0, 1.0)]
    public double MaxFailedRatio { get; init; } = 0.1;

    /// <summary>Longest wait before one retry.</summary>
    [Description("Longest wait before one retry, at most 1d. A Retry-After longer than this dead-letters the batch at once, saying so, instead of stalling the run; the computed backoff stops growing at it. Default 60s.")]
    public TimeSpan MaxRetryWait { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Consecutive failed batches after which the rest are not sent.</summary>
    [Description("After this many consecutive batches failed (after their retries), the remaining batches go to the dead-letter table without being sent (error 'endpoint failing: N consecutive batches failed'), so a dead endpoint does not cost every batch its retries. 0 sends every batch. Default 3.")]
    [Range(0, 1000)]
    public int CircuitBreakAfter { get; init; } = 3;

    /// <summary>Whether loopback and private addresses may be called.</summary>
    [Description("Allow loopback (127.0.0.0/8, ::1, localhost) and private addresses (10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7) for an endpoint inside your own network. Checked on the addresses the host name resolves to; link-local and cloud metadata addresses (169.254.0.0/16, fe80::/10) are refused always, and redirects are never followed. Default false.")]
    public bool AllowPrivateNetwork { get; init; }

    /// <summary>Days dead letters are kept.</summary>
    [Description("Days a dead-lettered batch is kept: <id>__dead_letter accumulates across runs (each batch with its run_id and failed_at), and batches older than this are removed when the step next runs. Default 30.")]
    [Range(1, 3650)]
    public int DeadLetterDays { get; init; } = 30;

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
        else if (uri.HostNameType is UriHostNameType.IPv4 or UriHostNameType.IPv6 && IPAddress.TryParse(uri.DnsSafeHost, out var ip) && NetworkTargets.IsLinkLocal(ip))
            yield return new ValidationResult($"url '{Url}' is a link-local address (where cloud metadata services answer): webhooks never call one.", [nameof(Url)]);
        if (MaxRetryWait <= TimeSpan.Zero || MaxRetryWait > TimeSpan.FromDays(1))
            yield return new ValidationResult($"max_retry_wait must be more than 0 and at most 1d, got {MaxRetryWait}.", [nameof(MaxRetryWait)]);
    }
}

/// <summary>
/// Sends the input table as batched JSON POSTs ({"asset", "run_id", "batch", "rows": [...]}), signed with
/// HMAC-SHA256, retried with backoff on 429 and 5xx; batches that still fail go to <c>&lt;id&gt;__dead_letter</c>
/// with their payload and the receiver's answer, so nothing is lost. The asset is the delivery log, one row per batch. The step
/// fails when nothing was delivered, or more than max_failed_ratio of the rows was not.
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
         ("error", DataKind.Text), ("payload", DataKind.Text), ("failed_at", DataKind.Timestamp), ("run_id", DataKind.Text)];

    // The receiver's answer kept in a dead letter's error: enough to act on, bounded.
    private const int AnswerBytes = 1024;

    private sealed record Delivery(int Batch, int Rows, int? StatusCode, int Attempts, bool Delivered, string? Error, string? Payload);

    /// <inheritdoc />
    public async Task<Materialization> MaterializeAsync(WebhookParameters p, ComponentContext context, CancellationToken cancellationToken)
    {
        byte[]? secret = null;
        if (p.SecretEnv is { } env)
            secret = Encoding.UTF8.GetBytes(context.Environment(env) ?? throw new InvalidOperationException($"environment variable '{env}' (secret_env) is not set."));
        if (context.Http is null) throw new InvalidOperationException("this host gives components no HTTP client, so the webhook cannot be called.");
        // Its own handler rather than the host's: the addresses are checked as resolved and redirects are not followed.
        // Each attempt's time limit is the retry policy's, not the client's.
        using var http = new HttpClient(NetworkTargets.Handler(p.AllowPrivateNetwork)) { Timeout = System.Threading.Timeout.InfiniteTimeSpan };
        var retry = Retry(p, context.Time);

        var table = context.Warehouse.Dialect.Quote(context.Inputs[0]);
        var excluded = await MarketingConsent.ExcludeAsync(context, p.Consent, p.ConsentColumn, cancellationToken).ConfigureAwait(false);
        var consented = MarketingConsent.Where(p.Consent, p.ConsentColumn, context.Warehouse.Dialect);
        var schema = (await context.Warehouse.QueryAsync($"SELECT * FROM {table} LIMIT 0", null, 0, cancellationToken).ConfigureAwait(false)).Schema;
        var names = schema.Columns.Select(c => c.Name).ToList();
        var deliveries = new List<Delivery>();
        var batch = new List<Dictionary<string, object?>>(p.BatchSize);
        var failing = 0;
        async Task FlushAsync()
        {
            var number = deliveries.Count + 1;
            var payload = JsonSerializer.Serialize(new { asset = context.Asset, run_id = context.RunId, batch = number, rows = batch }, Json);
            var delivery = p.CircuitBreakAfter > 0 && failing >= p.CircuitBreakAfter
                ? new Delivery(number, batch.Count, null, 0, false, $"endpoint failing: {p.CircuitBreakAfter} consecutive batches failed, so this one was not sent", payload)
                : await SendAsync(http, retry, p, secret, context, number, batch.Count, payload, cancellationToken).ConfigureAwait(false);
            failing = delivery.Delivered ? 0 : failing + 1;
            // Only a dead letter needs its payload: a delivered batch's is dropped (about 0.8 KB a row otherwise, all held to the end).
            deliveries.Add(delivery.Delivered ? delivery with { Payload = null } : delivery);
            batch.Clear();
        }
        await foreach (var row in context.Warehouse.StreamAsync($"SELECT * FROM {table}{consented}", null, cancellationToken).ConfigureAwait(false))
        {
            batch.Add(names.Select((n, i) => (n, v: row[i])).ToDictionary(x => x.n, x => x.v));
            if (batch.Count == p.BatchSize) await FlushAsync().ConfigureAwait(false);
        }
        if (batch.Count > 0) await FlushAsync().ConfigureAwait(false);

        var dead = deliveries.Where(d => !d.Delivered).ToList();
        var deadTable = context.Output(DeadLetter);
        var now = context.Time.GetUtcNow().UtcDateTime;
        var expired = await ExpiredRunsAsync(context.Warehouse, deadTable, now.AddDays(-p.DeadLetterDays), cancellationToken).ConfigureAwait(false);
        var rows = (await context.Warehouse.WriteTablesAsync(
        [
            new TableWrite(context.Asset, TableWriteMode.Replace, (b, ct) => b.CreateAndAppendAsync(
                [("batch", DataKind.Integer), ("rows", DataKind.Integer), ("status_code", DataKind.Integer), ("attempts", DataKind.Integer), ("delivered", DataKind.Boolean)],
                deliveries.Select(d => new object?[] { d.Batch, d.Rows, d.StatusCode, d.Attempts, d.Delivered }), ct)),
            // Dead letters accumulate across runs, so an earlier failure is still there to replay after a later run.
            new TableWrite(deadTable, TableWriteMode.Append, (b, ct) => b.CreateAndAppendAsync(DeadLetterColumns,
                dead.Select(d => new object?[] { d.Batch, d.Rows, d.StatusCode, d.Attempts, d.Error, d.Payload, now, context.RunId }), ct)) { Supersedes = expired },
        ], cancellationToken).ConfigureAwait(false))[0];

        var total = deliveries.Sum(d => d.Rows);
        var failed = dead.Sum(d => d.Rows);
        context.Log($"delivered {total - failed} rows in {deliveries.Count - dead.Count} of {deliveries.Count} batches; {dead.Count} batch(es) in {deadTable}");
        var summary = dead.Count == 0 ? "" : $"{failed} row(s) in {dead.Count} of {deliveries.Count} batch(es) could not be delivered (first: {dead[0].Error}); they are in {deadTable}";
        // Written first, so a failed step still leaves its delivery log and dead letters.
        var why = dead.Count == 0 ? null
            : failed == total ? "nothing was delivered"
            : p.FailOnDeadLetter ? "fail_on_dead_letter is set"
            : (double)failed / total > p.MaxFailedRatio ? $"more than max_failed_ratio ({p.MaxFailedRatio:0.##%}) of the rows failed"
            : null;
        if (why is not null) throw new InvalidOperationException($"{why}: {summary}.");
        return new Materialization(rows, new Dictionary<string, object?>
        {
            ["rows_delivered"] = total - failed, ["batches"] = deliveries.Count, ["dead_lettered"] = dead.Count,
            ["rows_in"] = total + excluded, ["rows_failed"] = failed, ["excluded_no_consent"] = excluded,
        })
        {
            Warnings = dead.Count == 0 ? [] : [summary],
        };
    }

    // The runs whose dead letters are older than dead_letter_days, removed in the same commit as this run's.
    private static async Task<SupersededRows?> ExpiredRunsAsync(IWarehouse warehouse, string table, DateTime before, CancellationToken cancellationToken)
    {
        // A table from before run_id was recorded is left as it is.
        if (await warehouse.DescribeTableAsync(table, cancellationToken).ConfigureAwait(false) is not { } schema || schema.Columns.All(c => c.Name != "run_id")) return null;
        var d = warehouse.Dialect;
        var q = new SqlBuilder(d);
        var runs = await warehouse.QueryAsync($"SELECT DISTINCT {d.Quote("run_id")} FROM {d.Quote(table)} WHERE {d.Quote("failed_at")} < {q.Bind(before, DataKind.Timestamp)} AND {d.Quote("run_id")} IS NOT NULL",
            q.Parameters, int.MaxValue, cancellationToken).ConfigureAwait(false);
        return runs.Rows.Count == 0 ? null : new SupersededRows("run_id", runs.Rows.Select(r => Convert.ToString(r[0], CultureInfo.InvariantCulture)!).ToList());
    }

    private static async Task<Delivery> SendAsync(HttpClient http, ResiliencePipeline<HttpResponseMessage> retry, WebhookParameters p, byte[]? secret,
        ComponentContext context, int number, int rows, string payload, CancellationToken cancellationToken)
    {
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
            if (response.IsSuccessStatusCode) return new Delivery(number, rows, code, attempts, true, null, null);
            var error = $"HTTP {code} {response.ReasonPhrase}";
            if (code is >= 300 and < 400)
                error += $", a redirect to {response.Headers.Location?.OriginalString ?? "no Location"}: redirects are not followed, so set url to the final address";
            else if (RetryAfter(response, context.Time) is { } wait && wait > p.MaxRetryWait)
                error += $", Retry-After {wait.TotalSeconds:0}s: longer than max_retry_wait ({p.MaxRetryWait.TotalSeconds:0}s), so not retried";
            var answer = await AnswerAsync(response, p.Timeout, cancellationToken).ConfigureAwait(false);
            return new Delivery(number, rows, code, attempts, false, answer.Length == 0 ? error : $"{error}: {answer}", payload);
        }
        catch (HttpRequestException e) when (e.InnerException is UnauthorizedAccessException refused)
        {
            return new Delivery(number, rows, null, attempts, false, $"refused: {refused.Message}", payload);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return new Delivery(number, rows, null, attempts, false, e is TaskCanceledException ? $"timed out after {p.Timeout.TotalSeconds:0.#}s" : e.Message, payload);
        }
    }

    // The start of the receiver's answer (why it refused), at most AnswerBytes; none when it cannot be read in time.
    private static async Task<string> AnswerAsync(HttpResponseMessage response, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            await using var stream = await response.Content.ReadAsStreamAsync(limit.Token).ConfigureAwait(false);
            var buffer = new byte[AnswerBytes];
            var read = 0;
            while (read < buffer.Length && await stream.ReadAsync(buffer.AsMemory(read), limit.Token).ConfigureAwait(false) is var n and > 0) read += n;
            return Encoding.UTF8.GetString(buffer, 0, read).Trim();
        }
        catch (Exception e) when (e is IOException or HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return "";
        }
    }

    // Retry-After as a wait from now (seconds or a date), or null when the answer has none.
    private static TimeSpan? RetryAfter(HttpResponseMessage response, TimeProvider time) => response.Headers.RetryAfter switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date - time.GetUtcNow() is var wait && wait > TimeSpan.Zero ? wait : TimeSpan.Zero,
        _ => null,
    };

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
                MaxDelay = p.MaxRetryWait,
                // A Retry-After beyond max_retry_wait is not waited for: the batch is dead-lettered saying so.
                ShouldHandle = new PredicateBuilder<HttpResponseMessage>()
                    .HandleResult(r => (r.StatusCode == HttpStatusCode.TooManyRequests || (int)r.StatusCode >= 500) && !(RetryAfter(r, time) > p.MaxRetryWait))
                    .Handle<HttpRequestException>(e => e.InnerException is not UnauthorizedAccessException)
                    .Handle<TaskCanceledException>(),
                // Retry-After (seconds or a date) wins over the computed backoff.
                DelayGenerator = args => ValueTask.FromResult(args.Outcome.Result is { } r ? RetryAfter(r, time) : null),
                OnRetry = args =>
                {
                    args.Outcome.Result?.Dispose();
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
    }
}
