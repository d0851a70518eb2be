using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Tributary.Core.Warehousing;

namespace Tributary.Components.Sources.Platform;

/// <summary>
/// Reads one Segment event line in a single forward pass of <see cref="Utf8JsonReader"/> over its UTF-8 bytes, picking out
/// only the layout's fields (nested ones such as <c>context.page.url</c> included) and skipping the rest, instead of building a
/// <see cref="JsonDocument"/> per line. The results match a document lookup: the whole line must be valid JSON, a repeated
/// key counts by its last occurrence, objects and arrays keep their raw text, numbers and booleans their literal.
/// </summary>
internal sealed class SegmentEventParser
{
    private static readonly HashSet<string> Types = ["identify", "track", "page", "screen", "group", "alias"];
    private static readonly byte[][] TypeNames = [.. Types.Select(Encoding.UTF8.GetBytes)];
    private static readonly UTF8Encoding Utf8 = new(false, throwOnInvalidBytes: false);

    /// <summary>A key of an object on a column's path: the column it fills (or -1), the keys below it, and every column at or below it.</summary>
    private sealed class Node
    {
        public required byte[] Name { get; init; }
        public int Column { get; set; } = -1;
        public List<Node> Children { get; } = [];
        public List<int> Columns { get; } = [];
    }

    // What one line held for each column: found or not, its token kind, where its text is (the line's bytes, or the unescaped
    // copy of an escaped string), or its timestamp read straight from the bytes.
    private struct Slot
    {
        public bool Found, IsTimestamp, Unescaped;
        public JsonTokenType Kind;
        public int Start, Length;
        public DateTime Timestamp;
    }

    // Escaped strings of the line being parsed, unescaped one after another (per thread: streams parse at once).
    [ThreadStatic] private static byte[]? _unescaped;

    // The one-row batch Parse fills, per thread, with the parser it belongs to (its decoded strings repeat from row to row).
    [ThreadStatic] private static (SegmentEventParser Owner, AppendBatch Row)? _single;

    private readonly IReadOnlyList<PlatformColumn> _columns;
    private readonly bool[] _timestamps;
    private readonly int _room;
    private readonly List<Node> _root;
    private readonly int _typeColumn, _eventColumn, _anonymousColumn, _userColumn;

    /// <summary>
    /// A parser filling the columns of <paramref name="layout"/> (headers are paths such as <c>context.page.url</c>); each valid
    /// row's values have <paramref name="room"/> free slots after them, for the loader's own columns (see <see cref="ParsedRow.Stored"/>).
    /// </summary>
    public SegmentEventParser(PlatformLayout layout, int room = 0)
    {
        _columns = layout.Columns;
        _timestamps = [.. layout.Columns.Select(c => c.Kind == DataKind.Timestamp)];
        _room = room;
        _root = Build(_columns);
        (_typeColumn, _eventColumn, _anonymousColumn, _userColumn) = (IndexOf("type"), IndexOf("event"), IndexOf("anonymousId"), IndexOf("userId"));
    }

    private int IndexOf(string header)
    {
        for (var i = 0; i < _columns.Count; i++) if (_columns[i].Header == header) return i;
        throw new InvalidOperationException($"the Segment layout has no '{header}'");
    }

    private static List<Node> Build(IReadOnlyList<PlatformColumn> columns)
    {
        var root = new List<Node>();
        for (var i = 0; i < columns.Count; i++)
        {
            var level = root;
            Node? node = null;
            foreach (var part in columns[i].Header.Split('.'))
            {
                var name = Encoding.UTF8.GetBytes(part);
                node = level.Find(n => n.Name.AsSpan().SequenceEqual(name));
                if (node is null) level.Add(node = new Node { Name = name });
                node.Columns.Add(i);
                level = node.Children;
            }
            node!.Column = i;
        }
        return root;
    }

