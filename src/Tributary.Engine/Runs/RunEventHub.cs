namespace Tributary.Engine.Runs;

/// <summary>
/// The process's ordered channel of run events. Each run writes through its own <see cref="RunEventWriter"/>; one reader
/// per run numbers the events, records them in the run store and only then hands them to subscribers (the CLI's
/// progress display, the server's live log), so a follower that reads the store and then the channel misses nothing.
/// </summary>
public sealed class RunEventHub(IRunStore store)
{
    private readonly Lock _lock = new();
    private readonly List<RunEventSubscription> _subscribers = [];

    /// <summary>Opens the stream a new run writes its events to; <paramref name="observer"/> sees each one after it is recorded.</summary>
    public RunEventWriter Open(string runId, Action<RunEvent>? observer = null) => new(this, runId, observer);

    /// <summary>
    /// Events recorded from now on, of one run or (<paramref name="runId"/> null) of every run, in order. Dispose the
    /// subscription to end it; its reader then completes.
    /// </summary>
    public RunEventSubscription Subscribe(string? runId)
    {
        var subscription = new RunEventSubscription(this, runId);
        lock (_lock) _subscribers.Add(subscription);
        return subscription;
    }

    internal void Unsubscribe(RunEventSubscription subscription)
    {
        lock (_lock) _subscribers.Remove(subscription);
    }

    internal async Task DeliverAsync(RunEvent e, Action<RunEvent>? observer, bool record = true)
    {
        // Recorded first: a subscriber that sees an event can find it, and every earlier one, in the store.
        if (record) await store.AddEventAsync(e, CancellationToken.None).ConfigureAwait(false);
        Offer(e, observer);
    }

    internal void Offer(RunEvent e, Action<RunEvent>? observer)
    {
        observer?.Invoke(e);
        RunEventSubscription[] subscribers;
        lock (_lock) subscribers = [.. _subscribers];
        foreach (var s in subscribers) s.Offer(e);
    }
}
