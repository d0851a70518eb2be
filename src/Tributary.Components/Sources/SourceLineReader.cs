using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Unicode;
using Tributary.Core.Warehousing;

namespace Tributary.Components.Sources;

/// <summary>One physical line of a source file: its text, or why it could not be decoded (then the text is a lossy rendering, for display only).</summary>
/// <param name="Number">1-based line number.</param>
/// <param name="Text">The decoded line without its line break.</param>
/// <param name="Bytes">Bytes the line took in the file, line break excluded.</param>
/// <param name="Problem">Invalid bytes for the encoding, or a line longer than the limit; null when the line is good.</param>
/// <param name="Cut">The text is only the start of a line with a problem (a long line is not kept whole).</param>
internal readonly record struct SourceLine(long Number, string Text, long Bytes, string? Problem, bool Cut = false);

/// <summary>
/// Reads a text file line by line in bounded memory, decoding every line strictly: bytes that are not valid in the encoding
/// make that line a problem (with its number) instead of turning into replacement characters, and a line longer than the
/// limit is cut off and reported rather than buffered whole. Lines split on the newline code unit, so one bad line never
/// shifts the next.
/// </summary>
internal sealed class SourceLineReader : IDisposable
{
    // What a rejected line keeps of its text: enough to recognise it, never megabytes.
    private const int ShownChars = 1000;

    private readonly Stream _stream;
    private readonly int _maxLineBytes;
    private readonly byte[] _buffer = new byte[1 << 16];
    private int _start, _end;
    private byte[] _line = new byte[512];
    private byte[] _utf8 = [];
    private int _length;
    private long _lineBytes;
    private byte _previous;
    private long _number;
    private readonly Encoding _strict, _lossy;
    private readonly string _name;
    private readonly int _unit;
    private readonly bool _bigEndian;
    private readonly IncrementalHash? _content;
    private HashedStream? _stored;

    /// <param name="stream">The file's bytes.</param>
    /// <param name="declared">The encoding unless a byte order mark says otherwise.</param>
    /// <param name="maxLineBytes">Longer lines are cut off and reported.</param>
    /// <param name="content">Fed every byte read, so that reading to the end hashes the whole file without a pass of its own.</param>
    public SourceLineReader(Stream stream, TextEncoding declared, int maxLineBytes, IncrementalHash? content = null)
    {
        _stream = stream;
        _maxLineBytes = maxLineBytes;
        _content = content;
        _end = ReadAtLeast(_buffer, 3);
        _content?.AppendData(_buffer, 0, _end);
        var encoding = declared;
        if (_buffer.AsSpan(0, _end).StartsWith<byte>([0xEF, 0xBB, 0xBF])) (encoding, _start) = (TextEncoding.Utf8, 3);
        else if (_buffer.AsSpan(0, _end).StartsWith<byte>([0xFF, 0xFE])) (encoding, _start) = (TextEncoding.Utf16, 2);
        else if (_buffer.AsSpan(0, _end).StartsWith<byte>([0xFE, 0xFF])) (encoding, _start, _bigEndian) = (TextEncoding.Utf16, 2, true);
        _unit = encoding == TextEncoding.Utf16 ? 2 : 1;
        (_strict, _lossy, _name) = encoding switch
        {
            TextEncoding.Utf16 => (new UnicodeEncoding(_bigEndian, false, throwOnInvalidBytes: true), (Encoding)new UnicodeEncoding(_bigEndian, false, false), "UTF-16"),
            TextEncoding.Latin1 => (Encoding.Latin1, Encoding.Latin1, "latin-1"),
            TextEncoding.Windows1252 => (CodePagesEncodingProvider.Instance.GetEncoding(1252, EncoderFallback.ExceptionFallback, DecoderFallback.ExceptionFallback)!,
                CodePagesEncodingProvider.Instance.GetEncoding(1252)!, "windows-1252"),
            _ => (new UTF8Encoding(false, throwOnInvalidBytes: true), new UTF8Encoding(false, false), "UTF-8"),
        };
    }

