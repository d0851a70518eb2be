using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Tributary.Testing;

namespace Tributary.Cli.Tests.Commands;

/// <summary>'trib serve' as its own process: token rules, runs handed over by 'trib run', and a backfill that survives kill -9.</summary>
public sealed partial class ServeTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly List<Process> _children = [];
    private string Project => Path.Combine(_temp.Path, "served");
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        foreach (var c in _children.Where(c => !c.HasExited)) c.Kill(entireProcessTree: true);
        foreach (var c in _children) c.Dispose();
        _temp.Dispose();
    }

    [GeneratedRegex(@"at (http://[^ ]+/)")]
    private static partial Regex Address();

    // Starts 'trib serve' on a free port and returns its address once it listens.
    private async Task<(Process Child, Uri Address)> ServeAsync(Dictionary<string, string>? environment = null, params string[] extra)
    {
        var child = Trib.Start(environment ?? [], ["serve", "--port", "0", "--project", Project, .. extra]);
        _children.Add(child);
        while (await child.StandardError.ReadLineAsync(Ct) is { } line)
            if (Address().Match(line) is { Success: true } m)
            {
                _ = DrainAsync(child);
                return (child, new Uri(m.Groups[1].Value));
            }
        throw new InvalidOperationException($"trib serve exited with {child.ExitCode} before listening");
    }

    private static async Task DrainAsync(Process child)
    {
        while (await child.StandardError.ReadLineAsync(CancellationToken.None) is not null) { }
    }

    [Fact]
    public async Task Serve_OutsideLoopback_RefusesToStartWithoutATokenAndThenRequiresIt()
    {
        Assert.Equal(0, (await Trib.RunAsync("init", Project)).ExitCode);
        using (var refused = Trib.Start("serve", "--host", "0.0.0.0", "--port", "0", "--project", Project))
        {
            var error = await refused.StandardError.ReadToEndAsync(Ct);
            await refused.WaitForExitAsync(Ct);
            Assert.Equal(1, refused.ExitCode);
            Assert.Contains("set TRIBUTARY_TOKEN", error, StringComparison.Ordinal);
        }

        var (_, address) = await ServeAsync(new() { ["TRIBUTARY_TOKEN"] = "s3cret-token" }, "--host", "0.0.0.0");
        var url = new Uri($"http://127.0.0.1:{address.Port}/api/health");
        using var http = new HttpClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync(url, Ct)).StatusCode);
        using var wrong = new HttpRequestMessage(HttpMethod.Get, url) { Headers = { { "Authorization", "Bearer nope" } } };
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.SendAsync(wrong, Ct)).StatusCode);
        using var right = new HttpRequestMessage(HttpMethod.Get, url) { Headers = { { "Authorization", "Bearer s3cret-token" } } };
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(right, Ct)).StatusCode);
    }

    [Fact]
    public async Task Run_WhileServing_IsHandedToTheServerWhichOwnsTheWarehouse()
    {
        Assert.Equal(0, (await Trib.RunAsync("init", Project)).ExitCode);
        File.WriteAllText(Path.Combine(Project, "pipelines", "hello.yaml"), "pipeline: hello\ncomponents:\n  - { id: greeting, type: transform.sql, with: { sql: \"SELECT 'hi' AS word\" } }\n");
        var (_, address) = await ServeAsync();

        var run = await Trib.RunAsync("run", "hello", "--project", Project);

        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Contains("submitted to the running server", run.Error, StringComparison.Ordinal);
        Assert.Contains("greeting greeting: 1 rows", run.Error.Replace("  ", " ", StringComparison.Ordinal), StringComparison.Ordinal);
        using var http = new HttpClient { BaseAddress = address };
        var runs = await http.GetFromJsonAsync<JsonElement>("/api/runs?pipeline=hello", Ct);
        Assert.Equal("succeeded", runs[0].GetProperty("status").GetString());
        Assert.Equal("api", runs[0].GetProperty("trigger").GetString());
        var wrong = await Trib.RunAsync("run", "hello", "--select", "nope", "--project", Project);
        Assert.Equal(1, wrong.ExitCode);
        Assert.Contains("the server answered 400", wrong.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Backfill_ServerKilledMidway_RestartCompletesEveryPartitionExactlyOnce()
    {
        Assert.Equal(0, (await Trib.RunAsync("init", Project)).ExitCode);
        // Each partition takes about a second (a large count), so the kill lands while some are running.
        File.WriteAllText(Path.Combine(Project, "pipelines", "daily.yaml"), """
            pipeline: daily
            partitions: { type: daily, start: 2025-01-01 }
            components:
              - id: totals
                type: transform.sql
                with: { sql: "SELECT '${partition.key}' AS day, (SELECT count(*) FROM range(400000000)) AS n" }
            """);
        var (first, address) = await ServeAsync();
        using var http = new HttpClient { BaseAddress = address };
        var started = await http.PostAsJsonAsync("/api/backfills", new { pipeline = "daily", from = "2025-01-01", to = "2025-01-06", concurrency = 2 }, Ct);
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var id = (await started.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("backfill_id").GetString();

        // Kill -9 once one partition is done and others are still to go.
        var watch = Stopwatch.StartNew();
        while (true)
        {
            var partitions = await Partitions(http, id!);
            if (partitions.Any(p => p == "succeeded") && partitions.Any(p => p is "running" or "pending" or "queued")) break;
            Assert.True(watch.Elapsed < TimeSpan.FromMinutes(2), "the backfill made no progress");
            await Task.Delay(100, Ct);
        }
        first.Kill(entireProcessTree: true);
        await first.WaitForExitAsync(Ct);

        var (_, again) = await ServeAsync();
        using var http2 = new HttpClient { BaseAddress = again };
        watch.Restart();
        while ((await http2.GetFromJsonAsync<JsonElement>($"/api/backfills/{id}", Ct)).GetProperty("backfill").GetProperty("status").GetString() == "running")
        {
            Assert.True(watch.Elapsed < TimeSpan.FromMinutes(3), "the backfill did not finish after the restart");
            await Task.Delay(200, Ct);
        }

        var final = await Partitions(http2, id!);
        var history = await http2.GetFromJsonAsync<JsonElement>("/api/runs?pipeline=daily&limit=100", Ct);
        Assert.True(final.All(p => p == "succeeded"), string.Join("\n", history.EnumerateArray().Select(r => $"{r.GetProperty("partition")} {r.GetProperty("status")} {r.GetProperty("error")}")));
        // Exactly once: one succeeded run per partition, and one row per partition in the table.
        var runs = await http2.GetFromJsonAsync<JsonElement>("/api/runs?pipeline=daily&limit=100", Ct);
        var succeeded = runs.EnumerateArray().Where(r => r.GetProperty("status").GetString() == "succeeded").Select(r => r.GetProperty("partition").GetString()).ToList();
        Assert.Equal(6, succeeded.Count);
        Assert.Equal(6, succeeded.Distinct().Count());
        var status = await http2.GetFromJsonAsync<JsonElement>("/api/pipelines/daily/partitions", Ct);
        Assert.Equal(6, status.EnumerateArray().Count(p => p.GetProperty("state").GetString() == "materialized" && p.GetProperty("asset").GetString() == "totals"
            && string.CompareOrdinal(p.GetProperty("partition").GetString(), "2025-01-06") <= 0));
        foreach (var c in _children.Where(c => !c.HasExited)) c.Kill(entireProcessTree: true);
        foreach (var c in _children) await c.WaitForExitAsync(Ct);
        var rows = await Trib.RunAsync("query", "SELECT partition_key, count(*) AS n FROM totals GROUP BY 1 ORDER BY 1", "--project", Project, "--format", "csv");
        Assert.Equal("partition_key,n\n2025-01-01,1\n2025-01-02,1\n2025-01-03,1\n2025-01-04,1\n2025-01-05,1\n2025-01-06,1\n", rows.Out.ReplaceLineEndings("\n"));
    }

    private static async Task<List<string>> Partitions(HttpClient http, string id) =>
        (await http.GetFromJsonAsync<JsonElement>($"/api/backfills/{id}", Ct)).GetProperty("partitions").EnumerateArray().Select(p => p.GetProperty("status").GetString()!).ToList();
}
