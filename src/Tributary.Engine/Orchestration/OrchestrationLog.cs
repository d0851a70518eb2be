using Microsoft.Extensions.Logging;

namespace Tributary.Engine.Orchestration;

/// <summary>The daemon's and failure alerts' log lines, compiled once (no boxing or parsing per call).</summary>
internal static partial class OrchestrationLog
{
    [LoggerMessage(LogLevel.Error, "daemon tick failed")]
    public static partial void TickFailed(this ILogger log, Exception exception);

    [LoggerMessage(LogLevel.Information, "backfill {BackfillId} of {Pipeline}{Group}: {Count} partition(s) from {From} to {To}, {Concurrency} at a time")]
    public static partial void BackfillStarted(this ILogger log, string backfillId, string pipeline, string group, int count, string from, string to, int concurrency);

    [LoggerMessage(LogLevel.Warning, "run {RunId} of {Pipeline}{Partition} died with its process; queued again")]
    public static partial void RunRequeued(this ILogger log, string runId, string pipeline, string partition);

    [LoggerMessage(LogLevel.Information, "run queued: {QueueId} of {Pipeline}{Partition}, trigger {Trigger}")]
    public static partial void RunQueued(this ILogger log, string queueId, string pipeline, string partition, string trigger);

    [LoggerMessage(LogLevel.Information, "run {RunId} of {Pipeline}{Partition} started (queue {QueueId}, trigger {Trigger})")]
    public static partial void RunStarted(this ILogger log, string runId, string pipeline, string partition, string queueId, string trigger);

    [LoggerMessage(LogLevel.Information, "run {RunId} of {Pipeline}{Partition} {Status} after {DurationSeconds}s (queue {QueueId}, trigger {Trigger}){Error}")]
    public static partial void RunFinished(this ILogger log, string runId, string pipeline, string partition, string status, double durationSeconds, string queueId, string trigger, string error);

    [LoggerMessage(LogLevel.Information, "daemon took the lead from another process: it now ticks schedules, sensors, backfills and the run queue")]
    public static partial void LeadTaken(this ILogger log);

    [LoggerMessage(LogLevel.Warning, "daemon lost the lead (its store connection dropped); its runs are stopped for the new leader to requeue")]
    public static partial void LeadLost(this ILogger log);

    [LoggerMessage(LogLevel.Information, "backfill {BackfillId} of {Pipeline} {Status}")]
    public static partial void BackfillEnded(this ILogger log, string backfillId, string pipeline, string status);

    [LoggerMessage(LogLevel.Information, "run {QueueId} of {Pipeline}{Partition} stays queued: {Reason}")]
    public static partial void RunWaits(this ILogger log, string queueId, string pipeline, string partition, string reason);

    [LoggerMessage(LogLevel.Warning, "run {RunId} of {Pipeline}{Partition} did not stop within {GraceSeconds}s of the stop: recorded failed and queued again for the next start")]
    public static partial void RunAbandoned(this ILogger log, string runId, string pipeline, string partition, double graceSeconds);

    [LoggerMessage(LogLevel.Error, "run of {Pipeline} could not start")]
    public static partial void RunNotStarted(this ILogger log, Exception exception, string pipeline);

    [LoggerMessage(LogLevel.Error, "run {RunId} of {Pipeline} ended, but the run store could not record its end; it is closed when the store answers again")]
    public static partial void RunNotRecorded(this ILogger log, Exception exception, string runId, string pipeline);

    [LoggerMessage(LogLevel.Warning, "{Alert}")]
    public static partial void Alert(this ILogger log, string alert);

    [LoggerMessage(LogLevel.Warning, "on_failure: environment variable {Variable} is not set; no alert sent")]
    public static partial void AlertUrlMissing(this ILogger log, string variable);

    [LoggerMessage(LogLevel.Warning, "on_failure: the webhook answered {StatusCode}")]
    public static partial void AlertRefused(this ILogger log, int statusCode);

    [LoggerMessage(LogLevel.Warning, "on_failure: environment variable {Variable} does not hold an absolute http(s) URL; no alert sent")]
    public static partial void AlertUrlInvalid(this ILogger log, string variable);

    [LoggerMessage(LogLevel.Warning, "on_failure: the webhook in {Variable} could not be reached ({Kind}: {Reason}); no alert sent")]
    public static partial void AlertUnreachable(this ILogger log, string variable, string kind, string reason);
}
