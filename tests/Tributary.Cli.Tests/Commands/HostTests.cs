using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Tributary.Cli.Hosting;
using Tributary.Cli.Output;
using Tributary.Cli.Projects;
using Tributary.Core.Components;
using Tributary.Core.Projects;
using Tributary.Core.Warehousing;
using Tributary.Engine.Orchestration;
using Tributary.Engine.Runs;
using Tributary.Server;
using Tributary.Testing;

namespace Tributary.Cli.Tests.Commands;

/// <summary>The composition root 'trib serve' and 'trib backfill' share, and the log it writes.</summary>
public sealed class HostTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private string Project => Path.Combine(_temp.Path, "hosted");
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _temp.Dispose();

    private const string Daily = """
        pipeline: daily
        partitions: { type: daily, start: 2025-01-01, timezone: UTC }
        components:
          - { id: window, type: transform.sql, with: { sql: "SELECT '${partition.start}' AS starts" } }
        """;

    [Fact]
    public async Task ServeAndBackfill_ResolveTheSameComposedServices()
    {
        Assert.Equal(0, (await Trib.RunAsync("init", Project)).ExitCode);
        File.WriteAllText(Path.Combine(Project, "pipelines", "daily.yaml"), Daily);
        var cli = new CliContext(TextWriter.Null, TextWriter.Null, TimeProvider.System);
        await using var project = ProjectSession.Open(Project, cli.Time);

        var serve = await TributaryHost.ComposeAsync(cli, project, new DaemonScope(new DaemonOptions()), LogFormat.Text, Ct);
        await using var server = TributaryServer.Create(new ServerOptions { Port = 0 }, serve);
        var backfill = await TributaryHost.ComposeAsync(cli, project, new DaemonScope(new DaemonOptions(), project.LoadPipeline("daily", new Dictionary<string, string>())),
            LogFormat.Text, Ct);
        using var host = TributaryHost.BuildHost(backfill);

        Type[] composed = [typeof(Daemon), typeof(QueuedRunLauncher), typeof(FailureAlerts), typeof(RunEventHub), typeof(IHttpClientFactory), typeof(TimeProvider),
            typeof(IRunStore), typeof(IOrchestrationStore), typeof(IWarehouse), typeof(ComponentCatalog), typeof(ProjectSettings), typeof(TributaryProject)];
        foreach (var type in composed)
        {
            Assert.NotNull(server.Services.GetService(type));
            Assert.NotNull(host.Services.GetService(type));
        }
        // The session's warehouse, store and clock, not copies made by either command.
        foreach (var type in new[] { typeof(IWarehouse), typeof(IRunStore), typeof(TimeProvider), typeof(ComponentCatalog) })
            Assert.Same(server.Services.GetService(type), host.Services.GetService(type));
        Assert.Same(server.Daemon, server.Services.GetRequiredService<Daemon>());
        Assert.Single(server.Services.GetServices<IHostedService>().OfType<DaemonService>());
        Assert.Single(host.Services.GetServices<IHostedService>().OfType<DaemonService>());
    }

    [Fact]
    public async Task Backfill_WithJsonLogFormat_WritesOnlyParseableJsonLines()
    {
        Assert.Equal(0, (await Trib.RunAsync("init", Project)).ExitCode);
        File.WriteAllText(Path.Combine(Project, "pipelines", "daily.yaml"), Daily);

        var outcome = await Trib.RunAsync("backfill", "daily", "--from", "2025-01-01", "--to", "2025-01-02", "--log-format", "json", "--project", Project);

        Assert.True(outcome.ExitCode == 0, outcome.Error);
        var lines = outcome.ErrorLines.Select(l => JsonDocument.Parse(l).RootElement).ToList();
        // Not every line names the backfill: its runs' lines (queued, started, ended) name the run.
        Assert.Contains(lines, l => l.TryGetProperty("values", out var v) && v.TryGetProperty("BackfillId", out var id)
            && l.GetProperty("message").GetString() == $"backfill {id.GetString()}: 2 of 2 partition(s) materialized"
            && l.GetProperty("values").GetProperty("Succeeded").GetInt64() == 2 && l.GetProperty("level").GetString() == "Information");
        Assert.All(lines, l => Assert.True(l.TryGetProperty("time", out _) && l.TryGetProperty("category", out _)));
    }

    // The serve log said nothing when a run was queued, started or ended.
    [Fact]
    public async Task Serve_JsonLog_HasALineWhenARunIsQueuedStartsAndEnds_WithItsIdPipelineTriggerAndStatus()
    {
        Assert.Equal(0, (await Trib.RunAsync("init", Project)).ExitCode);
        File.WriteAllText(Path.Combine(Project, "pipelines", "hello.yaml"), "pipeline: hello\ncomponents:\n  - { id: greeting, type: transform.sql, with: { sql: \"SELECT 'hi' AS word\" } }\n");
        File.WriteAllText(Path.Combine(Project, "pipelines", "broken.yaml"), "pipeline: broken\ncomponents:\n  - { id: oops, type: transform.sql, with: { sql: \"SELECT * FROM no_such_table\" } }\n");
        using var log = new StringWriter();
        var cli = new CliContext(TextWriter.Null, log, TimeProvider.System);
        await using var session = ProjectSession.Open(Project, cli.Time);
        var compose = await TributaryHost.ComposeAsync(cli, session, new DaemonScope(new DaemonOptions()), LogFormat.Json, Ct);
        List<JsonElement> lines;
        await using (var server = TributaryServer.Create(new ServerOptions { Port = 0 }, compose))
        {
            await server.StartAsync(Ct);
            var queued = new[] { await server.Daemon.SubmitAsync("hello", null, new Dictionary<string, string>(), "api", 0, Ct),
                await server.Daemon.SubmitAsync("broken", null, new Dictionary<string, string>(), "schedule", 0, Ct) };
            var store = server.Services.GetRequiredService<IOrchestrationStore>();
            while ((await store.ListQueueAsync([QueueState.Done], Ct)).Count(q => queued.Contains(q.QueueId)) < 2) await Task.Delay(100, Ct);
            await server.StopAsync(Ct);
            lines = log.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        }

        var runs = lines.Where(l => l.GetProperty("category").GetString() == typeof(Daemon).FullName && l.GetProperty("message").GetString()!.StartsWith("run ", StringComparison.Ordinal)).ToList();
        Assert.All(runs, l => Assert.Equal("Information", l.GetProperty("level").GetString()));
        string Value(JsonElement l, string name) => l.GetProperty("values").GetProperty(name).ToString();
        foreach (var (pipeline, trigger, status) in new[] { ("hello", "api", "succeeded"), ("broken", "schedule", "failed") })
        {
            var mine = runs.Where(l => Value(l, "Pipeline") == pipeline).ToList();
            Assert.Equal(3, mine.Count);
            Assert.All(mine, l => Assert.Equal(trigger, Value(l, "Trigger")));
            Assert.StartsWith($"run queued: {Value(mine[0], "QueueId")} of {pipeline}, trigger {trigger}", mine[0].GetProperty("message").GetString(), StringComparison.Ordinal);
            var runId = Value(mine[1], "RunId");
            Assert.Equal($"run {runId} of {pipeline} started (queue {Value(mine[0], "QueueId")}, trigger {trigger})", mine[1].GetProperty("message").GetString());
            Assert.Equal((runId, status), (Value(mine[2], "RunId"), Value(mine[2], "Status")));
            Assert.InRange(mine[2].GetProperty("values").GetProperty("DurationSeconds").GetDouble(), 0, 600);
            Assert.StartsWith($"run {runId} of {pipeline} {status} after ", mine[2].GetProperty("message").GetString(), StringComparison.Ordinal);
        }
        Assert.Contains("no_such_table", runs.Last(l => Value(l, "Pipeline") == "broken").GetProperty("message").GetString(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void JsonLog_AnException_IsWrittenWholeOnOneParseableLine()
    {
        using var writer = new StringWriter();
        using (var provider = new TextLoggerProvider(writer, TimeProvider.System, LogFormat.Json))
        {
            Exception failure;
            try
            {
                throw new InvalidOperationException("tick failed", new IOException("disk gone"));
            }
            catch (InvalidOperationException e)
            {
                failure = e;
            }
            provider.CreateLogger("Tributary.Engine.Orchestration.Daemon").LogError(failure, "daemon tick failed for {Pipeline}", "nightly");
        }

        var line = Assert.Single(writer.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        var entry = JsonDocument.Parse(line).RootElement;
        Assert.Equal("Error", entry.GetProperty("level").GetString());
        Assert.Equal("daemon tick failed for nightly", entry.GetProperty("message").GetString());
        Assert.Equal("nightly", entry.GetProperty("values").GetProperty("Pipeline").GetString());
        var exception = entry.GetProperty("exception");
        Assert.Equal("System.InvalidOperationException", exception.GetProperty("type").GetString());
        var details = exception.GetProperty("details").GetString()!;
        Assert.Contains("---> System.IO.IOException: disk gone", details, StringComparison.Ordinal);
        Assert.Contains(nameof(JsonLog_AnException_IsWrittenWholeOnOneParseableLine), details, StringComparison.Ordinal);
    }

    [Fact]
    public void TextLog_AnException_FollowsTheTimestampedLineWithItsStackTrace()
    {
        using var writer = new StringWriter();
        var provider = new TextLoggerProvider(writer, TimeProvider.System, LogFormat.Text);

        provider.CreateLogger("x").LogError(new InvalidOperationException("boom", new IOException("disk gone")), "daemon tick failed");

        var lines = writer.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Matches(@"^\d\d:\d\d:\d\d daemon tick failed$", lines[0]);
        Assert.Contains(lines, l => l.Contains("---> System.IO.IOException: disk gone", StringComparison.Ordinal));
    }
}
