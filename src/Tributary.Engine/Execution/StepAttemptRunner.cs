using Tributary.Core.Components;
using Tributary.Core.Pipelines;
using Tributary.Core.Warehousing;
using Tributary.Engine.Runs;

namespace Tributary.Engine.Execution;

/// <summary>
/// Runs one <see cref="StepAttempt"/> where it was placed (a 'trib worker'): loads the pipeline from the project as the
/// executor did, takes the attempt's epoch from the run store, raises the partition's fences to it, and materializes the
/// step's component through the same context the executor builds, its partition writes fenced by that epoch.
/// </summary>
/// <param name="load">Loads a pipeline by name with params and, for a partition, its variables.</param>
/// <param name="catalog">The component types.</param>
/// <param name="warehouse">The project's warehouse.</param>
/// <param name="ledger">Issues the attempts' epochs (the shared run store).</param>
/// <param name="projectDirectory">The project folder.</param>
/// <param name="time">The clock.</param>
/// <param name="allowedPaths">Folders outside the project that components may use.</param>
/// <param name="http">HTTP clients for components that call out; none when null.</param>
public sealed class StepAttemptRunner(
    Func<string, IReadOnlyDictionary<string, string>, IReadOnlyDictionary<string, string>?, PipelineSpec> load,
    ComponentCatalog catalog, IWarehouse warehouse, IAttemptLedger ledger, string projectDirectory, TimeProvider time,
    IReadOnlyList<string>? allowedPaths = null, IHttpClientFactory? http = null)
{
    /// <summary>Materializes <paramref name="attempt"/> as <paramref name="worker"/>; returns what it wrote and its epoch.</summary>
    public async Task<(Materialization Materialization, long Epoch)> RunAsync(StepAttempt attempt, string worker, Action<string> log, CancellationToken cancellationToken)
    {
        var spec = PartitionedPipelines.Load(load, attempt.Pipeline, attempt.Params, attempt.Partition, time.GetUtcNow(), attempt.Asset);
        var step = spec.Components.FirstOrDefault(c => c.Id == attempt.Asset)
            ?? throw new InvalidOperationException($"pipeline '{attempt.Pipeline}' has no asset '{attempt.Asset}' in this project.");
        var plans = PipelinePlans.Of(spec, catalog);
        var epoch = await ledger.BeginAttemptAsync(attempt.RunId, attempt.Asset, attempt.Partition, worker, cancellationToken).ConfigureAwait(false);
        // As in the executor: the env values this worker read never reach the shared run store.
        var mask = SecretMask.Of(spec);
        try
        {
            var request = new RunRequest
            {
                Environment = mask.Recording(System.Environment.GetEnvironmentVariable),
                Trigger = "worker", ProjectDirectory = projectDirectory, AllowedPaths = allowedPaths ?? [], Partition = attempt.Partition, Params = attempt.Params,
                FullRefresh = attempt.FullRefresh,
                PartitionWindow = PartitionedPipelines.TablePartitionOf(spec, attempt.Asset, attempt.Partition, time.GetUtcNow()).Window,
            };
            var context = StepContexts.Create(step, plans, warehouse, request, attempt.RunId, time, log, http, spec.Timezone, new WriteFence(epoch, attempt.RunId));
            await AttemptFences.RaiseAsync(warehouse, StepContexts.WrittenTables(step, context.Outputs), attempt.Partition, epoch, cancellationToken).ConfigureAwait(false);
            var materialization = await catalog.Get(step.Type).MaterializeAsync(step.Parameters, context, cancellationToken).ConfigureAwait(false);
            await ledger.EndAttemptAsync(attempt.Asset, attempt.Partition, epoch, null, CancellationToken.None).ConfigureAwait(false);
            return (materialization, epoch);
        }
        catch (Exception e)
        {
            await ledger.EndAttemptAsync(attempt.Asset, attempt.Partition, epoch, mask.Apply(e.Message), CancellationToken.None).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Whether <paramref name="exception"/>, a failure of <see cref="RunAsync"/>, would fail every other attempt the same way
    /// (<see cref="StepFailures.CannotSucceedAgain"/>, with this worker's warehouse), so that the run does not retry it.
    /// </summary>
    public bool CannotSucceedAgain(Exception exception) => StepFailures.CannotSucceedAgain(exception, warehouse);
}
