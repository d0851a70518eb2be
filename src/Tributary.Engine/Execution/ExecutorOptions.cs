namespace Tributary.Engine.Execution;

/// <summary>Executor settings, validated on construction.</summary>
public sealed record ExecutorOptions
{
    /// <summary>Steps run at once. Default 4, at least 1.</summary>
    public int MaxParallelSteps { get; }

    /// <summary>Where a partitioned run's steps materialize; in this process when null (the default).</summary>
    public IStepPlacement? Placement { get; init; }

    /// <summary>
    /// Whether the process of a run recorded on this machine is alive, to tell a run that holds its pipeline from one a dead
    /// process left "running". Default <see cref="LocalProcess.IsAlive"/>.
    /// </summary>
    public Func<int, bool> ProcessAlive { get; init; } = LocalProcess.IsAlive;

    /// <summary>Creates validated options.</summary>
    public ExecutorOptions(int maxParallelSteps = 4)
    {
        if (maxParallelSteps < 1) throw new ArgumentOutOfRangeException(nameof(maxParallelSteps), maxParallelSteps, "parallelism must be at least 1.");
        MaxParallelSteps = maxParallelSteps;
    }
}
