using Tributary.Engine.Runs;
using Tributary.Testing;

namespace Tributary.Engine.Tests.Execution;

/// <summary>
/// A run that reads a table outside its selection reads it as another definition may have left it: two pipelines of a
/// project sharing an asset id, or an edit upstream since the last full run. Such a step fails, naming the table.
/// </summary>
public sealed class ForeignInputsTests(PostgresCluster postgres)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    // Like customer_ltv: an identity graph over orders only.
    private const string Ltv = """
        pipeline: ltv
        components:
          - { id: orders, type: transform.sql, with: { sql: "SELECT 'a@x' AS email, 10 AS amount" } }
          - id: identity_graph
            type: transform.sql
            inputs: [orders]
            with: { sql: "SELECT email AS identifier, 'orders' AS source FROM orders" }
          - { id: customer_value, type: transform.sql, inputs: [identity_graph], with: { sql: "SELECT count(*) AS n FROM identity_graph" } }
        """;

    // Like marketing_attribution: the same orders (written another way, with a check), another identity graph over orders and events.
    private const string Attribution = """
        pipeline: attribution
        components:
          - id: orders
            type: transform.sql
            description: The same orders as ltv's.
            with:
              sql: SELECT 'a@x' AS email, 10 AS amount
            checks: [{ type: not_null, column: email }]
          - { id: events, type: transform.sql, with: { sql: "SELECT 'anon-1' AS anonymous_id" } }
          - id: identity_graph
            type: transform.sql
            inputs: [orders, events]
            with: { sql: "SELECT email AS identifier, 'orders' AS source FROM orders UNION ALL SELECT anonymous_id, 'events' FROM events" }
          - { id: order_count, type: transform.sql, inputs: [orders], with: { sql: "SELECT count(*) AS n FROM orders" } }
          - { id: conversion_paths, type: transform.sql, inputs: [identity_graph], with: { sql: "SELECT count(*) AS n FROM identity_graph WHERE source = 'events'" } }
        """;

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Execute_PartialRunReadingAnotherPipelinesDefinitionOfATable_FailsTheStepNamingTableBuilderAndRebuild(string engine)
    {
        await using var h = await EngineHarness.CreateAsync(engine, postgres);
        Assert.Equal(RunStatus.Succeeded, (await h.RunAsync(Attribution, cancellationToken: Ct)).Status);
        var ltv = await h.RunAsync(Ltv, cancellationToken: Ct);
        Assert.Equal(RunStatus.Succeeded, ltv.Status);
        var built = (await h.Store.GetMaterializationsAsync(ltv.RunId, "identity_graph", Ct)).Single();

        var result = await h.RunAsync(Attribution, select: "conversion_paths", cancellationToken: Ct);

        var expected = $"input 'identity_graph' was last built by pipeline 'ltv' (run {ltv.RunId}, {built.At.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z), " +
            "which defines it differently from this pipeline (test.yaml:10:5), so 'conversion_paths' would read the other pipeline's table. " +
            "Rebuild it with this pipeline's definition first: trib run attribution --select +conversion_paths; or, to keep both, give one of the two assets another id.";
        Assert.Equal(RunStatus.Failed, result.Status);
        Assert.Equal(expected, result.Error);
        var step = Assert.Single(result.Steps);
        Assert.Equal((StepStatus.Failed, expected, 0), (step.Status, step.Error, step.Attempts));
        Assert.Contains(h.Events, e => e.Kind == RunEventKind.StepFailed && e.Asset == "conversion_paths" && e.Message == $"conversion_paths (transform.sql) not run: {expected}");
        // The step never ran: the table keeps what the full run of 'attribution' wrote.
        Assert.Equal(1, await h.ScalarAsync("SELECT n FROM conversion_paths"));
        Assert.Empty(await h.Store.GetMaterializationsAsync(result.RunId, null, Ct));

        var rebuilt = await h.RunAsync(Attribution, select: "+conversion_paths", cancellationToken: Ct);
        Assert.True(rebuilt.Status == RunStatus.Succeeded, rebuilt.Error);
        Assert.Equal(1, await h.ScalarAsync("SELECT n FROM conversion_paths"));
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Execute_PartialRunReadingATableAnotherPipelineDefinesAlike_Succeeds(string engine)
    {
        await using var h = await EngineHarness.CreateAsync(engine, postgres);
        Assert.Equal(RunStatus.Succeeded, (await h.RunAsync(Attribution, cancellationToken: Ct)).Status);
        Assert.Equal(RunStatus.Succeeded, (await h.RunAsync(Ltv, cancellationToken: Ct)).Status);

        // 'orders' was last built by ltv, with the same definition in other YAML (flow style, no description, no check).
        var result = await h.RunAsync(Attribution, select: "order_count", cancellationToken: Ct);

        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        Assert.Equal(1, await h.ScalarAsync("SELECT n FROM order_count"));
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Execute_PartialRunOfThePipelineThatBuiltItsInputs_Succeeds(string engine)
    {
        await using var h = await EngineHarness.CreateAsync(engine, postgres);
        Assert.Equal(RunStatus.Succeeded, (await h.RunAsync(Attribution, cancellationToken: Ct)).Status);

        var result = await h.RunAsync(Attribution, select: "conversion_paths", cancellationToken: Ct);

        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        var materialized = Assert.Single(await h.Store.GetMaterializationsAsync(result.RunId, null, Ct));
        Assert.Equal(64, materialized.Fingerprint?.Length);
    }

    [Fact]
    public async Task Execute_PartialRunAfterAnUpstreamEdit_FailsUntilTheEditedAssetIsRebuilt()
    {
        await using var h = await EngineHarness.CreateAsync("duckdb", postgres);
        var first = await h.RunAsync(Ltv, cancellationToken: Ct);
        Assert.Equal(RunStatus.Succeeded, first.Status);
        var built = (await h.Store.GetMaterializationsAsync(first.RunId, "identity_graph", Ct)).Single();
        var edited = Ltv.Replace("10 AS amount", "20 AS amount", StringComparison.Ordinal);

        // identity_graph's own SQL is unchanged, but it was built from the old orders.
        var result = await h.RunAsync(edited, select: "customer_value", cancellationToken: Ct);

        Assert.Equal(RunStatus.Failed, result.Status);
        Assert.Equal($"input 'identity_graph' was last built (run {first.RunId}, {built.At.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z) from another definition than this pipeline's " +
            "(test.yaml:4:5): its type, parameters, params or something upstream of it changed since, so 'customer_value' would read a stale table. " +
            "Rebuild it first: trib run ltv --select +customer_value.", result.Error);
        Assert.Equal(RunStatus.Succeeded, (await h.RunAsync(edited, select: "+customer_value", cancellationToken: Ct)).Status);
        Assert.Equal(RunStatus.Succeeded, (await h.RunAsync(edited, select: "customer_value", cancellationToken: Ct)).Status);
    }

    [Fact]
    public async Task Execute_InputBuiltBeforeFingerprintsWereKept_IsReadAsItIs()
    {
        await using var h = await EngineHarness.CreateAsync("duckdb", postgres);
        var other = Ltv.Replace("'orders' AS source", "'other' AS source", StringComparison.Ordinal);
        var first = await h.RunAsync(other, cancellationToken: Ct);
        Assert.Equal(RunStatus.Succeeded, first.Status);
        // A store written by an earlier trib: the same table, no fingerprint.
        var built = (await h.Store.GetMaterializationsAsync(first.RunId, "identity_graph", Ct)).Single();
        await h.Store.AddMaterializationAsync(built with { RunId = "old", Fingerprint = null }, Ct);

        var result = await h.RunAsync(Ltv, select: "customer_value", cancellationToken: Ct);

        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
    }
}
