namespace Tributary.Analytics.Fraud;

/// <summary>Settings of <see cref="IsolationForest.Fit"/>; the defaults are the papers'.</summary>
public sealed record IsolationForestOptions
{
    /// <summary>Axis-parallel cuts (Liu et al. 2008) or hyperplane cuts (Hariri et al. 2019). Default extended.</summary>
    public IsolationMethod Method { get; init; } = IsolationMethod.Extended;

    /// <summary>
    /// Extended method only: how many dimensions beyond one a hyperplane's slope uses, 0 (axis-parallel cuts) to
    /// dimensions − 1 (fully extended). Null means dimensions − 1.
    /// </summary>
    public int? ExtensionLevel { get; init; }

    /// <summary>Trees in the forest. Default 100.</summary>
    public int Trees { get; init; } = 100;

    /// <summary>Rows subsampled without replacement for each tree, ψ (all rows when fewer). Default 256.</summary>
    public int SampleSize { get; init; } = 256;

    /// <summary>Seed of the subsamples and cuts; a seed gives the same forest whatever the thread count.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>Most threads used to fit and score; -1 for as many as the scheduler gives.</summary>
    public int MaxDegreeOfParallelism { get; init; } = -1;
}
