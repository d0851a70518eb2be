namespace Tributary.Engine.Runs;

/// <summary>
/// The epochs of step attempts, kept by a run store that several processes share: every attempt at an (asset, partition)
/// takes a higher epoch than the ones before it, whichever worker runs it.
/// </summary>
public interface IAttemptLedger
{
    /// <summary>Records an attempt of <paramref name="asset"/> [<paramref name="partition"/>] by <paramref name="worker"/>; returns its epoch.</summary>
    Task<long> BeginAttemptAsync(string runId, string asset, string partition, string worker, CancellationToken cancellationToken);

    /// <summary>Records how an attempt ended: succeeded, or failed with <paramref name="failure"/>.</summary>
    Task EndAttemptAsync(string asset, string partition, long epoch, string? failure, CancellationToken cancellationToken);
}
