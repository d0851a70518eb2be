using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Logging.Testing;
using Tributary.Engine.Execution;
using Tributary.Engine.Orchestration;
using Tributary.Engine.Runs;

namespace Tributary.Engine.Tests.Orchestration;

public sealed class FailureAlertsTests
{
    [Fact]
    public async Task Alert_PipelineWithOnFailure_PostsSlackCompatibleTextToTheUrlInTheVariable()
    {
        var port = Random.Shared.Next(20_000, 60_000);
        using var listener = new HttpListener();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/hook/");
        listener.Start();
        var received = Task.Run(async () =>
        {
            var context = await listener.GetContextAsync();
            using var reader = new StreamReader(context.Request.InputStream);
            var body = await reader.ReadToEndAsync();
            context.Response.StatusCode = 200;
            context.Response.Close();
            return body;
        }, TestContext.Current.CancellationToken);
        var pipeline = EngineHarness.Pipeline("""
            pipeline: nightly
            on_failure: { webhook_url_env: SLACK_WEBHOOK }
            components:
              - { id: a, type: transform.sql, with: { sql: SELECT 1 AS v } }
            """);
        var log = new FakeLogger<FailureAlerts>();
        var alerts = new FailureAlerts(new TestHttpClients(), name => name == "SLACK_WEBHOOK" ? $"http://127.0.0.1:{port}/hook/" : null, log);

        await alerts.SendAsync(pipeline, "Tributary: run r1 of 'nightly' failed at step 'a' (transform.sql): boom", TestContext.Current.CancellationToken);

        var json = JsonDocument.Parse(await received.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken));
        Assert.Equal("Tributary: run r1 of 'nightly' failed at step 'a' (transform.sql): boom", json.RootElement.GetProperty("text").GetString());
        Assert.DoesNotContain(log.Collector.GetSnapshot(), l => l.Message.StartsWith("on_failure:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Alert_VariableNotSet_IsLoggedAndNeverThrows()
    {
        var pipeline = EngineHarness.Pipeline("pipeline: p\non_failure: { webhook_url_env: MISSING }\ncomponents: [{ id: a, type: transform.sql, with: { sql: SELECT 1 AS v } }]");
        var log = new FakeLogger<FailureAlerts>();

        await new FailureAlerts(new TestHttpClients(), _ => null, log).SendAsync(pipeline, "failed", TestContext.Current.CancellationToken);

        Assert.Contains("on_failure: environment variable MISSING is not set; no alert sent", log.Collector.GetSnapshot().Select(r => r.Message));
    }

    // The client threw InvalidOperationException for a relative URL, which escaped to the daemon and left its queue entry launched.
    [Theory]
    [InlineData("hooks.slack.com/services/T0/B0/x")]
    [InlineData("AKIA-FAKE-SECRET-VALUE")]
    public async Task Alert_UrlNotAbsolute_IsLoggedWithoutTheValueCountedAndNeverThrows(string value)
    {
        var pipeline = EngineHarness.Pipeline("pipeline: p\non_failure: { webhook_url_env: ALERT_URL }\ncomponents: [{ id: a, type: transform.sql, with: { sql: SELECT 1 AS v } }]");
        var log = new FakeLogger<FailureAlerts>();
        var alerts = new FailureAlerts(new TestHttpClients(), _ => value, log);

        await alerts.SendAsync(pipeline, "failed", TestContext.Current.CancellationToken);

        Assert.Contains("on_failure: environment variable ALERT_URL does not hold an absolute http(s) URL; no alert sent", log.Collector.GetSnapshot().Select(r => r.Message));
        Assert.DoesNotContain(log.Collector.GetSnapshot(), r => r.Message.Contains(value, StringComparison.Ordinal));
        Assert.Equal(1, alerts.Failed);
    }

    [Fact]
    public async Task Alert_WebhookUnreachable_IsLoggedAndCounted()
    {
        var pipeline = EngineHarness.Pipeline("pipeline: p\non_failure: { webhook_url_env: ALERT_URL }\ncomponents: [{ id: a, type: transform.sql, with: { sql: SELECT 1 AS v } }]");
        var log = new FakeLogger<FailureAlerts>();
        // Port 9 (discard) on loopback: nothing listens, the connection is refused at once.
        var alerts = new FailureAlerts(new TestHttpClients(), _ => "http://127.0.0.1:9/hook", log);

        await alerts.SendAsync(pipeline, "failed", TestContext.Current.CancellationToken);

        Assert.Contains(log.Collector.GetSnapshot(), r => r.Message.StartsWith("on_failure: the webhook in ALERT_URL could not be reached (HttpRequestException: ", StringComparison.Ordinal));
        Assert.Equal(1, alerts.Failed);
    }

    // Two sources failing at once: the run's error is the step that failed first in time, which need not be the first
    // failed step of the pipeline's order; the alert named the one and quoted the other's error.
    [Fact]
    public void RunFailed_TwoStepsFailed_NamesTheStepWhoseErrorItQuotesAndListsTheOther()
    {
        StepRecord Failed(string asset) => new("r1", asset, "source.shopify_orders", StepStatus.Failed, 1, null, null, $"{asset} (source.shopify_orders) failed: boom in {asset}");
        var result = new RunResult("r1", RunStatus.Failed, [Failed("excel_orders"), Failed("cp_orders")], "cp_orders (source.shopify_orders) failed: boom in cp_orders");

        Assert.Equal("Tributary: run r1 of 'shop' failed at step 'cp_orders' (source.shopify_orders): cp_orders (source.shopify_orders) failed: boom in cp_orders; " +
            "1 other step failed too: 'excel_orders'", FailureAlerts.RunFailed("shop", null, result, "q1"));
        Assert.Equal("Tributary: run q1 of 'shop' [2025-01-02] failed: it could not start", FailureAlerts.RunFailed("shop", "2025-01-02", null, "q1"));
    }
}
