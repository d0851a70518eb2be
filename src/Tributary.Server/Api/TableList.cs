using Tributary.Core.Warehousing;

namespace Tributary.Server.Api;

/// <summary>
/// The warehouse's tables for <c>GET /api/assets</c>. Listing a warehouse catalog costs milliseconds (far more than the
/// rest of that request), so the list is read again only when the caller's stamp of the run history changed (a run has
/// materialized something since, and a run writes a table before it records the materialization) or once it is
/// <see cref="MaxAge"/> old, for tables written outside pipelines.
/// </summary>
internal sealed class TableList(IWarehouse warehouse, TimeProvider time)
{
    /// <summary>How long a table written outside pipelines may go unlisted.</summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(2);

    private readonly Lock _lock = new();
    private volatile Snapshot? _snapshot;
    private Snapshot? _pending;
    private Task<Snapshot>? _reading;

    private sealed record Snapshot(IReadOnlyList<string> Tables, object Stamp, long ReadAt);

    /// <summary>The tables; <paramref name="stamp"/> changes whenever the run history records a materialization.</summary>
    public async Task<IReadOnlyList<string>> GetAsync(object stamp, CancellationToken cancellationToken)
    {
        Task<Snapshot> reading;
        lock (_lock)
        {
            if (_snapshot is { } s && s.Stamp.Equals(stamp) && time.GetElapsedTime(s.ReadAt) < MaxAge) return s.Tables;
            // Requests that find the list stale at once share one read, unless it was started for another stamp.
            if (_reading is null || _reading.IsCompleted || !_pending!.Stamp.Equals(stamp))
            {
                _pending = new Snapshot([], stamp, time.GetTimestamp());
                _reading = ReadAsync(_pending);
            }
            reading = _reading;
        }
        return (await reading.WaitAsync(cancellationToken).ConfigureAwait(false)).Tables;
    }

    // Not cancelled by any one caller: others may be waiting for it.
    private async Task<Snapshot> ReadAsync(Snapshot pending)
    {
        var snapshot = pending with { Tables = await warehouse.ListTablesAsync(CancellationToken.None).ConfigureAwait(false) };
        _snapshot = snapshot;
        return snapshot;
    }
}
