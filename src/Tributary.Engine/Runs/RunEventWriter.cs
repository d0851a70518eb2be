using System.Threading.Channels;

namespace Tributary.Engine.Runs;

/// <summary>
/// One run's events on their way to the store and subscribers. Writing never blocks and keeps the writers' order;
/// <see cref="CompleteAsync"/> waits until every written event is recorded and delivered, and reports a failed write.
/// </summary>
public sealed class RunEventWriter
{
    private readonly Channel<RunEvent> _channel = Channel.CreateUnbounded<RunEvent>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _delivery;

    internal RunEventWriter(RunEventHub hub, string runId, Action<RunEvent>? observer)
    {
        RunId = runId;
        _delivery = DeliverAsync(hub, observer);
    }

    /// <summary>The run whose events these are.</summary>
    public string RunId { get; }

    /// <summary>Queues an event; its sequence number is given in the order events are written.</summary>
    public void Write(RunEvent e)
    {
        if (!_channel.Writer.TryWrite(e)) throw new InvalidOperationException($"the event stream of run {RunId} is already complete.");
    }

    /// <summary>Ends the stream and waits until every event is recorded and delivered.</summary>
    public Task CompleteAsync()
    {
        _channel.Writer.TryComplete();
        return _delivery;
    }

    private async Task DeliverAsync(RunEventHub hub, Action<RunEvent>? observer)
    {
        await Task.Yield();
        var sequence = 0L;
        RunStoreUnavailableException? lost = null;
        await foreach (var e in _channel.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            try
            {
                await hub.DeliverAsync(e with { Sequence = ++sequence }, observer, record: lost is null).ConfigureAwait(false);
            }
            catch (RunStoreUnavailableException unavailable)
            {
                // The store is gone for good: the rest of the log still reaches the display, and the run learns of it at its end.
                lost = unavailable;
                hub.Offer(e with { Sequence = sequence }, observer);
            }
        }
        if (lost is not null) throw lost;
    }
}
