namespace Tributary.Core.Projects;

/// <summary>
/// How long the run store keeps history (<c>retention:</c> in tributary.yaml); the daemon of 'trib serve' deletes what is
/// older every <see cref="Period"/>, and 'trib runs prune' on demand. Null keeps that kind forever (<c>forever</c>).
/// </summary>
public sealed record RetentionSettings
{
    /// <summary>Ended runs with their steps, events, materializations and check results, and finished queue entries. Default 90 days.</summary>
    public TimeSpan? Runs { get; init; } = TimeSpan.FromDays(90);
    /// <summary>Schedule and sensor ticks that requested a run, failed or alerted. Default 30 days.</summary>
    public TimeSpan? Ticks { get; init; } = TimeSpan.FromDays(30);
    /// <summary>Ticks that found nothing to do (a 30 s sensor writes 2,880 a day). Default 1 day.</summary>
    public TimeSpan? SkippedTicks { get; init; } = TimeSpan.FromDays(1);

    /// <summary>How often the daemon prunes: hourly.</summary>
    public static TimeSpan Period { get; } = TimeSpan.FromHours(1);
    /// <summary>The least retention accepted: one hour.</summary>
    public static TimeSpan Minimum { get; } = TimeSpan.FromHours(1);
}
