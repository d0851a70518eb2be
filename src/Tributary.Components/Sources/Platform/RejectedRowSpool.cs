using System.Text;
using Tributary.Core.Projects;

namespace Tributary.Components.Sources.Platform;

/// <summary>
/// Rejected rows of one load, kept on disk while the valid rows stream into the warehouse, so a file full of bad rows
/// costs a temporary file rather than memory. The first few stay in memory for the error message.
/// </summary>
internal sealed class RejectedRowSpool : IDisposable
{
    private const int Examples = 3;
    private readonly List<(int Order, string File, long Line, string Reason)> _first = [];
    private FileStream? _stream;
    private BinaryWriter? _writer;

    /// <summary>The temporary file, once a row was added; deleted when the spool is disposed.</summary>
    internal string? FilePath => _stream?.Name;

    /// <summary>Rows added so far.</summary>
    public long Count { get; private set; }

    /// <summary>The first rows by file order and line (whatever order parallel parsers added them in): file, line and reason.</summary>
    public IEnumerable<(string File, long Line, string Reason)> First => _first.Select(r => (r.File, r.Line, r.Reason));

    /// <summary>Adds a rejected row of the file that comes <paramref name="fileOrder"/>th in the load.</summary>
    public void Add(int fileOrder, string file, long line, string raw, string reason)
    {
        var at = _first.FindIndex(r => (r.Order, r.Line).CompareTo((fileOrder, line)) > 0);
        if (at < 0 && _first.Count < Examples) _first.Add((fileOrder, file, line, reason));
        else if (at >= 0)
        {
            _first.Insert(at, (fileOrder, file, line, reason));
            if (_first.Count > Examples) _first.RemoveAt(Examples);
        }
        if (_writer is null)
        {
            // The rows are people's data, in a folder every local user can list: created owner-only (600), never with the umask's mode.
            var options = new FileStreamOptions
            {
                Mode = FileMode.CreateNew, Access = FileAccess.ReadWrite, Share = FileShare.None, BufferSize = 1 << 16, Options = FileOptions.DeleteOnClose,
            };
            if (!OperatingSystem.IsWindows()) options.UnixCreateMode = PrivateFiles.FileMode;
            _stream = new FileStream(Path.Combine(Path.GetTempPath(), "trib-rejected-" + Guid.NewGuid().ToString("N")), options);
            _writer = new BinaryWriter(_stream, Encoding.UTF8, leaveOpen: true);
        }
        _writer.Write(file);
        _writer.Write(line);
        _writer.Write(raw);
        _writer.Write(reason);
        Count++;
    }

    /// <summary>Every row added, in the order added, with <paramref name="tail"/> appended to each.</summary>
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
