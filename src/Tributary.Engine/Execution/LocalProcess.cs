using System.Diagnostics;

namespace Tributary.Engine.Execution;

/// <summary>Whether a process of this machine is alive, for runs that record the process executing them.</summary>
public static class LocalProcess
{
    /// <summary>True when process <paramref name="pid"/> exists here and has not exited; this process always is.</summary>
    public static bool IsAlive(int pid)
    {
        if (pid == Environment.ProcessId) return true;
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
