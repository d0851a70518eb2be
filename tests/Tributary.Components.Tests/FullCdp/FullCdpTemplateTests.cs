using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Tributary.Components.Samples.DemoStore;
using Tributary.Components.Standardize;
using Tributary.Components.Tests.Activation;
using Tributary.Core.Loading;
using Tributary.Core.Pipelines;
using Tributary.Core.Warehousing;
using Tributary.Engine.Execution;
using Tributary.Engine.Runs;
using Tributary.Testing;

namespace Tributary.Components.Tests.FullCdp;

/// <summary>
/// The full_cdp template: every source (the demo store's exports and live intake events) through identity, Customer 360,
/// every analytic and every activation, in groups with their own schedules; end to end on both engines, a second run
/// changing no table, and each group run alone (one demo and two full runs per engine in all: the runs are the cost).
/// </summary>
public sealed class FullCdpTemplateTests(PostgresCluster postgres)
{
    private static string Template => Path.Combine(RepositoryFiles.Templates, "full_cdp.yaml");

    // Small, like the other template tests' quick runs: the test is about wiring, not model quality (each template's own tests are).
    private static readonly DemoStoreOptions Demo = new(Customers: 600, Days: 365, Seed: 11);

    [Fact]
    public void FullCdp_Template_PutsEveryComponentInOneScheduledGroup()
    {
        var result = new PipelineLoader(BuiltInComponents.CreateCatalog()).LoadFile(Template);
        Assert.True(result.Succeeded, string.Join("\n", result.Diagnostics));
        var p = result.Pipeline!;

        Assert.Equal(
            [("ingest", "0 4 * * *"), ("intake", "5 * * * *"), ("sessions", "10 * * * *"), ("fraud", "15 * * * *"), ("analytics", "0 5 * * *"), ("retraining", "0 3 * * 1"),
             ("activation", "0 7 * * *")],
            p.Groups.Select(g => (g.Name, g.Schedule!.Cron)));
        var grouped = p.Groups.SelectMany(g => g.Assets).ToList();
        Assert.Equal(p.Components.Select(c => c.Id).Order(StringComparer.Ordinal), grouped.Order(StringComparer.Ordinal));
        // The live intake is read, never replaced: no asset is named like its table.
        Assert.DoesNotContain(p.Components, c => c.Id == "events");
        // The intake group watches the table its intake_table param names; analytics waits on ingest, activation on analytics.
        Assert.Equal([("table_rows", "events")], p.Groups.Single(g => g.Name == "intake").Sensors.Select(s => (s.Type, s.Settings["table"])));
        Assert.Equal([("sessions", "full_cdp", "intake"), ("analytics", "full_cdp", "ingest"), ("activation", "full_cdp", "analytics")], p.Groups
            .SelectMany(g => g.Sensors.Where(s => s.Type == "run_status").Select(s => (g.Name, s.Settings["pipeline"], s.Settings["group"]))));
        Assert.All(p.Groups.Where(g => g.Name is "intake" or "fraud"), g => Assert.Equal(3, g.Retry!.MaxRetries));
        // The live intake is loaded an hour per partition, by the hour each event was received; every other group is whole.
        Assert.Equal([("intake", PartitionGranularity.Hourly, "received_at")],
            p.Groups.Where(g => g.Partitions is not null).Select(g => (g.Name, g.Partitions!.Type, g.Partitions.Column!)));
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task FullCdp_DemoStoreWithLiveEvents_RunsEndToEnd_ASecondRunChangesNoTable_EachGroupRunsAlone(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        using var crm = new ActivationTests.Receiver(_ => [200]);
        var parameters = await PrepareAsync(h, crm.Url);

        var first = await h.RunFileAsync(Template, parameters, environment: _environment);
        Assert.True(first.Status == RunStatus.Succeeded, first.Error);
        Assert.Equal(92, first.Steps.Count);

        // Live events join the exported stream once each (the one also exported is not doubled).
        Assert.Equal(2L, Count(await h.RowsAsync("SELECT count(*) FROM web_events WHERE event_id LIKE 'live-%'")));
        Assert.Equal(1L, Count(await h.RowsAsync($"SELECT count(*) FROM web_events WHERE event_id = '{_exportedId}'")));
        // Every analytic produced its result, and every activation delivered it.
        foreach (var table in new[] { "customer_360", "customer_ltv", "value_tiers", "rfm_segments", "attribution", "campaign_performance", "budget_plan",
                     "churn_scores", "churn_alerts", "recommendations", "journey_paths", "shopping_funnel", "retention", "experiment_results", "experiment_decision",
                     "propensity_scores", "uplift_scores", "campaign_audience", "risk_scores", "fraud_alert_queue", "crm_customer_value", "crm_churn_alerts",
                     "crm_campaign_audience" })
            Assert.True(Count(await h.RowsAsync($"SELECT count(*) FROM {table}")) > 0, $"{table} is empty");
        // The churn webhook is marketing: it posts only the contacts with consent.
        Assert.Equal(Count(await h.RowsAsync("SELECT count(*) FROM churn_contacts WHERE marketing_consent")), crm.Requests.Sum(r => RowsIn(r.Body)));
        Assert.True(Count(await h.RowsAsync("SELECT count(*) FROM churn_contacts WHERE NOT marketing_consent")) > 0, "no opted-out churn contact to leave out");
        Assert.Empty(await h.RowsAsync("SELECT * FROM churn_webhook__dead_letter"));
        foreach (var file in new[] { "contacts/campaign.csv", "feeds/recommendations.csv", "feeds/recommendations.json" })
            Assert.True(File.Exists(Path.Combine(h.Temp.Path, "out", file)), file);
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(h.Temp.Path, "out", "audiences"), "meta_*.csv"));
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(h.Temp.Path, "out", "contacts"), "churn_*.csv"));
        // Raw contact files stay out of the folder of hashed uploads.
        Assert.All(Directory.GetFiles(Path.Combine(h.Temp.Path, "out", "audiences")), f => Assert.StartsWith("meta_", Path.GetFileName(f), StringComparison.Ordinal));

        var before = await FingerprintsAsync(h);
        var second = await h.RunFileAsync(Template, parameters, environment: _environment);
        Assert.True(second.Status == RunStatus.Succeeded, second.Error);
        var after = await FingerprintsAsync(h);

        Assert.Equal(before.Keys.Order(StringComparer.Ordinal), after.Keys.Order(StringComparer.Ordinal));
        // Delivery logs, what one run delivered and not a result (docs/use-cases.md, bench/full-cdp.sh name the same): an
        // activate.table step's asset is the change log of its sync (inserted, updated, deleted), empty when nothing changed;
        // alert.fraud's holds only alerts new in this run; an activate.webhook step's asset is that run's requests, and its
        // dead letters accumulate across runs (their payloads carry the run id). The synced tables and the alert queue are results, and are compared.
        var changeLogs = new PipelineLoader(BuiltInComponents.CreateCatalog()).LoadFile(Template).Pipeline!.Components
            .Where(c => c.Type is "activate.table" or "activate.webhook" or "alert.fraud")
            .SelectMany(c => c.Type == "activate.webhook" ? new[] { c.Id, c.Id + "__dead_letter" } : [c.Id]).ToHashSet(StringComparer.Ordinal);
        Assert.Equal(["churn_webhook", "churn_webhook__dead_letter", "crm_campaign_sync", "crm_churn_sync", "crm_sync", "fraud_alert_sync", "fraud_alerts"],
            changeLogs.Order(StringComparer.Ordinal));
        var changed = before.Where(t => !changeLogs.Contains(t.Key) && after[t.Key] != t.Value).Select(t => $"{t.Key} ({t.Value} -> {after[t.Key]})").ToList();
        Assert.True(changed.Count == 0, "changed by the second run: " + string.Join(", ", changed));

        // Each group alone, on the tables the full runs laid down (groups read what other groups wrote), as its schedule runs
        // it. Selection does not depend on the engine, so one engine checks it and the other is spared six more runs.
        if (engine != "duckdb") return;
        foreach (var group in new PipelineLoader(BuiltInComponents.CreateCatalog()).LoadFile(Template).Pipeline!.Groups)
        {
            var result = await h.RunFileAsync(Template, parameters, selection: group.Selection, environment: _environment);
            Assert.True(result.Status == RunStatus.Succeeded, $"{group.Name}: {result.Error}");
            Assert.Equal(group.Assets.Order(StringComparer.Ordinal), result.Steps.Select(s => s.Asset).Order(StringComparer.Ordinal));
        }

        // The intake's hour of the live events, run by partition after the whole runs: a new event of that hour is loaded,
        // the hour's earlier events are replaced rather than doubled, and the sessions group (whole) reads them all.
        var at = Demo.Cutoff.ToDateTime(new TimeOnly(9, 30));
        await h.Warehouse.ExecuteAsync("INSERT INTO events (event_id, type, event, anonymous_id, user_id, occurred_at, received_at) VALUES ('live-3', 'track', 'Product Viewed', 'anon-live', 'user-live', $1, $1)",
            [at], CancellationToken.None);
        var hour = $"{Demo.Cutoff:yyyy-MM-dd}T09:00";
        var intake = await RunPartitionAsync(h, parameters, "group:intake", hour);
        Assert.True(intake.Status == RunStatus.Succeeded, intake.Error);
        Assert.Equal([("live-1", hour), ("live-2", hour), ("live-3", hour), (_exportedId, hour)],
            (await h.RowsAsync("SELECT event_id, partition_key FROM live_events ORDER BY event_id")).Select(r => ((string)r[0]!, (string)r[1]!)).OrderBy(r => r.Item1, StringComparer.Ordinal));
        var sessions = await h.RunFileAsync(Template, parameters, selection: "group:sessions", environment: _environment);
        Assert.True(sessions.Status == RunStatus.Succeeded, sessions.Error);
        Assert.Equal(3L, Count(await h.RowsAsync("SELECT count(*) FROM web_events WHERE event_id LIKE 'live-%'")));
        // A partition run outside its group is refused before anything runs.
        await Assert.ThrowsAsync<InvalidOperationException>(() => RunPartitionAsync(h, parameters, "group:sessions", hour));
    }

    private static async Task<RunResult> RunPartitionAsync(ComponentHarness h, Dictionary<string, string> parameters, string selection, string partition)
    {
        var now = TimeProvider.System.GetUtcNow();
        var spec = PartitionedPipelines.Load((_, p, variables) => new PipelineLoader(BuiltInComponents.CreateCatalog())
            .LoadFile(Template, new LoadOptions { ParamOverrides = p, Partition = variables }).GetPipelineOrThrow(), "full_cdp", parameters, partition, now, selection);
        return await new RunExecutor(BuiltInComponents.CreateCatalog(), h.Warehouse, h.Store, new ExecutorOptions(), TimeProvider.System).ExecuteAsync(spec, new RunRequest
        {
            ProjectDirectory = h.Temp.Path, Selection = selection, Partition = partition,
            PartitionWindow = PartitionedPipelines.TablePartitionOf(spec, selection, partition, now).Window,
        }, CancellationToken.None);
    }

    private string _exportedId = "";

    // The churn webhook's endpoint (url_env: CHURN_WEBHOOK_URL), as trib serve's environment would hold it.
    private Dictionary<string, string> _environment = [];

    // The demo store's exports, and an intake table as trib serve's /v1 loader writes it: two new events and one already exported.
    private async Task<Dictionary<string, string>> PrepareAsync(ComponentHarness h, string webhookUrl)
    {
        DemoStoreGenerator.Write(Path.Combine(h.Temp.Path, "data", "demo"), Demo);
        var exported = Directory.GetFiles(Path.Combine(h.Temp.Path, "data", "demo", "segment")).Order(StringComparer.Ordinal).First();
        _exportedId = FirstMessageId(exported);
        var at = Demo.Cutoff.ToDateTime(new TimeOnly(9, 0));
        object?[] Live(string id, string evt) =>
            [id, "track", evt, "anon-live", "user-live", at, at, "live@example.com", null, "203.0.113.9", "Mozilla/5.0", null, null, "google", "cpc", "spring", null, null, null, null, null, "{}"];
        await h.Warehouse.ReplaceTableAsync("events", (b, ct) => b.CreateAndAppendAsync(EventsStandardizer.Columns,
            [Live("live-1", "Product Viewed"), Live("live-2", "Product Added"), Live(_exportedId, "Product Viewed")], ct), CancellationToken.None);
        _environment = new Dictionary<string, string> { ["CHURN_WEBHOOK_URL"] = webhookUrl };
        return new Dictionary<string, string> { ["webhook_retries"] = "0", ["webhook_private_network"] = "true" };
    }

    private static string FirstMessageId(string file)
    {
        using var reader = new StreamReader(file);
        var first = reader.ReadLine() ?? throw new InvalidOperationException($"{file} is empty");
        using var json = System.Text.Json.JsonDocument.Parse(first);
        return json.RootElement.GetProperty("messageId").GetString()!;
    }

    // Each table's rows, sorted, as one hash; numbers to the last bit (round-trip), as a re-run must reproduce them exactly.
    private static async Task<Dictionary<string, string>> FingerprintsAsync(ComponentHarness h)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var table in await h.Warehouse.ListTablesAsync(CancellationToken.None))
        {
            var rows = await h.Warehouse.QueryAsync($"SELECT * FROM {h.Warehouse.Dialect.Quote(table)}", null, int.MaxValue, CancellationToken.None);
            var lines = rows.Rows.Select(r => string.Join('\u001f', r.Select(Text))).Order(StringComparer.Ordinal);
            result[table] = $"{rows.Rows.Count} rows, {Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', lines))))[..8]}";
        }
        return result;
    }

    private static string Text(object? value) => value switch
    {
        null => "∅",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    private static long Count(IReadOnlyList<object?[]> rows) => Convert.ToInt64(rows[0][0], CultureInfo.InvariantCulture);

    private static int RowsIn(string body)
    {
        using var json = System.Text.Json.JsonDocument.Parse(body);
        return json.RootElement.GetProperty("rows").GetArrayLength();
    }
}