    /// <summary>The event's values in layout order, or the reason the line is rejected.</summary>
    public ParsedRow Parse(long line, string raw, CultureInfo culture)
    {
        var rented = ArrayPool<byte>.Shared.Rent(Utf8.GetMaxByteCount(raw.Length));
        try
        {
            return Parse(line, rented.AsSpan(0, Utf8.GetBytes(raw, rented)), raw, culture);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>
    /// As <see cref="Parse(long, string, CultureInfo)"/> from the line's UTF-8 bytes (valid UTF-8, as <see cref="SourceLineReader.TryReadUtf8"/>
    /// gives them): the text is decoded only for a rejected row, a valid row's <see cref="ParsedRow.Raw"/> is empty.
    /// </summary>
    public ParsedRow Parse(long line, ReadOnlySpan<byte> utf8, CultureInfo culture) => Parse(line, utf8, null, culture);

    // The row through a one-row batch, so rows and batches come from the same code; its values as the row writers take them.
    private ParsedRow Parse(long line, ReadOnlySpan<byte> utf8, string? raw, CultureInfo culture)
    {
        if (_single is not { } single || single.Owner != this) _single = single = (this, new AppendBatch([.. _columns.Select(c => c.Kind)], 1));
        var row = single.Row;
        row.Clear();
        if (Append(utf8, culture, row) is { } reason) return ParsedRow.Rejected(line, raw ?? Utf8.GetString(utf8), reason);
        var values = new object?[_columns.Count + _room];
        for (var i = 0; i < _columns.Count; i++) values[i] = row.Value(0, i);
        return ParsedRow.Valid(line, raw ?? "", values);
    }

    /// <summary>
    /// Adds the event of a line's UTF-8 bytes (valid UTF-8) as a row of <paramref name="rows"/>, whose first columns are the
    /// layout's (the loader fills any after them), or gives the reason the line is rejected and adds nothing. Text values are
    /// the line's own bytes (unescaped and trimmed), never a string. Safe to call from several threads, each with its own batch.
    /// </summary>
    public string? Append(ReadOnlySpan<byte> utf8, CultureInfo culture, AppendBatch rows)
    {
        // On the stack: a slot array per line was a sixth of what a load allocated when rows were objects.
        Span<Slot> slots = _columns.Count <= 64 ? stackalloc Slot[_columns.Count] : new Slot[_columns.Count];
        return Append(utf8, culture, rows, slots);
    }

    private string? Append(ReadOnlySpan<byte> bytes, CultureInfo culture, AppendBatch rows, Span<Slot> slots)
    {
        var columns = _columns;
        var unescaped = _unescaped ??= new byte[1024];
        var used = 0;
        var reader = new Utf8JsonReader(bytes, isFinalBlock: true, state: default);
        string? notObject = null;
        try
        {
            reader.Read();
            if (reader.TokenType == JsonTokenType.StartObject) Walk(ref reader, bytes, _root, slots, _timestamps, ref unescaped, ref used);
            else
            {
                notObject = KindName(reader.TokenType);
                reader.Skip();
            }
            if (reader.Read()) throw new InvalidOperationException("unreachable: the reader refuses a second value");
        }
        catch (JsonException e)
        {
            return $"invalid JSON: {e.Message.Split(" LineNumber", 2)[0].TrimEnd('.')}";
        }
        finally
        {
            _unescaped = unescaped;
        }
        if (notObject is not null) return $"an event must be a JSON object, got {notObject}";

        ref readonly var type = ref slots[_typeColumn];
        if (!IsText(type) || !IsType(Bytes(type, bytes, unescaped)))
            return $"'type' must be one of {string.Join(", ", Types)}, got '{(IsText(type) ? Utf8.GetString(Bytes(type, bytes, unescaped)) : null)}'";
        if (Bytes(type, bytes, unescaped).SequenceEqual("track"u8) && !IsText(slots[_eventColumn])) return "a track event needs 'event'";
        if (!IsText(slots[_anonymousColumn]) && !IsText(slots[_userColumn])) return "an event needs 'anonymousId' or 'userId'";

        rows.AddRow();
        for (var i = 0; i < slots.Length; i++)
        {
            var column = columns[i];
            ref var slot = ref slots[i];
            if (!slot.Found && column.Required)
            {
                rows.RemoveLastRow();
                return $"'{column.Header}' is missing but required";
            }
            if (!slot.Found || slot.Kind == JsonTokenType.Null) continue;
            if (slot.IsTimestamp)
            {
                rows.SetTimestamp(i, slot.Timestamp);
                continue;
            }
            var text = Bytes(slot, bytes, unescaped);
            if (column.Kind == DataKind.Text)
            {
                // FieldParser's text: trimmed as string.Trim trims, NULL when nothing is left.
                var trimmed = Trim(text);
                if (trimmed.Length > 0) rows.SetText(i, trimmed);
                continue;
            }
            // Other kinds (a revenue, a timestamp of another shape) the general way, from a string; JSON numbers are invariant
            // whatever the culture, strings holding numbers are written in it.
            var field = Utf8.GetString(text);
            if (!FieldParser.TryParse(field, column.Kind, slot.Kind == JsonTokenType.Number ? CultureInfo.InvariantCulture : culture, out var value, out var reason))
            {
                rows.RemoveLastRow();
                return $"'{column.Header}': {reason}, got '{CsvExportReader.Shorten(field)}'";
            }
            rows.Set(i, value);
        }
        return null;
    }

    private static ReadOnlySpan<byte> Bytes(in Slot slot, ReadOnlySpan<byte> line, byte[] unescaped) =>
        slot.Unescaped ? unescaped.AsSpan(slot.Start, slot.Length) : line.Slice(slot.Start, slot.Length);

    private static bool IsType(ReadOnlySpan<byte> type)
    {
        foreach (var name in TypeNames)
            if (type.SequenceEqual(name)) return true;
        return false;
    }

    // White space at either end removed as string.Trim removes it (char.IsWhiteSpace: ASCII's, U+0085, U+00A0 and Unicode's
    // separators, all in the basic plane, so one rune is one char).
    private static ReadOnlySpan<byte> Trim(ReadOnlySpan<byte> utf8)
    {
        while (utf8.Length > 0)
        {
            int n;
            if (utf8[0] < 0x80)
            {
                if (!IsAsciiWhiteSpace(utf8[0])) break;
                n = 1;
            }
            else if (Rune.DecodeFromUtf8(utf8, out var rune, out n) != OperationStatus.Done || !Rune.IsWhiteSpace(rune)) break;
            utf8 = utf8[n..];
        }
        while (utf8.Length > 0)
        {
            int n;
            if (utf8[^1] < 0x80)
            {
                if (!IsAsciiWhiteSpace(utf8[^1])) break;
                n = 1;
            }
            else if (Rune.DecodeLastFromUtf8(utf8, out var rune, out n) != OperationStatus.Done || !Rune.IsWhiteSpace(rune)) break;
            utf8 = utf8[..^n];
        }
        return utf8;
    }

    private static bool IsAsciiWhiteSpace(byte b) => b is (byte)' ' or >= 0x09 and <= 0x0D;

    // The reader is on an object's start; reads to its end, filling the slots of the keys in level. An escaped string is
    // unescaped into unescaped (from used on, grown as needed): the same bytes Utf8JsonReader.GetString decodes, and the same
    // exception for a broken escape.
    private static void Walk(ref Utf8JsonReader reader, ReadOnlySpan<byte> bytes, List<Node> level, Span<Slot> slots, bool[] timestamps, ref byte[] unescaped, ref int used)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var node = Match(ref reader, level);
            reader.Read();
            if (node is null)
            {
                reader.Skip();
                continue;
            }
            // A repeated key replaces everything the earlier one brought, as a document lookup would see only the last.
            foreach (var c in node.Columns) slots[c] = default;
            var start = (int)reader.TokenStartIndex;
            var kind = reader.TokenType;
            if (kind == JsonTokenType.StartObject && node.Children.Count > 0) Walk(ref reader, bytes, node.Children, slots, timestamps, ref unescaped, ref used);
            else if (kind is JsonTokenType.StartObject or JsonTokenType.StartArray) reader.Skip();
            if (node.Column < 0) continue;
            // The usual event time is read from its bytes; any other text goes the general way.
            if (kind == JsonTokenType.String && timestamps[node.Column] && TryIsoUtc(ref reader, out var timestamp))
            {
                slots[node.Column] = new Slot { Found = true, Kind = kind, IsTimestamp = true, Timestamp = timestamp };
                continue;
            }
            var slot = new Slot { Found = true, Kind = kind };
            switch (kind)
            {
                case JsonTokenType.StartObject or JsonTokenType.StartArray:
                    (slot.Start, slot.Length) = (start, (int)reader.BytesConsumed - start);
                    break;
                case JsonTokenType.String when reader.ValueIsEscaped:
                    // Unescaped text is never longer than its escaped spelling.
                    if (unescaped.Length - used < reader.ValueSpan.Length) Array.Resize(ref unescaped, Math.Max(unescaped.Length * 2, used + reader.ValueSpan.Length));
                    (slot.Unescaped, slot.Start, slot.Length) = (true, used, reader.CopyString(unescaped.AsSpan(used)));
                    used += slot.Length;
                    break;
                case JsonTokenType.String:
                    (slot.Start, slot.Length) = (start + 1, reader.ValueSpan.Length); // after the opening quote
                    break;
                case JsonTokenType.Null:
                    break;
                default:
                    (slot.Start, slot.Length) = (start, reader.ValueSpan.Length); // a number's or literal's own text
                    break;
            }
            slots[node.Column] = slot;
        }
    }

