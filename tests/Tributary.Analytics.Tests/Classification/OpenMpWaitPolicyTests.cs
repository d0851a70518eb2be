using System.Runtime.InteropServices;
using Tributary.Analytics.Classification;

namespace Tributary.Analytics.Tests.Classification;

public sealed class OpenMpWaitPolicyTests
{
    [Fact]
    public void Training_LeavesLightGbmsOpenMpThreadsPassiveInTheCRuntimesEnvironment()
    {
        if (OperatingSystem.IsWindows()) Assert.Skip("the C runtime's environment is read through libc's getenv, which is Unix's");
        var before = Environment.GetEnvironmentVariable("OMP_WAIT_POLICY");
        var rows = Enumerable.Range(0, 200).Select(i => new[] { (float)(i % 10), (float)(i % 7) }).ToList();
        BoostedClassifier.Train(rows, rows.Select(r => r[0] > 4).ToList(), new BoostedClassifierOptions(Trees: 3, MinExamplesPerLeaf: 5));

        // What libgomp reads when lib_lightgbm loads: the C runtime's environment, not .NET's copy of it.
        var seen = Marshal.PtrToStringUTF8(GetEnv("OMP_WAIT_POLICY\0"u8.ToArray()));
        Assert.Equal(before is { Length: > 0 } ? before : "PASSIVE", seen);
    }

    [DllImport("libc", EntryPoint = "getenv")]
    private static extern IntPtr GetEnv(byte[] name);
}
