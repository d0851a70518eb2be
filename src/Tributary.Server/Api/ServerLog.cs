using Microsoft.Extensions.Logging;

namespace Tributary.Server.Api;

/// <summary>The server's log lines, compiled once.</summary>
internal static partial class ServerLog
{
    [LoggerMessage(LogLevel.Warning, "pipeline {Pipeline} does not load")]
    public static partial void PipelineDoesNotLoad(this ILogger log, Exception exception, string pipeline);

    [LoggerMessage(LogLevel.Error, "{Method} {Path} failed")]
    public static partial void RequestFailed(this ILogger log, Exception exception, string method, string? path);
}
