namespace Tributary.Engine.Execution;

/// <summary>
/// Which steps of a run may start: at most the run's parallelism, at most a pool's limit of the steps in that pool, and
/// none while a step waits to run alone. A step runs alone after it ran out of the warehouse's memory beside others: it
/// waits until every other running step has ended (or waits to run alone too), then has the warehouse to itself.
/// </summary>
/// <param name="parallelism">Steps at once.</param>
/// <param name="pools">Each pool's limit.</param>
internal sealed class StepAdmission(int parallelism, IReadOnlyDictionary<string, int> pools)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, string?> _running = new(StringComparer.Ordinal); // step -> its pool
    private readonly Dictionary<string, SortedSet<string>> _beside = new(StringComparer.Ordinal);
    private readonly List<(string Step, TaskCompletionSource Turn)> _waiting = [];
    private string? _alone;

    /// <summary>Starts <paramref name="step"/> in <paramref name="pool"/> if the limits allow it now.</summary>
    public bool TryStart(string step, string? pool)
    {
        lock (_gate)
        {
            if (_alone is not null || _waiting.Count > 0 || _running.Count >= parallelism) return false;
            if (pool is not null && _running.Values.Count(p => p == pool) >= pools.GetValueOrDefault(pool, int.MaxValue)) return false;
            var beside = new SortedSet<string>(_running.Keys, StringComparer.Ordinal);
            foreach (var other in _running.Keys) _beside[other].Add(step);
            _beside[step] = beside;
            _running[step] = pool;
            return true;
        }
    }

    /// <summary>Records that <paramref name="step"/> ended, which may let a step waiting to run alone go.</summary>
    public void End(string step)
    {
        lock (_gate)
        {
            _running.Remove(step);
            _beside.Remove(step);
            Grant();
        }
    }

    /// <summary>The steps that have run beside <paramref name="step"/> since it started.</summary>
    public IReadOnlyList<string> Beside(string step)
    {
        lock (_gate) return _beside.TryGetValue(step, out var set) ? [.. set] : [];
    }

    /// <summary>
    /// Waits until <paramref name="step"/> is the only step running (others waiting to run alone step aside, first come
    /// first served), then keeps every other step from starting until the returned turn is disposed.
    /// </summary>
    public async Task<IDisposable> AloneAsync(string step, CancellationToken cancellationToken)
    {
        var turn = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            _waiting.Add((step, turn));
            Grant();
        }
        try
        {
            await turn.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            lock (_gate)
            {
                // Granted in the meantime: give the turn back.
                if (!_waiting.Remove((step, turn)) && _alone == step) _alone = null;
                Grant();
            }
            throw;
        }
        return new Turn(this, step);
    }

    private void EndAlone(string step)
    {
        lock (_gate)
        {
            if (_alone == step) _alone = null;
            if (_beside.TryGetValue(step, out var beside)) beside.Clear(); // what runs beside it from now on is new
            Grant();
        }
    }

    // Under the lock: the first waiting step goes once every other running step is waiting too.
    private void Grant()
    {
        if (_alone is not null || _waiting.Count == 0) return;
        if (_running.Keys.Any(s => !_waiting.Exists(w => w.Step == s))) return;
        var (step, turn) = _waiting[0];
        _waiting.RemoveAt(0);
        _alone = step;
        turn.TrySetResult();
    }

    private sealed class Turn(StepAdmission admission, string step) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0) admission.EndAlone(step);
        }
    }
}
