using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Tributary.Testing;

/// <summary>
/// The CPU time the calling thread has used, so that a test's bound on work (a guard against a super-linear algorithm)
/// does not fail when other processes crowd the machine, as a wall-clock bound does. Linux reads the thread's own clock
/// (<c>clock_gettime(CLOCK_THREAD_CPUTIME_ID)</c>); elsewhere it falls back to wall-clock time.
/// </summary>
public static class ThreadCpuClock
{
    private const int ClockThreadCpuTimeId = 3;

    /// <summary>Runs <paramref name="work"/> and returns its result with the CPU time the calling thread spent on it.</summary>
    public static (T Result, TimeSpan Cpu) Measure<T>(Func<T> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        if (!OperatingSystem.IsLinux())
        {
            var watch = Stopwatch.StartNew();
            var value = work();
            return (value, watch.Elapsed);
        }
        var before = Now();
        var result = work();
        return (result, Now() - before);
    }

    private static TimeSpan Now()
    {
        if (ClockGetTime(ClockThreadCpuTimeId, out var spec) != 0) throw new InvalidOperationException("clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed");
        return TimeSpan.FromTicks(spec.Seconds * TimeSpan.TicksPerSecond + spec.Nanoseconds / 100);
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [DllImport("libc", EntryPoint = "clock_gettime")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int ClockGetTime(int clock, out TimeSpec time);
}
