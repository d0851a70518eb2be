using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Tributary.Core.Projects;
using Tributary.Engine.Runs;

namespace Tributary.Engine.Orchestration;

/// <summary>
/// Applies tributary.yaml's <c>retention:</c> beside the daemon: prunes the run store at start and every
/// <see cref="RetentionSettings.Period"/>, logging what it deleted. A failed prune is logged and tried at the next period.
/// </summary>
public sealed partial class RetentionService(IProjectRunStore store, RetentionSettings retention, TimeProvider time, ILogger<RetentionService> log) : BackgroundService
{
    /// <summary>One prune now; what it deleted.</summary>
    public async Task<PruneResult> PruneOnceAsync(CancellationToken cancellationToken)
    {
        var result = await store.PruneAsync(RetentionCutoffs.At(retention, time.GetUtcNow()), dryRun: false, cancellationToken).ConfigureAwait(false);
        if (result == new PruneResult(0, 0, 0, 0, 0, 0)) return result;
        Pruned(result.Describe(dryRun: false));
        // In place only: rewriting a whole older file would hold the store's write lock while the server runs.
        await store.ReclaimSpaceAsync(rewrite: false, cancellationToken).ConfigureAwait(false);
        return result;
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(RetentionSettings.Period, time);
        try
        {
            do
            {
                try
                {
                    await PruneOnceAsync(stoppingToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    PruneFailed(e);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(LogLevel.Information, "retention: {Summary}")]
    private partial void Pruned(string summary);

    [LoggerMessage(LogLevel.Warning, "retention: pruning the run store failed; trying again in an hour")]
    private partial void PruneFailed(Exception exception);
}
