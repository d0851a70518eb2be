using System.Threading.Channels;

namespace Tributary.Engine.Runs;

/// <summary>A subscriber's view of a <see cref="RunEventHub"/>: the events recorded since it subscribed, in order.</summary>
public sealed class RunEventSubscription : IDisposable
{
    // Unbounded: a slow reader must not hold up a run, and a run's log is small beside its data.
    private readonly Channel<RunEvent> _channel = Channel.CreateUnbounded<RunEvent>(new UnboundedChannelOptions { SingleWriter = true, SingleReader = true });
    private readonly RunEventHub _hub;
    private readonly string? _runId;

    internal RunEventSubscription(RunEventHub hub, string? runId) => (_hub, _runId) = (hub, runId);

    /// <summary>The events, in order; completes when the subscription is disposed.</summary>
    public ChannelReader<RunEvent> Reader => _channel.Reader;

    internal void Offer(RunEvent e)
    {
        if (_runId is null || _runId == e.RunId) _channel.Writer.TryWrite(e);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _hub.Unsubscribe(this);
        _channel.Writer.TryComplete();
    }
}
