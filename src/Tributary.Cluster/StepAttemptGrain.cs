using Microsoft.Extensions.Logging;
using Orleans.Placement;
using Tributary.Engine.Execution;

namespace Tributary.Cluster;

/// <summary>
/// Runs an attempt with the worker's <see cref="StepAttemptRunner"/>: the same component code and step context as in
/// process, the partition's writes fenced by the epoch the run store issues. Placed at random, so attempts spread over
/// the workers; one activation per attempt, gone once its outcome was polled.
/// </summary>
[RandomPlacement]
internal sealed partial class StepAttemptGrain(StepAttemptRunner runner, WorkerIdentity worker, ILogger<StepAttemptGrain> log) : Grain, IStepAttemptGrain, IDisposable
{
    private readonly CancellationTokenSource _cancel = new();
    private Task<AttemptProgress>? _work;

    public Task StartAsync(AttemptOrder order)
    {
        // A second start of one attempt id (a resent message) joins the first.
        _work ??= RunAsync(order, _cancel.Token);
        return Task.CompletedTask;
    }

    public async Task<AttemptProgress> PollAsync()
    {
        if (_work is null)
        {
            // This activation never started the attempt: its worker was lost and the grain was activated again here.
            DeactivateOnIdle();
            return new AttemptProgress(false, null, null);
        }
        if (!_work.IsCompleted) return new AttemptProgress(true, null, null);
        DeactivateOnIdle();
        return await _work;
    }

    public async Task CancelAsync()
    {
        await _cancel.CancelAsync();
        DeactivateOnIdle();
    }

    public void Dispose() => _cancel.Dispose();

    private async Task<AttemptProgress> RunAsync(AttemptOrder order, CancellationToken cancellationToken)
    {
        AttemptStarted(log, order.Asset, order.Partition, order.RunId);
        (Core.Components.Materialization, long) result;
        try
        {
            result = await runner.RunAsync(order.ToAttempt(), worker.Name, line => StepLog(log, order.Asset, order.Partition, line), cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A driver's exception type (Npgsql's) cannot cross the cluster, so the failure is answered as data: its message,
            // and the verdict only this worker's warehouse can give (a refused statement is not retried by the run).
            return new AttemptProgress(true, null, new AttemptFailure($"{e.GetType().Name} on {worker.Name}: {e.Message}", runner.CannotSucceedAgain(e)));
        }
        var (materialization, epoch) = result;
        AttemptCommitted(log, order.Asset, order.Partition, epoch, materialization.RowCount);
        return new AttemptProgress(true, new AttemptOutcome(materialization.RowCount, MaterializationJson.Serialize(materialization.Metadata).Json, epoch, worker.Name), null);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Asset} [{Partition}] of run {RunId}: attempt started")]
    private static partial void AttemptStarted(ILogger logger, string asset, string partition, string runId);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Asset} [{Partition}]: epoch {Epoch} committed {Rows} rows")]
    private static partial void AttemptCommitted(ILogger logger, string asset, string partition, long epoch, long rows);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Asset} [{Partition}]: {Line}")]
    private static partial void StepLog(ILogger logger, string asset, string partition, string line);
}
