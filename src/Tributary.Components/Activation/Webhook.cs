using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Net;
using System.Reflection;
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
    [Description("Endpoint to POST to (http or https). Put tokens in the environment: url: ${env.CRM_WEBHOOK_URL}, or url_env instead. Give url or url_env, not both.")]
    public string? Url { get; init; }

    /// <summary>Env variable with the endpoint URL.</summary>
    [Description("Environment variable holding the endpoint URL (http or https), instead of url: read when the step runs, so the rest of the pipeline loads and runs while it is not set (trib validate and trib run warn, and this step fails naming it). Not one of Tributary's own (TRIBUTARY_*, tributary.yaml's postgres_env).")]
    public string? UrlEnv { get; init; }

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
    [Description("Largest share of the rows a run sends (0 to 1; in a diff sync the changed ones) that may end in the dead-letter table while the step still succeeds, with a warning; above it the step fails (alerting on_failure), its delivery log and dead letters written all the same. Default 0.1: a destination missing more than one row in ten is not the audience the pipeline computed. Whatever the setting, the step fails when nothing it had to send was delivered.")]
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

    /// <summary>What each run sends.</summary>
    [Description("diff (default, as Hightouch and Census sync): only rows new or whose content changed since the receiver last accepted them, as event upsert; what it accepted is kept per key in <id>__sync_state, so a row that failed or was dead-lettered is sent again next run. full: every row on every run, as event upsert. trib run --full-refresh sends every row again in a diff sync too. See docs/use-cases.md.")]
    public WebhookSync Sync { get; init; } = WebhookSync.Diff;

    /// <summary>The column a diff sync tracks rows by.</summary>
    [Description("Column identifying a row for sync: diff, text or integer, one row per value and never NULL (e.g. customer_id or email); a removed event carries it. Not used by sync: full. Default customer_id.")]
    public string Key { get; init; } = "customer_id";

    /// <summary>Whether rows that left the input are sent as removed events.</summary>
    [Description("With sync: diff, send the rows that left the input since the receiver accepted them as event removed, each holding only key, so the receiver can drop them; a person who withdrew marketing consent leaves the input the same way. Default false: such rows are no longer sent, and are sent again (upsert) should they come back.")]
    public bool SendRemovals { get; init; }

    /// <summary>Who may be sent, by marketing consent.</summary>
    [Description(MarketingConsent.RuleDescription)]
    public ConsentRule Consent { get; init; } = ConsentRule.Required;

    /// <summary>The consent column.</summary>
    [Description(MarketingConsent.ColumnDescription)]
    public string ConsentColumn { get; init; } = MarketingConsent.DefaultColumn;

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if ((Url is null) == (UrlEnv is null))
            yield return new ValidationResult(Url is null ? "give the endpoint: url, or url_env naming the environment variable that holds it." : "give url or url_env, not both.", [nameof(Url)]);
        else if (Url is not null && Webhook.UrlProblem(Url, "url") is { } problem)
            yield return new ValidationResult(problem, [nameof(Url)]);
        if (SendRemovals && Sync == WebhookSync.Full)
            yield return new ValidationResult("send_removals needs sync: diff: a full sync keeps no record of what the receiver holds, so it cannot tell who left.", [nameof(SendRemovals)]);
        if (string.IsNullOrWhiteSpace(Key))
            yield return new ValidationResult("key must name the column identifying a row (e.g. customer_id).", [nameof(Key)]);
        if (MaxRetryWait <= TimeSpan.Zero || MaxRetryWait > TimeSpan.FromDays(1))
            yield return new ValidationResult($"max_retry_wait must be more than 0 and at most 1d, got {MaxRetryWait}.", [nameof(MaxRetryWait)]);
    }
}

