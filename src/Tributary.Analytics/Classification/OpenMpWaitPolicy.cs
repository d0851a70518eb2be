using System.Runtime.InteropServices;

namespace Tributary.Analytics.Classification;

/// <summary>
/// Makes LightGBM's OpenMP threads sleep, not spin, while they wait for work. libgomp's threads spin between parallel
/// regions by default; on a machine whose cores are busy with anything else (DuckDB's threads in the same run, other
/// processes) the spinning cost several times the training's own CPU: 55k rows × 35 features × 150 trees took 17.3 CPU s
/// spinning and 2.4 CPU s passive (<c>dotnet run -c Release --project bench/Tributary.Bench -- classifier 55000</c>, load 44).
/// libgomp reads <c>OMP_WAIT_POLICY</c> once, when lib_lightgbm loads it, and on Unix .NET's
/// <see cref="Environment.SetEnvironmentVariable(string, string)"/> does not reach the C runtime's environment, so libc's
/// setenv sets it before the first training. A value the user set wins.
/// </summary>
internal static class OpenMpWaitPolicy
{
    private const string Variable = "OMP_WAIT_POLICY";
    private static readonly Lazy<bool> Applied = new(Apply);

    /// <summary>Sets the policy once per process, before LightGBM is loaded; later calls do nothing.</summary>
    public static void EnsurePassive() => _ = Applied.Value;

    private static bool Apply()
    {
        if (Environment.GetEnvironmentVariable(Variable) is { Length: > 0 }) return false;
        if (OperatingSystem.IsWindows())
        {
            Environment.SetEnvironmentVariable(Variable, "PASSIVE");
            return true;
        }
        // Null-terminated UTF-8, as the C function takes them.
        return SetEnv("OMP_WAIT_POLICY\0"u8.ToArray(), "PASSIVE\0"u8.ToArray(), 0) == 0;
    }

    [DllImport("libc", EntryPoint = "setenv")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int SetEnv(byte[] name, byte[] value, int overwrite);
}
