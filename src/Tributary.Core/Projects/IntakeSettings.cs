namespace Tributary.Core.Projects;

/// <summary>
/// The event intake of <c>trib serve</c> (<c>intake:</c> in tributary.yaml): how often its loader moves acknowledged
/// events from the write-ahead log into the warehouse, how many at a time, and how large the log may grow before
/// senders are told to back off.
/// </summary>
public sealed record IntakeSettings
{
    /// <summary>Seconds between loads when fewer than <see cref="BatchSize"/> events wait. Default 2, 1 to 3600.</summary>
    public int FlushSeconds { get; init; } = 2;
    /// <summary>Events that start a load at once, and the most one load moves. Default 50,000.</summary>
    public int BatchSize { get; init; } = 50_000;
    /// <summary>Events the log may hold (acknowledged, not yet loaded) before calls are answered 429. Default 2,000,000.</summary>
    public int MaxLogRows { get; init; } = 2_000_000;
    /// <summary>Hours a messageId is remembered to drop a resent event. Default 24 (Segment's window), 1 to 720.</summary>
    public int DedupHours { get; init; } = 24;
    /// <summary>Warehouse table the loader appends to, with the columns <c>standardize.events</c> writes. Default <c>events</c>.</summary>
    public string Table { get; init; } = "events";
}
