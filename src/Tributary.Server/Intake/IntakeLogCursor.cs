using System.Buffers;
using Microsoft.Data.Sqlite;

namespace Tributary.Server.Intake;

/// <summary>
/// The events of the log's appends after a sequence, read lazily, row by row, as the warehouse's bulk append pulls them:
/// a load never holds its events in memory at once, so each decoded event dies young (a load of 100,000 events held as a
/// list survived several collections and cost the loader about a sixth of its CPU in the garbage collector), and memory
/// stays bounded by one row of the log (at most one group commit) whatever the batch size.
/// </summary>
internal sealed class IntakeLogCursor : IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly SqliteCommand _command;
    private readonly SqliteDataReader _reader;
    private readonly int _max;
    private bool _onRow;
    private bool _read;

    internal IntakeLogCursor(SqliteConnection connection, long after, int max)
    {
        _connection = connection;
        _max = max;
        Last = after;
        _command = connection.CreateCommand();
        _command.CommandText = "SELECT seq, data FROM batches WHERE seq > $after ORDER BY seq";
        _command.Parameters.AddWithValue("$after", after);
        _reader = _command.ExecuteReader();
        _onRow = _reader.Read();
    }

    /// <summary>Whether any append follows the sequence the cursor started after.</summary>
    public bool Any => _onRow || Count > 0;

    /// <summary>The sequence of the last append read so far (all of them once <see cref="Events"/> is enumerated).</summary>
    public long Last { get; private set; }

    /// <summary>Events read so far.</summary>
    public int Count { get; private set; }

    /// <summary>
    /// The events in the order of <see cref="IntakeEvent.Columns"/>: whole appends, at least one and no more once the cursor's
    /// maximum is reached. Enumerable once.
    /// </summary>
    public IEnumerable<object?[]> Events()
    {
        if (_read) throw new InvalidOperationException("the log's events are read once.");
        _read = true;
        byte[]? buffer = null;
        try
        {
            for (; _onRow && Count < _max; _onRow = _reader.Read())
            {
                // The row's bytes go into a pooled buffer: a commit's row can be large, and a new array each would land on the large object heap.
                var length = (int)_reader.GetBytes(1, 0, null, 0, 0);
                if (buffer is null || buffer.Length < length)
                {
                    if (buffer is not null) ArrayPool<byte>.Shared.Return(buffer);
                    buffer = ArrayPool<byte>.Shared.Rent(length);
                }
                _reader.GetBytes(1, 0, buffer, 0, length);
                Last = _reader.GetInt64(0);
                foreach (var values in IntakeLogFormat.Read(buffer, length))
                {
                    Count++;
                    yield return values;
                }
            }
        }
        finally
        {
            if (buffer is not null) ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _reader.Dispose();
        _command.Dispose();
        _connection.Dispose();
    }
}
