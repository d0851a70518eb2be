using Microsoft.Extensions.Time.Testing;
using Tributary.Engine.Execution;
using Tributary.Engine.Runs;
using Tributary.Testing;

namespace Tributary.Engine.Tests.Execution;

/// <summary>
/// What a run leaves behind, on a fixed clock: the run, step, materialization and check records, and each event's
/// text as the CLI and the web UI show it, for successes, retries, failures, failed checks and cancellation.
/// </summary>
public sealed class RunHistoryTests(PostgresCluster postgres)
{
    private static readonly DateTimeOffset Now = DateTimeOffset.Parse("2025-06-01T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<(RunResult Result, List<RunEvent> Events)> RunAsync(EngineHarness h, string yaml, CancellationToken cancellationToken,
        string trigger = "cli", int parallelism = 4)
    {
        var events = new List<RunEvent>();
        var executor = new RunExecutor(EngineHarness.Catalog, h.Warehouse, h.Store, new ExecutorOptions(parallelism), new FakeTimeProvider(Now));
        var result = await executor.ExecuteAsync(EngineHarness.Pipeline(yaml),
            new RunRequest { ProjectDirectory = h.Temp.Path, Trigger = trigger, Observer = e => { lock (events) events.Add(e); } }, cancellationToken);
        return (result, events);
    }

    [Fact]
    public async Task Execute_Success_RecordsTheRunItsStepAndItsStory()
    {
        await using var h = await EngineHarness.CreateAsync("duckdb", postgres);

        var (result, events) = await RunAsync(h, """
            pipeline: told
            components:
              - { id: t, type: transform.sql, with: { sql: "SELECT 1 AS id" } }
            """, Ct, trigger: "schedule");

        Assert.Matches("^20250601-100000-[0-9a-f]{6}$", result.RunId);
        var run = (await h.Store.GetRunAsync(result.RunId, Ct))!;
        Assert.Equal(("told", "schedule", Now, (DateTimeOffset?)Now, Environment.ProcessId, (string?)null),
            (run.Pipeline, run.Trigger, run.StartedAt, run.EndedAt, run.ProcessId, run.Error));
        var step = Assert.Single(await h.Store.GetStepsAsync(result.RunId, Ct));
        Assert.Equal(("t", "transform.sql", StepStatus.Succeeded, 1, (DateTimeOffset?)Now, (DateTimeOffset?)Now, (string?)null),
            (step.Asset, step.ComponentType, step.Status, step.Attempts, step.StartedAt, step.EndedAt, step.Error));
        var m = Assert.Single(await h.Store.GetMaterializationsAsync(result.RunId, "t", Ct));
        Assert.Equal((Now, 1L), (m.At, m.RowCount));
        Assert.StartsWith("{", m.MetadataJson, StringComparison.Ordinal);

        Assert.All(events, e => Assert.Equal((result.RunId, Now), (e.RunId, e.At)));
        Assert.Equal([(RunEventKind.RunStarted, null), (RunEventKind.StepStarted, "t"), (RunEventKind.StepSucceeded, "t"), (RunEventKind.RunEnded, null)],
            events.Select(e => (e.Kind, e.Asset)));
        Assert.Equal($"run {result.RunId} of 'told': 1 step(s)", events[0].Message);
        Assert.Equal("t (transform.sql) started", events[1].Message);
        Assert.Matches(@"^t: 1 rows in \d+\.\d\ds$", events[2].Message);
        Assert.Equal("run succeeded in 0.0s", events[3].Message);
        Assert.Equal(events.Select(e => e.Message), (await h.Store.GetEventsAsync(result.RunId, Ct)).Select(e => e.Message));
    }

