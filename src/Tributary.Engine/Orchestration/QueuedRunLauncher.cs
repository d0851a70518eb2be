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
    IReadOnlyList<string>? allowedPaths = null, RunEventHub? events = null, IHttpClientFactory? http = null)
{
    /// <summary>Executes <paramref name="q"/>; usable as the daemon's <see cref="RunLauncher"/>.</summary>
    public async Task<RunResult> LaunchAsync(QueuedRun q, CancellationToken cancellationToken)
    {
        IReadOnlyDictionary<string, string>? partition = null;
        if (q.Partition is not null)
        {
            var plain = load(q.Pipeline, q.Params, null);
            if (plain.Partitions is null) throw new InvalidOperationException($"pipeline '{q.Pipeline}' has no partitions, but the run asks for '{q.Partition}'.");
            partition = new PartitionScheme(plain.Partitions).Parse(q.Partition, time.GetUtcNow()).Variables;
        }
        var spec = load(q.Pipeline, q.Params, partition);
        var request = new RunRequest
        {
            Trigger = q.Trigger, ProjectDirectory = projectDirectory, AllowedPaths = allowedPaths ?? [], Partition = q.Partition, Selection = q.Selection,
            Started = (runId, ct) => queue.UpdateQueueAsync(q.QueueId, QueueState.Launched, runId, ct),
        };
        return await new RunExecutor(catalog, warehouse, runs, options, time, events, http).ExecuteAsync(spec, request, cancellationToken).ConfigureAwait(false);
    }
}
