using System.Globalization;
using System.Text.Json;
using Tributary.Components.Activation;
using Tributary.Core.Loading;
using Tributary.Engine.Execution;
using Tributary.Engine.Runs;
using Tributary.Testing;

namespace Tributary.Components.Tests.Activation;

/// <summary>The consent filter of the marketing activations: audience files, customer feeds and webhooks.</summary>
public sealed class MarketingConsentTests(PostgresCluster postgres)
{
    private const string People = """
        pipeline: p
        components:
          - id: people
            type: source.csv
            with: { path: people.csv, columns: { customer_id: BIGINT, email: VARCHAR, tier: VARCHAR, rank: INTEGER, marketing_consent: BOOLEAN } }
        """ + "\n";

    // 1 consented, 2 opted out, 3 never said.
    private static void WritePeople(ComponentHarness h) =>
        File.WriteAllLines(Path.Combine(h.Temp.Path, "people.csv"), ["customer_id,email,tier,rank,marketing_consent", "1,yes@x.com,gold,1,true", "2,no@x.com,gold,1,false", "3,unknown@x.com,gold,1,"]);

    private static async Task<string> LogAsync(ComponentHarness h, RunResult result) =>
        string.Join("\n", (await h.Store.GetEventsAsync(result.RunId, CancellationToken.None)).Select(e => e.Message));

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task AudienceFile_ByDefault_LeavesOutOptedOutAndUnknownAndSaysHowMany(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        WritePeople(h);

        var result = await h.RunAsync(People + """
              - { id: meta, type: activate.audience_file, inputs: [people], with: { path: "out/meta_{segment}.csv", format: meta_custom_audience, segment_column: tier } }
              - { id: plain, type: activate.audience_file, inputs: [people], with: { path: out/plain.csv } }
            """);

        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        Assert.Equal(["email,phone", $"{ContactNormalizer.Sha256("yes@x.com")},"], File.ReadAllLines(Path.Combine(h.Temp.Path, "out/meta_gold.csv")));
        Assert.Equal(["customer_id,email,tier,rank,marketing_consent", "1,yes@x.com,gold,1,true"], File.ReadAllLines(Path.Combine(h.Temp.Path, "out/plain.csv")));
        Assert.Contains("consent required: 2 of 3 row(s) left out for no marketing consent (1 opted out, 1 unknown)", await LogAsync(h, result), StringComparison.Ordinal);
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task AudienceFile_UnlessRefusedAndIgnore_KeepUnknownAndEveryone(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        WritePeople(h);

        var result = await h.RunAsync(People + """
              - { id: opt_out_regime, type: activate.audience_file, inputs: [people], with: { path: out/unless.csv, consent: unless_refused } }
              - { id: not_marketing, type: activate.audience_file, inputs: [people], with: { path: out/all.csv, consent: ignore } }
            """);

        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        Assert.Equal(["1,yes@x.com", "3,unknown@x.com"], File.ReadAllLines(Path.Combine(h.Temp.Path, "out/unless.csv")).Skip(1).Select(l => string.Join(',', l.Split(',')[..2])).Order());
        Assert.Equal(3, File.ReadAllLines(Path.Combine(h.Temp.Path, "out/all.csv")).Length - 1);
        Assert.Contains("consent unless_refused: 1 of 3 row(s) left out as opted out; 1 with unknown consent kept", await LogAsync(h, result), StringComparison.Ordinal);
    }

    [Fact]
    public void AudienceFile_InputWithoutConsentColumn_IsRefusedNamingTheWaysOut()
    {
        var result = new PipelineLoader(BuiltInComponents.CreateCatalog()).Load("""
            pipeline: p
            components:
              - { id: people, type: source.csv, with: { path: p.csv, columns: { customer_id: BIGINT, email: VARCHAR } } }
              - { id: meta, type: activate.audience_file, inputs: [people], with: { path: out/meta.csv, format: meta_custom_audience } }
              - { id: service, type: activate.audience_file, inputs: [people], with: { path: out/service.csv, consent: ignore } }
            """, "p.yaml");

        Assert.Equal(
        [
            "p.yaml:4:56: error TRIB0204: input 'people' has no column 'marketing_consent', which activate.audience_file needs. Marketing activations send only people who consented. "
            + "Add a boolean marketing_consent column to the input (see docs/consent.md), set consent_column to the column that holds it, or set consent: ignore when this destination is not marketing.",
        ], result.Diagnostics.Select(d => d.ToString()));
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task CustomerFeed_ByDefault_LeavesOutCustomersWithoutConsent(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        WritePeople(h);

        var result = await h.RunAsync(People + """
              - { id: feed, type: activate.customer_feed, inputs: [people], with: { path: out/feed.json, format: json, customer_fields: [email, marketing_consent] } }
            """);

        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        using var feed = JsonDocument.Parse(File.ReadAllText(Path.Combine(h.Temp.Path, "out/feed.json")));
        Assert.Equal(["yes@x.com"], feed.RootElement.EnumerateArray().Select(c => c.GetProperty("email").GetString()));
        Assert.Contains("wrote 1 rows for 1 customers", await LogAsync(h, result), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Webhook_ByDefault_PostsOnlyCustomersWithConsent()
    {
        await using var h = await ComponentHarness.CreateAsync("duckdb", postgres);
        WritePeople(h);
        using var receiver = new ActivationTests.Receiver(_ => [200]);

        var result = await h.RunAsync(People + $$"""
              - { id: hook, type: activate.webhook, inputs: [people], with: { url: "{{receiver.Url}}", max_retries: 0, allow_private_network: true } }
            """);

        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        var request = Assert.Single(receiver.Requests);
        using var body = JsonDocument.Parse(request.Body);
        Assert.Equal([1L], body.RootElement.GetProperty("rows").EnumerateArray().Select(r => r.GetProperty("customer_id").GetInt64()));
        Assert.Contains("consent required: 2 of 3 row(s) left out", await LogAsync(h, result), StringComparison.Ordinal);
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Activations_RecordRowsInLeftOutAndFailed_InTheirMetadata(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        WritePeople(h);
        // Batch 1 (customer 1) delivered, batch 2 (customer 3, unknown consent) refused.
        using var receiver = new ActivationTests.Receiver(batch => [batch == 1 ? 200 : 500]);

        var result = await h.RunAsync(People + $$"""
              - { id: hashed, type: activate.audience_file, inputs: [people], with: { path: out/meta.csv, format: meta_custom_audience } }
              - { id: feed, type: activate.customer_feed, inputs: [people], with: { path: out/feed.csv, consent: unless_refused } }
              - id: hook
                type: activate.webhook
                inputs: [people]
                with: { url: "{{receiver.Url}}", consent: unless_refused, batch_size: 1, max_retries: 0, max_failed_ratio: 0.5, allow_private_network: true }
            """);

        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        async Task<Dictionary<string, long>> CountsAsync(string step)
        {
            var main = Assert.Single(await h.Store.GetMaterializationsAsync(result.RunId, step, CancellationToken.None));
            using var metadata = JsonDocument.Parse(main.MetadataJson);
            return metadata.RootElement.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.Number).ToDictionary(p => p.Name, p => p.Value.GetInt64());
        }
        Assert.Equal(new Dictionary<string, long> { ["rows_in"] = 3, ["excluded_no_consent"] = 2, ["rows_without_contact"] = 0, ["duplicates_merged"] = 0 }, await CountsAsync("hashed"));
        var feed = await CountsAsync("feed");
        Assert.Equal((3L, 1L), (feed["rows_in"], feed["excluded_no_consent"]));
        Assert.Equal(new Dictionary<string, long> { ["rows_in"] = 3, ["excluded_no_consent"] = 1, ["rows_delivered"] = 1, ["rows_failed"] = 1, ["batches"] = 2, ["dead_lettered"] = 1,
            ["upserts"] = 1, ["removals"] = 0, ["unchanged"] = 0 },
            await CountsAsync("hook"));
    }
}
