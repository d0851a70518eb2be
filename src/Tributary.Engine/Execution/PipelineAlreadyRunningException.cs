using System.Globalization;
using Tributary.Engine.Runs;

namespace Tributary.Engine.Execution;

/// <summary>
/// A run refused because a live process is running the same pipeline (and partition); nothing is recorded. The message
/// names that run, its process and machine, since when, and how to wait for it or stop it.
/// </summary>
/// <param name="holder">The run that holds the pipeline.</param>
public sealed class PipelineAlreadyRunningException(LiveRun holder) : InvalidOperationException(Describe(holder))
{
    /// <summary>The run that holds the pipeline.</summary>
    public LiveRun Holder { get; } = holder;

    private static string Describe(LiveRun h)
    {
        var what = h.Partition is null ? $"pipeline '{h.Pipeline}'" : $"partition {h.Partition} of pipeline '{h.Pipeline}'";
        var where = h.Host is null ? $"process {h.ProcessId}" : $"process {h.ProcessId} on host {h.Host}";
        var since = h.StartedAt.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        return $"{what} is already running: run {h.RunId} (trigger {h.Trigger}), {where}, since {since}. Two runs of one pipeline at once would load "
            + $"the same files twice; this one is not started. Wait for it to end (trib runs show {h.RunId}), or stop it (Ctrl+C where it runs, 'trib runs cancel {h.RunId}' when 'trib serve' runs it, or end {where}); "
            + "a run whose process died does not block.";
    }
}
