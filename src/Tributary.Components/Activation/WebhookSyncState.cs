using System.Globalization;
using Tributary.Core.Warehousing;

namespace Tributary.Components.Activation;

/// <summary>What a diff sync remembers of one key: the content the receiver last accepted, when, and in which run.</summary>
internal sealed record SyncedRow(object Key, string ContentHash, DateTime SyncedAt, string RunId);

/// <summary>
/// The sync state of one <c>activate.webhook</c> step (<c>&lt;id&gt;__sync_state</c>): a row per key the receiver holds, with
/// the hash of the content it accepted. Read whole at the start of a run, and written whole in the run's last commit, so a
/// run that stops before it leaves the state as it was.
/// </summary>
internal sealed class WebhookSyncState
{
    /// <summary>The side output's name.</summary>
    public const string Output = "sync_state";

    private readonly Dictionary<string, SyncedRow> _unseen;
    private readonly List<SyncedRow> _next = [];

    private WebhookSyncState(Dictionary<string, SyncedRow> rows) => _unseen = rows;

    /// <summary>The state's columns, the key's kind as the input's.</summary>
    public static (string Name, DataKind Kind)[] Columns(string key, DataKind kind) =>
        [(key, kind), ("content_hash", DataKind.Text), ("synced_at", DataKind.Timestamp), ("run_id", DataKind.Text)];

    /// <summary>The state as the last committed run left it; empty when there is none or it was kept by another key column or type.</summary>
    public static async Task<WebhookSyncState> LoadAsync(IWarehouse warehouse, string table, string key, DataKind kind, Action<string> log, CancellationToken cancellationToken)
    {
        var rows = new Dictionary<string, SyncedRow>(StringComparer.Ordinal);
        if (await warehouse.DescribeTableAsync(table, cancellationToken).ConfigureAwait(false) is not { } schema) return new(rows);
        if (schema.Find(key) is not { } column || column.Kind != kind)
        {
            log($"{table} is keyed by another column or type than {key} ({kind.ToString().ToLowerInvariant()}): the sync starts over and every row is sent");
            return new(rows);
        }
        var d = warehouse.Dialect;
        await foreach (var row in warehouse.StreamAsync($"SELECT {d.Quote(column.Name)}, {d.Quote("content_hash")}, {d.Quote("synced_at")}, {d.Quote("run_id")} FROM {d.Quote(table)}",
                           null, cancellationToken).ConfigureAwait(false))
            if (row[0] is { } value and not DBNull)
                rows[KeyText(value)] = new SyncedRow(value, Convert.ToString(row[1], CultureInfo.InvariantCulture) ?? "", Convert.ToDateTime(row[2], CultureInfo.InvariantCulture),
                    Convert.ToString(row[3], CultureInfo.InvariantCulture) ?? "");
        return new(rows);
    }

    /// <summary>The key as text, the same for the input's value and the state's: what the two are matched by.</summary>
    public static string KeyText(object value) => value switch
    {
        DateTime t => t.ToString("O", CultureInfo.InvariantCulture),
        DateTimeOffset t => t.ToString("O", CultureInfo.InvariantCulture),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };

    /// <summary>
    /// Marks the key seen in the input and returns what the receiver last accepted for it; when that is this content and
    /// <paramref name="compare"/> holds, the row is unchanged and kept as it is.
    /// </summary>
    public (SyncedRow? Previous, bool Unchanged) See(string keyText, string contentHash, bool compare)
    {
        if (!_unseen.Remove(keyText, out var previous)) return (null, false);
        if (!compare || previous.ContentHash != contentHash) return (previous, false);
        _next.Add(previous);
        return (previous, true);
    }

    /// <summary>The keys the state holds that the input no longer has, in key order; call once the input is read.</summary>
    public IReadOnlyList<SyncedRow> Left() => _unseen.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Value).ToList();

    /// <summary>The content hash of a key whose latest send failed: no content hashes to it, so the row is sent again next run.</summary>
    public const string Unsent = "unsent";

    /// <summary>Keeps the row the receiver accepted now in the next state.</summary>
    public void Accepted(SyncedRow row) => _next.Add(row);

    /// <summary>
    /// Keeps what the receiver held of a key whose send failed, marked <see cref="Unsent"/>: the row is sent again next run even
    /// when its content has not changed (a failed full refresh), and a removal is still sent should it leave the input.
    /// </summary>
    public void Failed(SyncedRow? previous)
    {
        if (previous is not null) _next.Add(previous with { ContentHash = Unsent });
    }

    /// <summary>The rows of the next state.</summary>
    public IEnumerable<object?[]> Rows => _next.Select(r => new object?[] { r.Key, r.ContentHash, r.SyncedAt, r.RunId });

    /// <summary>Rows in the next state.</summary>
    public int Count => _next.Count;
}
