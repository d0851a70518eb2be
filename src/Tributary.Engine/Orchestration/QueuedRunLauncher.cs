using Microsoft.Extensions.Logging;
using Tributary.Core.Components;
using Tributary.Core.Pipelines;
using Tributary.Core.Warehousing;
using Tributary.Engine.Execution;
using Tributary.Engine.Runs;

namespace Tributary.Engine.Orchestration;

/// <summary>
/// Runs a queued run: loads its pipeline with the run's params (and, for a partition, the partition's values), executes
/// it, and tells the queue the run id as soon as the run exists, so a client or a restarted daemon can follow it.
/// </summary>
public sealed class QueuedRunLauncher(
    Func<string, IReadOnlyDictionary<string, string>, IReadOnlyDictionary<string, string>?, PipelineSpec> load,
    ComponentCatalog catalog, IWarehouse warehouse, IRunStore runs, IOrchestrationStore queue, ExecutorOptions options, string projectDirectory, TimeProvider time,
    IReadOnlyList<string>? allowedPaths = null, RunEventHub? events = null, IHttpClientFactory? http = null, ILogger? log = null)
{
    /// <summary>Executes <paramref name="q"/>; usable as the daemon's <see cref="RunLauncher"/>.</summary>
    public async Task<RunResult> LaunchAsync(QueuedRun q, CancellationToken cancellationToken)
    {
        var spec = PartitionedPipelines.Load(load, q.Pipeline, q.Params, q.Partition, time.GetUtcNow(), q.Selection);
        var request = new RunRequest
        {
            Trigger = q.Trigger, ProjectDirectory = projectDirectory, AllowedPaths = allowedPaths ?? [], Partition = q.Partition, Selection = q.Selection, Params = q.Params,
            FullRefresh = q.FullRefresh,
            // The server's environment is the run's: a variable missing here is said in the run's log, where its page shows it.
            Warnings = RunRequest.LoadWarnings(spec.Warnings, projectDirectory),
            PartitionWindow = q.Partition is { } key ? PartitionedPipelines.TablePartitionOf(spec, q.Selection, key, time.GetUtcNow()).Window : null,
            Started = (runId, ct) =>
            {
                log?.RunStarted(runId, q.Pipeline, q.Partition is null ? "" : $" [{q.Partition}]", q.QueueId, q.Trigger);
                return queue.UpdateQueueAsync(q.QueueId, QueueState.Launched, runId, ct);
            },
        };
        return await new RunExecutor(catalog, warehouse, runs, options, time, events, http).ExecuteAsync(spec, request, cancellationToken).ConfigureAwait(false);
    }
}
