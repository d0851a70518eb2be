using System.Net;
using System.Text.Json;
using Tributary.Server.Contracts;
using Tributary.Testing;

namespace Tributary.Cli.Tests.Server;

/// <summary>GET /api/assets, its history, lineage and CSV download for a table a step writes under another name, and the CSV's dates.</summary>
public sealed class AssetsApiTests(PostgresCluster postgres) : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly string _env = "TRIB_TEST_PG_" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
    private string Project => Path.Combine(_temp.Path, "project");
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        Environment.SetEnvironmentVariable(_env, null);
        _temp.Dispose();
    }

    private const string Alerts = """
        pipeline: alerts
        components:
          - id: alerts
            type: transform.sql
            with: { sql: "SELECT 'a1' AS alert_id, TIMESTAMP '2025-01-10 04:59:30' AS opened_at, DATE '2026-01-01' AS alerted_on, 'odd, new card' AS reasons, 0.5 AS score" }
          - { id: alert_sync, type: activate.table, inputs: [alerts], with: { target: alert_queue, mode: upsert, key: [alert_id] } }
        """;

    // The project on DuckDB, or with its warehouse on PostgreSQL (a fresh schema).
    private async Task<InProcessServer> RunAndServeAsync(bool onPostgres)
    {
        Assert.Equal(0, (await Trib.RunAsync("init", Project)).ExitCode);
        if (onPostgres)
        {
            var settings = Path.Combine(Project, "tributary.yaml");
            ProjectSettingsFile.UsePostgresWarehouse(settings, _env);
            Environment.SetEnvironmentVariable(_env, await postgres.NewSchemaAsync());
        }
        File.WriteAllText(Path.Combine(Project, "pipelines", "alerts.yaml"), Alerts);
        var run = await Trib.RunAsync("run", "alerts", "--project", Project);
        Assert.True(run.ExitCode == 0, run.Error);
        return await InProcessServer.StartAsync(Project, Ct);
    }

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {text}");
        return JsonSerializer.Deserialize<T>(text, ApiJson.Options)!;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task SyncTarget_HasTheWritingStepInItsHistoryLineageAndAssetList(bool onPostgres)
    {
        await using var served = await RunAndServeAsync(onPostgres);

        var history = await ReadAsync<List<MaterializationView>>(await served.Http.GetAsync("/api/assets/alert_queue/history", Ct));
        var lineage = await ReadAsync<List<AssetLineage>>(await served.Http.GetAsync("/api/lineage/alert_queue", Ct));
        var assets = await ReadAsync<List<AssetSummary>>(await served.Http.GetAsync("/api/assets", Ct));

        // Written by alert_sync (activate.table) under the name of its target: not "loaded from outside".
        Assert.Equal(1, Assert.Single(history).RowCount);
        var l = Assert.Single(lineage);
        Assert.Equal(("alerts", "alert_sync", "activate.table"), (l.Pipeline, l.Step, l.Type));
        Assert.Equal(["alerts"], l.Upstream);
        var queue = Assert.Single(assets, a => a.Name == "alert_queue");
        Assert.Equal(("alert_sync", "alert_queue", Tributary.Core.Components.OutputRole.Target, 1L), (queue.Step, queue.Output, queue.Role, queue.Rows));
        Assert.Equal("alert_sync", Assert.Single(await ReadAsync<List<AssetLineage>>(await served.Http.GetAsync("/api/lineage/alert_sync", Ct))).Step);
    }

    // Two pipelines that write one table: the asset page said "In a ..., In b ..." without where, nor whether they write the same rows.
    [Fact]
    public async Task Lineage_OfATableTwoPipelinesWrite_SaysWhereEachWritesItAndWhetherAlike_AndTheirCardsSayTheyConflict()
    {
        Assert.Equal(0, (await Trib.RunAsync("init", Project)).ExitCode);
        void Write(string name, string sql) => File.WriteAllText(Path.Combine(Project, "pipelines", name + ".yaml"), $$"""
            pipeline: {{name}}
            components:
              - { id: orders, type: transform.sql, with: { sql: "SELECT 1 AS v" } }
              - { id: totals, type: transform.sql, inputs: [orders], with: { sql: "{{sql}}" } }
            """);
        Write("first", "SELECT sum(v) AS n FROM orders");
        Write("second", "SELECT count(*) AS n FROM orders");
        await using var served = await InProcessServer.StartAsync(Project, Ct);

        var lineage = await ReadAsync<List<AssetLineage>>(await served.Http.GetAsync("/api/lineage/totals", Ct));

        Assert.Equal([("first", "pipelines/first.yaml:4:5"), ("second", "pipelines/second.yaml:4:5")], lineage.Select(l => (l.Pipeline, l.At)).OrderBy(l => l.Pipeline));
        Assert.All(lineage, l => Assert.Matches("^[0-9a-f]{64}$", l.Fingerprint!));
        Assert.NotEqual(lineage[0].Fingerprint, lineage[1].Fingerprint);
        // Each pipeline's card says it, naming the other at its line (trib validate says it once, at the later file).
        var pipelines = await ReadAsync<List<PipelineSummary>>(await served.Http.GetAsync("/api/pipelines", Ct));
        const string rest = "and both write table 'totals': whichever runs last replaces the other's, and a partial run of the other then fails until it rebuilds it. "
            + "Give one of them another id, or define both alike.";
        Assert.Equal([
            ("first", $"pipelines/first.yaml:4:5: warning TRIB0209: asset 'totals' of pipeline 'first' is defined differently in pipelines/second.yaml:4:5 (pipeline 'second'), {rest}"),
            ("second", $"pipelines/second.yaml:4:5: warning TRIB0209: asset 'totals' of pipeline 'second' is defined differently in pipelines/first.yaml:4:5 (pipeline 'first'), {rest}"),
        ], pipelines.Select(p => (p.Name, Assert.Single(p.TableConflicts))).OrderBy(p => p.Name));
        // Defined alike down to their sources: one fingerprint, one table both write the same rows to.
        Write("second", "SELECT sum(v) AS n FROM orders");
        var alike = await ReadAsync<List<AssetLineage>>(await served.Http.GetAsync("/api/lineage/totals", Ct));
        Assert.Equal(alike[0].Fingerprint, alike[1].Fingerprint);
        Assert.All(await ReadAsync<List<PipelineSummary>>(await served.Http.GetAsync("/api/pipelines", Ct)), p => Assert.Empty(p.TableConflicts));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task List_NamesThePipelineOfTheRunThatLastWroteEachTable(bool onPostgres)
    {
        await using var served = await RunAndServeAsync(onPostgres);

        var assets = await ReadAsync<List<AssetSummary>>(await served.Http.GetAsync("/api/assets", Ct));

        Assert.Equal("alerts", Assert.Single(assets, a => a.Name == "alert_queue").Pipeline);
        Assert.Equal("alerts", Assert.Single(assets, a => a.Name == "alerts").Pipeline);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Csv_DatesAndTimestamps_AreIso8601_TimestampsInUtcWithZ(bool onPostgres)
    {
        await using var served = await RunAndServeAsync(onPostgres);

        var csv = await served.Http.GetStringAsync("/api/assets/alert_queue/csv", Ct);

        Assert.Equal("alert_id,opened_at,alerted_on,reasons,score\na1,2025-01-10T04:59:30Z,2026-01-01,\"odd, new card\",0.5\n", csv);
    }
}
