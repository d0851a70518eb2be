using System.Text;

namespace Tributary.Components.Sources.Platform;

/// <summary>
/// Rejected rows of one load, kept on disk while the valid rows stream into the warehouse, so a file full of bad rows
/// costs a temporary file rather than memory. The first few stay in memory for the error message.
/// </summary>
internal sealed class RejectedRowSpool : IDisposable
{
    private const int Examples = 3;
    private readonly List<(string File, long Line, string Reason)> _first = [];
    private FileStream? _stream;
    private BinaryWriter? _writer;

    /// <summary>Rows added so far.</summary>
    public long Count { get; private set; }

    /// <summary>The first rows added: file, line and reason.</summary>
    public IReadOnlyList<(string File, long Line, string Reason)> First => _first;

    public void Add(string file, long line, string raw, string reason)
    {
        if (_first.Count < Examples) _first.Add((file, line, reason));
        if (_writer is null)
        {
            _stream = new FileStream(Path.Combine(Path.GetTempPath(), "trib-rejected-" + Guid.NewGuid().ToString("N")), FileMode.CreateNew, FileAccess.ReadWrite,
                FileShare.None, 1 << 16, FileOptions.DeleteOnClose);
            _writer = new BinaryWriter(_stream, Encoding.UTF8, leaveOpen: true);
        }
        _writer.Write(file);
        _writer.Write(line);
        _writer.Write(raw);
        _writer.Write(reason);
        Count++;
    }

    /// <summary>Every row added, in order, with <paramref name="tail"/> appended to each.</summary>
    public IEnumerable<object?[]> Read(params object?[] tail)
    {
        if (_writer is null || _stream is null) yield break;
        _writer.Flush();
        _stream.Position = 0;
        using var reader = new BinaryReader(_stream, Encoding.UTF8, leaveOpen: true);
        for (long i = 0; i < Count; i++)
            yield return [reader.ReadString(), reader.ReadInt64(), reader.ReadString(), reader.ReadString(), .. tail];
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _writer?.Dispose();
        _stream?.Dispose();
    }
}
