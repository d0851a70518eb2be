namespace Tributary.Cluster;

/// <summary>One attempt at one (asset, partition), activated on whichever worker the cluster places it; keyed by an attempt id.</summary>
[Alias("Tributary.IStepAttemptGrain")]
public interface IStepAttemptGrain : IGrainWithStringKey
{
    /// <summary>Runs the attempt's step on this worker, fenced by a fresh epoch.</summary>
    [Alias("Materialize")]
    Task<AttemptOutcome> MaterializeAsync(AttemptOrder order, CancellationToken cancellationToken);
}
