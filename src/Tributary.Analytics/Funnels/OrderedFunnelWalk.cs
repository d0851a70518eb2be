namespace Tributary.Analytics.Funnels;

/// <summary>
/// One unit's attempt at an ordered funnel whose steps are different events, found in one backward pass over the unit's
/// step events (PostHog's ordered funnel; ClickHouse's <c>windowFunnel</c> walks the same stream forwards). Every step-1
/// event opens an attempt; each next step is the earliest event of that step at or after the previous one (a tie on the
/// time counts as in order), cut where a step is missing, past the funnel window from step 1 or past its own step window.
/// The pick is the attempt that reaches furthest, the earliest such. The greedy chain from a step-k event does not depend
/// on where its attempt entered, so walking back in time each step keeps only the chain of its nearest event: O(events x steps).
/// </summary>
public sealed class OrderedFunnelWalk
{
    private const long Missing = long.MaxValue;
    private readonly int _steps;
    private readonly long _window;
    private readonly long[] _stepWindows;
    // _chains[k * (steps + 1) + j]: step j's time in the chain of the nearest step-k event seen (at or after the walk's place).
    private readonly long[] _chains;
    private readonly bool[] _seen;

    /// <summary>A walk over funnels of <paramref name="steps"/> steps.</summary>
    /// <param name="steps">Steps in the funnel, at least two.</param>
    /// <param name="window">Longest time from step 1 to any later step, in the caller's time unit (e.g. ticks).</param>
    /// <param name="stepWindows">Per step (index 0 for step 1, unused), the longest time from the previous step, or null for none.</param>
    public OrderedFunnelWalk(int steps, long window, IReadOnlyList<long?> stepWindows)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 2);
        ArgumentNullException.ThrowIfNull(stepWindows);
        ArgumentOutOfRangeException.ThrowIfNotEqual(stepWindows.Count, steps, nameof(stepWindows));
        _steps = steps;
        _window = window;
        _stepWindows = [.. stepWindows.Select(w => w ?? Missing)];
        _chains = new long[(steps + 1) * (steps + 1)];
        _seen = new bool[steps + 2];
    }

    /// <summary>
    /// The pick among one unit's events, given in order of time, then step, then id. <paramref name="times"/> and
    /// <paramref name="steps"/> (1-based) run in parallel. Writes the picked attempt's step times to
    /// <paramref name="picked"/> (<c>steps</c> long; those past the furthest step are left as they were) and returns the
    /// furthest step reached and the index of its step-1 event (the first in the given order among those at its instant),
    /// or (0, -1) when the unit has no step-1 event.
    /// </summary>
    public (int Furthest, int Entry) Pick(ReadOnlySpan<long> times, ReadOnlySpan<int> steps, Span<long> picked)
    {
        if (times.Length != steps.Length) throw new ArgumentException("times and steps must be as long as each other.", nameof(steps));
        if (picked.Length < _steps) throw new ArgumentException($"picked needs room for {_steps} steps.", nameof(picked));
        var width = _steps + 1;
        Array.Clear(_seen);
        var (best, entry) = (0, -1);
        for (var i = times.Length - 1; i >= 0; i--)
        {
            var k = steps[i];
            if (k < 1 || k > _steps) throw new ArgumentOutOfRangeException(nameof(steps), $"step {k} is not from 1 to {_steps}.");
            // A later step at the same instant came after this event in the order, so it already counts as at or after it.
            var chain = _chains.AsSpan(k * width, width);
            chain[k] = times[i];
            if (k < _steps)
            {
                if (_seen[k + 1]) _chains.AsSpan((k + 1) * width + k + 1, _steps - k).CopyTo(chain[(k + 1)..]);
                else chain[(k + 1)..].Fill(Missing);
            }
            _seen[k] = true;
            if (k != 1) continue;
            var furthest = Furthest(chain);
            // Walking back, an attempt as far as the best so far is an earlier one (or the same instant's smaller id).
            if (furthest < best) continue;
            (best, entry) = (furthest, i);
            chain[1..(furthest + 1)].CopyTo(picked);
        }
        return (best, entry);
    }

    // Where the windows cut a step-1 event's chain: the last step before the first missing or late one.
    private int Furthest(ReadOnlySpan<long> chain)
    {
        var start = chain[1];
        for (var k = 2; k <= _steps; k++)
        {
            var t = chain[k];
            if (t == Missing || t - start > _window || (_stepWindows[k - 1] != Missing && t - chain[k - 1] > _stepWindows[k - 1])) return k - 1;
        }
        return _steps;
    }
}
