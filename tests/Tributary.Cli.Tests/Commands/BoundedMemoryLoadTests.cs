using System.Globalization;
using System.Text;
using Tributary.Testing;

namespace Tributary.Cli.Tests.Commands;

/// <summary>A source streams its file into the warehouse: a file several times the process's memory limit loads.</summary>
public sealed class BoundedMemoryLoadTests : IDisposable
{
    private const long HeapLimitBytes = 96L << 20;
    private const long FileBytes = 3 * HeapLimitBytes;
    private readonly TempDirectory _temp = new();
    private string Project => Path.Combine(_temp.Path, "big");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task SegmentEvents_FileThreeTimesTheHeapLimit_LoadsEveryRowAndRejectsTheBadOnes()
    {
        Assert.Equal(0, (await Trib.RunAsync("init", Project)).ExitCode);
        File.WriteAllText(Path.Combine(Project, "pipelines/big.yaml"), """
            pipeline: big
            components:
              - { id: events, type: source.segment_events, with: { path: data/events.ndjson } }
            """);
        Directory.CreateDirectory(Path.Combine(Project, "data"));
        var (events, bad) = WriteEvents(Path.Combine(Project, "data/events.ndjson"));

        // The GC may use 96 MB at most: holding the file's rows (or its text) in memory would fail the run.
        using var child = Trib.Start(new Dictionary<string, string> { ["DOTNET_GCHeapHardLimit"] = "0x" + HeapLimitBytes.ToString("X", CultureInfo.InvariantCulture) },
            "run", "big", "--project", Project);
        var stderr = child.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await child.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        await child.WaitForExitAsync(TestContext.Current.CancellationToken);
        Assert.True(child.ExitCode == 0, await stderr);

        var loaded = await Trib.RunAsync("query", "SELECT count(*) AS n, count(DISTINCT message_id) AS ids FROM events", "--project", Project, "--format", "csv");
        Assert.Equal($"n,ids\n{events},{events}\n", loaded.Out.ReplaceLineEndings("\n"));
        var rejected = await Trib.RunAsync("query", "SELECT line, reason FROM events__rejected ORDER BY line", "--project", Project, "--format", "csv");
        Assert.Equal("line,reason\n" + string.Concat(bad.Select(l => $"{l},a track event needs 'event'\n")), rejected.Out.ReplaceLineEndings("\n"));
    }

    // Track events with a large property each, and every 10,000th line a track event without its name.
    private static (long Events, List<long> BadLines) WriteEvents(string path)
    {
        var padding = new string('x', 4000);
        using var writer = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 20);
        long line = 0, events = 0;
        var bad = new List<long>();
        while (writer.BaseStream.Length < FileBytes)
        {
            line++;
            var name = line % 10_000 == 0 ? "" : "\"event\":\"Product Viewed\",";
            if (name.Length == 0) bad.Add(line);
            else events++;
            writer.Write(string.Create(CultureInfo.InvariantCulture,
                $"{{\"type\":\"track\",{name}\"messageId\":\"m{line}\",\"anonymousId\":\"a{line % 5000}\",\"timestamp\":\"2025-03-01T10:00:00Z\",\"properties\":{{\"note\":\"{padding}\",\"n\":{line}}}}}\n"));
        }
        return (events, bad);
    }
}
