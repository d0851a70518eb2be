using System.Text.Json;

namespace Tributary.Components.Sources.Platform;

/// <summary>
/// The last JSON string read for each column on this thread, by its bytes as written: a value that repeats the one before it
/// (an export keeps one visitor's events together, so their user agent, ids, type, page and campaign fields mostly repeat)
/// gets the same string back instead of a new one. A load made a string per text field of every line (about 1 KB of
/// UTF-16 per Segment event), most of them copies, and the young collections paid for them.
/// The string is a function of the raw bytes alone (escapes included), so a hit is exactly what <see cref="Utf8JsonReader.GetString"/> would give.
/// </summary>
internal sealed class TextCache
{
    // Longer values (page URLs with long queries, JSON in strings) are read anew each time: comparing them costs about what reading does.
    internal const int MaxBytes = 256;

    [ThreadStatic] private static TextCache? _thread;

    private byte[][] _raw;
    private int[] _length;
    private string?[] _text;

    private TextCache(int columns) => (_raw, _length, _text) = (new byte[columns][], new int[columns], new string?[columns]);

    /// <summary>This thread's cache, with room for at least <paramref name="columns"/> columns.</summary>
    public static TextCache ForThisThread(int columns)
    {
        var cache = _thread ??= new TextCache(columns);
        if (cache._text.Length < columns)
        {
            Array.Resize(ref cache._raw, columns);
            Array.Resize(ref cache._length, columns);
            Array.Resize(ref cache._text, columns);
        }
        return cache;
    }

    /// <summary>The string token the reader is on, as <see cref="Utf8JsonReader.GetString"/> reads it; the previous one of <paramref name="column"/> when its bytes are the same.</summary>
    public string Text(ref Utf8JsonReader reader, int column)
    {
        if (reader.HasValueSequence) return reader.GetString()!;
        var raw = reader.ValueSpan;
        if (raw.Length > MaxBytes) return reader.GetString()!;
        if (_text[column] is { } previous && raw.SequenceEqual(_raw[column].AsSpan(0, _length[column]))) return previous;
        var text = reader.GetString()!;
        raw.CopyTo(_raw[column] ??= new byte[MaxBytes]);
        _length[column] = raw.Length;
        _text[column] = text;
        return text;
    }
}