    /// <summary>
    /// Opens <paramref name="path"/> for reading; a <c>.gz</c> file is decompressed as it is read (its lines are the
    /// decompressed text's, numbered as such), and <paramref name="content"/> is then fed the file's bytes as stored.
    /// </summary>
    public static SourceLineReader Open(string path, TextEncoding declared, int maxLineBytes, IncrementalHash? content = null)
    {
        if (!SourceFileMatch.IsGzip(path))
            return new(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan), declared, maxLineBytes, content);
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        // The loader compares this hash with one of the stored bytes, so the compressed bytes are hashed, not the text.
        var stored = content is null ? null : new HashedStream(file, content);
        return new(new GZipStream((Stream?)stored ?? file, CompressionMode.Decompress), declared, maxLineBytes) { _stored = stored };
    }

    /// <summary>Every line of <paramref name="path"/>, lazily.</summary>
    public static IEnumerable<SourceLine> ReadAll(string path, TextEncoding declared, int maxLineBytes)
    {
        using var reader = Open(path, declared, maxLineBytes);
        while (reader.TryRead(out var line)) yield return line;
    }

    /// <summary>The next line; false at the end of the file.</summary>
    public bool TryRead(out SourceLine line)
    {
        var more = Next();
        line = more ? Emit() : default;
        return more;
    }

    /// <summary>
    /// The next line as UTF-8 bytes, for parsers that read bytes: a UTF-8 file's good line is only validated, never decoded into
    /// a string (a string per line was the largest allocation of an NDJSON load); other encodings' lines are decoded and
    /// re-encoded. <paramref name="utf8"/> is valid until the next read. A line with a problem comes as <paramref name="problem"/>,
    /// as <see cref="TryRead"/> gives it, with empty bytes; a good line's <paramref name="problem"/> has only its number set.
    /// </summary>
    public bool TryReadUtf8(out SourceLine problem, out ReadOnlySpan<byte> utf8)
    {
        utf8 = default;
        if (!Next())
        {
            problem = default;
            return false;
        }
        var data = Content();
        if (_lineBytes <= _maxLineBytes && _unit == 1 && _strict is UTF8Encoding && Utf8.IsValid(data))
        {
            problem = new SourceLine(++_number, "", _lineBytes, null);
            utf8 = data;
            return true;
        }
        problem = Emit();
        if (problem.Problem is not null) return true;
        var max = Encoding.UTF8.GetMaxByteCount(problem.Text.Length);
        if (_utf8.Length < max) _utf8 = new byte[Math.Max(max, _utf8.Length * 2)];
        utf8 = _utf8.AsSpan(0, Encoding.UTF8.GetBytes(problem.Text, _utf8));
        problem = problem with { Text = "" };
        return true;
    }

    // Reads up to the next line break into _line; false at the end of the file.
    private bool Next()
    {
        _length = 0;
        _lineBytes = 0;
        while (true)
        {
            if (_start == _end)
            {
                _start = 0;
                _end = _stream.Read(_buffer);
                _content?.AppendData(_buffer, 0, _end);
                if (_end == 0)
                {
                    _stored?.ReadToEnd();
                    return _lineBytes != 0;
                }
            }
            if (_unit == 1)
            {
                var span = _buffer.AsSpan(_start, _end - _start);
                var newline = span.IndexOf((byte)'\n');
                var take = newline < 0 ? span.Length : newline;
                Append(span[..take]);
                _start += take;
                if (newline < 0) continue;
                _start++;
                return true;
            }
            while (_start < _end)
            {
                var b = _buffer[_start++];
                _lineBytes++;
                if (_lineBytes % 2 == 0 && (_bigEndian ? _previous == 0 && b == '\n' : _previous == '\n' && b == 0))
                {
                    _lineBytes -= 2;
                    _length = (int)Math.Min(_length, _lineBytes);
                    return true;
                }
                _previous = b;
                if (_length < _maxLineBytes) AppendByte(b);
            }
        }
    }

    private void Append(ReadOnlySpan<byte> bytes)
    {
        _lineBytes += bytes.Length;
        var room = Math.Min(bytes.Length, _maxLineBytes - _length);
        if (room <= 0) return;
        EnsureRoom(room);
        bytes[..room].CopyTo(_line.AsSpan(_length));
        _length += room;
    }

    private void AppendByte(byte b)
    {
        EnsureRoom(1);
        _line[_length++] = b;
    }

    private void EnsureRoom(int extra)
    {
        if (_length + extra <= _line.Length) return;
        Array.Resize(ref _line, (int)Math.Min(Math.Max(_line.Length * 2L, _length + extra), Math.Max(_maxLineBytes, _length + extra)));
    }

    // The line read by Next without its CR.
    private Span<byte> Content()
    {
        var data = _line.AsSpan(0, _length);
        // A CRLF file: the CR is part of the line break, not of the text.
        if (_unit == 1 && _lineBytes == _length && data.EndsWith<byte>([(byte)'\r'])) data = data[..^1];
        else if (_unit == 2 && _lineBytes == _length && data.Length >= 2 && (_bigEndian ? data[^2] == 0 && data[^1] == '\r' : data[^2] == '\r' && data[^1] == 0)) data = data[..^2];
        return data;
    }

    private SourceLine Emit()
    {
        _number++;
        var bytes = _lineBytes;
        var data = Content();
        if (bytes > _maxLineBytes)
            return new SourceLine(_number, Shown(_lossy.GetString(data)), bytes,
                string.Create(CultureInfo.InvariantCulture, $"the line is {bytes} bytes long, more than the limit of {_maxLineBytes} (max_record_bytes)"), Cut: true);
        try
        {
            return new SourceLine(_number, _strict.GetString(data), bytes, null);
        }
        catch (DecoderFallbackException e)
        {
            var at = e.Index >= 0 ? e.Index : 0;
            var what = e.BytesUnknown is { Length: > 0 } unknown ? string.Join(" ", unknown.Select(b => $"0x{b:X2}")) : "a byte sequence";
            var text = _lossy.GetString(data);
            return new SourceLine(_number, Shown(text), bytes,
                string.Create(CultureInfo.InvariantCulture, $"not valid {_name}: {what} at byte {at + 1} of the line; if the file is in another encoding, set encoding (latin1, windows1252 or utf16)"),
                Cut: text.Length > ShownChars);
        }
    }

    private static string Shown(string text) => text.Length > ShownChars ? text[..ShownChars] + "…" : text;

    private int ReadAtLeast(byte[] buffer, int count)
    {
        var read = 0;
        while (read < count)
        {
            var n = _stream.Read(buffer, read, buffer.Length - read);
            if (n == 0) break;
            read += n;
        }
        return read;
    }

    /// <inheritdoc />
    public void Dispose() => _stream.Dispose();
}
