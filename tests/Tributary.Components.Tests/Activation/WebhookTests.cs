using System.Globalization;
using Tributary.Components.Activation;
using Tributary.Core.Loading;
using Tributary.Engine.Execution;
using Tributary.Engine.Runs;
using Tributary.Testing;
using Receiver = Tributary.Components.Tests.Activation.ActivationTests.Receiver;

namespace Tributary.Components.Tests.Activation;

/// <summary>activate.webhook's delivery: when a sync fails, how long it waits, what it keeps of failures, and where it may post.</summary>
public sealed class WebhookTests(PostgresCluster postgres)
{
    private const string Customers = """
        pipeline: p
        components:
          - id: customers
            type: source.csv
            with: { path: customers.csv, columns: { customer_id: BIGINT, email: VARCHAR } }
        """ + "\n";

    private static void WriteCustomers(ComponentHarness h, int count) =>
        File.WriteAllLines(Path.Combine(h.Temp.Path, "customers.csv"), ["customer_id,email", .. Enumerable.Range(1, count).Select(i => $"{i},c{i}@x.com")]);

    private static string Hook(string url, string with) => Customers + $$"""
          - id: crm_hook
            type: activate.webhook
            inputs: [customers]
            with: { url: "{{url}}", retry_delay: 1ms, consent: ignore, {{with}} }
        """;

    // The step's error after the engine's "crm_hook (activate.webhook) failed: ".
    private static string Error(RunResult result)
    {
        const string prefix = "crm_hook (activate.webhook) failed: ";
        var error = Assert.Single(result.Steps, s => s.Asset == "crm_hook").Error ?? "";
        Assert.StartsWith(prefix, error, StringComparison.Ordinal);
        return error[prefix.Length..];
    }