    [Fact]
    public async Task Execute_RecordsTheWithValuesTheRunUsed_ParamsInPlace_SecretsNot()
    {
        await using var h = await EngineHarness.CreateAsync("duckdb", postgres);
        var loaded = new Tributary.Core.Loading.PipelineLoader(EngineHarness.Catalog).Load("""
            pipeline: told
            params:
              label: { type: string, default: day }
            components:
              - { id: t, type: transform.sql, with: { sql: "SELECT '${param.label}' AS label, '${env.TOKEN}' AS token" } }
            """, "told.yaml", new Tributary.Core.Loading.LoadOptions { Environment = _ => "s3cret", ParamOverrides = new Dictionary<string, string> { ["label"] = "week" } });
        Assert.True(loaded.Succeeded, string.Join("\n", loaded.Diagnostics));

        var result = await new RunExecutor(EngineHarness.Catalog, h.Warehouse, h.Store, new ExecutorOptions(1), new FakeTimeProvider(Now))
            .ExecuteAsync(loaded.Pipeline!, new RunRequest { ProjectDirectory = h.Temp.Path }, Ct);

        var m = Assert.Single(await h.Store.GetMaterializationsAsync(result.RunId, "t", Ct));
        // The card shows this rather than the file's ${param.label}; the environment's value is never written down.
        var with = System.Text.Json.Nodes.JsonNode.Parse(m.MetadataJson)![RunExecutor.WithKey]!.AsObject();
        Assert.Equal(["sql"], with.Select(p => p.Key));
        Assert.Equal("SELECT 'week' AS label, '${env.TOKEN}' AS token", (string?)with["sql"]);
        Assert.DoesNotContain("s3cret", m.MetadataJson, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Execute_RecordsEachStepsInputsWithTheirTypes_InOrder()
    {
        await using var h = await EngineHarness.CreateAsync("duckdb", postgres);

        var (result, _) = await RunAsync(h, """
            pipeline: lineage
            components:
              - { id: a, type: transform.sql, with: { sql: "SELECT 1 AS id" } }
              - { id: b, type: transform.sql, with: { sql: "SELECT 2 AS id" } }
              - { id: c, type: transform.sql, inputs: [b, a], with: { sql: "SELECT id FROM a UNION ALL SELECT id FROM b" } }
            """, Ct);

        // A reader follows lineage from these records, not from a pipeline file that may have changed since the run.
        async Task<string> InputsAsync(string asset) => System.Text.Json.Nodes.JsonNode.Parse(
            Assert.Single(await h.Store.GetMaterializationsAsync(result.RunId, asset, Ct)).MetadataJson)![RunExecutor.InputsKey]!.ToJsonString();
        Assert.Equal("""[{"step":"b","type":"transform.sql"},{"step":"a","type":"transform.sql"}]""", await InputsAsync("c"));
        Assert.Equal("[]", await InputsAsync("a"));
    }

    [Fact]
    public async Task Execute_Retried_LogsEachRetryWithTheErrorAndTheWait()
    {
        await using var h = await EngineHarness.CreateAsync("duckdb", postgres);
        var probe = ProbeState.Create();

        var (result, events) = await RunAsync(h, $$"""
            pipeline: p
            retry: { max_retries: 2, delay: 0s, backoff: constant }
            components:
              - { id: flaky, type: test.probe, with: { probe: {{probe.Id}}, fail_times: 1 } }
            """, Ct);

        Assert.Equal((RunStatus.Succeeded, 2), (result.Status, Assert.Single(result.Steps).Attempts));
        var retry = Assert.Single(events, e => e.Kind == RunEventKind.StepRetry);
        Assert.Equal(("flaky", "attempt 1 failed: planned failure 1 of 1; retrying in 0s"), (retry.Asset, retry.Message));
    }

    [Fact]
    public async Task Execute_FailedAfterRetries_SaysHowManyAttemptsAndRecordsTheError()
    {
        await using var h = await EngineHarness.CreateAsync("duckdb", postgres);
        var probe = ProbeState.Create();

        var (result, events) = await RunAsync(h, $$"""
            pipeline: p
            retry: { max_retries: 1, delay: 0s, backoff: linear }
            components:
              - { id: flaky, type: test.probe, with: { probe: {{probe.Id}}, fail_times: 3 } }
            """, Ct);

        const string error = "flaky (test.probe) failed: planned failure 2 of 3";
        Assert.Equal((RunStatus.Failed, error), (result.Status, result.Error));
        var step = Assert.Single(await h.Store.GetStepsAsync(result.RunId, Ct));
        Assert.Equal((StepStatus.Failed, 2, (DateTimeOffset?)Now, error), (step.Status, step.Attempts, step.EndedAt, step.Error));
        Assert.Equal($"{error} (after 2 attempts)", Assert.Single(events, e => e.Kind == RunEventKind.StepFailed).Message);
        Assert.Equal("run failed in 0.0s", events[^1].Message);
        Assert.Equal(error, (await h.Store.GetRunAsync(result.RunId, Ct))!.Error);
    }

    [Fact]
    public async Task Execute_FailedWithoutRetries_SaysNothingAboutAttempts()
    {
        await using var h = await EngineHarness.CreateAsync("duckdb", postgres);
        var probe = ProbeState.Create();

        var (_, events) = await RunAsync(h, $$"""
            pipeline: p
            components:
              - { id: once, type: test.probe, with: { probe: {{probe.Id}}, fail_times: 1 } }
            """, Ct);

        Assert.Equal("once (test.probe) failed: planned failure 1 of 1", Assert.Single(events, e => e.Kind == RunEventKind.StepFailed).Message);
    }

    [Fact]
    public async Task Execute_BlockingCheckFails_TheRunErrorNamesTheAssetAndEachCheckIsLogged()
    {
        await using var h = await EngineHarness.CreateAsync("duckdb", postgres);

        var (result, events) = await RunAsync(h, """
            pipeline: p
            components:
              - id: orders
                type: transform.sql
                with: { sql: "SELECT 1 AS id UNION ALL SELECT 1" }
                checks:
                  - { type: row_count_min, value: 1 }
                  - { type: unique, column: id, blocking: true }
            """, Ct);

        Assert.Equal((RunStatus.Failed, "blocking check failed on 'orders'"), (result.Status, result.Error));
        Assert.Equal(StepStatus.Succeeded, Assert.Single(result.Steps).Status);
        Assert.Equal(["check row_count_min(1): passed (2 rows, at least 1 required)", "check unique(id): FAILED (1 duplicated values)"],
            events.Where(e => e.Kind == RunEventKind.Check).Select(e => e.Message));
        var checks = await h.Store.GetChecksAsync(result.RunId, Ct);
        Assert.Equal([(false, Now), (true, Now)], checks.Select(c => (c.Blocking, c.At)));
    }

    [Fact]
    public async Task Execute_Cancelled_RecordsTheStepAsCancelledAndSaysTheTableIsKept()
    {
        await using var h = await EngineHarness.CreateAsync("duckdb", postgres);
        var probe = ProbeState.Create();
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);

        var run = RunAsync(h, $$"""
            pipeline: p
            components:
              - { id: slow, type: test.probe, with: { probe: {{probe.Id}}, block: true } }
            """, cts.Token);
        await probe.BlockedStarted.Task.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        await cts.CancelAsync();
        var (result, events) = await run;

        Assert.Equal((RunStatus.Cancelled, "cancelled"), (result.Status, result.Error));
        var step = Assert.Single(await h.Store.GetStepsAsync(result.RunId, Ct));
        Assert.Equal((StepStatus.Cancelled, 1, (DateTimeOffset?)Now, "cancelled"), (step.Status, step.Attempts, step.EndedAt, step.Error));
        Assert.Equal("slow: cancelled; the table keeps its previous version", Assert.Single(events, e => e.Kind == RunEventKind.StepFailed).Message);
        Assert.Equal("run cancelled in 0.0s", events[^1].Message);
    }

    [Fact]
    public async Task Execute_TwoIndependentFailures_TheRunErrorIsTheFirst()
    {
        await using var h = await EngineHarness.CreateAsync("duckdb", postgres);
        var probe = ProbeState.Create();

        var (result, _) = await RunAsync(h, $$"""
            pipeline: p
            components:
              - { id: first, type: test.probe, with: { probe: {{probe.Id}}, fail_times: 1 } }
              - { id: second, type: test.probe, with: { probe: {{probe.Id}}, fail_times: 1 } }
            """, Ct, parallelism: 1);

        Assert.Equal((RunStatus.Failed, "first (test.probe) failed: planned failure 1 of 1"), (result.Status, result.Error));
    }

    [Fact]
    public async Task Execute_TwoBlockingChecksFail_TheStepStillBlocks()
    {
        await using var h = await EngineHarness.CreateAsync("duckdb", postgres);

        var (result, _) = await RunAsync(h, """
            pipeline: p
            components:
              - id: orders
                type: transform.sql
                with: { sql: "SELECT 1 AS id UNION ALL SELECT 1" }
                checks:
                  - { type: unique, column: id, blocking: true }
                  - { type: row_count_min, value: 5, blocking: true }
              - { id: report, type: transform.sql, inputs: [orders], with: { sql: SELECT 1 } }
            """, Ct);

        Assert.Equal((RunStatus.Failed, "blocking check failed on 'orders'"), (result.Status, result.Error));
        Assert.Equal([StepStatus.Succeeded, StepStatus.Skipped], result.Steps.Select(s => s.Status));
    }

    [Fact]
    public async Task Execute_CancelledBeforeItStarts_EndsCancelledWithNothingRun()
    {
        await using var h = await EngineHarness.CreateAsync("duckdb", postgres);
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        var (result, _) = await RunAsync(h, """
            pipeline: p
            components:
              - { id: t, type: transform.sql, with: { sql: SELECT 1 } }
            """, cts.Token);

        Assert.Equal((RunStatus.Cancelled, "cancelled"), (result.Status, result.Error));
        Assert.Equal(StepStatus.Cancelled, Assert.Single(result.Steps).Status);
        Assert.Equal(StepStatus.Cancelled, Assert.Single(await h.Store.GetStepsAsync(result.RunId, Ct)).Status);
        Assert.Empty(await h.Warehouse.ListTablesAsync(Ct));
    }

    [Fact]
    public async Task Execute_DownstreamOfAFailure_IsRecordedAndLoggedAsSkipped()
    {
        await using var h = await EngineHarness.CreateAsync("duckdb", postgres);
        var probe = ProbeState.Create();

        var (result, events) = await RunAsync(h, $$"""
            pipeline: p
            components:
              - { id: bad, type: test.probe, with: { probe: {{probe.Id}}, fail_times: 1 } }
              - { id: after, type: transform.sql, inputs: [bad], with: { sql: SELECT 1 } }
            """, Ct);

        Assert.Equal([StepStatus.Failed, StepStatus.Skipped], (await h.Store.GetStepsAsync(result.RunId, Ct)).Select(s => s.Status));
        var skipped = Assert.Single(events, e => e.Kind == RunEventKind.StepSkipped);
        Assert.Equal(("after", "skipped: upstream 'bad' did not succeed"), (skipped.Asset, skipped.Message));
    }

    [Fact]
    public async Task Execute_ThousandsOfRows_AreLoggedWithAThousandsSeparator()
    {
        await using var h = await EngineHarness.CreateAsync("duckdb", postgres);

        var (_, events) = await RunAsync(h, """
            pipeline: p
            components:
              - { id: t, type: transform.sql, with: { sql: "SELECT range AS id FROM range(1200)" } }
            """, Ct);

        Assert.StartsWith("t: 1,200 rows in ", Assert.Single(events, e => e.Kind == RunEventKind.StepSucceeded).Message, StringComparison.Ordinal);
    }
}
