using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Tributary.Core.Projects;
using Tributary.Core.Warehousing;

namespace Tributary.Server.Intake;

/// <summary>
/// Moves acknowledged events from the <see cref="IntakeLog"/> into the warehouse table of <see cref="IntakeSettings.Table"/>
/// every <see cref="IntakeSettings.FlushSeconds"/> or as soon as <see cref="IntakeSettings.BatchSize"/> events wait. Exactly
/// once: the highest loaded log sequence is written to <see cref="StateTable"/> in the same warehouse transaction as the
/// rows, and the log is truncated only after that commit; after a crash between the two, the start skips what the
/// warehouse already holds.
/// </summary>
internal sealed partial class IntakeLoader(IntakeLog log, IWarehouse warehouse, IntakeSettings settings, ILogger<IntakeLoader> logger) : BackgroundService
{
    /// <summary>The warehouse table holding the highest log sequence loaded.</summary>
    public const string StateTable = "_tributary_intake";

    // One load at a time: the hosted loop and a caller of LoadPendingAsync must not load the same rows twice.
    private readonly SemaphoreSlim _loading = new(1);
    private long? _loaded;

    /// <summary>Runs after a load commits and before the log is truncated; tests inject a crash there.</summary>
    public Func<long, Task>? AfterLoadCommit { get; init; }

    /// <summary>Loads every event waiting in the log; returns how many.</summary>
    public async Task<long> LoadPendingAsync(CancellationToken cancellationToken)
    {
        await _loading.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await LoadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            // Read again from the warehouse next time: whether the failed load committed is known only there.
            _loaded = null;
            throw;
        }
        finally
        {
            _loading.Release();
        }
    }

    private async Task<long> LoadAsync(CancellationToken cancellationToken)
    {
        _loaded ??= await RecoverAsync(cancellationToken).ConfigureAwait(false);
        var total = 0L;
        while (true)
        {
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            using var cursor = log.OpenCursor(_loaded.Value, settings.BatchSize);
            if (!cursor.Any) break;
            // The events stream from the log into the warehouse's bulk append, straight into the table inside the commit's
            // transaction (written once, not staged and copied); the state table is built after the events table (builds
            // run in order), so the cursor's last sequence is that of the last event appended by then.
            await warehouse.WriteTablesAsync(
            [
                new TableWrite(settings.Table, TableWriteMode.Append, (b, ct) => b.CreateAndAppendAsync(IntakeEvent.Columns, cursor.Events(), ct)) { AppendDirectly = true },
                new TableWrite(StateTable, TableWriteMode.Replace, (b, ct) => b.CreateAndAppendAsync([("loaded_sequence", DataKind.Integer)], [[cursor.Last]], ct)),
            ], cancellationToken).ConfigureAwait(false);
            var (last, count) = (cursor.Last, cursor.Count);
            cursor.Dispose();
            if (AfterLoadCommit is { } fault) await fault(last).ConfigureAwait(false);
            log.Truncate(last);
            _loaded = last;
            total += count;
            // Each load's time and what waits after it show whether the loader keeps up (the log shrinks) or falls behind.
            var milliseconds = (long)System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            LogLoaded(logger, count, settings.Table, milliseconds, log.Backlog);
        }
        return total;
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var flush = TimeSpan.FromSeconds(settings.FlushSeconds);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await log.WaitForBacklogAsync(settings.BatchSize, flush, stoppingToken).ConfigureAwait(false);
                await LoadPendingAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // The events stay in the log; the next round tries again from what the warehouse says it holds.
                LogLoadFailed(logger, e, settings.Table);
                await Task.Delay(flush, stoppingToken).ConfigureAwait(false);
            }
        }
    }

    // What the warehouse already holds; log rows up to there were loaded before a crash and are dropped now.
    private async Task<long> RecoverAsync(CancellationToken cancellationToken)
    {
        var loaded = 0L;
        if (await warehouse.DescribeTableAsync(StateTable, cancellationToken).ConfigureAwait(false) is not null
            && await warehouse.ScalarAsync($"SELECT max(loaded_sequence) FROM {warehouse.Dialect.Quote(StateTable)}", null, cancellationToken).ConfigureAwait(false) is { } max
            and not DBNull)
            loaded = Convert.ToInt64(max, System.Globalization.CultureInfo.InvariantCulture);
        log.Truncate(loaded);
        return loaded;
    }

    /// <inheritdoc />
    public override void Dispose()
    {
        base.Dispose();
        _loading.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "intake: loaded {Count} events into {Table} in {Milliseconds} ms; {Left} events wait in the log")]
    private static partial void LogLoaded(ILogger logger, long count, string table, long milliseconds, long left);

    [LoggerMessage(Level = LogLevel.Error, Message = "intake: loading into {Table} failed; the events stay in the log and are loaded next time")]
    private static partial void LogLoadFailed(ILogger logger, Exception exception, string table);
}
