using System.Globalization;
using System.Runtime.InteropServices;
using Tributary.Core.Memory;

namespace Tributary.Core.Tests.Memory;

public sealed class HugePageArraysTests
{
    [Fact]
    public void Allocate_SmallArray_IsAnOrdinaryArrayOfThatLength()
    {
        var array = HugePageArrays.Allocate<int>(1000);

        Assert.Equal(1000, array.Length);
        array[999] = 7;
        Assert.Equal(7, array[999]);
    }

    // Where Linux gives transparent huge pages on request (the "madvise" mode; "always" gives them to any array and
    // "never" to none, so neither can tell the advice apart), the memory of a large array written end to end is counted
    // in huge pages in the process's own memory map.
    [Fact]
    public void Allocate_LargeArray_IsBackedByHugePagesWhereTheSystemGivesThemOnRequest()
    {
        const string mode = "/sys/kernel/mm/transparent_hugepage/enabled";
        Assert.SkipUnless(OperatingSystem.IsLinux() && File.Exists(mode) && File.ReadAllText(mode).Contains("[madvise]", StringComparison.Ordinal),
            "transparent huge pages are not given on request here (Linux with transparent_hugepage/enabled = madvise)");
        var array = HugePageArrays.Allocate<long>(8 << 20); // 64 MB
        for (var i = 0; i < array.Length; i += 512) array[i] = i;

        // The middle of the array: the advice covers whole pages inside it, so its first page has a mapping of its own.
        var middle = (ulong)Marshal.UnsafeAddrOfPinnedArrayElement(array, array.Length / 2);
        Assert.True(HugePagesKbAround(middle) >= 2048, $"no huge page backs the array's memory at {middle:x}");
        GC.KeepAlive(array);
    }

    // The AnonHugePages line of the mapping that holds address, in /proc/self/smaps.
    private static long HugePagesKbAround(ulong address)
    {
        var inside = false;
        foreach (var line in File.ReadLines("/proc/self/smaps"))
        {
            var dash = line.IndexOf('-', StringComparison.Ordinal);
            var space = line.IndexOf(' ', StringComparison.Ordinal);
            if (dash > 0 && space > dash && ulong.TryParse(line.AsSpan(0, dash), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var from)
                && ulong.TryParse(line.AsSpan(dash + 1, space - dash - 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var to))
            {
                inside = from <= address && address < to;
                continue;
            }
            if (inside && line.StartsWith("AnonHugePages:", StringComparison.Ordinal))
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
        }
        return 0;
    }
}