    private static long Long(object? value) => Convert.ToInt64(value, CultureInfo.InvariantCulture);

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Webhook_NothingDelivered_FailsTheStep_AndStillWritesItsLogAndDeadLetters(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        WriteCustomers(h, 5);
        using var receiver = new Receiver(_ => [500]);

        // fail_on_dead_letter is false, and max_failed_ratio allows everything: nothing delivered fails all the same.
        var result = await h.RunAsync(Hook(receiver.Url, "batch_size: 1, max_retries: 0, circuit_break_after: 0, max_failed_ratio: 1, allow_private_network: true"));

        Assert.Equal(RunStatus.Failed, result.Status);
        Assert.Equal("nothing was delivered: 5 row(s) in 5 of 5 batch(es) could not be delivered (first: HTTP 500 Internal Server Error); they are in crm_hook__dead_letter.", Error(result));
        Assert.Equal(5L, Long((await h.RowsAsync("SELECT count(*) FROM crm_hook WHERE NOT delivered"))[0][0]));
        Assert.Equal(5L, Long((await h.RowsAsync("SELECT count(*) FROM crm_hook__dead_letter"))[0][0]));
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Webhook_MoreThanMaxFailedRatioFails_AtOrBelowItSucceedsWithAWarning(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        WriteCustomers(h, 10);
        using var receiver = new Receiver(batch => batch <= 2 ? [500] : [200]);

        // A full sync, so the second run sends the ten rows again rather than the two that failed.
        var byDefault = await h.RunAsync(Hook(receiver.Url, "sync: full, batch_size: 1, max_retries: 0, allow_private_network: true"));
        var allowed = await h.RunAsync(Hook(receiver.Url, "sync: full, batch_size: 1, max_retries: 0, allow_private_network: true, max_failed_ratio: 0.2"));

        // Two rows in ten is more than the default 10%.
        Assert.Equal(RunStatus.Failed, byDefault.Status);
        Assert.Equal("more than max_failed_ratio (10%) of the rows failed: 2 row(s) in 2 of 10 batch(es) could not be delivered (first: HTTP 500 Internal Server Error); they are in crm_hook__dead_letter.",
            Error(byDefault));
        Assert.True(allowed.Status == RunStatus.Succeeded, allowed.Error);
    }

    private static string HookFromEnvironment(string with) => Customers + $$"""
          - id: crm_hook
            type: activate.webhook
            inputs: [customers]
            with: { url_env: CRM_HOOK_URL, retry_delay: 1ms, consent: ignore, allow_private_network: true{{with}} }
        """;

    [Fact]
    public async Task Webhook_UrlEnv_PostsToTheVariablesUrl_AndWhileItIsUnsetFailsNamingIt()
    {
        await using var h = await ComponentHarness.CreateAsync("duckdb", postgres);
        WriteCustomers(h, 3);
        using var receiver = new Receiver(_ => [200]);

        var sent = await h.RunAsync(HookFromEnvironment(""), environment: name => name == "CRM_HOOK_URL" ? receiver.Url : null);
        var unset = await h.RunAsync(HookFromEnvironment(""), environment: _ => null);
        var notAUrl = await h.RunAsync(HookFromEnvironment(""), environment: name => name == "CRM_HOOK_URL" ? "crm.example.com/hook?token=s3cret" : null);

        Assert.Equal(RunStatus.Succeeded, sent.Status);
        Assert.Single(receiver.Requests);
        Assert.Equal(RunStatus.Failed, unset.Status);
        Assert.Equal("environment variable 'CRM_HOOK_URL' (url_env) is not set, so there is no endpoint to post to. Set CRM_HOOK_URL to the endpoint's URL where runs "
            + "happen (trib serve's environment, or the shell of trib run), then run this step again.", Error(unset));
        // The value is never shown: a webhook's URL often carries its token.
        Assert.Equal("environment variable 'CRM_HOOK_URL' (url_env) does not hold an absolute http or https URL to a routable address. Set it to the endpoint's whole URL, scheme included.", Error(notAUrl));
    }

    [Fact]
    public async Task Webhook_UrlEnvUnset_IsNotRetriedByThePipelinesPolicy()
    {
        await using var h = await ComponentHarness.CreateAsync("duckdb", postgres);
        WriteCustomers(h, 1);
        // full_cdp's policy: two retries 30 s and 60 s apart, which an unset variable would only wait out.
        var yaml = HookFromEnvironment("").Replace("pipeline: p\n", "pipeline: p\nretry: { max_retries: 2, delay: 30s, backoff: exponential }\n", StringComparison.Ordinal);

        var result = await h.RunAsync(yaml, environment: _ => null);

        Assert.Equal(RunStatus.Failed, result.Status);
        var step = Assert.Single(result.Steps, s => s.Asset == "crm_hook");
        Assert.Equal(1, step.Attempts);
    }

    [Theory]
    [InlineData("with: { url: \"https://crm.example.com/hook\", url_env: CRM_HOOK_URL }", "give url or url_env, not both.")]
    [InlineData("with: { consent: ignore }", "give the endpoint: url, or url_env naming the environment variable that holds it.")]
    public void Webhook_UrlAndUrlEnv_ExactlyOneIsGiven(string with, string expected)
    {
        var loaded = new PipelineLoader(BuiltInComponents.CreateCatalog()).Load(Customers + $"  - {{ id: crm_hook, type: activate.webhook, inputs: [customers], {with} }}\n", "p.yaml",
            new LoadOptions { Environment = _ => "https://crm.example.com/hook" });

        Assert.Contains(loaded.Diagnostics, d => !d.IsWarning && d.Message.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Webhook_FailOnDeadLetter_FailsOnOneDeadBatch()
    {
        await using var h = await ComponentHarness.CreateAsync("duckdb", postgres);
        WriteCustomers(h, 20);
        using var receiver = new Receiver(batch => batch == 1 ? [500] : [200]);

        var result = await h.RunAsync(Hook(receiver.Url, "batch_size: 1, max_retries: 0, allow_private_network: true, fail_on_dead_letter: true"));

        Assert.Equal(RunStatus.Failed, result.Status);
        Assert.StartsWith("fail_on_dead_letter is set: 1 row(s) in 1 of 20 batch(es)", Error(result), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Webhook_RetryAfterLongerThanMaxRetryWait_DeadLettersTheBatchAtOnce()
    {
        await using var h = await ComponentHarness.CreateAsync("duckdb", postgres);
        WriteCustomers(h, 4);
        using var receiver = new Receiver(batch => batch == 1 ? [429] : [200], retryAfter: "3600");

        // Honoured, the Retry-After would hold the run for an hour.
        var result = await h.RunAsync(Hook(receiver.Url, "batch_size: 1, max_retries: 3, max_failed_ratio: 0.5, allow_private_network: true"))
            .WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);

        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        var dead = Assert.Single(await h.RowsAsync("SELECT batch, attempts, error FROM crm_hook__dead_letter"));
        Assert.Equal((1L, 1L, "HTTP 429 Too Many Requests, Retry-After 3600s: longer than max_retry_wait (60s), so not retried"), (Long(dead[0]), Long(dead[1]), (string)dead[2]!));
    }

    [Fact]
    public async Task Webhook_ConsecutiveBatchesFail_TheRestAreDeadLetteredWithoutCalls()
    {
        await using var h = await ComponentHarness.CreateAsync("duckdb", postgres);
        WriteCustomers(h, 10);
        using var receiver = new Receiver(_ => [503]);

        var result = await h.RunAsync(Hook(receiver.Url, "batch_size: 1, max_retries: 1, allow_private_network: true"));

        Assert.Equal(RunStatus.Failed, result.Status);
        // Three batches of two attempts each; the seven after them are not sent.
        Assert.Equal(6, receiver.Requests.Count);
        var errors = (await h.RowsAsync("SELECT batch, attempts, error FROM crm_hook__dead_letter ORDER BY batch")).Select(r => (Long(r[0]), Long(r[1]), (string)r[2]!)).ToList();
        Assert.Equal(10, errors.Count);
        Assert.All(errors.Take(3), e => Assert.Equal((2L, "HTTP 503 Service Unavailable"), (e.Item2, e.Item3)));
        Assert.All(errors.Skip(3), e => Assert.Equal((0L, "endpoint failing: 3 consecutive batches failed, so this one was not sent"), (e.Item2, e.Item3)));
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Webhook_FailedAfterItsBatchRetries_IsNotRetriedByThePipelinesPolicy_AndLogsAndDeadLettersOnce(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        WriteCustomers(h, 1);
        using var receiver = new Receiver(_ => [500]);
        var yaml = Hook(receiver.Url, "max_retries: 1, allow_private_network: true")
            .Replace("pipeline: p\n", "pipeline: p\nretry: { max_retries: 2, delay: 1ms }\n", StringComparison.Ordinal)
            .Replace("retry_delay: 1ms", "retry_delay: 100ms", StringComparison.Ordinal);

        var result = await h.RunAsync(yaml);

        Assert.Equal(RunStatus.Failed, result.Status);
        Assert.Equal(1, Assert.Single(result.Steps, s => s.Asset == "crm_hook").Attempts);
        // The batch's own try and retry, no more.
        Assert.Equal(2, receiver.Requests.Count);
        Assert.Equal(1L, Long((await h.RowsAsync("SELECT count(*) FROM crm_hook"))[0][0]));
        var dead = Assert.Single(await h.RowsAsync("SELECT d.failed_at, l.sent_at FROM crm_hook__dead_letter d JOIN crm_hook l ON l.batch = d.batch"));
        // When the batch failed (after its 100 ms retry), not when the step started.
        Assert.Equal(dead[1], dead[0]);
    }

    [Fact]
    public async Task Webhook_Requests_CarryTributarysUserAgent()
    {
        await using var h = await ComponentHarness.CreateAsync("duckdb", postgres);
        WriteCustomers(h, 1);
        using var receiver = new Receiver(_ => [200]);

        Assert.Equal(RunStatus.Succeeded, (await h.RunAsync(Hook(receiver.Url, "allow_private_network: true"))).Status);

        Assert.Equal(Webhook.UserAgent, Assert.Single(receiver.UserAgents));
        Assert.Matches(@"^Tributary/\d+\.\d+\.\d+", Webhook.UserAgent);
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Webhook_DeadLetters_AccumulateAcrossRunsWithRunIdAndTheAnswer_UntilDeadLetterDays(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        WriteCustomers(h, 1);
        var answer = "{\"error\": \"unknown field email\"} " + new string('x', 2000);
        using var receiver = new Receiver(_ => [400], answer: answer);
        var yaml = Hook(receiver.Url, "max_retries: 0, allow_private_network: true");

        var first = await h.RunAsync(yaml);
        var second = await h.RunAsync(yaml);

        var dead = (await h.RowsAsync("SELECT run_id, error FROM crm_hook__dead_letter ORDER BY failed_at")).Select(r => ((string)r[0]!, (string)r[1]!)).ToList();
        Assert.Equal([first.RunId, second.RunId], dead.Select(d => d.Item1));
        // The first KB of the receiver's answer, after the status.
        Assert.All(dead, d => Assert.Equal("HTTP 400 Bad Request: " + answer[..1024].Trim(), d.Item2));

        // A dead letter older than dead_letter_days (30) is removed by the next run; younger ones stay.
        await h.Warehouse.ExecuteAsync("UPDATE crm_hook__dead_letter SET failed_at = $1 WHERE run_id = $2", [TimeProvider.System.GetUtcNow().UtcDateTime.AddDays(-31), first.RunId], CancellationToken.None);
        var third = await h.RunAsync(yaml);
        Assert.Equal([second.RunId, third.RunId], (await h.RowsAsync("SELECT run_id FROM crm_hook__dead_letter ORDER BY failed_at")).Select(r => (string)r[0]!));
    }

    [Theory]
    [InlineData("http://127.0.0.1:{port}/hook/", "127.0.0.1 is a loopback address, refused unless the step sets allow_private_network: true")]
    [InlineData("http://localhost:{port}/hook/", "localhost resolves to ")]
    public async Task Webhook_LoopbackWithoutAllowPrivateNetwork_IsRefusedWithoutARequestOrRetry(string url, string refusal)
    {
        await using var h = await ComponentHarness.CreateAsync("duckdb", postgres);
        WriteCustomers(h, 1);
        using var receiver = new Receiver(_ => [200]);

        var result = await h.RunAsync(Hook(url.Replace("{port}", new Uri(receiver.Url).Port.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal), "max_retries: 3"));

        Assert.Equal(RunStatus.Failed, result.Status);
        Assert.Empty(receiver.Requests);
        var dead = Assert.Single(await h.RowsAsync("SELECT attempts, error FROM crm_hook__dead_letter"));
        Assert.Equal(1L, Long(dead[0]));
        Assert.StartsWith("refused: " + refusal, (string)dead[1]!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Webhook_Redirect_IsNotFollowed_AndNamesTheLocation()
    {
        await using var h = await ComponentHarness.CreateAsync("duckdb", postgres);
        WriteCustomers(h, 1);
        using var receiver = new Receiver(_ => [302], location: "http://169.254.169.254/latest/meta-data/");

        var result = await h.RunAsync(Hook(receiver.Url, "max_retries: 0, timeout: 2s, allow_private_network: true"));

        Assert.Equal(RunStatus.Failed, result.Status);
        Assert.Equal("HTTP 302 Found, a redirect to http://169.254.169.254/latest/meta-data/: redirects are not followed, so set url to the final address",
            (string)Assert.Single(await h.RowsAsync("SELECT error FROM crm_hook__dead_letter"))[0]!);
    }

    [Theory]
    [InlineData("http://169.254.169.254/latest/meta-data/")]
    [InlineData("http://[fe80::1]/hook")]
    public void Webhook_LinkLocalUrl_IsRefusedWhenLoaded_EvenWithAllowPrivateNetwork(string url)
    {
        var result = new PipelineLoader(BuiltInComponents.CreateCatalog()).Load(Hook(url, "allow_private_network: true"), "test.yaml", new LoadOptions { Environment = _ => null });

        Assert.False(result.Succeeded);
        Assert.Contains(result.Diagnostics, d => d.Message.Contains($"url '{url}' is a link-local address (where cloud metadata services answer): webhooks never call one.", StringComparison.Ordinal));
    }
}
