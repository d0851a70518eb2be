using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Tributary.Core.Projects;
using Tributary.Testing;

namespace Tributary.Cli.Tests.Server;

/// <summary>
/// Issue 21's fault test in the slow tier (<c>--filter "Tier=Slow"</c> runs only it, <c>"Tier!=Slow"</c> leaves it out):
/// <c>trib serve</c> is killed with SIGKILL while senders post batches with known messageIds, then restarted, ten times
/// over; after each restart every acknowledged messageId is in the warehouse exactly once.
/// </summary>
[Trait("Tier", "Slow")]
public sealed class IntakeKillTests : IDisposable
{
    private const int Runs = 10;
    private const int Senders = 4;
    private const int BatchEvents = 50;
    // Acknowledged events before the kill: enough for several group commits and loads to be under way at once.
    private const int AckedBeforeKill = 3_000;

    private readonly TempDirectory _temp = new();
    private readonly TribProcesses _trib = new();
    private string Project => Path.Combine(_temp.Path, "project");
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        _trib.Dispose();
        _temp.Dispose();
    }

    [Fact]
    public async Task KillDashNineUnderLoad_TenTimes_EveryAcknowledgedEventIsLoadedExactlyOnce()
    {
        Assert.Equal(0, (await Trib.RunAsync("init", Project)).ExitCode);
        // Loads every second and in small batches, so that kills land between a load's commit and the log's truncation too.
        File.AppendAllText(Path.Combine(Project, ProjectSettings.FileName), "intake:\n  flush_seconds: 1\n  batch_size: 1000\n");
        var key = (await Trib.RunAsync("sources", "add", "bench", "--project", Project)).Out.Trim();
        var (server, address) = await ServeAsync();
        var report = new List<string>();
        for (var run = 1; run <= Runs; run++)
        {
            var prefix = $"r{run}-";
            var acked = new ConcurrentBag<string>();
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
            var senders = Enumerable.Range(0, Senders).Select(s => SendAsync(address, key, $"{prefix}{s}-", acked, stop.Token)).ToList();
            var watch = Stopwatch.StartNew();
            while (acked.Count < AckedBeforeKill && senders.All(s => !s.IsCompleted))
            {
                Assert.True(watch.Elapsed < TimeSpan.FromMinutes(2), $"run {run}: only {acked.Count} events acknowledged in two minutes");
                await Task.Delay(20, Ct);
            }
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync(Ct);
            await Task.WhenAll(senders);
            File.Delete(Path.Combine(Project, ".tributary", "server.json"));
            (server, address) = await ServeAsync();

            var expected = acked.ToHashSet(StringComparer.Ordinal);
            var loaded = await LoadedAsync(prefix, expected);
            Assert.Empty(expected.Except(loaded.Keys));
            Assert.Empty(loaded.Where(l => l.Value > 1).Select(l => $"{l.Key} x{l.Value}"));
            report.Add($"run {run}: {expected.Count} acknowledged, {loaded.Count} loaded once, 0 lost, 0 duplicated");
        }
        TestContext.Current.SendDiagnosticMessage(string.Join("\n", report));
    }

    // Posts batches of new messageIds until the server goes away or the test stops; records each acknowledged batch.
    private static async Task SendAsync(Uri address, string key, string prefix, ConcurrentBag<string> acked, CancellationToken ct)
    {
        using var http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
        var auth = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(key + ":")));
        for (var n = 0; !ct.IsCancellationRequested; n++)
        {
            var ids = Enumerable.Range(0, BatchEvents).Select(i => $"{prefix}{n}-{i}").ToList();
            var body = "{\"batch\":[" + string.Join(",", ids.Select((id, i) => $$"""{"type":"track","userId":"u{{i}}","event":"Fault Run","messageId":"{{id}}"}""")) + "]}";
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/batch") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            request.Headers.Authorization = auth;
            try
            {
                using var response = await http.SendAsync(request, ct);
                // 429 (the loader behind) is an answer too: the batch was refused, so it need not be in the warehouse.
                if (response.StatusCode == HttpStatusCode.OK) foreach (var id in ids) acked.Add(id);
            }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException)
            {
                return;
            }
        }
    }

    // The run's messageIds in the warehouse with their counts, once every acknowledged one is there (or two minutes passed).
    private async Task<Dictionary<string, long>> LoadedAsync(string prefix, HashSet<string> acknowledged)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            var query = await Trib.RunAsync("query", $"SELECT event_id, count(*) AS n FROM events WHERE event_id LIKE '{prefix}%' GROUP BY event_id",
                "--project", Project, "--format", "csv");
            var rows = query.ExitCode == 0
                ? query.Out.ReplaceLineEndings("\n").Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(l => l.Split(','))
                    .ToDictionary(p => p[0], p => long.Parse(p[1], System.Globalization.CultureInfo.InvariantCulture), StringComparer.Ordinal)
                : [];
            if (acknowledged.All(rows.ContainsKey) || watch.Elapsed > TimeSpan.FromMinutes(2)) return rows;
            await Task.Delay(200, Ct);
        }
    }

    private Task<(Process Server, Uri Address)> ServeAsync() => _trib.ServeAsync(Project, Ct);
}
