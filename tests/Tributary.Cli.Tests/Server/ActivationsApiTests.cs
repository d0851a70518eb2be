using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Tributary.Engine.Runs;
using Tributary.Server.Contracts;
using Tributary.Testing;

namespace Tributary.Cli.Tests.Server;

/// <summary>GET /api/activations, one activation's detail, and the download of the files it wrote.</summary>
public sealed class ActivationsApiTests(PostgresCluster postgres) : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly string _pgEnv = "TRIB_TEST_PG_" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
    private readonly string _hookEnv = "TRIB_TEST_HOOK_" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
    private string Project => Path.Combine(_temp.Path, "project");
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    // The webhook's URL holds a token, as a real one would: it must never reach an answer.
    private const string HookSecret = "s3cret-hook-token-4242";

    public void Dispose()
    {
        Environment.SetEnvironmentVariable(_pgEnv, null);
        Environment.SetEnvironmentVariable(_hookEnv, null);
        _temp.Dispose();
    }

    // 1 consented (gold), 2 opted out (gold), 3 unknown (silver). The webhook posts to a closed port: nothing is delivered.
    private string Audiences => $$"""
        pipeline: audiences
        schedule: { cron: "0 6 * * *", timezone: UTC }
        components:
          - id: people
            type: transform.sql
            with: { sql: "SELECT 1 AS customer_id, 'a@x.com' AS email, 'gold' AS tier, TRUE AS marketing_consent UNION ALL SELECT 2, 'b@x.com', 'gold', FALSE UNION ALL SELECT 3, 'c@x.com', 'silver', CAST(NULL AS BOOLEAN)" }
          - { id: tier_files, type: activate.audience_file, inputs: [people], with: { path: "out/{segment}.csv", segment_column: tier } }
          - id: crm_hook
            type: activate.webhook
            inputs: [people]
            with: { url: "${env.{{_hookEnv}}}", consent: ignore, max_retries: 0, allow_private_network: true }
          - { id: crm_sync, type: activate.table, inputs: [people], with: { target: crm_people, key: [customer_id] } }
        """;

    private async Task<InProcessServer> RunAndServeAsync(bool onPostgres, string? token = null)
    {
        Assert.Equal(0, (await Trib.RunAsync("init", Project)).ExitCode);
        if (onPostgres)
        {
            var settings = Path.Combine(Project, "tributary.yaml");
            ProjectSettingsFile.UsePostgresWarehouse(settings, _pgEnv);
            Environment.SetEnvironmentVariable(_pgEnv, await postgres.NewSchemaAsync());
        }
        Environment.SetEnvironmentVariable(_hookEnv, $"http://127.0.0.1:1/hooks/{HookSecret}");
        File.WriteAllText(Path.Combine(Project, "pipelines", "audiences.yaml"), Audiences);
        var run = await Trib.RunAsync("run", "audiences", "--project", Project);
        // The webhook delivers nothing, so the run fails; the audience files are written all the same.
        Assert.True(run.ExitCode == 2, run.Error);
        return await InProcessServer.StartAsync(Project, Ct, token);
    }

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {text}");
        Assert.DoesNotContain(HookSecret, text, StringComparison.Ordinal);
        return JsonSerializer.Deserialize<T>(text, ApiJson.Options)!;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task List_ShowsEachActivationsDestinationConsentScheduleAndLastRunCounts_NeverAnEnvironmentValue(bool onPostgres)
    {
        await using var served = await RunAndServeAsync(onPostgres);

        var list = await ReadAsync<ActivationList>(await served.Http.GetAsync("/api/activations", Ct));

        Assert.Empty(list.Unreadable);
        Assert.Equal(["tier_files", "crm_hook", "crm_sync"], list.Activations.Select(a => a.Step));
        var files = list.Activations[0];
        Assert.Equal(("audiences", "activate.audience_file", "out/{segment}.csv", "file", "csv"), (files.Pipeline, files.Type, files.Destination, files.DestinationKind, files.Format));
        Assert.Equal(("required", "marketing_consent", "0 6 * * *", "UTC", false), (files.Consent, files.ConsentColumn, files.Schedule, files.Timezone, files.Paused));
        Assert.Equal(StepStatus.Succeeded, files.LastRun!.StepStatus);
        Assert.Equal(RunStatus.Failed, files.LastRun.RunStatus);
        var counts = files.LastRun.Counts!;
        Assert.Equal((3L, 1L, 2L, (long?)null, (long?)null), (counts.RowsIn, counts.Delivered, counts.ExcludedNoConsent, counts.Failed, counts.DeadLetters));
        Assert.Empty(counts.Other);

        var hook = list.Activations[1];
        Assert.Equal(($"${{env.{_hookEnv}}}", "url", (string?)null, "ignore", (string?)null), (hook.Destination, hook.DestinationKind, hook.Format, hook.Consent, hook.ConsentColumn));
        Assert.Equal([_hookEnv], hook.EnvironmentVariables);
        Assert.Equal(StepStatus.Failed, hook.LastRun!.StepStatus);
        // A failed step records no counts: what the run dead-lettered is read from the dead-letter table by its run_id.
        var dead = hook.LastRun.Counts!;
        Assert.Equal(((long?)null, (long?)null, 3L, 1L), (dead.RowsIn, dead.Delivered, dead.Failed, dead.DeadLetters));
        Assert.StartsWith("crm_hook (activate.webhook) failed: nothing was delivered: 3 row(s) in 1 of 1 batch(es) could not be delivered", hook.LastRun.Error, StringComparison.Ordinal);

        var sync = list.Activations[2];
        Assert.Equal(("activate.table", "crm_people", "table", (string?)null, "ignore"), (sync.Type, sync.Destination, sync.DestinationKind, sync.Format, sync.Consent));
        Assert.Equal(StepStatus.Succeeded, sync.LastRun!.StepStatus);
        Assert.Equal(3L, sync.LastRun.Counts!.Delivered);
        Assert.Equal(new Dictionary<string, long> { ["added"] = 3, ["removed"] = 0, ["updated"] = 0 }, sync.LastRun.Counts.Other);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Detail_HasTheRunsTheWebhooksTablesAndTheFilesToDownload(bool onPostgres)
    {
        await using var served = await RunAndServeAsync(onPostgres);

        var files = await ReadAsync<ActivationDetail>(await served.Http.GetAsync("/api/activations/audiences/tier_files", Ct));
        var hook = await ReadAsync<ActivationDetail>(await served.Http.GetAsync("/api/activations/audiences/crm_hook", Ct));

        // Silver's one person has unknown consent: no one is left in it, and it had no file before, so none is written.
        Assert.Equal([Path.Combine("out", "gold.csv")], files.Files);
        Assert.Equal((null, null), (files.DeliveryLog, files.DeadLetters));
        Assert.Equal(1, Assert.Single(files.Runs).Counts!.Delivered);
        using var gold = await served.Http.GetAsync("/api/activations/audiences/tier_files/files/0", Ct);
        Assert.Equal(HttpStatusCode.OK, gold.StatusCode);
        Assert.Equal(File.ReadAllText(Path.Combine(Project, "out", "gold.csv")), await gold.Content.ReadAsStringAsync(Ct));
        Assert.Equal("text/csv", gold.Content.Headers.ContentType?.MediaType);
        Assert.Equal("gold.csv", gold.Content.Headers.ContentDisposition?.FileNameStar ?? gold.Content.Headers.ContentDisposition?.FileName);
        Assert.Equal(HttpStatusCode.NotFound, (await served.Http.GetAsync("/api/activations/audiences/tier_files/files/1", Ct)).StatusCode);

        Assert.Equal(("crm_hook", "crm_hook__dead_letter"), (hook.DeliveryLog, hook.DeadLetters));
        Assert.Empty(hook.Files);
        Assert.Equal(StepStatus.Failed, Assert.Single(hook.Runs).StepStatus);
        var sync = await ReadAsync<ActivationDetail>(await served.Http.GetAsync("/api/activations/audiences/crm_sync", Ct));
        Assert.Equal((null, null, 0), (sync.DeliveryLog, sync.DeadLetters, sync.Files.Count));
        Assert.Equal(3L, Assert.Single(sync.Runs).Counts!.Delivered);
        // The dead letters page through the assets API: one batch of the three rows.
        var dead = await ReadAsync<AssetPreview>(await served.Http.GetAsync("/api/assets/crm_hook__dead_letter?limit=1&offset=0", Ct));
        Assert.Equal(1, dead.Total);

        foreach (var path in new[] { "/api/activations/audiences/people", "/api/activations/audiences/nope", "/api/activations/nope/tier_files", "/api/activations/audiences/crm_hook/files/0" })
            Assert.True((await served.Http.GetAsync(path, Ct)).StatusCode == HttpStatusCode.NotFound, path);
    }

    [Fact]
    public async Task Download_OfAFileNowALinkOutOfTheProject_IsRefused()
    {
        await using var served = await RunAndServeAsync(onPostgres: false);
        var outside = Path.Combine(_temp.Path, "secret.txt");
        File.WriteAllText(outside, "not for the web");
        var gold = Path.Combine(Project, "out", "gold.csv");
        File.Delete(gold);
        File.CreateSymbolicLink(gold, outside);

        using var answer = await served.Http.GetAsync("/api/activations/audiences/tier_files/files/0", Ct);
        var detail = await ReadAsync<ActivationDetail>(await served.Http.GetAsync("/api/activations/audiences/tier_files", Ct));

        Assert.Equal(HttpStatusCode.NotFound, answer.StatusCode);
        Assert.DoesNotContain("not for the web", await answer.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Empty(detail.Files);
    }

    [Fact]
    public async Task List_OfAWebhookWithATokenInItsUrl_MasksQueryValuesAndUserInfo_KeepsEnvironmentNames()
    {
        Assert.Equal(0, (await Trib.RunAsync("init", Project)).ExitCode);
        File.WriteAllText(Path.Combine(Project, "pipelines", "hooks.yaml"), $$"""
            pipeline: hooks
            components:
              - { id: people, type: transform.sql, with: { sql: "SELECT 1 AS customer_id" } }
              - { id: literal, type: activate.webhook, inputs: [people], with: { url: "https://bot:pa55@crm.example/hook?token=abc123&list=7#top", consent: ignore } }
              - { id: named, type: activate.webhook, inputs: [people], with: { url: "https://${env.{{_hookEnv}}}@crm.example/hook?token=${env.{{_hookEnv}}}&empty=", consent: ignore } }
            """);
        await using var served = await InProcessServer.StartAsync(Project, Ct);

        var text = await (await served.Http.GetAsync("/api/activations", Ct)).Content.ReadAsStringAsync(Ct);
        var detail = await ReadAsync<ActivationDetail>(await served.Http.GetAsync("/api/activations/hooks/literal", Ct));

        Assert.DoesNotContain("abc123", text, StringComparison.Ordinal);
        Assert.DoesNotContain("pa55", text, StringComparison.Ordinal);
        var list = JsonSerializer.Deserialize<ActivationList>(text, ApiJson.Options)!;
        Assert.Equal(["https://***@crm.example/hook?token=***&list=***#top", $"https://${{env.{_hookEnv}}}@crm.example/hook?token=${{env.{_hookEnv}}}&empty="],
            list.Activations.Select(a => a.Destination));
        Assert.Equal("https://***@crm.example/hook?token=***&list=***#top", detail.Activation.Destination);
    }

    [Fact]
    public async Task List_NamesAPipelineThatDoesNotLoad()
    {
        Assert.Equal(0, (await Trib.RunAsync("init", Project)).ExitCode);
        File.WriteAllText(Path.Combine(Project, "pipelines", "broken.yaml"), "pipeline: broken\ncomponents:\n  - { id: x, type: activate.webhok, with: {} }\n");
        await using var served = await InProcessServer.StartAsync(Project, Ct);

        var list = await ReadAsync<ActivationList>(await served.Http.GetAsync("/api/activations", Ct));

        Assert.Empty(list.Activations);
        var broken = Assert.Single(list.Unreadable);
        Assert.Equal("broken", broken.Pipeline);
        Assert.StartsWith(Path.Combine("pipelines", "broken.yaml") + ":3:", broken.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Activations_WithAToken_RequireIt_AndAreNotGivenToAnotherSite()
    {
        await using var served = await RunAndServeAsync(onPostgres: false, token: "activations-test-token");
        var http = served.Http;
        foreach (var path in new[] { "/api/activations", "/api/activations/audiences/tier_files", "/api/activations/audiences/tier_files/files/0" })
            Assert.True((await http.GetAsync(path, Ct)).StatusCode == HttpStatusCode.Unauthorized, path);

        http.DefaultRequestHeaders.Add("Authorization", "Bearer activations-test-token");
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/api/activations", Ct)).StatusCode);
        // Another site's page: no CORS grant to read a list, no file at all; another host name (DNS rebinding): nothing.
        using var list = new HttpRequestMessage(HttpMethod.Get, "/api/activations") { Headers = { { "Origin", "http://evil.example" }, { "Sec-Fetch-Site", "cross-site" } } };
        using var listed = await http.SendAsync(list, Ct);
        Assert.False(listed.Headers.Contains("Access-Control-Allow-Origin"));
        using var file = new HttpRequestMessage(HttpMethod.Get, "/api/activations/audiences/tier_files/files/0") { Headers = { { "Origin", "http://evil.example" }, { "Sec-Fetch-Site", "cross-site" } } };
        using var refused = await http.SendAsync(file, Ct);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal("the request comes from another site (Sec-Fetch-Site: cross-site); audience files are given only to this server's own pages",
            (await refused.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("detail").GetString());
        using var rebound = new HttpRequestMessage(HttpMethod.Get, "/api/activations") { Headers = { Host = $"evil.example:{served.Server.Address.Port}" } };
        Assert.Equal(HttpStatusCode.BadRequest, (await http.SendAsync(rebound, Ct)).StatusCode);
        // Run now: the run-launch endpoint refuses another origin, as every change.
        using var run = new HttpRequestMessage(HttpMethod.Post, "/api/runs") { Content = JsonContent.Create(new { pipeline = "audiences" }), Headers = { { "Origin", "http://evil.example" } } };
        Assert.Equal(HttpStatusCode.Forbidden, (await http.SendAsync(run, Ct)).StatusCode);
    }
}
