using Tributary.Components.Samples;
using Tributary.Components.Samples.DemoStore;
using Tributary.Core.Components;
using Tributary.Core.Diagnostics;
using Tributary.Core.Loading;
using Tributary.Engine.Runs;
using Tributary.Testing;

namespace Tributary.Components.Tests;

/// <summary>
/// Every table a component writes is one its plan declares: the shipped pipelines, run on demo data on both engines, leave
/// exactly the declared tables, each with a materialization; checks can target any declared output.
/// </summary>
public sealed class DeclaredOutputsTests(PostgresCluster postgres)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string, string> ShippedPipelines()
    {
        var data = new TheoryData<string, string>();
        foreach (var engine in new[] { "duckdb", "postgres" })
            foreach (var file in new[] { "quickstart.yaml", "customer_ltv.yaml", "marketing_attribution.yaml", "ab_testing.yaml", "examples/customer_data.yaml" })
                data.Add(engine, file);
        return data;
    }

    [Theory]
    [MemberData(nameof(ShippedPipelines))]
    public async Task ShippedPipeline_DemoData_WritesExactlyTheDeclaredTablesAndRecordsEach(string engine, string file)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        if (file == "quickstart.yaml") QuickstartStore.Write(Path.Combine(h.Temp.Path, "data"), customers: 120, seed: 4);
        else DemoStoreGenerator.Write(Path.Combine(h.Temp.Path, "data", "demo"), new DemoStoreOptions(Customers: 300, Days: 180, Seed: 21));
        var path = Path.Combine(RepositoryFiles.Templates, file);
        var pipeline = new PipelineLoader(BuiltInComponents.CreateCatalog()).LoadFile(path, new LoadOptions()).Pipeline!;

        var result = await h.RunFileAsync(path);

        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        var plans = PipelinePlans.Of(pipeline, BuiltInComponents.CreateCatalog());
        var outputs = plans.SelectMany(p => p.Value.OutputsOf(p.Key)).Select(o => o.Table).ToList();
        var declared = outputs.Concat(plans.Values.SelectMany(p => p.Writes)).Order(StringComparer.Ordinal).ToList();
        var tables = (await h.Warehouse.ListTablesAsync(Ct)).Order(StringComparer.Ordinal).ToList();
        // No undeclared table, and no declared one missing.
        Assert.Equal(declared, tables);
        var recorded = (await h.Store.GetMaterializationsAsync(result.RunId, null, Ct)).Select(m => m.Asset).Order(StringComparer.Ordinal);
        // A step that writes a file, not a table, is recorded under its id with what it wrote; a table a step writes under
        // another name (a sync's target) is recorded too, so that its lineage names that step.
        var files = plans.Where(p => !p.Value.HasTable).Select(p => p.Key);
        Assert.Equal(outputs.Concat(files).Concat(plans.Values.SelectMany(p => p.Writes)).Order(StringComparer.Ordinal), recorded);
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Check_OnASideOutput_RunsOnThatTable(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);

        var result = await h.RunAsync("""
            pipeline: p
            components:
              - id: clv
                type: transform.sql
                with: { sql: "SELECT * FROM (VALUES ('a', 10.0), ('b', 20.0), ('c', 30.0), ('d', 40.0), ('e', 50.0), ('f', 60.0)) AS t(customer_id, clv)" }
              - id: tiers
                type: segment.value_tiers
                inputs: [clv]
                checks:
                  - { type: row_count_min, value: 4 }
                  - { output: summary, type: row_count_min, value: 4 }
                  - { output: summary, type: not_null, column: avg_max_cac }
            """);

        Assert.Equal(RunStatus.Succeeded, result.Status);
        var checks = (await h.Store.GetChecksAsync(result.RunId, Ct)).ToDictionary(c => c.Check, c => c);
        // Six customers pass on the asset; the summary has one row per tier (three), so the same check fails on it.
        Assert.True(checks["row_count_min(4)"].Passed, checks["row_count_min(4)"].Detail);
        Assert.False(checks["row_count_min(4) on summary"].Passed);
        Assert.Equal("3 rows, at least 4 required", checks["row_count_min(4) on summary"].Detail);
        Assert.True(checks["not_null(avg_max_cac) on summary"].Passed);
        var summary = Assert.Single(await h.Store.GetMaterializationsAsync(result.RunId, "tiers__summary", Ct));
        Assert.Equal(("tiers", "summary", OutputRole.Diagnostics, 3L), (summary.Step, summary.Output, summary.Role, summary.RowCount));
    }

    [Fact]
    public void Check_UnknownOutput_IsAnErrorNamingTheDeclaredOnes()
    {
        var result = new PipelineLoader(BuiltInComponents.CreateCatalog()).Load("""
            pipeline: p
            components:
              - { id: clv, type: transform.sql, with: { sql: "SELECT 'a' AS customer_id, 1.0 AS clv" } }
              - id: tiers
                type: segment.value_tiers
                inputs: [clv]
                checks:
                  - { output: sumary, type: row_count_min, value: 1 }
                  - { output: summary, type: not_null, column: max_cac }
            """, "p.yaml", new LoadOptions());

        Assert.False(result.Succeeded);
        var unknown = Assert.Single(result.Diagnostics, d => d.Code == DiagnosticCodes.UnknownOutput);
        Assert.Contains("names output 'sumary', which component 'tiers' (segment.value_tiers) does not declare", unknown.Message, StringComparison.Ordinal);
        Assert.Contains("'summary'", unknown.Message, StringComparison.Ordinal);
        Assert.Equal("Its outputs: main, summary.", unknown.Hint);
        Assert.Equal(8, unknown.Location.Line);
        // A column is looked up in the output the check targets: max_cac is the asset's, not the summary's.
        var column = Assert.Single(result.Diagnostics, d => d.Code == DiagnosticCodes.MissingColumn);
        Assert.Contains("names column 'max_cac', which table 'tiers__summary' does not have", column.Message, StringComparison.Ordinal);
    }
}
