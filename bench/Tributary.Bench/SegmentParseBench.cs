using System.Diagnostics;
using Tributary.Components.Sources;
using Tributary.Components.Sources.Platform;
using Tributary.Core.Warehousing;

namespace Tributary.Bench;

/// <summary>
/// Splits the Segment load's C# side: reading and decoding lines alone, then lines parsed into rows, over one NDJSON
/// file, with no warehouse; what is left of <c>bench/segment-load.sh</c>'s time is the warehouse's append and commit.
/// </summary>
internal static class SegmentParseBench
{
    public static void Run(string path, int repeat)
    {
        var parameters = new SegmentEventsParameters { Path = path };
        for (var r = 0; r < repeat; r++)
        {
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            long lines = 0;
            foreach (var _ in SourceLineReader.ReadAll(path, TextEncoding.Utf8, parameters.MaxRecordBytes)) lines++;
            Report("lines read", lines, clock.Elapsed, Process.GetCurrentProcess().TotalProcessorTime - cpu);

            cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var (allocated, young) = (GC.GetTotalAllocatedBytes(precise: true), GC.CollectionCount(0));
            clock.Restart();
            long valid = 0, rejected = 0;
            foreach (var row in SegmentEventsSource.Read(path, parameters))
            {
                if (row.Values is null) rejected++;
                else valid++;
            }
            Report($"lines parsed ({rejected} rejected)", valid + rejected, clock.Elapsed, Process.GetCurrentProcess().TotalProcessorTime - cpu);
            Console.WriteLine($"  allocated {(GC.GetTotalAllocatedBytes(precise: true) - allocated) / (valid + rejected + 1.0):N0} bytes per line, {GC.CollectionCount(0) - young} young collections");
        }
    }

    private static void Report(string what, long events, TimeSpan wall, TimeSpan cpu) =>
        Console.WriteLine($"{what}: {events:N0} in {wall.TotalSeconds:0.00} s = {events / wall.TotalSeconds:N0}/s (CPU {cpu.TotalSeconds:0.00} s = {events / cpu.TotalSeconds:N0} per CPU-second)");
}
