using Tributary.Testing;

namespace Tributary.Core.Tests.Loading;

/// <summary>The fuzz tests' work bound counts the thread's CPU time, so time spent waiting (a busy machine) does not count.</summary>
public sealed class ThreadCpuClockTests
{
    [Fact]
    public void Measure_ASleepingThread_CountsAlmostNoCpuTime()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "the thread CPU clock is read on Linux only; elsewhere it is wall-clock time");

        var (result, cpu) = ThreadCpuClock.Measure(() => { Thread.Sleep(400); return 7; });

        Assert.Equal(7, result);
        Assert.InRange(cpu, TimeSpan.Zero, TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public void Measure_ABusyThread_CountsItsWork()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "the thread CPU clock is read on Linux only; elsewhere it is wall-clock time");

        var (_, cpu) = ThreadCpuClock.Measure(() =>
        {
            var x = 1UL;
            for (var i = 0; i < 20_000_000; i++) x = x * 6364136223846793005UL + 1442695040888963407UL;
            return x;
        });

        Assert.True(cpu > TimeSpan.Zero, $"20M multiplications took {cpu.TotalMilliseconds} ms of CPU");
    }
}
