using Microsoft.Extensions.Logging;

namespace Tributary.Cli.Hosting;

/// <summary>The log lines of <c>trib serve</c> and <c>trib backfill</c>, compiled once.</summary>
internal static partial class CliLog
{
    [LoggerMessage(LogLevel.Warning, "pipeline {Pipeline} is not scheduled")]
    public static partial void PipelineNotScheduled(this ILogger log, Exception exception, string pipeline);

    [LoggerMessage(LogLevel.Warning, "pipeline {Pipeline}: on_failure's variable {Variable} is not set or not an absolute http(s) URL; its failed runs will send no alert")]
    public static partial void AlertUrlNotUsable(this ILogger log, string pipeline, string variable);

    [LoggerMessage(LogLevel.Warning, "{Diagnostic}")]
    public static partial void ProjectWarning(this ILogger log, string diagnostic);

    [LoggerMessage(LogLevel.Information, "serving {Project} at {Address}{Guard}; Ctrl+C stops")]
    public static partial void Serving(this ILogger log, string project, Uri address, string guard);

    [LoggerMessage(LogLevel.Information, "stopping: running runs are cancelled and queued again for the next start")]
    public static partial void Stopping(this ILogger log);

    [LoggerMessage(LogLevel.Warning, "  {Partition}: {Status}{Hint}")]
    public static partial void PartitionNotMaterialized(this ILogger log, string partition, string status, string hint);

    [LoggerMessage("backfill {BackfillId}: {Succeeded} of {Count} partition(s) materialized")]
    public static partial void BackfillDone(this ILogger log, LogLevel level, string backfillId, int succeeded, int count);

    [LoggerMessage(LogLevel.Information, "run the failed partitions again with: trib backfill {Pipeline} --resume {BackfillId}")]
    public static partial void BackfillResumable(this ILogger log, string backfillId, string pipeline);

    [LoggerMessage(LogLevel.Information, "worker {Worker} joined cluster '{Cluster}' on 127.0.0.1:{Port} (gateway {GatewayPort}); Ctrl+C stops")]
    public static partial void WorkerJoined(this ILogger log, string worker, string cluster, int port, int gatewayPort);

    [LoggerMessage(LogLevel.Information, "worker {Worker} leaving the cluster: running attempts end and are placed again by their run")]
    public static partial void WorkerLeaving(this ILogger log, string worker);
}
