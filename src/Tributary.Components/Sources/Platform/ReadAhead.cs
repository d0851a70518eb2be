using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;

namespace Tributary.Components.Sources.Platform;

/// <summary>
/// Enumerates a sequence on a thread-pool thread, a bounded number of batches ahead of its consumer, so reading and parsing
/// a file runs on one core while the warehouse's appender stores the rows on another. Memory stays bounded by
/// <c>batchSize × batches</c> items; the source's side effects are all done when the enumeration ends, and an exception
/// thrown by the source is rethrown to the consumer with its stack.
/// </summary>
internal static class ReadAhead
{
    public static IEnumerable<T> Of<T>(IEnumerable<T> source, int batchSize, int batches, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var queue = new BlockingCollection<T[]>(batches);
        ExceptionDispatchInfo? failure = null;
        var producer = Task.Run(() =>
        {
            var batch = new T[batchSize];
            var count = 0;
            try
            {
                try
                {
                    foreach (var item in source)
                    {
                        batch[count++] = item;
                        if (count < batchSize) continue;
                        queue.Add(batch, stop.Token);
                        (batch, count) = (new T[batchSize], 0);
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException || !stop.IsCancellationRequested)
                {
                    failure = ExceptionDispatchInfo.Capture(e);
                }
                // What was read before the end, or before the source failed, reaches the consumer too.
                if (count > 0) queue.Add(batch[..count], stop.Token);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                // The consumer stopped early or was cancelled: nothing more is wanted.
            }
            finally
            {
                queue.CompleteAdding();
            }
        }, CancellationToken.None);
        try
        {
            foreach (var batch in queue.GetConsumingEnumerable(cancellationToken))
                foreach (var item in batch)
                    yield return item;
        }
        finally
        {
            // Leaving early (the consumer failed or stopped) must not leave the producer blocked on a full queue.
            stop.Cancel();
            producer.GetAwaiter().GetResult();
        }
        failure?.Throw();
    }
}