/// <summary>
/// Sends the input table as batched JSON POSTs ({"asset", "run_id", "batch", "event", "rows": [...]}), signed with
/// HMAC-SHA256, retried with backoff on 429 and 5xx; batches that still fail go to <c>&lt;id&gt;__dead_letter</c>
/// with their payload and the receiver's answer, so nothing is lost. A diff sync sends only what changed since the receiver
/// last accepted it, by key (<c>&lt;id&gt;__sync_state</c>). The asset is the delivery log, one row per batch, written as
/// each batch is answered. The step fails when nothing was delivered, or more than max_failed_ratio of the rows was not.
/// </summary>
public sealed class Webhook : IComponent<WebhookParameters>
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>The User-Agent of every request: Tributary/ and the build's version, without its source revision.</summary>
    public static string UserAgent { get; } = "Tributary/" +
        (typeof(Webhook).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? typeof(Webhook).Assembly.GetName().Version?.ToString() ?? "0").Split('+')[0];

    /// <inheritdoc />
    public static string TypeName => "activate.webhook";
    /// <inheritdoc />
    public static string Description => "POST the input rows (by default only those new or changed since the last delivery) as signed JSON batches to a webhook, with retries and a dead-letter table.";
    /// <inheritdoc />
    public static InputArity Inputs => InputArity.One;

    /// <summary>The event of a new or changed row, and of every row of a full sync.</summary>
    public const string Upsert = "upsert";
    /// <summary>The event of a row that left the input (send_removals).</summary>
    public const string Removed = "removed";

    /// <inheritdoc />
    public ComponentPlan Plan(WebhookParameters parameters, PlanContext context)
    {
        List<DeclaredOutput> sides = [new(DeadLetter, OutputRole.Rejected, "A batch that could not be delivered after its retries: status, error and the JSON payload.", Standardize.Schema.Of(DeadLetterColumns))];
        List<ColumnRequirement> requires = [.. MarketingConsent.Requirement(parameters.Consent, parameters.ConsentColumn)];
        if (parameters.Sync == WebhookSync.Diff)
        {
            var key = context.Inputs[0].Schema?.Find(parameters.Key);
            sides.Add(new(WebhookSyncState.Output, OutputRole.Internal, "A key the receiver holds, with the hash of the content it last accepted, when and in which run.",
                key is null ? null : Standardize.Schema.Of(WebhookSyncState.Columns(key.Name, key.Kind))));
            requires.Add(new(0, parameters.Key, [DataKind.Text, DataKind.Integer],
                $"sync: diff remembers what the receiver holds by key. Set key to the column identifying a row (text or integer, unique), or sync: full to send every row on each run."));
        }
        return new(Standardize.Schema.Of(LogColumns), requires) { SideOutputs = sides };
    }

    private const string DeadLetter = "dead_letter";
    private static readonly (string, DataKind)[] DeadLetterColumns =
        [("batch", DataKind.Integer), ("rows", DataKind.Integer), ("status_code", DataKind.Integer), ("attempts", DataKind.Integer),
         ("error", DataKind.Text), ("payload", DataKind.Text), ("failed_at", DataKind.Timestamp), ("run_id", DataKind.Text)];
    // The first five are the log's from before diff syncs; the Activations page reads them.
    private static readonly (string, DataKind)[] LogColumns =
        [("batch", DataKind.Integer), ("rows", DataKind.Integer), ("status_code", DataKind.Integer), ("attempts", DataKind.Integer), ("delivered", DataKind.Boolean),
         ("event", DataKind.Text), ("idempotency_key", DataKind.Text), ("sent_at", DataKind.Timestamp), ("run_id", DataKind.Text)];

    // The receiver's answer kept in a dead letter's error: enough to act on, bounded.
    private const int AnswerBytes = 1024;

    private sealed record Delivery(int Batch, int Rows, int? StatusCode, int Attempts, bool Delivered, string? Error, string? Payload)
    {
        public string Event { get; init; } = Upsert;
        public string IdempotencyKey { get; init; } = "";
        // When the answer came (or the batch was given up): a dead letter's failed_at and the log's sent_at.
        public DateTime At { get; init; }
    }

    // One row of a batch: its JSON, what the Idempotency-Key hashes, and the state to keep when it is accepted or not.
    private sealed record Pending(string Json, string Fingerprint, SyncedRow? Accepted, SyncedRow? Previous);

    /// <inheritdoc />
    public async Task<Materialization> MaterializeAsync(WebhookParameters p, ComponentContext context, CancellationToken cancellationToken)
    {
        // The process's environment does not change between attempts: the run's retry policy would only wait (90 s in full_cdp).
        if (p.UrlEnv is { } urlEnv)
        {
            // The value is not shown: a webhook's URL often carries its token.
            var url = context.Environment(urlEnv) is { Length: > 0 } set ? set
                : throw new RetryWillNotHelpException($"environment variable '{urlEnv}' (url_env) is not set, so there is no endpoint to post to. Set {urlEnv} to the endpoint's URL "
                    + "where runs happen (trib serve's environment, or the shell of trib run), then run this step again.");
            if (UrlProblem(url, $"the value of {urlEnv} (url_env)") is not null)
                throw new RetryWillNotHelpException($"environment variable '{urlEnv}' (url_env) does not hold an absolute http or https URL to a routable address. Set it to the endpoint's whole URL, scheme included.");
            p = p with { Url = url };
        }
        var endpointUrl = p.Url!;
        byte[]? secret = null;
        if (p.SecretEnv is { } env)
            secret = Encoding.UTF8.GetBytes(context.Environment(env) ?? throw new RetryWillNotHelpException($"environment variable '{env}' (secret_env) is not set."));
        if (context.Http is null) throw new InvalidOperationException("this host gives components no HTTP client, so the webhook cannot be called.");
        // Its own handler rather than the host's: the addresses are checked as resolved and redirects are not followed.
        // Each attempt's time limit is the retry policy's, not the client's.
        using var http = new HttpClient(NetworkTargets.Handler(p.AllowPrivateNetwork)) { Timeout = System.Threading.Timeout.InfiniteTimeSpan };
        var retry = Retry(p, context.Time);

        var w = context.Warehouse;
        var d = w.Dialect;
        var table = d.Quote(context.Inputs[0]);
        var excluded = await MarketingConsent.ExcludeAsync(context, p.Consent, p.ConsentColumn, cancellationToken).ConfigureAwait(false);
        var consented = MarketingConsent.Where(p.Consent, p.ConsentColumn, d);
        var schema = (await w.QueryAsync($"SELECT * FROM {table} LIMIT 0", null, 0, cancellationToken).ConfigureAwait(false)).Schema;
        var names = schema.Columns.Select(c => c.Name).ToList();
        var now = context.Time.GetUtcNow().UtcDateTime;

        var diff = p.Sync == WebhookSync.Diff;
        // A deliberate resend (full sync, full refresh) is no repeat for the receiver to drop: its Idempotency-Key names the run.
        var resend = !diff || context.FullRefresh;
        var endpoint = Endpoint(endpointUrl);
        WebhookSyncState? state = null;
        var keyIndex = -1;
        var order = "";
        if (diff)
        {
            keyIndex = names.FindIndex(n => string.Equals(n, p.Key, StringComparison.OrdinalIgnoreCase));
            if (keyIndex < 0)
                throw new InputDataException($"input '{context.Inputs[0]}' has no column '{p.Key}' (key): sync: diff remembers what the receiver holds by key. Set key to the column identifying a row, or sync: full.");
            var key = schema.Columns[keyIndex];
            await CheckKeyAsync(context, key.Name, key.Kind, consented, cancellationToken).ConfigureAwait(false);
            state = await WebhookSyncState.LoadAsync(w, context.Output(WebhookSyncState.Output), key.Name, key.Kind, context.Log, cancellationToken).ConfigureAwait(false);
            if (context.FullRefresh) context.Log("full refresh: every row is sent again, whatever the receiver was sent before");
            // In key order, so a failed batch is sent again as the same rows, under the same Idempotency-Key, unless rows ahead of it moved.
            order = $" ORDER BY {d.OrderKey(d.Quote(key.Name), key.Kind)}";
        }

        var deliveries = new List<Delivery>();
        var batch = new List<Pending>(p.BatchSize);
        var failing = 0;
        var unchanged = 0L;
        var logged = false;
        var logRows = 0L;
        async Task FlushAsync(string kind)
        {
            var number = deliveries.Count + 1;
            var payload = Payload(context.Asset, context.RunId, number, kind, batch.Select(r => r.Json));
            var idempotencyKey = IdempotencyKey(context.Asset, kind, resend ? context.RunId : null, batch.Select(r => r.Fingerprint));
            var delivery = p.CircuitBreakAfter > 0 && failing >= p.CircuitBreakAfter
                ? new Delivery(number, batch.Count, null, 0, false, $"endpoint failing: {p.CircuitBreakAfter} consecutive batches failed, so this one was not sent", payload)
                : await SendAsync(http, retry, p, secret, context, number, batch.Count, payload, idempotencyKey, cancellationToken).ConfigureAwait(false);
            delivery = delivery with { Event = kind, IdempotencyKey = idempotencyKey, At = context.Time.GetUtcNow().UtcDateTime };
            failing = delivery.Delivered ? 0 : failing + 1;
            // A delivered removal has nothing to keep: the key leaves the state.
            if (state is not null)
                foreach (var row in batch)
                    if (!delivery.Delivered) state.Failed(row.Previous);
                    else if (row.Accepted is not null) state.Accepted(row.Accepted with { SyncedAt = delivery.At });
            // Only a dead letter needs its payload: a delivered batch's is dropped (about 0.8 KB a row otherwise, all held to the end).
            deliveries.Add(delivery.Delivered ? delivery with { Payload = null } : delivery);
            batch.Clear();
            // Logged as it is answered, and whatever cancels the run now, so a stopped run still says what it sent.
            var supersedes = logged ? null : await OtherRunsAsync(w, context.Asset, context.RunId, CancellationToken.None).ConfigureAwait(false);
            logRows = (await w.WriteTablesAsync([new TableWrite(context.Asset, TableWriteMode.Append, (b, ct) => b.CreateAndAppendAsync(LogColumns, [LogRow(delivery, context.RunId)], ct)) { Supersedes = supersedes }],
                CancellationToken.None).ConfigureAwait(false))[0];
            logged = true;
        }
        await foreach (var row in w.StreamAsync($"SELECT * FROM {table}{consented}{order}", null, cancellationToken).ConfigureAwait(false))
        {
            var json = JsonSerializer.Serialize(names.Select((n, i) => (n, v: row[i])).ToDictionary(x => x.n, x => x.v), Json);
            var hash = Sha256(endpoint + "\n" + json);
            if (state is null)
                batch.Add(new Pending(json, hash, null, null));
            else
            {
                var keyText = WebhookSyncState.KeyText(row[keyIndex]!);
                var (previous, same) = state.See(keyText, hash, compare: !context.FullRefresh);
                if (same)
                {
                    unchanged++;
                    continue;
                }
                batch.Add(new Pending(json, keyText + "\0" + hash, new SyncedRow(row[keyIndex]!, hash, now, context.RunId), previous));
            }
            if (batch.Count == p.BatchSize) await FlushAsync(Upsert).ConfigureAwait(false);
        }
        if (batch.Count > 0) await FlushAsync(Upsert).ConfigureAwait(false);
        if (state is not null && p.SendRemovals)
        {
            var keyName = names[keyIndex];
            foreach (var left in state.Left())
            {
                var keyText = WebhookSyncState.KeyText(left.Key);
                batch.Add(new Pending(JsonSerializer.Serialize(new Dictionary<string, object?> { [keyName] = left.Key }, Json), keyText + "\0" + Removed, null, left));
                if (batch.Count == p.BatchSize) await FlushAsync(Removed).ConfigureAwait(false);
            }
            if (batch.Count > 0) await FlushAsync(Removed).ConfigureAwait(false);
        }

        var dead = deliveries.Where(d => !d.Delivered).ToList();
        var deadTable = context.Output(DeadLetter);
        var expired = await ExpiredRunsAsync(w, deadTable, now.AddDays(-p.DeadLetterDays), cancellationToken).ConfigureAwait(false);
        List<TableWrite> writes =
        [
            // Dead letters accumulate across runs, so an earlier failure is still there to replay after a later run.
            new(deadTable, TableWriteMode.Append, (b, ct) => b.CreateAndAppendAsync(DeadLetterColumns,
                dead.Select(d => new object?[] { d.Batch, d.Rows, d.StatusCode, d.Attempts, d.Error, d.Payload, d.At, context.RunId }), ct)) { Supersedes = expired },
        ];
        // The state moves in this run's last commit only: a run that stops before it sends the same rows again next time.
        if (state is not null)
            writes.Add(new(context.Output(WebhookSyncState.Output), TableWriteMode.Replace,
                (b, ct) => b.CreateAndAppendAsync(WebhookSyncState.Columns(names[keyIndex], schema.Columns[keyIndex].Kind), state.Rows, ct)));
        // A run that sent nothing still replaces the last run's log, with none.
        if (!logged)
            writes.Insert(0, new(context.Asset, TableWriteMode.Append, (b, ct) => b.CreateAndAppendAsync(LogColumns, [], ct))
                { Supersedes = await OtherRunsAsync(w, context.Asset, context.RunId, cancellationToken).ConfigureAwait(false) });
        var counts = await w.WriteTablesAsync(writes, cancellationToken).ConfigureAwait(false);
        var rows = logged ? logRows : counts[0];

        var total = deliveries.Sum(d => d.Rows);
        var failed = dead.Sum(d => d.Rows);
        long Delivered(string kind) => deliveries.Where(d => d.Delivered && d.Event == kind).Sum(d => (long)d.Rows);
        context.Log($"delivered {total - failed} rows in {deliveries.Count - dead.Count} of {deliveries.Count} batches; {dead.Count} batch(es) in {deadTable}" +
            (diff ? $"; {Delivered(Upsert)} upsert(s) and {Delivered(Removed)} removal(s) delivered, {unchanged} unchanged row(s) not sent" : ""));
        var summary = dead.Count == 0 ? "" : $"{failed} row(s) in {dead.Count} of {deliveries.Count} batch(es) could not be delivered (first: {dead[0].Error}); they are in {deadTable}";
        // Written first, so a failed step still leaves its delivery log and dead letters.
        var why = dead.Count == 0 ? null
            : failed == total ? "nothing was delivered"
            : p.FailOnDeadLetter ? "fail_on_dead_letter is set"
            : (double)failed / total > p.MaxFailedRatio ? $"more than max_failed_ratio ({p.MaxFailedRatio:0.##%}) of the rows failed"
            : null;
        // Each batch had its own retries: running the step again would only post the delivered batches twice and dead-letter the rest again.
        if (why is not null) throw new RetryWillNotHelpException($"{why}: {summary}.");
        return new Materialization(rows, new Dictionary<string, object?>
        {
            ["rows_delivered"] = total - failed, ["batches"] = deliveries.Count, ["dead_lettered"] = dead.Count,
            ["sync"] = diff ? "diff" : "full", ["upserts"] = Delivered(Upsert), ["removals"] = Delivered(Removed), ["unchanged"] = unchanged, ["rows_failed"] = failed,
            ["full_refresh"] = context.FullRefresh,
            // The input's rows: those sent (a removal is no input row), those unchanged since the last sync, those without consent.
            ["rows_in"] = deliveries.Where(d => d.Event != Removed).Sum(d => (long)d.Rows) + unchanged + excluded, ["excluded_no_consent"] = excluded,
        })
        {
            Warnings = dead.Count == 0 ? [] : [summary],
        };
    }

    private static object?[] LogRow(Delivery d, string runId) => [d.Batch, d.Rows, d.StatusCode, d.Attempts, d.Delivered, d.Event, d.IdempotencyKey, d.At, runId];

    // A diff sync's key is unique and never NULL in what is sent, or which row the receiver holds could not be told.
    private static async Task CheckKeyAsync(ComponentContext context, string key, DataKind kind, string consented, CancellationToken cancellationToken)
    {
        var w = context.Warehouse;
        var (k, table) = (w.Dialect.Quote(key), w.Dialect.Quote(context.Inputs[0]));
        var counts = (await w.QueryAsync($"SELECT count(*) - count({k}), count({k}) - count(DISTINCT {k}) FROM {table}{consented}", null, 1, cancellationToken).ConfigureAwait(false)).Rows[0];
        var (missing, repeated) = (Convert.ToInt64(counts[0], CultureInfo.InvariantCulture), Convert.ToInt64(counts[1], CultureInfo.InvariantCulture));
        if (missing == 0 && repeated == 0) return;
        var problems = new List<string>();
        if (missing > 0) problems.Add($"{missing} row(s) have no {key}");
        if (repeated > 0)
        {
            var examples = await w.QueryAsync($"SELECT {k} FROM {table}{consented}{(consented.Length == 0 ? " WHERE " : " AND ")}{k} IS NOT NULL GROUP BY {k} HAVING count(*) > 1 ORDER BY {w.Dialect.OrderKey(k, kind)}",
                null, 3, cancellationToken).ConfigureAwait(false);
            problems.Add($"{repeated} row(s) repeat another row's {key} (e.g. {string.Join(", ", examples.Rows.Select(r => WebhookSyncState.KeyText(r[0]!)))})");
        }
        throw new InputDataException($"input '{context.Inputs[0]}': {string.Join(" and ", problems)}, and sync: diff remembers what the receiver holds by key. " +
            "Set key to a column with one row per value, make the input one row per key, or set sync: full.");
    }

    /// <summary>What is wrong with <paramref name="url"/> as an endpoint (named <paramref name="what"/>), or null.</summary>
    internal static string? UrlProblem(string url, string what) =>
        !Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") ? $"{what} must be an absolute http or https URL, got '{url}'."
        : uri.HostNameType is UriHostNameType.IPv4 or UriHostNameType.IPv6 && IPAddress.TryParse(uri.DnsSafeHost, out var ip) && NetworkTargets.IsLinkLocal(ip)
            ? $"{what} '{url}' is a link-local address (where cloud metadata services answer): webhooks never call one."
            : null;

    // Where the rows go, without its query or user info: a token rotated there is the same receiver, another path or host is not.
    private static string Endpoint(string url) => Uri.TryCreate(url, UriKind.Absolute, out var uri) ? $"{uri.Scheme}://{uri.Authority}{uri.AbsolutePath}" : url;

    private static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    /// <summary>
    /// The Idempotency-Key of a batch: SHA-256 of the step id, the event and each row's key and content hash (with the run id
    /// when the run resends on purpose), so the same rows sent again, in a later run too, carry the same key; other rows in the
    /// batch (its boundaries moved) make another key.
    /// </summary>
    internal static string IdempotencyKey(string asset, string kind, string? runId, IEnumerable<string> fingerprints) =>
        Sha256(string.Join("\n", [asset, kind, runId ?? "", .. fingerprints]));

    private static string Payload(string asset, string runId, int batch, string kind, IEnumerable<string> rows)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("asset", asset);
            json.WriteString("run_id", runId);
            json.WriteNumber("batch", batch);
            json.WriteString("event", kind);
            json.WriteStartArray("rows");
            foreach (var row in rows) json.WriteRawValue(row, skipInputValidation: true);
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    // The runs whose log rows this run's replace: all but its own (a retried step keeps its earlier attempt's); all when the log predates run_id.
    private static async Task<SupersededRows?> OtherRunsAsync(IWarehouse warehouse, string table, string runId, CancellationToken cancellationToken)
    {
        if (await warehouse.DescribeTableAsync(table, cancellationToken).ConfigureAwait(false) is not { } schema) return null;
        if (schema.Find("run_id") is null) return SupersededRows.Everything;
        var d = warehouse.Dialect;
        var q = new SqlBuilder(d);
        var runs = await warehouse.QueryAsync($"SELECT DISTINCT {d.Quote("run_id")} FROM {d.Quote(table)} WHERE {d.Quote("run_id")} <> {q.Bind(runId, DataKind.Text)} OR {d.Quote("run_id")} IS NULL",
            q.Parameters, int.MaxValue, cancellationToken).ConfigureAwait(false);
        if (runs.Rows.Any(r => r[0] is null or DBNull)) return SupersededRows.Everything;
        return runs.Rows.Count == 0 ? null : new SupersededRows("run_id", runs.Rows.Select(r => Convert.ToString(r[0], CultureInfo.InvariantCulture)!).ToList());
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
        ComponentContext context, int number, int rows, string payload, string idempotencyKey, CancellationToken cancellationToken)
    {
        var attempts = 0;
        try
        {
            using var response = await retry.ExecuteAsync(async ct =>
            {
                attempts++;
                using var request = new HttpRequestMessage(HttpMethod.Post, p.Url!) { Content = new StringContent(payload, Encoding.UTF8, "application/json") };
                if (secret is not null)
                {
                    var timestamp = context.Time.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
                    request.Headers.Add("X-Tributary-Timestamp", timestamp);
                    request.Headers.Add("X-Tributary-Signature", "sha256=" + Signature(secret, timestamp, payload));
                }
                request.Headers.Add("Idempotency-Key", idempotencyKey);
                request.Headers.TryAddWithoutValidation("User-Agent", UserAgent);
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
