namespace Tributary.Cluster;

/// <summary>
/// One attempt at one (asset, partition), activated on whichever worker the cluster places it; keyed by an attempt id.
/// The caller starts it and then polls it with short calls, so that a worker killed mid-step is noticed by the next poll
/// (refused, timed out, or answered by a fresh activation that never started it) rather than by a step-long call.
/// </summary>
[Alias("Tributary.IStepAttemptGrain")]
public interface IStepAttemptGrain : IGrainWithStringKey
{
    /// <summary>Starts the attempt's step on this worker, fenced by a fresh epoch; returns once it is under way.</summary>
    [Alias("Start")]
    Task StartAsync(AttemptOrder order);

    /// <summary>Where the attempt stands: under way, committed, or failed (with the step's own failure).</summary>
    [Alias("Poll")]
    Task<AttemptProgress> PollAsync();

    /// <summary>Cancels the attempt's step (the run was cancelled); its partition keeps its previous version.</summary>
    [Alias("Cancel")]
    Task CancelAsync();
}
