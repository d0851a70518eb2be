namespace Tributary.Core.Projects;

/// <summary>
/// The worker cluster (<c>workers:</c> in tributary.yaml): when set, each (asset, partition) attempt of a partitioned run
/// is placed on the 'trib worker' processes of <see cref="ClusterId"/>, whose membership lives in the PostgreSQL run store.
/// </summary>
public sealed record WorkerSettings
{
    /// <summary>The cluster's name, so that two projects sharing one PostgreSQL keep apart. Default "tributary".</summary>
    public string ClusterId { get; init; } = "tributary";

    /// <summary>How many times one attempt is placed again after losing its worker before the step fails. Default 3.</summary>
    public int MaxPlacements { get; init; } = 3;
}
