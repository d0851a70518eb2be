using System.Text.Json;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using Tributary.Core.Components;
using Tributary.Engine.Execution;

namespace Tributary.Cluster;

/// <summary>
/// Places each (asset, partition) attempt on the worker cluster as a fresh grain. When its worker is lost (killed,
/// unreachable, declared dead) the attempt is placed again under a new id, so it lands on a live worker and takes a new
/// epoch there; a component's own failure is not retried here but by the pipeline's retry policy, as in process (not at
/// all when the worker's warehouse refused the step's statement as written).
/// </summary>
/// <param name="client">The cluster client.</param>
/// <param name="maxPlacements">How many times one attempt is placed before its worker losses fail the step.</param>
/// <param name="time">The clock of the polls.</param>
/// <param name="log">Where placements and losses are logged.</param>
public sealed partial class ClusterStepPlacement(IClusterClient client, int maxPlacements, TimeProvider time, ILogger<ClusterStepPlacement> log) : IStepPlacement
{
    // How often a running attempt is asked how it stands: a lost worker is noticed within this plus the call's timeout.
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);

    // Polls in a row that may fail before the attempt counts as lost without a fresh activation saying so.
    private const int MaxFailedPolls = 5;

    // Starts refused in a row (the chosen worker unreachable) before the step fails, and the wait between them: together
    // longer than the membership takes to declare a killed worker dead (WorkerCluster: two missed 2 s probes, 2 s refresh).
    private const int MaxFailedStarts = 30;
    private static readonly TimeSpan StartRetryDelay = TimeSpan.FromSeconds(1);

    /// <inheritdoc />
    public async Task<Materialization> MaterializeAsync(StepAttempt attempt, CancellationToken cancellationToken)
    {
        var order = AttemptOrder.Of(attempt);
        for (int placement = 1, failedStarts = 0; ;)
        {
            var grain = client.GetGrain<IStepAttemptGrain>($"{attempt.RunId}/{attempt.Asset}/{attempt.Partition}/{Guid.NewGuid():N}");
            try
            {
                await grain.StartAsync(order).ConfigureAwait(false);
            }
            catch (Exception e) when (IsWorkerLost(e) && ++failedStarts < MaxFailedStarts && !cancellationToken.IsCancellationRequested)
            {
                // Until the membership declares a killed worker dead (a few seconds), placement may still pick it and the
                // call is refused: the attempt never started anywhere, so it is not a placement; wait and place it again.
                NotStarted(log, attempt.Asset, attempt.Partition, e.Message);
                await Task.Delay(StartRetryDelay, time, cancellationToken).ConfigureAwait(false);
                continue;
            }
            try
            {
                var outcome = await FollowAsync(grain, cancellationToken).ConfigureAwait(false);
                Placed(log, attempt.Asset, attempt.Partition, outcome.Worker, outcome.Epoch);
                return new Materialization(outcome.RowCount, JsonSerializer.Deserialize<Dictionary<string, object?>>(outcome.MetadataJson) ?? []);
            }
            catch (Exception e) when (IsWorkerLost(e) && placement < maxPlacements && !cancellationToken.IsCancellationRequested)
            {
                WorkerLost(log, attempt.Asset, attempt.Partition, placement, e.Message);
                placement++;
            }
        }
    }

    // Polls a started attempt until it answers; a poll that finds the attempt unknown means its worker was lost.
    private async Task<AttemptOutcome> FollowAsync(IStepAttemptGrain grain, CancellationToken cancellationToken)
    {
        try
        {
            for (var failedPolls = 0; ;)
            {
                await Task.Delay(PollInterval, time, cancellationToken).ConfigureAwait(false);
                AttemptProgress progress;
                try
                {
                    progress = await grain.PollAsync().ConfigureAwait(false);
                    failedPolls = 0;
                }
                catch (Exception e) when (IsWorkerLost(e) && ++failedPolls < MaxFailedPolls)
                {
                    // Perhaps only the gateway the poll went through was lost: poll again. Once the attempt's own worker is
                    // declared dead, the next poll reaches a fresh activation, which answers that it does not know it.
                    continue;
                }
                if (!progress.Known) throw new WorkerLostException($"attempt {grain.GetPrimaryKeyString()} is unknown where it was polled");
                if (progress.Outcome is { } outcome) return outcome;
                if (progress.Failure is { } failure) throw failure.ToException();
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Best effort: the run stops waiting either way, and an attempt that still commits is fenced by the next one.
            _ = grain.CancelAsync();
            throw;
        }
    }

    // The attempt's worker went away; the step itself did not fail.
    private static bool IsWorkerLost(Exception e) =>
        e is SiloUnavailableException or OrleansMessageRejectionException or TimeoutException or WorkerLostException;

    private sealed class WorkerLostException(string message) : Exception(message);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Asset} [{Partition}] materialized on {Worker} (epoch {Epoch})")]
    private static partial void Placed(ILogger logger, string asset, string partition, string worker, long epoch);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Asset} [{Partition}]: not started, its worker is unreachable ({Reason}); placing it again")]
    private static partial void NotStarted(ILogger logger, string asset, string partition, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Asset} [{Partition}]: worker lost on placement {Placement} ({Reason}); placing it again")]
    private static partial void WorkerLost(ILogger logger, string asset, string partition, int placement, string reason);
}
