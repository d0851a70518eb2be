namespace Tributary.Engine.Runs;

/// <summary>How the PostgreSQL run store rides out a database outage (a restart, a failover, a dropped connection).</summary>
public sealed record PostgresRunStoreOptions
{
    /// <summary>
    /// How long a call keeps retrying transient errors (connection refused or reset, 57P01/57P02/57P03, class 08) before
    /// it fails with <see cref="RunStoreUnavailableException"/>. Default 60 seconds; zero retries nothing.
    /// </summary>
    public TimeSpan RetryFor { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The wait before the first retry, doubling on each one up to <see cref="MaxRetryDelay"/>. Default 250 ms.</summary>
    public TimeSpan FirstRetryDelay { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>The longest wait between two retries. Default 5 seconds.</summary>
    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The clock the waits run on.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;
}
