using System.Diagnostics;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using Tributary.Core.Pipelines;
using Tributary.Engine.Execution;
using Tributary.Engine.Orchestration;
using Tributary.Engine.Runs;
using Tributary.Testing;

namespace Tributary.Engine.Tests.Orchestration;

/// <summary>The daemon driven by a fake clock: schedules across daylight-saving changes, catch-up, sensors, the run queue and backfills.</summary>
public sealed class DaemonTests(PostgresCluster postgres)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    // A daemon over fixed pipelines whose launcher records each run and finishes it as told.
    private sealed class Fixture : IAsyncDisposable
    {
        public required EngineHarness H { get; init; }
        public required FakeTimeProvider Clock { get; init; }
        public required List<PipelineSpec> Pipelines { get; init; }
        public List<QueuedRun> Launched { get; } = [];
        public Func<QueuedRun, CancellationToken, Task<RunStatus>> Outcome { get; set; } = (_, _) => Task.FromResult(RunStatus.Succeeded);
        public int MaxConcurrent { get; set; } = 4;
        // Launches refused while another run of the pipeline is recorded running, as RunExecutor's are.
        public bool Exclusive { get; set; }
        public int Peak { get; private set; }
        private int _running;
        public FakeLogCollector Logs { get; } = new();
        public List<string> Log => Logs.GetSnapshot().Select(r => r.Message).ToList();
        public SqliteRunStore Store => (SqliteRunStore)H.Store;

        public ISensorEvaluator? Sensors { get; set; }
        public Func<string, string?> Environment { get; set; } = _ => null;

        public Daemon Daemon(int maxConcurrent = 4, TimeSpan? stopGrace = null) => new(_ => Task.FromResult<IReadOnlyList<PipelineSpec>>(Pipelines), Store, Store,
            Sensors ?? new SensorEvaluator(H.Warehouse, Store, H.Temp.Path), Launch, new FailureAlerts(new TestHttpClients(), Environment, new FakeLogger<FailureAlerts>(Logs)),
            new DaemonOptions { MaxConcurrentRuns = maxConcurrent, StopGrace = stopGrace ?? new DaemonOptions().StopGrace }, Clock, new FakeLogger<Daemon>(Logs));

        private async Task<RunResult> Launch(QueuedRun run, CancellationToken ct)
        {
            lock (Launched) Launched.Add(run);
            var now = Interlocked.Increment(ref _running);
            lock (Launched) Peak = Math.Max(Peak, now);
            try
            {
                var id = $"run-{run.QueueId}";
                var record = new RunRecord(id, run.Pipeline, RunStatus.Running, run.Trigger, run.Selection, Clock.GetUtcNow(), null, null, System.Environment.ProcessId, run.Partition);
                // As the executor does: refused while a live process runs the same pipeline and partition.
                if (!Exclusive) await Store.CreateRunAsync(record, [], CancellationToken.None);
                else if (await Store.TryCreateRunAsync(record, [], _ => true, Clock.GetUtcNow(), CancellationToken.None) is { } holder)
                    throw new PipelineAlreadyRunningException(holder);
                RunStatus status;
                try
                {
                    status = await Outcome(run, ct);
                }
                catch (OperationCanceledException)
                {
                    status = RunStatus.Cancelled;
                }
                await Store.EndRunAsync(id, status, Clock.GetUtcNow(), status == RunStatus.Failed ? "boom" : null, CancellationToken.None);
                return new RunResult(id, status, [], status == RunStatus.Failed ? "boom" : null);
            }
            finally
            {
                Interlocked.Decrement(ref _running);
            }
        }

        public ValueTask DisposeAsync() => H.DisposeAsync();
    }

    private async Task<Fixture> CreateAsync(DateTimeOffset start, params string[] pipelines) => new()
    {
        H = await EngineHarness.CreateAsync("duckdb", postgres),
        Clock = new FakeTimeProvider(start),
        Pipelines = pipelines.Select(p => EngineHarness.Pipeline(p)).ToList(),
    };

    private static string Scheduled(string cron, string zone, string extra = "") => $$"""
        pipeline: nightly
        schedule: { cron: "{{cron}}", timezone: {{zone}}{{extra}} }
        components:
          - { id: a, type: transform.sql, with: { sql: SELECT 1 AS v } }
        """;

    // Ticks every minute from the clock's start for the given span; returns the instants of requested ticks. Each tick's
    // launched runs end before the clock moves on (runs take less than a minute here): on a loaded machine a run left
    // active across every remaining tick would keep a later one of the same pipeline queued past the end.
    private static async Task<List<DateTimeOffset>> TickThrough(Fixture f, Daemon daemon, TimeSpan span)
    {
        var end = f.Clock.GetUtcNow() + span;
        while (f.Clock.GetUtcNow() < end)
        {
            await daemon.TickAsync(Ct);
            await daemon.WhenIdleAsync();
            f.Clock.Advance(TimeSpan.FromMinutes(1));
        }
        await daemon.WhenIdleAsync();
        return (await f.Store.ListTicksAsync(null, 1000, Ct)).Where(t => t.Status == TickStatus.Requested).Select(t => t.At).Order().ToList();
    }

    [Theory]
    // New York springs forward at 02:00 (to 03:00) on 2025-03-09: 02:30 does not exist and runs at 03:00 EDT.
    [InlineData("America/New_York", "30 2 * * *", "2025-03-09T04:00:00Z", "2025-03-09T07:00:00Z")]
    // New York falls back at 02:00 (to 01:00) on 2025-11-02: 01:30 happens twice and runs once, at the first (EDT).
    [InlineData("America/New_York", "30 1 * * *", "2025-11-02T03:00:00Z", "2025-11-02T05:30:00Z")]
    // Berlin springs forward at 02:00 on 2025-03-30: 02:30 runs at 03:00 CEST.
    [InlineData("Europe/Berlin", "30 2 * * *", "2025-03-29T22:00:00Z", "2025-03-30T01:00:00Z")]
    // Berlin falls back at 03:00 (to 02:00) on 2025-10-26: 02:30 happens twice and runs once, at the first (CEST).
    [InlineData("Europe/Berlin", "30 2 * * *", "2025-10-25T22:00:00Z", "2025-10-26T00:30:00Z")]
    public async Task Schedule_AcrossDaylightSavingChanges_RunsSkippedTimesAtTheNextValidOneAndRepeatedTimesOnce(string zone, string cron, string start, string expected)
    {
        await using var f = await CreateAsync(DateTimeOffset.Parse(start), Scheduled(cron, zone));
        var daemon = f.Daemon();

        var requested = await TickThrough(f, daemon, TimeSpan.FromHours(6));

        Assert.Equal([DateTimeOffset.Parse(expected)], requested);
        Assert.Single(f.Launched);
        Assert.Equal("schedule", f.Launched[0].Trigger);
    }

    [Fact]
    public async Task Schedule_Paused_DoesNotTickAndResumingSkipsWhatWasMissed()
    {
        await using var f = await CreateAsync(DateTimeOffset.Parse("2025-06-01T10:00:30Z"), Scheduled("0 * * * *", "UTC"));
        var daemon = f.Daemon();
        await daemon.TickAsync(Ct);
        await daemon.SetPausedAsync("nightly", true, Ct);
        f.Clock.Advance(TimeSpan.FromHours(3));
        await daemon.TickAsync(Ct);                      // 11:00-13:00 pass while paused
        await daemon.SetPausedAsync("nightly", false, Ct);
        f.Clock.Advance(TimeSpan.FromMinutes(60));       // resumed at 13:00:30: 14:00 is the first tick after it
        await daemon.TickAsync(Ct);
        await daemon.WhenIdleAsync();

        Assert.True(await daemon.IsPausedAsync("nightly", Ct) is false);
        var ticks = await f.Store.ListTicksAsync("nightly", 100, Ct);
        Assert.Equal([DateTimeOffset.Parse("2025-06-01T14:00:00Z")], ticks.Select(t => t.At));
        Assert.Single(f.Launched);
    }

    [Theory]
    [InlineData("latest", 1, 4)]
    [InlineData("skip", 0, 5)]
    public async Task Schedule_TicksMissedWhileDown_FollowTheCatchUpPolicy(string policy, int runs, int skipped)
    {
        await using var f = await CreateAsync(DateTimeOffset.Parse("2025-06-01T10:00:30Z"), Scheduled("0 * * * *", "UTC", $", catch_up: {policy}"));
        await f.Daemon().TickAsync(Ct);

        // Down from 10:00:30 to 15:20: the ticks of 11:00 to 15:00 were missed.
        f.Clock.Advance(TimeSpan.FromHours(5.33));
        var daemon = f.Daemon();
        await daemon.TickAsync(Ct);
        await daemon.WhenIdleAsync();

        var ticks = await f.Store.ListTicksAsync("nightly", 100, Ct);
        Assert.Equal(runs, ticks.Count(t => t.Status == TickStatus.Requested));
        Assert.Equal(skipped, ticks.Count(t => t.Status == TickStatus.Skipped));
        Assert.All(ticks.Where(t => t.Status == TickStatus.Skipped), t => Assert.Contains("missed while the daemon was down", t.Reason, StringComparison.Ordinal));
        if (runs == 1) Assert.Equal(DateTimeOffset.Parse("2025-06-01T15:00:00Z"), ticks.Single(t => t.Status == TickStatus.Requested).At);
    }

    [Fact]
    public async Task GroupSchedulesAndSensors_QueueRunsOfTheirGroupOnly()
    {
        await using var f = await CreateAsync(DateTimeOffset.Parse("2025-06-01T05:00:30Z"), """
            pipeline: platform
            groups:
              live:
                assets: [a]
                schedule: { cron: "0 * * * *" }
                sensors: [{ type: table_rows, table: events, cursor_column: received_at, interval: 1m }]
              daily: { assets: [b], schedule: { cron: "0 6 * * *" } }
            components:
              - { id: a, type: transform.sql, with: { sql: SELECT 1 AS v } }
              - { id: b, type: transform.sql, inputs: [a], with: { sql: SELECT v FROM a } }
            """);
        var daemon = f.Daemon();
        await f.H.Warehouse.ReplaceTableAsync("events", (b, ct) => b.CreateAsSelectAsync("SELECT TIMESTAMP '2025-06-01 05:10:00' AS received_at", null, ct), Ct);

        await TickThrough(f, daemon, TimeSpan.FromHours(2.5));

        var ticks = (await f.Store.ListTicksAsync("platform", 1000, Ct)).Where(t => t.Status == TickStatus.Requested)
            .Select(t => (t.Kind, t.At.ToUniversalTime().ToString("HH:mm", System.Globalization.CultureInfo.InvariantCulture))).Order().ToList();
        Assert.Equal([("schedule:daily", "06:00"), ("schedule:live", "06:00"), ("schedule:live", "07:00"), ("sensor:live:table_rows#1", "05:00")], ticks);
        Assert.Equal(["group:daily", "group:live", "group:live", "group:live"], f.Launched.Select(r => r.Selection).Order(StringComparer.Ordinal));
        Assert.All(f.Launched, r => Assert.Equal("platform", r.Pipeline));
    }

    [Fact]
    public async Task Schedule_OfGroups_Paused_ResumingSkipsWhatEachGroupMissed()
    {
        await using var f = await CreateAsync(DateTimeOffset.Parse("2025-06-01T10:00:30Z"), """
            pipeline: platform
            groups:
              hourly: { assets: [a], schedule: { cron: "0 * * * *" } }
              half: { assets: [b], schedule: { cron: "30 * * * *" } }
            components:
              - { id: a, type: transform.sql, with: { sql: SELECT 1 AS v } }
              - { id: b, type: transform.sql, with: { sql: SELECT 2 AS v } }
            """);
        var daemon = f.Daemon();
        await daemon.TickAsync(Ct);
        await daemon.SetPausedAsync("platform", true, Ct);
        f.Clock.Advance(TimeSpan.FromHours(3));
        await daemon.TickAsync(Ct);                      // 10:30-13:00 pass while paused
        await daemon.SetPausedAsync("platform", false, Ct);
        f.Clock.Advance(TimeSpan.FromMinutes(45));       // resumed at 13:00:30: 13:30 and 14:00 (not 10:30 ... 13:00) run
        await daemon.TickAsync(Ct);
        await daemon.WhenIdleAsync();
        f.Clock.Advance(TimeSpan.FromMinutes(30));
        await daemon.TickAsync(Ct);
        await daemon.WhenIdleAsync();

        var ticks = (await f.Store.ListTicksAsync("platform", 100, Ct)).Select(t => (t.Kind, t.Status, t.At.ToUniversalTime().ToString("HH:mm", System.Globalization.CultureInfo.InvariantCulture))).Order().ToList();
        Assert.Equal([("schedule:half", TickStatus.Requested, "13:30"), ("schedule:hourly", TickStatus.Requested, "14:00")], ticks);
        Assert.Equal(["half: schedule", "hourly: schedule"], (await f.Store.ListTicksAsync("platform", 100, Ct)).Select(t => t.Name).Order());
        Assert.Equal(["group:half", "group:hourly"], f.Launched.Select(r => r.Selection));
    }

    [Fact]
    public async Task RunStatusSensorOfAGroup_RunsItWhenARunOfTheGroupItWaitsOnSucceeds()
    {
        await using var f = await CreateAsync(DateTimeOffset.Parse("2025-06-01T10:00:00Z"), """
            pipeline: platform
            groups:
              ingest: { assets: [a] }
              analytics:
                assets: [b]
                sensors: [{ type: run_status, group: ingest, status: succeeded, interval: 10s }]
            components:
              - { id: a, type: transform.sql, with: { sql: SELECT 1 AS v } }
              - { id: b, type: transform.sql, inputs: [a], with: { sql: SELECT v FROM a } }
            """);
        var daemon = f.Daemon();
        async Task Ended(string id, string? selection, RunStatus status)
        {
            await f.Store.CreateRunAsync(new RunRecord(id, "platform", RunStatus.Running, "cli", selection, f.Clock.GetUtcNow(), null, null, 1), [], Ct);
            await f.Store.EndRunAsync(id, status, f.Clock.GetUtcNow(), null, Ct);
            f.Clock.Advance(TimeSpan.FromSeconds(10));
            await daemon.TickAsync(Ct);
            await daemon.WhenIdleAsync();
        }

        await Ended("whole", null, RunStatus.Succeeded);                // a run of the whole pipeline is no run of the group
        await Ended("failed", "group:ingest", RunStatus.Failed);        // the group's run failed
        await Ended("other", "group:analytics", RunStatus.Succeeded);   // another group
        await Ended("ok", "+group:ingest", RunStatus.Succeeded);        // the group (with what it reads): analytics runs
        f.Clock.Advance(TimeSpan.FromSeconds(10));
        await daemon.TickAsync(Ct);                                      // analytics' own run ended: no new run of ingest, nothing

        var ticks = (await f.Store.ListTicksAsync("platform", 100, Ct)).Reverse().Select(t => (t.Kind, t.Status, t.Reason)).ToList();
        Assert.Equal(
        [
            ("sensor:analytics:run_status#1", TickStatus.Skipped, "no run of platform group ingest ended since the last check"),
            ("sensor:analytics:run_status#1", TickStatus.Skipped, "1 run(s) of platform group ingest ended, none succeeded"),
            ("sensor:analytics:run_status#1", TickStatus.Skipped, "no run of platform group ingest ended since the last check"),
            ("sensor:analytics:run_status#1", TickStatus.Requested, "run ok of platform group ingest succeeded"),
            ("sensor:analytics:run_status#1", TickStatus.Skipped, "no run of platform group ingest ended since the last check"),
        ], ticks);
        Assert.Equal(["group:analytics"], f.Launched.Select(r => r.Selection));
        Assert.Equal(["analytics: run_status of group ingest (succeeded)"], (await f.Store.ListTicksAsync("platform", 100, Ct)).Select(t => t.Name).Distinct());
    }

    [Fact]
    public async Task FileArrivalSensor_NewFilesRunOnceAndTheCursorSurvivesARestart()
    {
        await using var f = await CreateAsync(DateTimeOffset.Parse("2025-06-01T10:00:00Z"), """
            pipeline: loader
            sensors: [{ type: file_arrival, path: inbox, pattern: "*.csv", interval: 30s }]
            components:
              - { id: a, type: transform.sql, with: { sql: SELECT 1 AS v } }
            """);
        Directory.CreateDirectory(Path.Combine(f.H.Temp.Path, "inbox"));
        var daemon = f.Daemon();
        await daemon.TickAsync(Ct);                                   // empty folder
        f.H.Temp.File("inbox/orders_1.csv", "id\n1\n");
        f.H.Temp.File("inbox/notes.txt", "not matched");
        await daemon.TickAsync(Ct);                                   // within the 30 s interval: not evaluated
        f.Clock.Advance(TimeSpan.FromSeconds(30));
        await daemon.TickAsync(Ct);                                   // one new file
        await daemon.WhenIdleAsync();
        f.Clock.Advance(TimeSpan.FromSeconds(30));
        var restarted = f.Daemon();
        await restarted.TickAsync(Ct);                                // same file after a restart: nothing new

        var ticks = (await f.Store.ListTicksAsync("loader", 100, Ct)).Reverse().ToList();
        Assert.Equal([(TickStatus.Skipped, "no new files"), (TickStatus.Requested, "1 new file(s): orders_1.csv"), (TickStatus.Skipped, "no new files")],
            ticks.Select(t => (t.Status, t.Reason)));
        Assert.Single(f.Launched);
        Assert.Equal("sensor", f.Launched[0].Trigger);
    }

    [Fact]
    public async Task FileArrivalSensor_OfAPartitionedPipeline_RunsTheLatestCompletePartition()
    {
        await using var f = await CreateAsync(DateTimeOffset.Parse("2026-12-03T10:00:00Z"), """
            pipeline: orch
            partitions: { type: daily, start: 2026-11-25 }
            sensors: [{ type: file_arrival, path: incoming, pattern: "*.csv", interval: 5s }]
            components:
              - { id: daily_orders, type: transform.sql, with: { sql: "SELECT '${partition.key}' AS day" } }
            """);
        f.H.Temp.File("incoming/orders.csv", "id\n1\n");
        var daemon = f.Daemon();

        await daemon.TickAsync(Ct);
        await daemon.WhenIdleAsync();

        // As the schedule does: a run without a partition would replace every partition with one partition's rows.
        Assert.Equal([("sensor", "2026-12-02")], f.Launched.Select(l => (l.Trigger, l.Partition)));
    }

    [Fact]
    public async Task Schedule_OfStaticPartitions_RunsEveryKey()
    {
        await using var f = await CreateAsync(DateTimeOffset.Parse("2026-12-03T10:00:30Z"), """
            pipeline: regions
            partitions: { type: static, keys: [us, eu, apac] }
            schedule: { cron: "* * * * *", timezone: UTC }
            components:
              - { id: sales, type: transform.sql, with: { sql: "SELECT '${partition.key}' AS region" } }
            """);
        var daemon = f.Daemon();
        await daemon.TickAsync(Ct);
        f.Clock.Advance(TimeSpan.FromMinutes(1));
        await daemon.TickAsync(Ct);
        await daemon.WhenIdleAsync();

        // The tick is for the pipeline's data, all of it: running the last key only left us and eu never refreshed.
        Assert.Equal(["apac", "eu", "us"], f.Launched.Select(l => l.Partition!).Order());
        var ticks = (await f.Store.ListTicksAsync("regions", 100, Ct)).Where(t => t.Status == TickStatus.Requested).ToList();
        Assert.Equal(["tick 2026-12-03 10:01 +00:00, partition apac", "tick 2026-12-03 10:01 +00:00, partition eu", "tick 2026-12-03 10:01 +00:00, partition us"],
            ticks.Select(t => t.Reason).Order());
        Assert.All(ticks, t => Assert.NotNull(t.QueueId));
    }

    [Fact]
    public async Task Sensor_OfDailyPartitionsWithStaticKeys_RunsTheLatestDayOfEveryKey()
    {
        await using var f = await CreateAsync(DateTimeOffset.Parse("2026-12-03T10:00:00Z"), """
            pipeline: orch
            partitions: { type: daily, start: 2026-11-25, keys: [web, store] }
            sensors: [{ type: file_arrival, path: incoming, pattern: "*.csv", interval: 5s }]
            components:
              - { id: daily_orders, type: transform.sql, with: { sql: "SELECT '${partition.key}' AS day" } }
            """);
        f.H.Temp.File("incoming/orders.csv", "id\n1\n");
        var daemon = f.Daemon();

        await daemon.TickAsync(Ct);
        await daemon.WhenIdleAsync();

        Assert.Equal(["2026-12-02|store", "2026-12-02|web"], f.Launched.Select(l => l.Partition!).Order());
        var ticks = await f.Store.ListTicksAsync("orch", 100, Ct);
        Assert.Equal(["1 new file(s): orders.csv (partition 2026-12-02|store)", "1 new file(s): orders.csv (partition 2026-12-02|web)"],
            ticks.Where(t => t.Status == TickStatus.Requested).Select(t => t.Reason).Order());
    }

    [Fact]
    public async Task ScheduleAndSensor_OfAPartitionedPipelineBeforeItsFirstPartitionEnds_QueueNothingAndSayWhy()
    {
        // The first daily partition (2026-12-03) ends at midnight: until then a run could only be refused at launch, and alert.
        await using var f = await CreateAsync(DateTimeOffset.Parse("2026-12-03T10:00:30Z"), """
            pipeline: orch
            partitions: { type: daily, start: 2026-12-03 }
            schedule: { cron: "* * * * *", timezone: UTC }
            sensors: [{ type: file_arrival, path: incoming, pattern: "*.csv", interval: 5s }]
            components:
              - { id: daily_orders, type: transform.sql, with: { sql: "SELECT '${partition.key}' AS day" } }
            """);
        f.H.Temp.File("incoming/orders.csv", "id\n1\n");
        var daemon = f.Daemon();

        await daemon.TickAsync(Ct);
        f.Clock.Advance(TimeSpan.FromMinutes(1));
        await daemon.TickAsync(Ct);
        await daemon.WhenIdleAsync();

        Assert.Empty(f.Launched);
        Assert.Empty(await f.Store.ListQueueAsync([QueueState.Queued], Ct));
        var ticks = await f.Store.ListTicksAsync("orch", 100, Ct);
        Assert.Contains(ticks, t => t.Kind == "schedule" && t.Status == TickStatus.Skipped && t.Reason!.EndsWith("no partition is complete yet, so nothing runs until the first one's window ends", StringComparison.Ordinal));
        Assert.Contains(ticks, t => t.Kind.StartsWith("sensor:", StringComparison.Ordinal) && t.Status == TickStatus.Skipped && t.Reason!.Contains("no partition is complete yet", StringComparison.Ordinal));
        Assert.DoesNotContain(ticks, t => t.Status == TickStatus.Requested);
    }

    [Fact]
    public async Task TableRowsSensor_RunsWhenTheCursorColumnMovesPastTheCursor()
    {
        await using var f = await CreateAsync(DateTimeOffset.Parse("2025-06-01T10:00:00Z"), """
            pipeline: scorer
            sensors: [{ type: table_rows, table: events, cursor_column: received_at, interval: 1m }]
            components:
              - { id: a, type: transform.sql, with: { sql: SELECT 1 AS v } }
            """);
        var daemon = f.Daemon();
        // Each step lets the run it launched finish: a run still active would hold the next request in the queue.
        async Task Step()
        {
            await daemon.TickAsync(Ct);
            await daemon.WhenIdleAsync();
            f.Clock.Advance(TimeSpan.FromMinutes(1));
        }
        await Step();                                                                     // no table yet
        await f.H.Warehouse.ReplaceTableAsync("events", (b, ct) => b.CreateAsSelectAsync("SELECT TIMESTAMP '2025-06-01 09:00:00' AS received_at", null, ct), Ct);
        await Step();                                                                     // first rows
        await Step();                                                                     // nothing new
        await f.H.Warehouse.ReplaceTableAsync("events", (b, ct) => b.CreateAsSelectAsync(
            "SELECT TIMESTAMP '2025-06-01 09:00:00' AS received_at UNION ALL SELECT TIMESTAMP '2025-06-01 09:30:00'", null, ct), Ct);
        await Step();                                                                     // a later row
        await daemon.WhenIdleAsync();

        var ticks = (await f.Store.ListTicksAsync("scorer", 100, Ct)).Reverse().Select(t => t.Status).ToList();
        Assert.Equal([TickStatus.Skipped, TickStatus.Requested, TickStatus.Skipped, TickStatus.Requested], ticks);
        Assert.Equal(2, f.Launched.Count);
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task TableRowsSensor_TimestampsWithFractionsOfASecond_RunOncePerNewRow(string engine)
    {
        await using var f = new Fixture
        {
            H = await EngineHarness.CreateAsync(engine, postgres),
            Clock = new FakeTimeProvider(DateTimeOffset.Parse("2025-06-01T10:00:00Z")),
            Pipelines = [EngineHarness.Pipeline("""
                pipeline: scorer
                sensors: [{ type: table_rows, table: events, cursor_column: received_at, interval: 1m }]
                components:
                  - { id: a, type: transform.sql, with: { sql: SELECT 1 AS v } }
                """)],
        };
        var daemon = f.Daemon();
        await f.H.Warehouse.ReplaceTableAsync("events", (b, ct) => b.CreateAsSelectAsync("SELECT TIMESTAMP '2025-06-01 09:00:04.123456' AS received_at", null, ct), Ct);
        for (var i = 0; i < 3; i++)
        {
            await daemon.TickAsync(Ct);
            await daemon.WhenIdleAsync();
            f.Clock.Advance(TimeSpan.FromMinutes(1));
        }

        // The cursor keeps the fraction: the same row is not new again at the next evaluations.
        var ticks = (await f.Store.ListTicksAsync("scorer", 100, Ct)).Reverse().ToList();
        Assert.Equal([TickStatus.Requested, TickStatus.Skipped, TickStatus.Skipped], ticks.Select(t => t.Status));
        Assert.Equal("no rows past received_at = 2025-06-01T09:00:04.1234560", ticks[1].Reason);
        Assert.Single(f.Launched);
    }

    // A sensor whose evaluation never finishes on its own.
    private sealed class HangingSensor : ISensorEvaluator
    {
        public async Task<SensorOutcome> EvaluateAsync(SensorSpec sensor, string? cursor, DateTimeOffset now, CancellationToken cancellationToken)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return new SensorOutcome(true, false, "never", cursor);
        }
    }

    [Fact]
    public async Task Sensor_EvaluationPastTheTimeout_IsRecordedAsFailedAndRequestsNothing()
    {
        await using var f = await CreateAsync(DateTimeOffset.Parse("2025-06-01T10:00:00Z"), """
            pipeline: slow
            sensors: [{ type: table_rows, table: events, cursor_column: id, interval: 1m }]
            components:
              - { id: a, type: transform.sql, with: { sql: SELECT 1 AS v } }
            """);
        f.Sensors = new HangingSensor();
        var daemon = f.Daemon();

        var tick = daemon.TickAsync(Ct);
        for (var i = 0; i < 100 && !tick.IsCompleted; i++)
        {
            f.Clock.Advance(TimeSpan.FromSeconds(1));  // the 30 s evaluation limit runs on the daemon's clock
            await Task.Delay(5, Ct);
        }
        await tick.WaitAsync(TimeSpan.FromSeconds(10), Ct);

        var recorded = Assert.Single(await f.Store.ListTicksAsync("slow", 10, Ct));
        Assert.Equal(("sensor:table_rows#1", TickStatus.Failed, "evaluation timed out after 30s"), (recorded.Kind, recorded.Status, recorded.Reason));
        Assert.Empty(f.Launched);
    }

    [Fact]
    public async Task TickHistory_NamesSensorsOfTheSameTypeByWhatTheyWatch()
    {
        await using var f = await CreateAsync(DateTimeOffset.Parse("2025-06-01T10:00:00Z"), """
            pipeline: report
            sensors:
              - { type: freshness, asset: orders, max_age: 1h, interval: 10s }
              - { type: run_status, pipeline: ingest, status: succeeded, interval: 10s }
              - { type: freshness, asset: customers, max_age: 1h, interval: 10s }
            components:
              - { id: a, type: transform.sql, with: { sql: SELECT 1 AS v } }
            """);
        var daemon = f.Daemon();
        f.Clock.Advance(TimeSpan.FromSeconds(1));
        await daemon.TickAsync(Ct);
        await daemon.WhenIdleAsync();

        var ticks = (await f.Store.ListTicksAsync("report", 100, Ct)).Select(t => (t.Kind, t.Name)).Order().ToList();
        Assert.Equal(
        [
            ("sensor:freshness#1", "freshness of orders, max age 1h"), ("sensor:freshness#3", "freshness of customers, max age 1h"),
            ("sensor:run_status#2", "run_status of ingest (succeeded)"),
        ], ticks);
    }

    [Fact]
    public async Task RunStatusAndFreshnessSensors_FollowAnotherPipelineAndAlertOncePerStaleVersion()
    {
        await using var f = await CreateAsync(DateTimeOffset.Parse("2025-06-01T10:00:00Z"), """
            pipeline: report
            sensors:
              - { type: run_status, pipeline: ingest, status: succeeded, interval: 10s }
              - { type: freshness, asset: orders, max_age: 1h, interval: 10s }
            components:
              - { id: a, type: transform.sql, with: { sql: SELECT 1 AS v } }
            """);
        await f.Store.CreateRunAsync(new RunRecord("r1", "ingest", RunStatus.Running, "cli", null, f.Clock.GetUtcNow(), null, null, 1), [], Ct);
        await f.Store.AddMaterializationAsync(new MaterializationRecord("r1", "orders", f.Clock.GetUtcNow(), 10, [], TimeSpan.FromSeconds(1), "{}"), Ct);
        await f.Store.EndRunAsync("r1", RunStatus.Succeeded, f.Clock.GetUtcNow(), null, Ct);
        var daemon = f.Daemon();
        f.Clock.Advance(TimeSpan.FromSeconds(1));

        await daemon.TickAsync(Ct);                          // ingest succeeded -> report runs; orders is fresh
        f.Clock.Advance(TimeSpan.FromHours(2));
        await daemon.TickAsync(Ct);                          // no new ingest run; orders is 2 h old -> alert
        f.Clock.Advance(TimeSpan.FromMinutes(1));
        await daemon.TickAsync(Ct);                          // still stale: no second alert
        await daemon.WhenIdleAsync();

        var ticks = (await f.Store.ListTicksAsync("report", 100, Ct)).Reverse().Select(t => (t.Kind, t.Status)).ToList();
        Assert.Equal(
        [
            ("sensor:run_status#1", TickStatus.Requested), ("sensor:freshness#2", TickStatus.Skipped),
            ("sensor:run_status#1", TickStatus.Skipped), ("sensor:freshness#2", TickStatus.Alert),
            ("sensor:run_status#1", TickStatus.Skipped), ("sensor:freshness#2", TickStatus.Skipped),
        ], ticks);
        // The history's reader sees what each sensor watches, not its key's index.
        Assert.Equal(["freshness of orders, max age 1h", "run_status of ingest (succeeded)"], (await f.Store.ListTicksAsync("report", 100, Ct)).Select(t => t.Name).Distinct().Order());
        Assert.Contains(f.Log, l => l.Contains("freshness alert: orders was last materialized", StringComparison.Ordinal) && l.Contains("more than 1h", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Queue_RespectsTheGlobalLimitPriorityAndOneRunPerPipeline()
    {
        await using var f = await CreateAsync(DateTimeOffset.Parse("2025-06-01T10:00:00Z"),
            "pipeline: a\ncomponents: [{ id: x, type: transform.sql, with: { sql: SELECT 1 AS v } }]",
            "pipeline: b\ncomponents: [{ id: x, type: transform.sql, with: { sql: SELECT 1 AS v } }]");
        var release = new TaskCompletionSource();
        f.Outcome = async (_, ct) => { await release.Task.WaitAsync(ct); return RunStatus.Succeeded; };

        // One slot: the higher priority goes first although it was queued last.
        var single = f.Daemon(maxConcurrent: 1);
        await single.SubmitAsync("a", null, new Dictionary<string, string>(), "api", 0, Ct);
        await single.SubmitAsync("b", null, new Dictionary<string, string>(), "api", 9, Ct);
        await single.TickAsync(Ct);
        await Until(() => f.Launched.Count == 1);
        Assert.Equal("b", f.Launched[0].Pipeline);
        release.SetResult();
        await single.WhenIdleAsync();
        await single.TickAsync(Ct);
        await single.WhenIdleAsync();
        Assert.Equal(["b", "a"], f.Launched.Select(l => l.Pipeline));

        // Two slots, two runs of one pipeline: the second waits for the first.
        var hold = new TaskCompletionSource();
        f.Outcome = async (_, ct) => { await hold.Task.WaitAsync(ct); return RunStatus.Succeeded; };
        var two = f.Daemon(maxConcurrent: 2);
        await two.SubmitAsync("a", null, new Dictionary<string, string>(), "api", 0, Ct);
        await two.SubmitAsync("a", null, new Dictionary<string, string>(), "api", 0, Ct);
        await two.TickAsync(Ct);
        await Until(() => f.Launched.Count == 3);
        Assert.Single(await f.Store.ListQueueAsync([QueueState.Queued], Ct));
        hold.SetResult();
        await two.WhenIdleAsync();
        await two.TickAsync(Ct);
        await two.WhenIdleAsync();
        Assert.Equal(4, f.Launched.Count);
    }

    [Fact]
    public async Task Queue_PipelineHeldByAnotherProcess_StaysQueuedWithTheReasonAndStartsWhenThatRunEnds()
    {
        var t0 = DateTimeOffset.Parse("2025-06-01T10:00:00Z");
        await using var f = await CreateAsync(t0, "pipeline: a\ncomponents: [{ id: x, type: transform.sql, with: { sql: SELECT 1 AS v } }]");
        // A run of 'a' by another live process ('trib run' beside the server).
        await f.Store.CreateRunAsync(new RunRecord("other", "a", RunStatus.Running, "manual", null, t0, null, null, Environment.ProcessId, null), [], Ct);
        f.Exclusive = true;
        var daemon = f.Daemon();
        var queued = await daemon.SubmitAsync("a", null, new Dictionary<string, string>(), "api", 0, Ct);

        for (var i = 0; i < 3; i++)
        {
            await daemon.TickAsync(Ct);
            await daemon.WhenIdleAsync();
        }
        var entry = Assert.Single(await f.Store.ListQueueAsync([QueueState.Queued, QueueState.Launched, QueueState.Done, QueueState.Cancelled], Ct));
        Assert.Equal((queued, QueueState.Queued, (string?)null), (entry.QueueId, entry.State, entry.RunId));
        Assert.Equal("waits for run other (trigger manual, running since 2025-06-01 10:00:00Z): one run of a pipeline (or partition) at a time; it starts when that run ends",
            (await QueueWaits.OfAsync(f.Store, [entry], Ct))[queued]);
        // Said once, not at every tick; neither an error nor an alert.
        Assert.Single(f.Log, l => l.StartsWith($"run {queued} of a stays queued: waits for run other", StringComparison.Ordinal));
        Assert.DoesNotContain(f.Logs.GetSnapshot(), r => r.Level >= Microsoft.Extensions.Logging.LogLevel.Warning);

        await f.Store.EndRunAsync("other", RunStatus.Succeeded, t0.AddMinutes(1), null, Ct);
        await daemon.TickAsync(Ct);
        await daemon.WhenIdleAsync();
        entry = Assert.Single(await f.Store.ListQueueAsync([QueueState.Queued, QueueState.Launched, QueueState.Done, QueueState.Cancelled], Ct));
        Assert.Equal((QueueState.Done, $"run-{queued}"), (entry.State, entry.RunId));
        Assert.Equal(RunStatus.Succeeded, (await f.Store.GetRunAsync($"run-{queued}", Ct))!.Status);
        Assert.Empty(await QueueWaits.OfAsync(f.Store, [entry], Ct));
    }

    [Fact]
    public async Task Queue_EverySlotTaken_SaysThatItWaitsForAFreeSlot_AndNothingOnceOneFrees()
    {
        var t0 = DateTimeOffset.Parse("2025-06-01T10:00:00Z");
        await using var f = await CreateAsync(t0, "pipeline: a\ncomponents: [{ id: x, type: transform.sql, with: { sql: SELECT 1 AS v } }]",
            "pipeline: b\ncomponents: [{ id: y, type: transform.sql, with: { sql: SELECT 1 AS v } }]");
        var release = new TaskCompletionSource<RunStatus>(TaskCreationOptions.RunContinuationsAsynchronously);
        f.Outcome = (run, _) => run.Pipeline == "a" ? release.Task : Task.FromResult(RunStatus.Succeeded);
        var daemon = f.Daemon(maxConcurrent: 1);
        await daemon.SubmitAsync("a", null, new Dictionary<string, string>(), "api", 0, Ct);
        await daemon.TickAsync(Ct);
        var queued = await daemon.SubmitAsync("b", null, new Dictionary<string, string>(), "api", 0, Ct);
        await daemon.TickAsync(Ct);

        var queue = await f.Store.ListQueueAsync([QueueState.Queued, QueueState.Launched], Ct);
        var waits = await QueueWaits.OfAsync(f.Store, queue, daemon.Executing, daemon.MaxConcurrentRuns, Ct);

        Assert.Equal("waits for a free run slot: this server runs at most 1 run at once (trib serve --max-runs) and 1 is running (a); it starts when one ends",
            Assert.Single(waits, w => w.Key == queued).Value);
        Assert.Single(waits);
        release.SetResult(RunStatus.Succeeded);
        await daemon.WhenIdleAsync();
        queue = await f.Store.ListQueueAsync([QueueState.Queued], Ct);
        Assert.Empty(await QueueWaits.OfAsync(f.Store, queue, daemon.Executing, daemon.MaxConcurrentRuns, Ct));
    }

    // SIGTERM to trib serve while a step sits in a call that does not stop: the process exits after the host's 30 s, and
    // the run stayed "running" until the next start. The daemon now records it within its grace, before it returns.
    [Fact]
    public async Task Stop_RunThatDoesNotStopWithinTheGrace_IsRecordedFailedAndQueuedAgainBeforeTheDaemonReturns()
    {
        await using var f = await CreateAsync(DateTimeOffset.Parse("2025-06-01T10:00:00Z"), "pipeline: a\ncomponents: [{ id: x, type: transform.sql, with: { sql: SELECT 1 AS v } }]");
        var never = new TaskCompletionSource<RunStatus>();
        f.Outcome = async (q, _) =>
        {
            // As QueuedRunLauncher does once the run exists; then a step that ignores its cancellation.
            await f.Store.UpdateQueueAsync(q.QueueId, QueueState.Launched, $"run-{q.QueueId}", CancellationToken.None);
            return await never.Task;
        };
        var daemon = f.Daemon(stopGrace: TimeSpan.FromSeconds(20));
        var queued = await daemon.SubmitAsync("a", null, new Dictionary<string, string>(), "api", 0, Ct);
        using var stop = new CancellationTokenSource();
        var running = daemon.RunAsync(stop.Token);
        await Until(() => f.Launched.Count == 1);
        await Until(() => f.Store.ListQueueAsync([QueueState.Launched], Ct).Result.FirstOrDefault()?.RunId is not null);

        await stop.CancelAsync();
        for (var i = 0; i < 100 && !running.IsCompleted; i++)
        {
            f.Clock.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(20, Ct);
        }
        await running.WaitAsync(TimeSpan.FromSeconds(10), Ct);

        var run = (await f.Store.GetRunAsync($"run-{queued}", Ct))!;
        Assert.Equal((RunStatus.Failed, "The process stopped (trib serve was stopped) and this run did not end within 20 s of being cancelled; tables kept their previous version, and the run is queued again for the next start."),
            (run.Status, run.Error));
        Assert.Equal(QueueState.Queued, Assert.Single(await f.Store.ListQueueAsync([QueueState.Queued, QueueState.Launched, QueueState.Done], Ct)).State);
        Assert.Contains($"run run-{queued} of a did not stop within 20s of the stop: recorded failed and queued again for the next start", f.Log);
        never.SetResult(RunStatus.Cancelled);
    }

    [Fact]
    public async Task Schedule_WhileItsRunIsStillQueued_SkipsTheTickWithTheReason()
    {
        await using var f = await CreateAsync(DateTimeOffset.Parse("2025-06-01T10:00:30Z"), Scheduled("* * * * *", "UTC"));
        var release = new TaskCompletionSource();
        f.Outcome = async (_, ct) => { await release.Task.WaitAsync(ct); return RunStatus.Succeeded; };
        var daemon = f.Daemon();
        await daemon.TickAsync(Ct);

        // The first tick's run holds the pipeline: the second tick queues behind it, the next eight find that run queued.
        for (var i = 0; i < 10; i++)
        {
            f.Clock.Advance(TimeSpan.FromMinutes(1));
            await daemon.TickAsync(Ct);
            await Until(() => f.Launched.Count == 1);
        }
        release.SetResult();
        await daemon.WhenIdleAsync();
        await daemon.TickAsync(Ct);
        await daemon.WhenIdleAsync();

        Assert.Equal(2, f.Launched.Count);
        var ticks = (await f.Store.ListTicksAsync("nightly", 100, Ct)).OrderBy(t => t.At).ToList();
        Assert.Equal([TickStatus.Requested, TickStatus.Requested, .. Enumerable.Repeat(TickStatus.Skipped, 8)], ticks.Select(t => t.Status).Take(10));
        var queued = ticks[1].QueueId;
        Assert.Equal($"tick 2025-06-01 10:03 +00:00: the same run is already queued ({queued})", ticks[2].Reason);
        Assert.Null(ticks[2].QueueId);
    }

    [Fact]
    public async Task Launch_TwoPipelinesOfOneName_LaunchesTheOthers()
    {
        await using var f = await CreateAsync(DateTimeOffset.Parse("2025-06-01T10:00:00Z"),
            "pipeline: a\ncomponents: [{ id: x, type: transform.sql, with: { sql: SELECT 1 AS v } }]",
            "pipeline: a\ncomponents: [{ id: y, type: transform.sql, with: { sql: SELECT 2 AS v } }]",
            "pipeline: b\ncomponents: [{ id: x, type: transform.sql, with: { sql: SELECT 1 AS v } }]");
        var daemon = f.Daemon();
        await daemon.SubmitAsync("b", null, new Dictionary<string, string>(), "api", 0, Ct);

        await daemon.TickAsync(Ct);
        await daemon.WhenIdleAsync();

        Assert.Equal(["b"], f.Launched.Select(l => l.Pipeline));
        Assert.False(daemon.Health.Failing);
    }

    [Fact]
    public async Task Health_WhileTicksFail_SaysSinceWhenAndWhy()
    {
        await using var f = await CreateAsync(DateTimeOffset.Parse("2025-06-01T10:00:00Z"));
        var broken = true;
        var daemon = new Daemon(_ => broken ? throw new InvalidOperationException("no pipelines folder") : Task.FromResult<IReadOnlyList<PipelineSpec>>([]),
            f.Store, f.Store, new SensorEvaluator(f.H.Warehouse, f.Store, f.H.Temp.Path), (_, _) => throw new UnreachableException(),
            new FailureAlerts(new TestHttpClients(), _ => null, new FakeLogger<FailureAlerts>()), new DaemonOptions(), f.Clock, new FakeLogger<Daemon>());

        await Assert.ThrowsAsync<InvalidOperationException>(() => daemon.TickAsync(Ct));
        f.Clock.Advance(TimeSpan.FromSeconds(5));
        await Assert.ThrowsAsync<InvalidOperationException>(() => daemon.TickAsync(Ct));
        Assert.Equal(new DaemonHealth(null, DateTimeOffset.Parse("2025-06-01T10:00:00Z"), "no pipelines folder"), daemon.Health);

        broken = false;
        await daemon.TickAsync(Ct);
        Assert.Equal(new DaemonHealth(DateTimeOffset.Parse("2025-06-01T10:00:05Z"), null, null), daemon.Health);
    }

    // Launched runs start on the thread pool; wait (briefly, on real time) until the launcher has seen them.
    private static async Task Until(Func<bool> condition)
    {
        for (var i = 0; i < 500 && !condition(); i++) await Task.Delay(10, Ct);
        Assert.True(condition(), "timed out waiting for launched runs");
    }

    private const string Partitioned = """
        pipeline: daily
        partitions: { type: daily, start: 2025-01-01 }
        components:
          - { id: a, type: transform.sql, with: { sql: "SELECT '${partition.key}' AS day" } }
        """;

    [Fact]
    public async Task Backfill_BoundedConcurrency_RetryOnlyTheFailedPartitions()
    {
        await using var f = await CreateAsync(DateTimeOffset.Parse("2025-01-20T00:00:00Z"), Partitioned);
        var failOnce = new HashSet<string> { "2025-01-03" };
        f.Outcome = (run, _) => Task.FromResult(failOnce.Remove(run.Partition!) ? RunStatus.Failed : RunStatus.Succeeded);
        var daemon = f.Daemon(maxConcurrent: 8);
        var id = await daemon.StartBackfillAsync(f.Pipelines[0], "2025-01-01", "2025-01-06", concurrency: 2, new Dictionary<string, string>(), Ct);

        for (var i = 0; i < 10; i++)
        {
            await daemon.TickAsync(Ct);
            await daemon.WhenIdleAsync();
        }

        Assert.Equal(BackfillStatus.Failed, (await f.Store.GetBackfillAsync(id, Ct))!.Status);
        Assert.True(f.Peak <= 2, $"peak concurrency {f.Peak}");
        var partitions = await f.Store.GetBackfillPartitionsAsync(id, Ct);
        Assert.Equal(["2025-01-03"], partitions.Where(p => p.Status == PartitionRunStatus.Failed).Select(p => p.Key));

        await daemon.RetryFailedAsync(id, Ct);
        for (var i = 0; i < 3; i++)
        {
            await daemon.TickAsync(Ct);
            await daemon.WhenIdleAsync();
        }

        Assert.Equal(BackfillStatus.Succeeded, (await f.Store.GetBackfillAsync(id, Ct))!.Status);
        Assert.Equal(7, f.Launched.Count); // six partitions, and the failed one once more
        Assert.Equal(6, f.Launched.Select(l => l.Partition).Distinct().Count());
    }

    [Fact]
    public async Task Backfill_Cancel_StopsLaunchingAndCancelsRunningPartitions()
    {
        await using var f = await CreateAsync(DateTimeOffset.Parse("2025-01-20T00:00:00Z"), Partitioned);
        f.Outcome = async (_, ct) => { await Task.Delay(Timeout.Infinite, ct); return RunStatus.Succeeded; };
        var daemon = f.Daemon(maxConcurrent: 8);
        var id = await daemon.StartBackfillAsync(f.Pipelines[0], "2025-01-01", "2025-01-10", concurrency: 3, new Dictionary<string, string>(), Ct);
        await daemon.TickAsync(Ct);
        await daemon.TickAsync(Ct);
        await Until(() => f.Launched.Count == 3);

        await daemon.CancelBackfillAsync(id, Ct);
        await daemon.WhenIdleAsync();
        await daemon.TickAsync(Ct);

        Assert.Equal(3, f.Launched.Count);
        Assert.Equal(BackfillStatus.Cancelled, (await f.Store.GetBackfillAsync(id, Ct))!.Status);
        Assert.All(await f.Store.GetBackfillPartitionsAsync(id, Ct), p => Assert.Equal(PartitionRunStatus.Cancelled, p.Status));
    }

    // An alert URL without its scheme made the alert throw past the daemon's bookkeeping: the entry stayed launched for good.
    [Fact]
    public async Task Queue_FailedRunWhoseAlertUrlIsNotAbsolute_ClosesTheEntryAndLogsTheAlert()
    {
        await using var f = await CreateAsync(DateTimeOffset.Parse("2025-01-20T00:00:00Z"), """
            pipeline: nightly
            on_failure: { webhook_url_env: ALERT_URL }
            components:
              - { id: a, type: transform.sql, with: { sql: SELECT 1 AS v } }
            """);
        f.Environment = n => n == "ALERT_URL" ? "hooks.slack.com/services/T0/B0/x" : null;
        f.Outcome = (_, _) => Task.FromResult(RunStatus.Failed);
        var daemon = f.Daemon();
        var queueId = await daemon.SubmitAsync("nightly", null, new Dictionary<string, string>(), "api", 0, Ct);

        await daemon.TickAsync(Ct);
        await daemon.WhenIdleAsync();

        Assert.Empty(await f.Store.ListQueueAsync([QueueState.Queued, QueueState.Launched], Ct));
        Assert.Equal([queueId], (await f.Store.ListQueueAsync([QueueState.Done], Ct)).Select(q => q.QueueId));
        Assert.Contains("on_failure: environment variable ALERT_URL does not hold an absolute http(s) URL; no alert sent", f.Log);
    }

    [Fact]
    public async Task Recover_AfterADeadProcess_RequeuesUnfinishedPartitionsAndKeepsFinishedOnes()
    {
        await using var f = await CreateAsync(DateTimeOffset.Parse("2025-01-20T00:00:00Z"), Partitioned);
        f.Outcome = async (_, ct) => { await Task.Delay(Timeout.Infinite, ct); return RunStatus.Succeeded; };
        var first = f.Daemon();
        var id = await first.StartBackfillAsync(f.Pipelines[0], "2025-01-01", "2025-01-03", concurrency: 3, new Dictionary<string, string>(), Ct);
        await first.TickAsync(Ct);
        await first.TickAsync(Ct);
        await Until(() => f.Launched.Count == 3);
        // The process "dies": its runs stay 'running' in the store, one of them after finishing its only step.
        var launched = await f.Store.ListQueueAsync([QueueState.Launched], Ct);
        Assert.Equal(3, launched.Count);
        foreach (var q in launched)
            await f.Store.UpdateQueueAsync(q.QueueId, QueueState.Launched, $"dead-{q.Partition}", Ct);
        foreach (var q in launched)
            await f.Store.CreateRunAsync(new RunRecord($"dead-{q.Partition}", "daily", RunStatus.Running, "backfill", null, f.Clock.GetUtcNow(), null, null, 999_999, q.Partition),
                [new StepRecord($"dead-{q.Partition}", "a", "transform.sql", StepStatus.Pending, 0, null, null, null)], Ct);
        await f.Store.UpdateStepAsync(new StepRecord("dead-2025-01-02", "a", "transform.sql", StepStatus.Succeeded, 1, f.Clock.GetUtcNow(), f.Clock.GetUtcNow(), null), Ct);
        await f.Store.FailAbandonedRunsAsync(pid => pid != 999_999, f.Clock.GetUtcNow(), Ct);

        f.Outcome = (_, _) => Task.FromResult(RunStatus.Succeeded);
        var second = f.Daemon();
        await second.RecoverAsync(Ct);
        for (var i = 0; i < 3; i++)
        {
            await second.TickAsync(Ct);
            await second.WhenIdleAsync();
        }

        Assert.Equal(BackfillStatus.Succeeded, (await f.Store.GetBackfillAsync(id, Ct))!.Status);
        // 2025-01-02 had materialized before the crash: only the other two ran again.
        Assert.Equal(["2025-01-01", "2025-01-03"], f.Launched.Skip(3).Select(l => l.Partition).Order());
    }

    [Fact]
    public async Task Recover_LaunchedRunOfADeadProcessStillRunning_ClosesItFailedWithOneAlertAndRequeues()
    {
        await using var f = await CreateAsync(DateTimeOffset.Parse("2025-01-20T00:00:00Z"), """
            pipeline: ops
            retry: { max_retries: 1 }
            components:
              - { id: slow, type: transform.sql, with: { sql: SELECT 1 AS v } }
            """);
        f.Outcome = async (_, ct) => { await Task.Delay(Timeout.Infinite, ct); return RunStatus.Succeeded; };
        var first = f.Daemon();
        await first.SubmitAsync("ops", null, new Dictionary<string, string>(), "api", 0, Ct);
        await first.TickAsync(Ct);
        await Until(() => f.Launched.Count == 1);
        // The process "dies" mid-step, on another host or before any trib command marked its run: still 'running' in the store.
        var q = Assert.Single(await f.Store.ListQueueAsync([QueueState.Launched], Ct));
        await f.Store.UpdateQueueAsync(q.QueueId, QueueState.Launched, "dead-run", Ct);
        await f.Store.CreateRunAsync(new RunRecord("dead-run", "ops", RunStatus.Running, "api", null, f.Clock.GetUtcNow(), null, null, 999_999),
            [new StepRecord("dead-run", "slow", "transform.sql", StepStatus.Running, 1, f.Clock.GetUtcNow(), null, null)], Ct);

        f.Outcome = (_, _) => Task.FromResult(RunStatus.Succeeded);
        await f.Daemon().RecoverAsync(Ct);
        await f.Daemon().RecoverAsync(Ct);

        var run = (await f.Store.GetRunAsync("dead-run", Ct))!;
        Assert.Equal((RunStatus.Failed, RunFailures.ProcessDied), (run.Status, run.Error));
        Assert.Equal([(StepStatus.Failed, RunFailures.ProcessDiedStep)], (await f.Store.GetStepsAsync("dead-run", Ct)).Select(s => (s.Status, s.Error)));
        Assert.Equal(["Tributary: run dead-run of 'ops' failed: the process running it stopped: killed or crashed (running: 'slow'); tables kept their previous version"],
            f.Log.Where(l => l.StartsWith("Tributary:", StringComparison.Ordinal)));
        Assert.Single(await f.Store.ListQueueAsync([QueueState.Queued], Ct));
    }

    // Only the intake group is partitioned (hourly); analytics reads every hour.
    private const string GroupPartitioned = """
        pipeline: hours
        groups:
          intake:
            assets: [hour_events]
            partitions: { type: hourly, start: 2025-01-01, timezone: UTC }
          analytics:
            assets: [totals]
        components:
          - { id: hour_events, type: transform.sql, with: { sql: "SELECT ${partition.key} AS hour" } }
          - { id: totals, type: transform.sql, inputs: [hour_events], with: { sql: "SELECT count(*) AS n FROM hour_events" } }
        """;

    [Fact]
    public async Task Backfill_OfAPartitionedGroup_RunsTheGroupPerHourWithinTheConcurrency_AndRetriesTheFailedHour()
    {
        await using var f = await CreateAsync(DateTimeOffset.Parse("2025-01-02T00:00:00Z"), GroupPartitioned);
        var failOnce = new HashSet<string> { "2025-01-01T03:00" };
        f.Outcome = (run, _) => Task.FromResult(failOnce.Remove(run.Partition!) ? RunStatus.Failed : RunStatus.Succeeded);
        var daemon = f.Daemon(maxConcurrent: 8);

        var id = await daemon.StartBackfillAsync(f.Pipelines[0], "2025-01-01T00:00", "2025-01-01T05:00", concurrency: 2, new Dictionary<string, string>(), Ct, group: "intake");
        for (var i = 0; i < 10; i++)
        {
            await daemon.TickAsync(Ct);
            await daemon.WhenIdleAsync();
        }

        var backfill = (await f.Store.GetBackfillAsync(id, Ct))!;
        Assert.Equal((BackfillStatus.Failed, "intake"), (backfill.Status, backfill.Group));
        Assert.True(f.Peak <= 2, $"peak concurrency {f.Peak}");
        Assert.Equal(["2025-01-01T00:00", "2025-01-01T01:00", "2025-01-01T02:00", "2025-01-01T03:00", "2025-01-01T04:00", "2025-01-01T05:00"],
            (await f.Store.GetBackfillPartitionsAsync(id, Ct)).Select(p => p.Key));
        Assert.Equal(["2025-01-01T03:00"], (await f.Store.GetBackfillPartitionsAsync(id, Ct)).Where(p => p.Status == PartitionRunStatus.Failed).Select(p => p.Key));
        // Each partition is a run of the group's assets only, as 'trib run hours --select group:intake --partition KEY'.
        Assert.All(f.Launched, l => Assert.Equal(("hours", "group:intake", "backfill"), (l.Pipeline, l.Selection, l.Trigger)));
        Assert.Contains($"backfill {id} of hours group intake: 6 partition(s) from 2025-01-01T00:00 to 2025-01-01T05:00, 2 at a time", f.Log);

        await daemon.RetryFailedAsync(id, Ct);
        for (var i = 0; i < 3; i++)
        {
            await daemon.TickAsync(Ct);
            await daemon.WhenIdleAsync();
        }

        Assert.Equal(BackfillStatus.Succeeded, (await f.Store.GetBackfillAsync(id, Ct))!.Status);
        Assert.Equal(7, f.Launched.Count);
        Assert.Equal(["2025-01-01T03:00"], f.Launched.Skip(6).Select(l => l.Partition));
    }

    [Fact]
    public async Task Backfill_AGroupThatCannotBeBackfilled_SaysWhichGroupsCan()
    {
        await using var f = await CreateAsync(DateTimeOffset.Parse("2025-01-02T00:00:00Z"), GroupPartitioned, Partitioned);
        var daemon = f.Daemon();
        var hours = f.Pipelines[0];

        var whole = await Assert.ThrowsAsync<ArgumentException>(() => daemon.StartBackfillAsync(hours, "2025-01-01T00:00", "2025-01-01T01:00", 2, new Dictionary<string, string>(), Ct));
        var unknown = await Assert.ThrowsAsync<ArgumentException>(() => daemon.StartBackfillAsync(hours, "2025-01-01T00:00", "2025-01-01T01:00", 2, new Dictionary<string, string>(), Ct, "intak"));
        var unpartitioned = await Assert.ThrowsAsync<ArgumentException>(() => daemon.StartBackfillAsync(hours, "2025-01-01", "2025-01-01", 2, new Dictionary<string, string>(), Ct, "analytics"));
        var noGroups = await Assert.ThrowsAsync<ArgumentException>(() => daemon.StartBackfillAsync(f.Pipelines[1], "2025-01-01", "2025-01-01", 2, new Dictionary<string, string>(), Ct, "intake"));

        Assert.Equal("pipeline 'hours' has no partitions of its own; backfill one of its partitioned groups with --group NAME. Its partitioned groups: intake.", whole.Message);
        Assert.Equal("pipeline 'hours' has no group 'intak'. Its partitioned groups: intake.", unknown.Message);
        Assert.Equal("group 'analytics' of pipeline 'hours' has no partitions to backfill; add 'partitions:' to it. Its partitioned groups: intake.", unpartitioned.Message);
        Assert.Equal("pipeline 'daily' has no group 'intake'.", noGroups.Message);
        Assert.Empty(await f.Store.ListBackfillsAsync(Ct));
    }
}
