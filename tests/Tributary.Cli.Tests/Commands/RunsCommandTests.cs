using System.Text.Json;
using Tributary.Cli.Projects;
using Tributary.Engine.Orchestration;
using Tributary.Engine.Runs;
using Tributary.Testing;

namespace Tributary.Cli.Tests.Commands;

/// <summary><c>trib runs cancel</c> without a server: a queued run is taken out of the project's queue; an ended or unknown run is a clear error.</summary>
public sealed class RunsCommandTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private string Project => Path.Combine(_temp.Path, "project");
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Cancel_WithoutAServer_CancelsAQueuedRunInTheStore_AndRefusesAnEndedOrUnknownOne()
    {
        Assert.Equal(0, (await Trib.RunAsync("init", Project)).ExitCode);
        File.WriteAllText(Path.Combine(Project, "pipelines", "hello.yaml"), "pipeline: hello\ncomponents:\n  - { id: greeting, type: transform.sql, with: { sql: \"SELECT 'hi' AS word\" } }\n");
        await using (var session = ProjectSession.Open(Project, TimeProvider.System))
            await (await session.StoreAsync(Ct)).EnqueueAsync(new QueuedRun("q-waiting", "hello", null, "api", 0, new Dictionary<string, string>(), null, QueueState.Queued, null,
                DateTimeOffset.UtcNow, 1), Ct);
        var ran = await Trib.RunAsync("run", "hello", "--project", Project);
        var runId = System.Text.RegularExpressions.Regex.Match(ran.Error, @"run (\S+) succeeded").Groups[1].Value;

        var queued = await Trib.RunAsync("runs", "cancel", "q-waiting", "--project", Project);
        var ended = await Trib.RunAsync("runs", "cancel", runId, "--project", Project);
        var unknown = await Trib.RunAsync("runs", "cancel", "nope", "--project", Project);

        Assert.True(queued.ExitCode == 0, queued.Error);
        Assert.Equal("queued run q-waiting of hello cancelled: no server runs, and the next trib serve will not start it.", queued.Error.Trim());
        await using (var session = ProjectSession.Open(Project, TimeProvider.System))
            Assert.Equal(QueueState.Cancelled, Assert.Single(await (await session.StoreAsync(Ct)).ListQueueAsync([QueueState.Queued, QueueState.Cancelled], Ct)).State);
        Assert.Equal((1, $"error: run {runId} already ended (succeeded); nothing to cancel."), (ended.ExitCode, ended.Error.Trim()));
        Assert.Equal((1, "error: no run or queued run 'nope'. List runs with 'trib runs'."), (unknown.ExitCode, unknown.Error.Trim()));
    }

    // An older trib on a store a newer one migrated printed "error: InvalidOperationException: …" and asked for a bug report.
    [Fact]
    public async Task List_RunStoreOfANewerTributary_SaysToUpgradeAndExits1LeavingTheStoreAsItWas()
    {
        Assert.Equal(0, (await Trib.RunAsync("init", Project)).ExitCode);
        Assert.Equal(0, (await Trib.RunAsync("runs", "--project", Project)).ExitCode);
        var file = Path.Combine(Project, ".tributary", "runs.db");
        var newer = SqliteRunStore.SchemaVersion + 1;
        await using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={file};Pooling=False"))
        {
            await connection.OpenAsync(Ct);
            await using var command = connection.CreateCommand();
            command.CommandText = $"PRAGMA user_version = {newer}";
            await command.ExecuteNonQueryAsync(Ct);
        }
        var before = await File.ReadAllBytesAsync(file, Ct);

        var runs = await Trib.RunAsync("runs", "--project", Project);

        Assert.Equal((1, $"error: {file}: this run store was upgraded by a newer Tributary (schema {newer}, this version knows up to {SqliteRunStore.SchemaVersion}); upgrade trib."),
            (runs.ExitCode, runs.Error.Trim()));
        Assert.Equal(before, await File.ReadAllBytesAsync(file, Ct));
    }

    // A partitioned run (a backfill's) names its partition in every format; `runs show` too.
    [Fact]
    public async Task List_ShowsFullRefreshAndPartitionLast_AndWhyAQueuedRunWaits()
    {
        Assert.Equal(0, (await Trib.RunAsync("init", Project)).ExitCode);
        File.WriteAllText(Path.Combine(Project, "pipelines", "hello.yaml"), "pipeline: hello\ncomponents:\n  - { id: greeting, type: transform.sql, with: { sql: \"SELECT 'hi' AS word\" } }\n");
        Assert.Equal(0, (await Trib.RunAsync("run", "hello", "--project", Project)).ExitCode);
        Assert.Equal(0, (await Trib.RunAsync("run", "hello", "--full-refresh", "--project", Project)).ExitCode);
        // Another live process's run of hello (this test process stands for it) holds the pipeline; a queued run waits for it.
        var since = DateTimeOffset.Parse("2026-12-05T01:30:00Z");
        await using (var session = ProjectSession.Open(Project, TimeProvider.System))
        {
            var store = await session.StoreAsync(Ct);
            await store.CreateRunAsync(new RunRecord("holder", "hello", RunStatus.Running, "cli", null, since, null, null, Environment.ProcessId, null), [], Ct);
            await store.EnqueueAsync(new QueuedRun("q-waiting", "hello", null, "api", 0, new Dictionary<string, string>(), null, QueueState.Queued, null, since, 1), Ct);
            await store.CreateRunAsync(new RunRecord("daily-1", "hello", RunStatus.Succeeded, "backfill", null, since.AddHours(-1), since.AddHours(-1).AddSeconds(2), null,
                Environment.ProcessId, "2025-01-02"), [], Ct);
        }

        var csv = await Trib.RunAsync("runs", "--project", Project, "--format", "csv");
        var json = await Trib.RunAsync("runs", "--project", Project, "--format", "json");

        var lines = csv.Out.Trim().Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        Assert.Equal("run_id,pipeline,status,trigger,started_at,duration_s,error,full_refresh,partition", lines[0]);
        Assert.Equal(["True,", "False,", "False,2025-01-02"], lines.Skip(1).Where(l => !l.StartsWith("holder,", StringComparison.Ordinal)).Select(l => string.Join(',', l.Split(',')[7..])));
        var listed = JsonDocument.Parse(json.Out).RootElement.EnumerateArray().ToList();
        Assert.Equal([true, false, false, false], listed.Select(r => r.GetProperty("full_refresh").GetBoolean()));
        Assert.Equal([null, null, null, "2025-01-02"], listed.Select(r => r.GetProperty("partition").GetString()));
        var shown = await Trib.RunAsync("runs", "show", "daily-1", "--project", Project, "--format", "json");
        Assert.Equal("2025-01-02", JsonDocument.Parse(shown.Out).RootElement.GetProperty("partition").GetString());
        Assert.StartsWith("run daily-1 of hello [2025-01-02]: succeeded", shown.Error, StringComparison.Ordinal);
        Assert.Equal("queued run q-waiting of hello waits for run holder (trigger cli, running since 2026-12-05 01:30:00Z): one run of a pipeline (or partition) at a time; it starts when that run ends",
            csv.Error.Trim());
    }
}
