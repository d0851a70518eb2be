using System.Diagnostics;
using Tributary.Testing;

namespace Tributary.Cli.Tests.Server;

/// <summary>
/// Segment's own Node library (<c>@segment/analytics-node</c>, installed with <c>npm ci</c> from tests/intake-node's lock
/// file) pointed at trib serve: what it sends lands in the events table with the right fields.
/// </summary>
public sealed class IntakeNodeLibraryTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task AnalyticsNode_IdentifyTrackPage_ArriveInABatch_AndLoadWithTheirFields()
    {
        var client = Directory.CreateDirectory(Path.Combine(_temp.Path, "client")).FullName;
        foreach (var file in new[] { "package.json", "package-lock.json", "send.mjs" })
            File.Copy(Path.Combine(RepositoryFiles.Root, "tests", "intake-node", file), Path.Combine(client, file));
        Assert.Equal(0, (await RunAsync("npm", client, "ci", "--no-audit", "--no-fund", "--loglevel=error")).ExitCode);
        await using var site = await IntakeApiTests.IntakeSite.StartAsync(_temp, Ct);

        var (exit, output) = await RunAsync("node", client, "send.mjs", site.Address.ToString().TrimEnd('/'), site.Key);

        Assert.True(exit == 0, output);
        Assert.Equal(3, await site.LoadAsync(Ct));
        var rows = (await site.EventsAsync(Ct)).ToDictionary(r => (string)r["event_id"]!);
        Assert.Equal(["node-identify", "node-page", "node-track"], rows.Keys.Order());
        Assert.Equal(("identify", "node-user", "node.user@example.com"), (rows["node-identify"]["type"], rows["node-identify"]["user_id"], rows["node-identify"]["email"]));
        Assert.Equal(("track", "Order Completed", "node-order", 25.5, "EUR"),
            (rows["node-track"]["type"], rows["node-track"]["event"], rows["node-track"]["order_id"], rows["node-track"]["revenue"], rows["node-track"]["currency"]));
        Assert.Equal(("page", "Pricing", "node-anon", "https://example.com/pricing"),
            (rows["node-page"]["type"], rows["node-page"]["event"], rows["node-page"]["anonymous_id"], rows["node-page"]["page_url"]));
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string program, string directory, params string[] args)
    {
        var info = new ProcessStartInfo(program) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"{program} did not start (Node.js and npm must be on the PATH)");
        var output = process.StandardOutput.ReadToEndAsync(Ct);
        var error = process.StandardError.ReadToEndAsync(Ct);
        await process.WaitForExitAsync(Ct);
        return (process.ExitCode, await output + await error);
    }
}