    // The ISO UTC shape of FieldParser.TryParseIsoUtc, from an unescaped JSON string of ASCII bytes; false for anything else.
    private static bool TryIsoUtc(ref Utf8JsonReader reader, out DateTime value)
    {
        value = default;
        if (reader.ValueIsEscaped || reader.HasValueSequence) return false;
        var bytes = reader.ValueSpan;
        if (bytes.Length is < 19 or > 28) return false;
        Span<char> text = stackalloc char[bytes.Length];
        for (var i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] > 0x7F) return false;
            text[i] = (char)bytes[i];
        }
        return FieldParser.TryParseIsoUtc(text, out value);
    }

    // A key as written (the usual case: no escapes) is compared as bytes, length first; an escaped one is unescaped by the reader.
    private static Node? Match(ref Utf8JsonReader reader, List<Node> level)
    {
        if (reader.ValueIsEscaped || reader.HasValueSequence)
        {
            foreach (var node in level)
                if (reader.ValueTextEquals(node.Name)) return node;
            return null;
        }
        var key = reader.ValueSpan;
        foreach (var node in level)
            if (node.Name.Length == key.Length && key.SequenceEqual(node.Name)) return node;
        return null;
    }

    // A non-empty JSON string, as the spec checks want their fields.
    private static bool IsText(in Slot slot) => slot is { Found: true, Kind: JsonTokenType.String, Length: > 0 };

    private static string KindName(JsonTokenType token) => token switch
    {
        JsonTokenType.StartArray => "array",
        JsonTokenType.String => "string",
        JsonTokenType.Number => "number",
        JsonTokenType.True => "true",
        JsonTokenType.False => "false",
        _ => "null",
    };
}
