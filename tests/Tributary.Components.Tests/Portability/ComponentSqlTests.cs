using Tributary.Components.Samples;
using Tributary.Components.Samples.DemoStore;
using Tributary.Engine.Runs;
using Tributary.Testing;
using Tributary.Warehouse.DuckDb;

namespace Tributary.Components.Tests.Portability;

/// <summary>
/// Walks every built-in component's SQL on both engines: the shipped pipelines and a pipeline of the components they
/// leave out run on each engine with their SQL traced, every step must succeed, every built-in component must have run,
/// and no statement may hold engine-specific SQL outside the pieces the dialect spelled.
/// </summary>
public sealed class ComponentSqlTests(PostgresCluster postgres)
{
    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task EveryBuiltInComponent_RunsOnTheEngine_WithOnlyDialectSpelledEngineSql(string engine)
    {
        var ran = new SortedSet<string>(StringComparer.Ordinal);
        var findings = new List<string>();

        async Task Walk(Func<string, Task> prepare, params (string Yaml, bool IsFile)[] pipelines)
        {
            TracingWarehouse? traced = null;
            await using var h = await ComponentHarness.CreateAsync(engine, postgres, w => traced = new TracingWarehouse(w));
            await prepare(h.Temp.Path);
            foreach (var (yaml, isFile) in pipelines)
            {
                var result = isFile ? await h.RunFileAsync(yaml) : await h.RunAsync(yaml, name => name == "WALK_DUCKDB" ? Path.Combine(h.Temp.Path, "crm.duckdb") : null,
                    [h.Temp.Path]);
                Assert.True(result.Status == RunStatus.Succeeded, $"{engine}: {result.Error}");
                foreach (var step in result.Steps)
                {
                    Assert.True(step.Status == StepStatus.Succeeded, $"{engine}: {step.Asset} ({step.ComponentType}): {step.Error}");
                    ran.Add(step.ComponentType);
                }
            }
            foreach (var sql in traced!.Statements)
                foreach (var what in EngineSpecificSql.Find(TracingDialect.WithoutDialectPieces(sql)))
                    findings.Add($"{what} in: {sql}");
        }

        await Walk(folder => Demo(() => DemoStoreGenerator.Write(Path.Combine(folder, "data", "demo"), new DemoStoreOptions(Customers: 300, Days: 365, Seed: 11))),
            (Path.Combine(RepositoryFiles.Templates, "examples", "customer_data.yaml"), true));
        await Walk(folder => Demo(() => DemoStoreGenerator.Write(Path.Combine(folder, "data", "demo"), new DemoStoreOptions(Customers: 300, Days: 365, Seed: 12))),
            (Path.Combine(RepositoryFiles.Templates, "customer_ltv.yaml"), true));
        await Walk(folder => Demo(() => DemoStoreGenerator.Write(Path.Combine(folder, "data", "demo"), new DemoStoreOptions(Customers: 600, Days: 365, Seed: 13))),
            (Path.Combine(RepositoryFiles.Templates, "marketing_attribution.yaml"), true));
        await Walk(folder => Demo(() => DemoStoreGenerator.Write(Path.Combine(folder, "data", "demo"), new DemoStoreOptions(Customers: 300, Days: 180, Seed: 15))),
            (Path.Combine(RepositoryFiles.Templates, "customer_journey.yaml"), true));
        await Walk(folder => Demo(() => DemoStoreGenerator.Write(Path.Combine(folder, "data", "demo"), new DemoStoreOptions(Customers: 600, Days: 365, Seed: 15))),
            (Path.Combine(RepositoryFiles.Templates, "product_recommendations.yaml"), true));
        await Walk(folder => Demo(() => DemoStoreGenerator.Write(Path.Combine(folder, "data", "demo"), new DemoStoreOptions(Customers: 1000, Days: 120, Seed: 16))),
            (Path.Combine(RepositoryFiles.Templates, "ab_testing.yaml"), true));
        await Walk(folder => Demo(() => DemoStoreGenerator.Write(Path.Combine(folder, "data", "demo"), new DemoStoreOptions(Customers: 1000, Days: 365, Seed: 17))),
            (Path.Combine(RepositoryFiles.Templates, "churn_prevention.yaml"), true));
        await Walk(folder => Demo(() => DemoStoreGenerator.Write(Path.Combine(folder, "data", "demo"), new DemoStoreOptions(Customers: 1000, Days: 365, Seed: 18))),
            (Path.Combine(RepositoryFiles.Templates, "propensity_marketing.yaml"), true));
        await Walk(folder => Demo(() => DemoStoreGenerator.Write(Path.Combine(folder, "data", "demo"), new DemoStoreOptions(Customers: 600, Days: 365, Seed: 19))),
            (Path.Combine(RepositoryFiles.Templates, "fraud_detection.yaml"), true));
        await Walk(folder => Demo(() => QuickstartStore.Write(Path.Combine(folder, "data"), customers: 100, seed: 14)),
            (Path.Combine(RepositoryFiles.Templates, "quickstart.yaml"), true));
        // What the shipped pipelines leave out: JSON lines, Parquet both ways, a source database, and a webhook.
        using var hook = new WebhookListener();
        await Walk(async folder =>
            {
                Directory.CreateDirectory(Path.Combine(folder, "data"));
                File.WriteAllLines(Path.Combine(folder, "data", "events.ndjson"), ["{\"id\": 1, \"kind\": \"a\"}", "{\"id\": 2, \"kind\": \"b\"}"]);
                await CreateSourceDatabaseAsync(Path.Combine(folder, "crm.duckdb"));
            },
            ($$"""
            pipeline: walk_files
            components:
              - { id: events, type: source.ndjson, with: { path: data/events.ndjson } }
              - { id: events_file, type: export.parquet, inputs: [events], with: { path: out/events.parquet } }
              - { id: crm, type: source.sql, with: { engine: duckdb, connection_env: WALK_DUCKDB, query: "SELECT id, email, TRUE AS marketing_consent FROM contacts" } }
              - { id: consented, type: segment.audience, inputs: [crm], with: { conditions: [{ column: marketing_consent, op: "=", value: "true" }, { column: email, op: contains, value: "@" }], limit: 10, order_by: id desc } }
              - { id: crm_hook, type: activate.webhook, inputs: [crm], with: { url: "{{hook.Url}}", key: id, max_retries: 0, timeout: 2s, allow_private_network: true } }
              - { id: event_anomalies, type: analytics.isolation_forest, inputs: [events], with: { id_columns: [kind], features: [id] } }
              - { id: live_events, type: source.intake, with: { table: no_intake_yet } }
            """, false),
            ("""
            pipeline: walk_parquet
            components:
              - { id: events_again, type: source.parquet, with: { path: out/events.parquet } }
            """, false));

        var missing = BuiltInComponents.CreateCatalog().Types.Select(t => t.TypeName).Where(t => !ran.Contains(t)).ToList();
        Assert.True(missing.Count == 0, $"built-in components no pipeline of this walk runs (add them): {string.Join(", ", missing)}");
        Assert.True(findings.Count == 0, $"{engine}: engine-specific SQL outside the dialect:\n{string.Join("\n\n", findings.Distinct())}");
    }

    private static Task Demo(Action write)
    {
        write();
        return Task.CompletedTask;
    }

    private static async Task CreateSourceDatabaseAsync(string path)
    {
        await using var database = await DuckDbWarehouse.OpenAsync(path, CancellationToken.None);
        await database.ExecuteAsync("CREATE TABLE contacts AS SELECT 1 AS id, 'a@example.com' AS email", null, CancellationToken.None);
    }
}
