using System.Text.Json;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using Tributary.Core.Components;
using Tributary.Engine.Execution;

namespace Tributary.Cluster;

/// <summary>
/// Places each (asset, partition) attempt on the worker cluster as a fresh grain. When its worker is lost (killed,
/// unreachable, declared dead) the attempt is placed again under a new id, so it lands on a live worker and takes a new
/// epoch there; a component's own failure is not retried here but by the pipeline's retry policy, as in process.
/// </summary>
/// <param name="client">The cluster client.</param>
/// <param name="maxPlacements">How many times one attempt is placed before its worker losses fail the step.</param>
/// <param name="log">Where placements and losses are logged.</param>
public sealed partial class ClusterStepPlacement(IClusterClient client, int maxPlacements, ILogger<ClusterStepPlacement> log) : IStepPlacement
{
    /// <inheritdoc />
    public async Task<Materialization> MaterializeAsync(StepAttempt attempt, CancellationToken cancellationToken)
    {
        var order = AttemptOrder.Of(attempt);
        for (var placement = 1; ; placement++)
        {
            var grain = client.GetGrain<IStepAttemptGrain>($"{attempt.RunId}/{attempt.Asset}/{attempt.Partition}/{Guid.NewGuid():N}");
            try
            {
                var outcome = await grain.MaterializeAsync(order, cancellationToken).ConfigureAwait(false);
                Placed(log, attempt.Asset, attempt.Partition, outcome.Worker, outcome.Epoch);
                return new Materialization(outcome.RowCount, JsonSerializer.Deserialize<Dictionary<string, object?>>(outcome.MetadataJson) ?? []);
            }
            catch (Exception e) when (IsWorkerLost(e) && placement < maxPlacements && !cancellationToken.IsCancellationRequested)
            {
                WorkerLost(log, attempt.Asset, attempt.Partition, placement, e.Message);
            }
        }
    }

    // The attempt's worker went away; the step itself did not fail.
    private static bool IsWorkerLost(Exception e) =>
        e is SiloUnavailableException or OrleansMessageRejectionException or TimeoutException;

    [LoggerMessage(Level = LogLevel.Information, Message = "{Asset} [{Partition}] materialized on {Worker} (epoch {Epoch})")]
    private static partial void Placed(ILogger logger, string asset, string partition, string worker, long epoch);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Asset} [{Partition}]: worker lost on placement {Placement} ({Reason}); placing it again")]
    private static partial void WorkerLost(ILogger logger, string asset, string partition, int placement, string reason);
}
