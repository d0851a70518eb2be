using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;

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

    // What one line held for each column: found or not, its token kind, its text.
    private struct Slot
    {
        public bool Found;
        public JsonTokenType Kind;
        public string? Text;
    }

    private readonly IReadOnlyList<PlatformColumn> _columns;
    private readonly List<Node> _root;
    private readonly int _typeColumn, _eventColumn, _anonymousColumn, _userColumn;

    /// <summary>A parser filling the columns of <paramref name="layout"/> (headers are paths such as <c>context.page.url</c>).</summary>
    public SegmentEventParser(PlatformLayout layout)
    {
        _columns = layout.Columns;
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
        var columns = _columns;
        var slots = new Slot[columns.Count];
        var rented = ArrayPool<byte>.Shared.Rent(Utf8.GetMaxByteCount(raw.Length));
        try
        {
            var bytes = rented.AsSpan(0, Utf8.GetBytes(raw, rented));
            var reader = new Utf8JsonReader(bytes, isFinalBlock: true, state: default);
            string? notObject = null;
            try
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.StartObject) Walk(ref reader, bytes, _root, slots);
                else
                {
                    notObject = KindName(reader.TokenType);
                    reader.Skip();
                }
                if (reader.Read()) throw new InvalidOperationException("unreachable: the reader refuses a second value");
            }
            catch (JsonException e)
            {
                return ParsedRow.Rejected(line, raw, $"invalid JSON: {e.Message.Split(" LineNumber", 2)[0].TrimEnd('.')}");
            }
            if (notObject is not null) return ParsedRow.Rejected(line, raw, $"an event must be a JSON object, got {notObject}");
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }

        var type = Text(slots[_typeColumn]);
        if (type is null || !Types.Contains(type)) return ParsedRow.Rejected(line, raw, $"'type' must be one of {string.Join(", ", Types)}, got '{type}'");
        if (type == "track" && Text(slots[_eventColumn]) is null) return ParsedRow.Rejected(line, raw, "a track event needs 'event'");
        if (Text(slots[_anonymousColumn]) is null && Text(slots[_userColumn]) is null) return ParsedRow.Rejected(line, raw, "an event needs 'anonymousId' or 'userId'");
        var values = new object?[columns.Count];
        for (var i = 0; i < slots.Length; i++)
        {
            var column = columns[i];
            ref var slot = ref slots[i];
            if (!slot.Found)
            {
                if (column.Required) return ParsedRow.Rejected(line, raw, $"'{column.Header}' is missing but required");
                continue;
            }
            // JSON numbers are invariant whatever the culture; strings holding numbers are written in it.
            if (!FieldParser.TryParse(slot.Text, column.Kind, slot.Kind == JsonTokenType.Number ? CultureInfo.InvariantCulture : culture, out values[i], out var reason))
                return ParsedRow.Rejected(line, raw, $"'{column.Header}': {reason}, got '{CsvExportReader.Shorten(slot.Text ?? "")}'");
        }
        return ParsedRow.Valid(line, raw, values);
    }

    // The reader is on an object's start; reads to its end, filling the slots of the keys in level.
    private static void Walk(ref Utf8JsonReader reader, ReadOnlySpan<byte> bytes, List<Node> level, Slot[] slots)
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
            if (kind == JsonTokenType.StartObject && node.Children.Count > 0) Walk(ref reader, bytes, node.Children, slots);
            else if (kind is JsonTokenType.StartObject or JsonTokenType.StartArray) reader.Skip();
            if (node.Column < 0) continue;
            slots[node.Column] = new Slot
            {
                Found = true,
                Kind = kind,
                Text = kind switch
                {
                    JsonTokenType.StartObject or JsonTokenType.StartArray => Utf8.GetString(bytes[(int)start..(int)reader.BytesConsumed]),
                    JsonTokenType.Null => null,
                    JsonTokenType.String => reader.GetString(),
                    _ => Utf8.GetString(reader.ValueSpan),
                },
            };
        }
    }

    private static Node? Match(ref Utf8JsonReader reader, List<Node> level)
    {
        foreach (var node in level)
            if (reader.ValueTextEquals(node.Name)) return node;
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
