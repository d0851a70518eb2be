using System.Globalization;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Tributary.Engine.Runs;
using Tributary.Server.Contracts;

namespace Tributary.Server.Api;

/// <summary>
/// A run's log as server-sent events: what the store holds after the follower's last event id, then what the run-event
/// channel delivers, each with its sequence number as the event id, and finally <c>end</c> with how the run ended.
/// </summary>
internal sealed class RunEventFeed(IRunStore runs, RunEventHub events, TimeProvider time, JsonSerializerOptions json)
{
    // How long the feed waits for a live event before it asks the store: a run of another process, or one that died,
    // reaches this process only through the store.
    private static readonly TimeSpan StoreCheck = TimeSpan.FromSeconds(2);

    /// <summary>The events of <paramref name="runId"/> after sequence <paramref name="after"/> (0: all), then <c>end</c>.</summary>
    public async IAsyncEnumerable<SseItem<string>> FollowAsync(string runId, long after, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Subscribed before the store is read: an event recorded in between is in both, and its sequence number drops the copy.
        using var live = events.Subscribe(runId);
        var cursor = new Cursor(after);
        foreach (var e in await runs.GetEventsAsync(runId, cancellationToken).ConfigureAwait(false))
            if (cursor.Accept(e)) yield return Item(e);
        while (!cursor.Ended)
        {
            if (await WaitAsync(live, cancellationToken).ConfigureAwait(false))
            {
                while (live.Reader.TryRead(out var e))
                    if (cursor.Accept(e)) yield return Item(e);
                continue;
            }
            // Nothing live for a while: a run of another process, or one whose process died, is seen in the store only.
            var run = await runs.GetRunAsync(runId, cancellationToken).ConfigureAwait(false);
            foreach (var e in await runs.GetEventsAsync(runId, cancellationToken).ConfigureAwait(false))
                if (cursor.Accept(e)) yield return Item(e);
            if (run is null || run.Status != RunStatus.Running) break;
        }
        var outcome = await runs.GetRunAsync(runId, cancellationToken).ConfigureAwait(false);
        yield return new SseItem<string>(JsonSerializer.Serialize(new RunEnded(outcome?.Status ?? RunStatus.Failed, outcome?.Error), json), "end");
    }

    // True when live events are waiting; false when none came within StoreCheck.
    private async Task<bool> WaitAsync(RunEventSubscription live, CancellationToken cancellationToken)
    {
        using var check = new CancellationTokenSource(StoreCheck, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, check.Token);
        try
        {
            return await live.Reader.WaitToReadAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    private SseItem<string> Item(RunEvent e) =>
        new(JsonSerializer.Serialize(RunEventView.Of(e), json)) { EventId = e.Sequence.ToString(CultureInfo.InvariantCulture) };

    // The last event sent: the store and the channel may both hold an event, and only what is after it goes out.
    private sealed class Cursor(long last)
    {
        public bool Ended { get; private set; }

        public bool Accept(RunEvent e)
        {
            if (e.Sequence <= last) return false;
            last = e.Sequence;
            Ended |= e.Kind == RunEventKind.RunEnded;
            return true;
        }
    }
}
