using Tributary.Core.Components;
using Tributary.Core.Loading;
using Tributary.Core.Warehousing;
using Tributary.Engine.Execution;
using Tributary.Engine.Orchestration;
using Tributary.Engine.Runs;
using Tributary.Testing;

[assembly: AssemblyFixture(typeof(PostgresCluster))]

namespace Tributary.Engine.Tests.Execution;

public sealed class RunExecutorTests(PostgresCluster postgres)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Execute_IndependentBranches_RunInParallelAndJoin(string engine)
    {
        await using var h = await EngineHarness.CreateAsync(engine, postgres);
        var probe = ProbeState.Create();
        var result = await h.RunAsync($$"""
            pipeline: p
            components:
              - { id: north, type: test.probe, with: { probe: {{probe.Id}}, hold_ms: 300, sql: "SELECT 1 AS v" } }
              - { id: south, type: test.probe, with: { probe: {{probe.Id}}, hold_ms: 300, sql: "SELECT 2 AS v" } }
              - id: joined
                type: transform.sql
                inputs: [north, south]
                with: { sql: "SELECT v FROM north UNION ALL SELECT v FROM south" }
            """, cancellationToken: Ct);

        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        Assert.Equal(2, probe.MaxRunning);
        Assert.Equal(3, await h.ScalarAsync("SELECT sum(v) FROM joined"));
        Assert.Equal(["north", "south", "joined"], result.Steps.Select(s => s.Asset));
    }

    // A re-run from the UI submits the recorded params again; without them it ran with the pipeline's defaults.
    [Fact]
    public async Task Execute_WithParams_RecordsThemInTheRun()
    {
        await using var h = await EngineHarness.CreateAsync("duckdb", postgres);
        var spec = EngineHarness.Pipeline("""
            pipeline: p
            components:
              - { id: a, type: transform.sql, with: { sql: "SELECT 1 AS id" } }
            """);

        var result = await new RunExecutor(EngineHarness.Catalog, h.Warehouse, h.Store, new ExecutorOptions(), TimeProvider.System)
            .ExecuteAsync(spec, new RunRequest { ProjectDirectory = h.Temp.Path, Params = new Dictionary<string, string> { ["n"] = "3" } }, Ct);

        Assert.Equal(RunStatus.Succeeded, result.Status);
        Assert.Equal(new Dictionary<string, string> { ["n"] = "3" }, (await h.Store.GetRunAsync(result.RunId, Ct))!.Params);
    }

    [Fact]
    public async Task Execute_ParallelismOne_RunsOneStepAtATime()
    {
        await using var h = await EngineHarness.CreateAsync("duckdb", postgres);
        var probe = ProbeState.Create();
        var result = await h.RunAsync($$"""
            pipeline: p
            components:
              - { id: a, type: test.probe, with: { probe: {{probe.Id}}, hold_ms: 100 } }
              - { id: b, type: test.probe, with: { probe: {{probe.Id}}, hold_ms: 100 } }
            """, parallelism: 1, cancellationToken: Ct);

        Assert.Equal(RunStatus.Succeeded, result.Status);
        Assert.Equal(1, probe.MaxRunning);
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Execute_FailsTwiceUnderTwoRetries_SucceedsOnTheThirdAttempt(string engine)
    {
        await using var h = await EngineHarness.CreateAsync(engine, postgres);
        var probe = ProbeState.Create();
        var result = await h.RunAsync($$"""
            pipeline: p
            retry: { max_retries: 2, delay: 1ms }
            components:
              - { id: flaky, type: test.probe, with: { probe: {{probe.Id}}, fail_times: 2 } }
            """, cancellationToken: Ct);

        Assert.Equal(RunStatus.Succeeded, result.Status);
        var step = Assert.Single(result.Steps);
        Assert.Equal(3, step.Attempts);
        Assert.Equal(2, h.Events.Count(e => e.Kind == RunEventKind.StepRetry && e.Asset == "flaky"));
        Assert.Equal(1, await h.ScalarAsync("SELECT count(*) FROM flaky"));
    }

    // A misspelled column fails at once: retrying the same SQL only delays the same error by every retry's delay.
    // The engine's error quoted the value (DuckDB: Could not convert string '...' to INT32; PostgreSQL: invalid input syntax
    // for type integer: "..."), and the run store, the events, the logs and the alert all carried it.
    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Execute_ErrorQuotingAnEnvValue_MasksItInTheResultTheRunStoreTheEventsAndTheAlert(string engine)
    {
        const string secret = "AKIA-FAKE-SECRET-VALUE";
        await using var h = await EngineHarness.CreateAsync(engine, postgres);
        var loaded = new PipelineLoader(EngineHarness.Catalog).Load("""
            pipeline: p
            components:
              - { id: a, type: transform.sql, with: { sql: "SELECT CAST(${env.FAKE_AWS_SECRET} AS INTEGER) AS x" } }
            """, "p.yaml", new LoadOptions { Environment = n => n == "FAKE_AWS_SECRET" ? secret : null });

        var result = await new RunExecutor(EngineHarness.Catalog, h.Warehouse, h.Store, new ExecutorOptions(4), TimeProvider.System)
            .ExecuteAsync(loaded.Pipeline!, new RunRequest { ProjectDirectory = h.Temp.Path, Observer = e => { lock (h.Events) h.Events.Add(e); } }, Ct);

        Assert.Equal(RunStatus.Failed, result.Status);
        Assert.Contains("<env FAKE_AWS_SECRET>", result.Error, StringComparison.Ordinal);
        var texts = new List<string?> { result.Error, (await h.Store.GetRunAsync(result.RunId, Ct))!.Error, FailureAlerts.RunFailed("p", null, result, "q1") };
        texts.AddRange((await h.Store.GetStepsAsync(result.RunId, Ct)).Select(s => s.Error));
        texts.AddRange((await h.Store.GetEventsAsync(result.RunId, Ct)).Select(e => e.Message));
        texts.AddRange(h.Events.Select(e => e.Message));
        Assert.DoesNotContain(texts, t => t?.Contains(secret, StringComparison.Ordinal) == true);
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Execute_SqlNamingAColumnThatDoesNotExist_FailsOnItsFirstAttemptDespiteRetries(string engine)
    {
        await using var h = await EngineHarness.CreateAsync(engine, postgres);
        var result = await h.RunAsync("""
            pipeline: p
            retry: { max_retries: 2, delay: 1ms }
            components:
              - { id: orders, type: transform.sql, with: { sql: "SELECT 1 AS id, 2.5 AS amount" } }
              - { id: refunds, type: transform.sql, inputs: [orders], with: { sql: "SELECT id, refund_amount FROM orders" } }
            """, cancellationToken: Ct);

        Assert.Equal(RunStatus.Failed, result.Status);
        var step = Assert.Single(result.Steps, s => s.Asset == "refunds");
        Assert.Equal(StepStatus.Failed, step.Status);
        Assert.Equal(1, step.Attempts);
        Assert.DoesNotContain(h.Events, e => e.Kind == RunEventKind.StepRetry);
        Assert.Contains("refund_amount", result.Error, StringComparison.Ordinal);
    }

    // A missing input file or a parameter the component refuses fails the same way on every attempt; any other failure
    // may be gone on the next one.
    [Theory]
    [InlineData("file_not_found", 1)]
    [InlineData("argument", 1)]
    [InlineData("input_data", 1)]
    [InlineData("invalid_operation", 3)]
    public async Task Execute_StepFailingOnAMissingFileOrABadParameter_IsNotRetried(string failWith, int attempts)
    {
        await using var h = await EngineHarness.CreateAsync("duckdb", postgres);
        var probe = ProbeState.Create();
        var result = await h.RunAsync($$"""
            pipeline: p
            retry: { max_retries: 2, delay: 1ms }
            components:
              - { id: load, type: test.probe, with: { probe: {{probe.Id}}, fail_times: 3, fail_with: {{failWith}} } }
            """, cancellationToken: Ct);

        Assert.Equal(RunStatus.Failed, result.Status);
        Assert.Equal(attempts, Assert.Single(result.Steps).Attempts);
        Assert.Equal(attempts - 1, h.Events.Count(e => e.Kind == RunEventKind.StepRetry));
        Assert.Equal(attempts == 1 ? $"load (test.probe) failed: planned failure 1 of 3 (not retried: another attempt would fail the same way)"
            : "load (test.probe) failed: planned failure 3 of 3 (after 3 attempts)", Assert.Single(h.Events, e => e.Kind == RunEventKind.StepFailed).Message);
    }

    // A worker of the cluster answers its warehouse's verdict as StatementRefusedException; any other failure as itself.
    [Theory]
    [InlineData(true, 1)]
    [InlineData(false, 3)]
    public async Task Execute_PlacedStepFailing_IsRetriedUnlessItsStatementWasRefused(bool refused, int attempts)
    {
        await using var h = await EngineHarness.CreateAsync("duckdb", postgres);
        var message = "PostgresException on w1: 42703: column \"refund_amount\" does not exist";
        var placement = new FailingPlacement(() => refused ? new StatementRefusedException(message) : new InvalidOperationException(message));
        var spec = EngineHarness.Pipeline("""
            pipeline: p
            partitions: { type: daily, start: 2025-01-01 }
            retry: { max_retries: 2, delay: 1ms }
            components:
              - { id: refunds, type: transform.sql, with: { sql: "SELECT 1 AS id" } }
            """);

        var result = await new RunExecutor(EngineHarness.Catalog, h.Warehouse, h.Store, new ExecutorOptions { Placement = placement }, TimeProvider.System)
            .ExecuteAsync(spec, new RunRequest { ProjectDirectory = h.Temp.Path, Partition = "2025-01-02" }, Ct);

        Assert.Equal(RunStatus.Failed, result.Status);
        Assert.Equal((StepStatus.Failed, attempts), (result.Steps[0].Status, result.Steps[0].Attempts));
        Assert.Equal(attempts, placement.Calls);
        Assert.Equal($"refunds (transform.sql) failed: {message}", result.Error);
    }

    [Fact]
    public async Task Execute_FailsMoreOftenThanRetries_FailsWithTheLastError()
    {
        await using var h = await EngineHarness.CreateAsync("duckdb", postgres);
        var probe = ProbeState.Create();
        var result = await h.RunAsync($$"""
            pipeline: p
            retry: { max_retries: 1, delay: 1ms }
            components:
              - { id: flaky, type: test.probe, with: { probe: {{probe.Id}}, fail_times: 2 } }
            """, cancellationToken: Ct);

        Assert.Equal(RunStatus.Failed, result.Status);
        Assert.Equal(2, result.Steps[0].Attempts);
        Assert.Equal("flaky (test.probe) failed: planned failure 2 of 2", result.Error);
        Assert.Null(await h.Warehouse.DescribeTableAsync("flaky", Ct));
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Execute_FailedStep_SkipsDownstreamButFinishesIndependentBranch(string engine)
    {
        await using var h = await EngineHarness.CreateAsync(engine, postgres);
        var probe = ProbeState.Create();
        var result = await h.RunAsync($$"""
            pipeline: p
            components:
              - { id: bad, type: test.probe, with: { probe: {{probe.Id}}, fail_times: 5 } }
              - { id: after_bad, type: transform.sql, inputs: [bad], with: { sql: SELECT * FROM bad } }
              - { id: good, type: transform.sql, with: { sql: SELECT 42 AS answer } }
            """, cancellationToken: Ct);

        Assert.Equal(RunStatus.Failed, result.Status);
        Assert.Equal([StepStatus.Failed, StepStatus.Skipped, StepStatus.Succeeded], result.Steps.Select(s => s.Status));
        Assert.Equal("upstream 'bad' did not succeed", result.Steps[1].Error);
        Assert.Equal(42, await h.ScalarAsync("SELECT answer FROM good"));
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Execute_BlockingCheckFails_SkipsDownstreamAndRecordsTheCheck(string engine)
    {
        await using var h = await EngineHarness.CreateAsync(engine, postgres);
        var result = await h.RunAsync("""
            pipeline: p
            components:
              - id: orders
                type: transform.sql
                with: { sql: "SELECT 1 AS id UNION ALL SELECT 1 UNION ALL SELECT 2" }
                checks:
                  - { type: unique, column: id, blocking: true }
                  - { type: row_count_min, value: 2 }
              - { id: report, type: transform.sql, inputs: [orders], with: { sql: SELECT count(*) AS n FROM orders } }
            """, cancellationToken: Ct);

        Assert.Equal(RunStatus.Failed, result.Status);
        Assert.Equal([StepStatus.Succeeded, StepStatus.Skipped], result.Steps.Select(s => s.Status));
        var checks = await h.Store.GetChecksAsync(result.RunId, Ct);
        Assert.Equal([("unique(id)", false, "1 duplicated values"), ("row_count_min(2)", true, "3 rows, at least 2 required")],
            checks.Select(c => (c.Check, c.Passed, c.Detail)));
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Execute_MetadataWithNonFiniteNumbers_RecordsThemAsNullAndRunsDownstream(string engine)
    {
        await using var h = await EngineHarness.CreateAsync(engine, postgres);
        var probe = ProbeState.Create();
        var result = await h.RunAsync($$"""
            pipeline: p
            components:
              - { id: model, type: test.probe, with: { probe: {{probe.Id}}, metadata: non_finite } }
              - { id: after, type: transform.sql, inputs: [model], with: { sql: SELECT * FROM model } }
            """, cancellationToken: Ct);

        Assert.Equal(RunStatus.Succeeded, result.Status);
        Assert.Equal([StepStatus.Succeeded, StepStatus.Succeeded], result.Steps.Select(s => s.Status));
        var record = Assert.Single(await h.Store.GetMaterializationsAsync(result.RunId, "model", Ct));
        Assert.Equal(("model", 1L), (record.Step, record.RowCount));
        Assert.StartsWith("""{"auc":null,"lift":null,"loss":null,"scores":[0.5,null],"rows":1,""", record.MetadataJson, StringComparison.Ordinal);
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Execute_MetadataJsonCannotHold_StepSucceedsWithAWarningAndItsRecordMatchesItsTable(string engine)
    {
        await using var h = await EngineHarness.CreateAsync(engine, postgres);
        await h.Warehouse.ReplaceTableAsync("model", (b, ct) => b.CreateAsSelectAsync("SELECT 'old' AS version", null, ct), Ct);
        var probe = ProbeState.Create();
        var result = await h.RunAsync($$"""
            pipeline: p
            components:
              - { id: model, type: test.probe, with: { probe: {{probe.Id}}, metadata: unserializable, sql: "SELECT 'new' AS version" } }
              - { id: after, type: transform.sql, inputs: [model], with: { sql: SELECT * FROM model } }
            """, cancellationToken: Ct);

        // The table was swapped in before the metadata was written: the step is recorded as what it did, not failed beside a new table.
        Assert.Equal(RunStatus.Succeeded, result.Status);
        Assert.Equal([StepStatus.Succeeded, StepStatus.Succeeded], result.Steps.Select(s => s.Status));
        Assert.Equal("new", Assert.Single((await h.Warehouse.QueryAsync("SELECT version FROM model", null, 10, Ct)).Rows)[0]);
        var record = Assert.Single(await h.Store.GetMaterializationsAsync(result.RunId, "model", Ct));
        Assert.Equal(("model", 1L), (record.Step, record.RowCount));
        Assert.StartsWith("""{"model":null,"rows":1,""", record.MetadataJson, StringComparison.Ordinal);
        var warning = Assert.Single(await h.Store.GetChecksAsync(result.RunId, Ct));
        Assert.Equal((RunExecutor.WarningCheck, false, false), (warning.Check, warning.Passed, warning.Blocking));
        Assert.StartsWith("metadata 'model' could not be recorded (RuntimeType: ", warning.Detail, StringComparison.Ordinal);
        Assert.EndsWith("); it is kept as null", warning.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Execute_BlockingCheckThatCannotRun_FailsAsACheckAndKeepsTheStepsRecord(string engine)
    {
        await using var h = await EngineHarness.CreateAsync(engine, postgres);
        var result = await h.RunAsync("""
            pipeline: p
            components:
              - id: orders
                type: transform.sql
                with: { sql: "SELECT 1 AS id" }
                checks:
                  - { type: expression, sql: "no_such_column > 0", blocking: true }
              - { id: report, type: transform.sql, inputs: [orders], with: { sql: SELECT count(*) AS n FROM orders } }
            """, cancellationToken: Ct);

        Assert.Equal(RunStatus.Failed, result.Status);
        Assert.Equal([StepStatus.Succeeded, StepStatus.Skipped], result.Steps.Select(s => s.Status));
        Assert.Single(await h.Store.GetMaterializationsAsync(result.RunId, "orders", Ct));
        var check = Assert.Single(await h.Store.GetChecksAsync(result.RunId, Ct));
        Assert.Equal((false, true), (check.Passed, check.Blocking));
        Assert.StartsWith("the check could not run: ", check.Detail, StringComparison.Ordinal);
        Assert.Contains("no_such_column", check.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Execute_NonBlockingCheckFails_RunStillSucceeds()
    {
        await using var h = await EngineHarness.CreateAsync("duckdb", postgres);
        var result = await h.RunAsync("""
            pipeline: p
            components:
              - id: t
                type: transform.sql
                with: { sql: "SELECT NULL AS email UNION ALL SELECT 'x'" }
                checks:
                  - { type: not_null, column: email }
                  - { type: accepted_values, column: email, values: [y] }
                  - { type: expression, sql: "email <> 'x'" }
            """, cancellationToken: Ct);

        Assert.Equal(RunStatus.Succeeded, result.Status);
        var checks = await h.Store.GetChecksAsync(result.RunId, Ct);
        Assert.Equal(["1 rows fail", "1 rows fail", "2 rows fail"], checks.Select(c => c.Detail));
        Assert.All(checks, c => Assert.False(c.Passed));
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Execute_CancelledMidWrite_EndsCancelledAndKeepsPreviousTable(string engine)
    {
        await using var h = await EngineHarness.CreateAsync(engine, postgres);
        await h.Warehouse.ReplaceTableAsync("slow", (b, ct) => b.CreateAsSelectAsync("SELECT 'old' AS version", null, ct), Ct);
        var probe = ProbeState.Create();
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);

        var run = h.RunAsync($$"""
            pipeline: p
            components:
              - { id: slow, type: test.probe, with: { probe: {{probe.Id}}, block: true, sql: "SELECT 'new' AS version" } }
              - { id: after, type: transform.sql, inputs: [slow], with: { sql: SELECT * FROM slow } }
            """, cancellationToken: cts.Token);
        await probe.BlockedStarted.Task.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        await cts.CancelAsync();
        var result = await run;

        Assert.Equal(RunStatus.Cancelled, result.Status);
        Assert.Equal([StepStatus.Cancelled, StepStatus.Cancelled], result.Steps.Select(s => s.Status));
        var version = await h.Warehouse.QueryAsync("SELECT version FROM slow", null, 10, Ct);
        Assert.Equal("old", Assert.Single(version.Rows)[0]);
        Assert.Equal(["slow"], await h.Warehouse.ListTablesAsync(Ct));
        Assert.Equal(0, await h.Warehouse.DropAbandonedStagingAsync(Ct));
        Assert.Equal(RunStatus.Cancelled, (await h.Store.GetRunAsync(result.RunId, Ct))!.Status);
    }

    [Theory]
    [InlineData("report", new[] { "report" })]
    [InlineData("+report", new[] { "orders", "customers", "joined", "report" })]
    [InlineData("customers+", new[] { "customers", "joined", "report" })]
    [InlineData("orders, customers", new[] { "orders", "customers" })]
    public async Task Execute_Selection_RunsOnlySelectedAssets(string select, string[] expected)
    {
        await using var h = await EngineHarness.CreateAsync("duckdb", postgres);
        const string yaml = """
            pipeline: p
            components:
              - { id: orders, type: transform.sql, with: { sql: SELECT 1 AS customer_id } }
              - { id: customers, type: transform.sql, with: { sql: SELECT 1 AS customer_id } }
              - { id: joined, type: transform.sql, inputs: [orders, customers], with: { sql: SELECT o.customer_id FROM orders o JOIN customers c USING (customer_id) } }
              - { id: report, type: transform.sql, inputs: [joined], with: { sql: SELECT count(*) AS n FROM joined } }
            """;
        Assert.Equal(RunStatus.Succeeded, (await h.RunAsync(yaml, cancellationToken: Ct)).Status);

        var result = await h.RunAsync(yaml, select, cancellationToken: Ct);

        Assert.Equal(RunStatus.Succeeded, result.Status);
        Assert.Equal(expected, result.Steps.Select(s => s.Asset));
    }

    [Theory]
    [InlineData("group:load", new[] { "orders", "customers" })]
    [InlineData("group:report", new[] { "joined", "report" })]
    [InlineData("group:load+", new[] { "orders", "customers", "joined", "report" })]
    [InlineData("+group:report", new[] { "orders", "customers", "joined", "report" })]
    [InlineData("group:report, customers", new[] { "customers", "joined", "report" })]
    public async Task Execute_GroupSelection_RunsTheGroupsAssets(string select, string[] expected)
    {
        await using var h = await EngineHarness.CreateAsync("duckdb", postgres);
        const string yaml = """
            pipeline: p
            groups:
              load: { assets: [orders, customers], schedule: { cron: "0 * * * *" } }
              report: { assets: [joined, report], schedule: { cron: "0 6 * * *" } }
            components:
              - { id: orders, type: transform.sql, with: { sql: SELECT 1 AS customer_id } }
              - { id: customers, type: transform.sql, with: { sql: SELECT 1 AS customer_id } }
              - { id: joined, type: transform.sql, inputs: [orders, customers], with: { sql: SELECT o.customer_id FROM orders o JOIN customers c USING (customer_id) } }
              - { id: report, type: transform.sql, inputs: [joined], with: { sql: SELECT count(*) AS n FROM joined } }
            """;
        Assert.Equal(RunStatus.Succeeded, (await h.RunAsync(yaml, cancellationToken: Ct)).Status);

        var result = await h.RunAsync(yaml, select, cancellationToken: Ct);

        Assert.Equal(RunStatus.Succeeded, result.Status);
        Assert.Equal(expected, result.Steps.Select(s => s.Asset));
    }

    [Fact]
    public async Task Execute_UnknownGroup_SaysWhichGroupsExist()
    {
        await using var h = await EngineHarness.CreateAsync("duckdb", postgres);
        var e = await Assert.ThrowsAsync<ArgumentException>(() => h.RunAsync("""
            pipeline: p
            groups:
              hourly: { assets: [orders] }
            components:
              - { id: orders, type: transform.sql, with: { sql: SELECT 1 AS x } }
            """, "group:hourli", cancellationToken: Ct));
        Assert.Equal("--select: 'hourli' is not a group of this pipeline. Did you mean 'hourly'? Groups: hourly.", e.Message);
    }

    [Fact]
    public async Task Execute_GroupWithItsOwnRetry_RetriesItsStepsOnlyByIt()
    {
        await using var h = await EngineHarness.CreateAsync("duckdb", postgres);
        var probe = ProbeState.Create();
        var other = ProbeState.Create();
        var result = await h.RunAsync($$"""
            pipeline: p
            retry: { max_retries: 0 }
            groups:
              hourly: { assets: [flaky], retry: { max_retries: 2, delay: 1ms } }
              daily: { assets: [fragile] }
            components:
              - { id: flaky, type: test.probe, with: { probe: {{probe.Id}}, fail_times: 2 } }
              - { id: fragile, type: test.probe, with: { probe: {{other.Id}}, fail_times: 1 } }
            """, cancellationToken: Ct);

        Assert.Equal(RunStatus.Failed, result.Status);
        Assert.Equal([("flaky", StepStatus.Succeeded, 3), ("fragile", StepStatus.Failed, 1)],
            result.Steps.OrderBy(s => s.Asset, StringComparer.Ordinal).Select(s => (s.Asset, s.Status, s.Attempts)));
    }

    [Fact]
    public async Task Execute_UnknownSelection_SaysWhichAssetsExist()
    {
        await using var h = await EngineHarness.CreateAsync("duckdb", postgres);
        var e = await Assert.ThrowsAsync<ArgumentException>(() => h.RunAsync("""
            pipeline: p
            components:
              - { id: orders, type: transform.sql, with: { sql: SELECT 1 AS x } }
            """, "+order", cancellationToken: Ct));
        Assert.Equal("--select: 'order' is not an asset of this pipeline. Did you mean 'orders'? Assets: orders.", e.Message);
    }

    [Fact]
    public async Task Execute_RecordsRunStepsMaterializationsAndEvents()
    {
        await using var h = await EngineHarness.CreateAsync("duckdb", postgres);
        var result = await h.RunAsync("""
            pipeline: recorded
            components:
              - { id: t, type: transform.sql, with: { sql: "SELECT 1 AS id, 'a' AS name UNION ALL SELECT 2, 'b'" } }
            """, cancellationToken: Ct);

        var run = await h.Store.GetRunAsync(result.RunId, Ct);
        Assert.Equal(("recorded", RunStatus.Succeeded, "cli"), (run!.Pipeline, run.Status, run.Trigger));
        Assert.NotNull(run.EndedAt);
        var m = Assert.Single(await h.Store.GetMaterializationsAsync(result.RunId, null, Ct));
        Assert.Equal(2, m.RowCount);
        Assert.Equal(["id", "name"], m.Columns.Select(c => c.Name));
        var kinds = (await h.Store.GetEventsAsync(result.RunId, Ct)).Select(e => e.Kind).ToList();
        Assert.Equal([RunEventKind.RunStarted, RunEventKind.StepStarted, RunEventKind.StepSucceeded, RunEventKind.RunEnded], kinds);
        Assert.Equal(result.RunId, (await h.Store.ListRunsAsync(10, "recorded", Ct))[0].RunId);
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Execute_StepHoldingMemory_RecordsAPeakAtLeastWhatItHeld(string engine)
    {
        await using var h = await EngineHarness.CreateAsync(engine, postgres);
        var probe = ProbeState.Create();
        var result = await h.RunAsync($$"""
            pipeline: p
            components:
              - { id: light, type: test.probe, with: { probe: {{probe.Id}} } }
              - { id: heavy, type: test.probe, inputs: [light], with: { probe: {{probe.Id}}, allocate_mb: 512 } }
            """, cancellationToken: Ct);

        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        var steps = (await h.Store.GetStepsAsync(result.RunId, Ct)).ToDictionary(s => s.Asset);
        Assert.InRange(steps["heavy"].PeakRssBytes!.Value, 512L << 20, long.MaxValue);
        Assert.InRange(steps["light"].PeakRssBytes!.Value, 1, long.MaxValue);
        Assert.Equal(steps["heavy"].PeakRssBytes, result.Steps.Single(s => s.Asset == "heavy").PeakRssBytes);
    }

    [Fact]
    public async Task Execute_StepThatHeldALargeManagedHeap_LeavesItCollectedWhenTheStepEnds()
    {
        await using var h = await EngineHarness.CreateAsync("duckdb", postgres);
        var probe = ProbeState.Create();
        var result = await h.RunAsync($$"""
            pipeline: p
            components:
              - { id: heavy, type: test.probe, with: { probe: {{probe.Id}}, managed_mb: 200 } }
            """, cancellationToken: Ct);

        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        // The step's array is garbage once the step has returned; the executor's collection after a step that left a large
        // heap must find it so, not run while the step's frames still hold it (then it stays until some later collection).
        Assert.False(probe.Managed!.IsAlive);
    }

    /// <summary>A cluster whose every attempt fails with the given exception.</summary>
    private sealed class FailingPlacement(Func<Exception> failure) : IStepPlacement
    {
        public int Calls { get; private set; }

        public Task<Materialization> MaterializeAsync(StepAttempt attempt, CancellationToken cancellationToken)
        {
            Calls++;
            return Task.FromException<Materialization>(failure());
        }
    }
}
