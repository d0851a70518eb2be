namespace Tributary.Engine.Orchestration;

/// <summary>How the daemon's ticks are going, for a health check.</summary>
/// <param name="LastTickAt">When the last tick completed, or null before the first.</param>
/// <param name="FailingSince">The first of the ticks that have failed in a row since then, or null when the last one completed.</param>
/// <param name="Error">The last failed tick's error message, or null.</param>
public sealed record DaemonHealth(DateTimeOffset? LastTickAt, DateTimeOffset? FailingSince, string? Error)
{
    /// <summary>True while ticks fail: schedules, sensors and the queue do not advance.</summary>
    public bool Failing => FailingSince is not null;
}
