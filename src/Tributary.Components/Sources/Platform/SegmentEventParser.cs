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
    private static readonly UTF8Encoding Utf8 = new(false, throwOnInvalidBytes: false);

    /// <summary>A key of an object on a column's path: the column it fills (or -1), the keys below it, and every column at or below it.</summary>
    private sealed class Node
    {
        public required byte[] Name { get; init; }
        public int Column { get; set; } = -1;
        public List<Node> Children { get; } = [];
        public List<int> Columns { get; } = [];
    }

    // What one line held for each column: found or not, its token kind, its text, or its timestamp read straight from the bytes.
    private struct Slot
    {
        public bool Found, IsTimestamp;
        public JsonTokenType Kind;
        public string? Text;
        public DateTime Timestamp;
    }

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

    private ParsedRow Parse(long line, ReadOnlySpan<byte> utf8, string? raw, CultureInfo culture)
    {
        // Pooled, as the bytes are: a new array per line was a sixth of what a load allocated, and its garbage collections cost CPU.
        var pooled = ArrayPool<Slot>.Shared.Rent(_columns.Count);
        try
        {
            return Parse(line, utf8, raw, culture, pooled.AsSpan(0, _columns.Count));
        }
        finally
        {
            ArrayPool<Slot>.Shared.Return(pooled, clearArray: true);
        }
    }

    private ParsedRow Parse(long line, ReadOnlySpan<byte> bytes, string? text, CultureInfo culture, Span<Slot> slots)
    {
        var columns = _columns;
        var reader = new Utf8JsonReader(bytes, isFinalBlock: true, state: default);
        string? notObject = null;
        try
        {
            reader.Read();
            if (reader.TokenType == JsonTokenType.StartObject) Walk(ref reader, bytes, _root, slots, _timestamps, TextCache.ForThisThread(_columns.Count));
            else
            {
                notObject = KindName(reader.TokenType);
                reader.Skip();
            }
            if (reader.Read()) throw new InvalidOperationException("unreachable: the reader refuses a second value");
        }
        catch (JsonException e)
        {
            return Reject(line, bytes, text, $"invalid JSON: {e.Message.Split(" LineNumber", 2)[0].TrimEnd('.')}");
        }
        if (notObject is not null) return Reject(line, bytes, text, $"an event must be a JSON object, got {notObject}");

        var type = Text(slots[_typeColumn]);
        if (type is null || !Types.Contains(type)) return Reject(line, bytes, text, $"'type' must be one of {string.Join(", ", Types)}, got '{type}'");
        if (type == "track" && Text(slots[_eventColumn]) is null) return Reject(line, bytes, text, "a track event needs 'event'");
        if (Text(slots[_anonymousColumn]) is null && Text(slots[_userColumn]) is null) return Reject(line, bytes, text, "an event needs 'anonymousId' or 'userId'");
        var values = new object?[columns.Count + _room];
        for (var i = 0; i < slots.Length; i++)
        {
            var column = columns[i];
            ref var slot = ref slots[i];
            if (!slot.Found)
            {
                if (column.Required) return Reject(line, bytes, text, $"'{column.Header}' is missing but required");
                continue;
            }
            if (slot.IsTimestamp)
            {
                values[i] = slot.Timestamp;
                continue;
            }
            // JSON numbers are invariant whatever the culture; strings holding numbers are written in it.
            if (!FieldParser.TryParse(slot.Text, column.Kind, slot.Kind == JsonTokenType.Number ? CultureInfo.InvariantCulture : culture, out values[i], out var reason))
                return Reject(line, bytes, text, $"'{column.Header}': {reason}, got '{CsvExportReader.Shorten(slot.Text ?? "")}'");
        }
        return ParsedRow.Valid(line, text ?? "", values);
    }

    // Only a rejected row keeps its text: a valid one read from bytes has none.
    private static ParsedRow Reject(long line, ReadOnlySpan<byte> bytes, string? text, string reason) => ParsedRow.Rejected(line, text ?? Utf8.GetString(bytes), reason);

    // The reader is on an object's start; reads to its end, filling the slots of the keys in level.
    private static void Walk(ref Utf8JsonReader reader, ReadOnlySpan<byte> bytes, List<Node> level, Span<Slot> slots, bool[] timestamps, TextCache cache)
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
            var start = reader.TokenStartIndex;
            var kind = reader.TokenType;
            if (kind == JsonTokenType.StartObject && node.Children.Count > 0) Walk(ref reader, bytes, node.Children, slots, timestamps, cache);
            else if (kind is JsonTokenType.StartObject or JsonTokenType.StartArray) reader.Skip();
            if (node.Column < 0) continue;
            // The usual event time is read from its bytes, without a string for it; any other text goes the general way below.
            if (kind == JsonTokenType.String && timestamps[node.Column] && TryIsoUtc(ref reader, out var timestamp))
            {
                slots[node.Column] = new Slot { Found = true, Kind = kind, IsTimestamp = true, Timestamp = timestamp };
                continue;
            }
            slots[node.Column] = new Slot
            {
                Found = true,
                Kind = kind,
                Text = kind switch
                {
                    JsonTokenType.StartObject or JsonTokenType.StartArray => Utf8.GetString(bytes[(int)start..(int)reader.BytesConsumed]),
                    JsonTokenType.Null => null,
                    JsonTokenType.String => cache.Text(ref reader, node.Column),
                    _ => Utf8.GetString(reader.ValueSpan),
                },
            };
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

    private static string? Text(in Slot slot) => slot is { Found: true, Kind: JsonTokenType.String, Text.Length: > 0 } ? slot.Text : null;

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
