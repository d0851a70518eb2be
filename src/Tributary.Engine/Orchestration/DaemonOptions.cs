namespace Tributary.Engine.Orchestration;

/// <summary>Limits and timings of the <see cref="Daemon"/>.</summary>
public sealed record DaemonOptions
{
    /// <summary>Runs executing at once, across pipelines. Default 2.</summary>
    public int MaxConcurrentRuns { get; init; } = 2;
    /// <summary>How long a sensor evaluation may take before it is recorded as failed. Default 30 s.</summary>
    public TimeSpan SensorTimeout { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>A schedule tick older than this when seen was missed (the daemon was down). Default 1 minute.</summary>
    public TimeSpan MissedAfter { get; init; } = TimeSpan.FromMinutes(1);
    /// <summary>Pause between ticks of the loop. Default 1 s.</summary>
    public TimeSpan TickInterval { get; init; } = TimeSpan.FromSeconds(1);
    /// <summary>
    /// How long stopping waits for cancelled runs to end. A run still executing then (a step in a call that cannot be
    /// interrupted) is recorded failed and queued again before the daemon returns. Default 20 s, inside the server's 30 s
    /// shutdown timeout so that those writes happen before the process exits.
    /// </summary>
    public TimeSpan StopGrace { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>Throws when a value is out of range.</summary>
    public DaemonOptions Validate()
    {
        if (MaxConcurrentRuns < 1) throw new ArgumentOutOfRangeException(nameof(MaxConcurrentRuns), MaxConcurrentRuns, "at least one run must be able to execute.");
        if (SensorTimeout <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(SensorTimeout), SensorTimeout, "must be positive.");
        if (TickInterval <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(TickInterval), TickInterval, "must be positive.");
        if (StopGrace < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(StopGrace), StopGrace, "must not be negative.");
        return this;
    }
}
