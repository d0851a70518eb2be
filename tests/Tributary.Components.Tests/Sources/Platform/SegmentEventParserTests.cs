using System.Globalization;
using System.Text;
using System.Text.Json;
using Tributary.Components.Sources;
using Tributary.Components.Sources.Platform;

namespace Tributary.Components.Tests.Sources.Platform;

/// <summary>
/// The single-pass Segment event parser gives, for every line, the same values or the same rejection reason as a
/// <see cref="JsonDocument"/> lookup of each column's path (the parser it replaced, kept here as the reference).
/// </summary>
public sealed class SegmentEventParserTests
{
    public static TheoryData<string> Lines =>
    [
        // Valid events: every column, nested paths, unicode escapes, escaped keys, numbers and booleans kept as literals.
        """{"type":"track","event":"Order Completed","messageId":"m1","userId":"u1","anonymousId":"a1","timestamp":"2025-01-02T10:00:00.123Z","sentAt":"2025-01-02T10:00:01Z","receivedAt":"2025-01-02 11:00:02 +0100","properties":{"order_id":"#1001","revenue":20.5,"currency":"EUR","experiment_name":"e","variation_name":"v","items":[{"sku":"a"}]},"traits":{"email":"A@X.com","phone":"+1 555"},"context":{"ip":"1.2.3.4","userAgent":"UA","page":{"url":"https://x/p?q=1","path":"/p","referrer":"https://google.com"},"campaign":{"source":"google","medium":"cpc","name":"brand","term":"mugs","content":"ad1"}}}""",
        """{"type":"identify","messageId":"m\u00e9\u4e2d\ud83d\ude00","userId":"caf\u00e9","timestamp":"2025-01-02T10:00:00Z","traits":{"email":"\u0041@x.com","name":"Jos\u00e9 \"JJ\""}}""",
        """{"type":"page","messageId":"m2","anonymousId":"a","timestamp":"2025-01-02T10:00:00Z","context":{"page":{"u\u0072l":"https://escaped-key"}}}""",
        """{"type":"page","messageId":"m3","anonymousId":"a","timestamp":"2025-01-02T10:00:00Z","properties":{"revenue":"1,234.50","order_id":1001,"currency":true}}""",
        """  {"type":"screen","name":"Home","messageId":"m4","anonymousId":"a","timestamp":"2025-01-02T10:00:00Z","properties":null,"traits":[1,2],"context":"text"}  """,
        """{"type":"group","messageId":"m5","userId":"u","timestamp":"2025-01-02T10:00:00Z","previousId":null,"event":null,"deep":{"a":{"b":{"c":[1,{"d":2}]}}}}""",
        """{"type":"alias","messageId":"m6","userId":"u","previousId":"p","timestamp":"2025-01-02T10:00:00Z","context":{"page":{"url":"first"}},"context":{"ip":"second"}}""",
        """{"type":"track","event":"E","messageId":"m7","userId":"u","timestamp":"2025-01-02T10:00:00Z","userId":"","anonymousId":"a","messageId":"m7b"}""",
        """{"type":"track","event":"E","messageId":"m8","userId":"u","timestamp":"2025-01-02T10:00:00Z","properties":{"revenue":1e3,"order_id":-0.5e-2}}""",
        // Timestamps outside the shape read from the bytes (escaped, padded, with an offset, a 7-digit fraction, no designator) take the general way.
        """{"type":"track","event":"E","messageId":"m9","userId":"u","timestamp":"2025-01-02T10:00:00\u005a","sentAt":" 2025-01-02T10:00:01Z ","receivedAt":"2025-01-02T10:00:02.1234567"}""",
        """{"type":"track","event":"E","messageId":"m10","userId":"u","timestamp":"2025-01-02T10:00:00.5+02:00","sentAt":"2025-02-29T10:00:01Z","receivedAt":"2025-01-02T24:00:00Z"}""",
        """{"type":"track","event":"E","messageId":"m11","userId":"u","timestamp":"2025-01-02T10:00:00.12345678Z"}""",
        """{"type":"track","event":"E","messageId":"m12","userId":"u","timestamp":"2025-01-02T10:00:00Z","timestamp":"2025-01-03 10:00:00","sentAt":"\u00e92025-01-02T10:00:01Z"}""",
        // Text trimmed as string.Trim trims: ASCII and Unicode white space (escaped or written), inner white space kept, nothing left is NULL.
        """{"type":"page","messageId":"\u00a0m13\u2003","anonymousId":" \u3000 ","userId":"u","timestamp":"2025-01-02T10:00:00Z","context":{"userAgent":" UA  x\u2028","ip":"\n"}}""",
        """{"type":"page","messageId":"é","anonymousId":"\u0085a b\u0085","timestamp":"2025-01-02T10:00:00Z","context":{"userAgent":"\u00e9 ","ip":"\u00a0\u00e9\u00a0"}}""",
        // Rejected: invalid JSON anywhere, not an object, spec violations, wrong types.
        """{"type":"track","event":"E","messageId":"m","userId":"u","timestamp":"2025-01-02T10:00:00Z" """,
        """{"type":"track","event":"E","messageId":"m","userId":"u","timestamp":"2025-01-02T10:00:00Z"} trailing""",
        """{"type":"track","event":"E","messageId":"m","userId":"u","timestamp":"2025-01-02T10:00:00Z","x":[1,2,}""",
        """{"type":"track",}""",
        """["not","an","object"]""",
        """["not","an","object"  """,
        "\"just a string\"",
        "42",
        "true",
        "null",
        "nope",
        """{"type":"track","messageId":"m","userId":"u","timestamp":"2025-01-02T10:00:00Z"}""",
        """{"type":"page","messageId":"m","timestamp":"2025-01-02T10:00:00Z"}""",
        """{"type":"Track","event":"E","messageId":"m","userId":"u","timestamp":"2025-01-02T10:00:00Z"}""",
        """{"type":7,"messageId":"m","userId":"u","timestamp":"2025-01-02T10:00:00Z"}""",
        """{"type":"track","event":"E","userId":"u","timestamp":"2025-01-02T10:00:00Z"}""",
        """{"type":"track","event":"E","messageId":"m","userId":"u"}""",
        """{"type":"track","event":"E","messageId":"m","userId":"u","timestamp":"soon"}""",
        """{"type":"track","event":"E","messageId":"m","userId":"u","timestamp":1735812000}""",
        """{"type":"track","event":"E","messageId":"m","userId":"u","timestamp":"2025-01-02T10:00:00Z","properties":{"revenue":"lots"}}""",
        """{"type":"track","event":"E","messageId":"m","userId":"u","timestamp":"2025-01-02T10:00:00Z","properties":{"revenue":{"amount":1}}}""",
        """{"type":"track","event":"E","messageId":"m","userId":"u","timestamp":"2025-01-02T10:00:00Z","properties":{"revenue":"12,50"}}""",
        """{"type":"track","event":"E","messageId":"m","userId":"u","timestamp":"2025-01-02T10:00:00Z","sentAt":{"nested":true}}""",
    ];

    [Theory]
    [MemberData(nameof(Lines))]
    public void Parse_GivesTheSameRowOrReasonAsADocumentLookup(string raw)
    {
        foreach (var layout in new[] { SegmentEventsSource.Layout, SegmentEventsSource.RawContextLayout })
        {
            var expected = Reference(7, raw, CultureInfo.InvariantCulture, layout);

            var actual = new SegmentEventParser(layout).Parse(7, raw, CultureInfo.InvariantCulture);

            Assert.Equal(expected.Reason, actual.Reason);
            Assert.Equal(expected.Values, actual.Values);
            Assert.Equal((7L, raw), (actual.Line, actual.Raw));
            // From the line's bytes: the same row or reason; only a rejected row decodes its text.
            var fromBytes = new SegmentEventParser(layout).Parse(7, Encoding.UTF8.GetBytes(raw), CultureInfo.InvariantCulture);
            Assert.Equal(expected.Reason, fromBytes.Reason);
            Assert.Equal(expected.Values, fromBytes.Values);
            Assert.Equal((7L, expected.Reason is null ? "" : raw), (fromBytes.Line, fromBytes.Raw));
        }
    }

    [Fact]
    public void Parse_LinesInSequence_EachGivesItsOwnValuesWhateverTheLineBeforeIt()
    {
        // One thread reuses the previous line's string of a column when the bytes repeat: every order of the lines (a value
        // then a longer/shorter/escaped spelling of it, then the first again) must still give each line's own row.
        string[] extra =
        [
            """{"type":"page","messageId":"m","anonymousId":"a","timestamp":"2025-01-02T10:00:00Z","context":{"userAgent":"UA","ip":"1.2.3.4"}}""",
            """{"type":"page","messageId":"m","anonymousId":"a","timestamp":"2025-01-02T10:00:00Z","context":{"userAgent":"U\u0041","ip":"1.2.3.4 "}}""",
            """{"type":"page","messageId":"mm","anonymousId":"ab","timestamp":"2025-01-02T10:00:00Z","context":{"userAgent":"UAX","ip":"1.2.3"}}""",
            """{"type":"page","messageId":"m","anonymousId":"a","timestamp":"2025-01-02T10:00:00Z","context":{"userAgent":"","ip":null}}""",
            "{\"type\":\"page\",\"messageId\":\"m\",\"anonymousId\":\"" + new string('a', 257) + "\",\"timestamp\":\"2025-01-02T10:00:00Z\"}",
        ];
        var lines = Lines.Select(row => row.Data).Concat(extra).ToList();
        var parser = new SegmentEventParser(SegmentEventsSource.Layout);
        foreach (var order in new[] { lines, Enumerable.Reverse(lines).ToList(), lines.SelectMany(l => new[] { l, l }).ToList(), [.. extra, .. extra, .. extra.Reverse()] })
            foreach (var raw in order)
            {
                var expected = Reference(7, raw, CultureInfo.InvariantCulture, SegmentEventsSource.Layout);
                var actual = parser.Parse(7, Encoding.UTF8.GetBytes(raw), CultureInfo.InvariantCulture);
                Assert.Equal(expected.Reason, actual.Reason);
                Assert.Equal(expected.Values, actual.Values);
            }
    }

    [Fact]
    public void Parse_ValueRepeatedFromTheLineBefore_IsTheSameStringNotANewOne()
    {
        // A visitor's events repeat the user agent, ids and campaign: a new string for each copy was most of what a load allocated.
        const string first = """{"type":"page","messageId":"m1","anonymousId":"a1","timestamp":"2025-01-02T10:00:00Z","context":{"userAgent":"Mozilla/5.0 (iPhone)"}}""";
        const string second = """{"type":"page","messageId":"m2","anonymousId":"a1","timestamp":"2025-01-02T10:00:01Z","context":{"userAgent":"Mozilla/5.0 (iPhone)"}}""";
        var parser = new SegmentEventParser(SegmentEventsSource.Layout);
        var columns = SegmentEventsSource.Layout.Columns.Select(c => c.Name).ToList();

        var a = parser.Parse(1, Encoding.UTF8.GetBytes(first), CultureInfo.InvariantCulture).Values!;
        var b = parser.Parse(2, Encoding.UTF8.GetBytes(second), CultureInfo.InvariantCulture).Values!;

        Assert.Same(a[columns.IndexOf("user_agent")], b[columns.IndexOf("user_agent")]);
        Assert.Same(a[columns.IndexOf("anonymous_id")], b[columns.IndexOf("anonymous_id")]);
        Assert.Equal(("m1", "m2"), (a[columns.IndexOf("message_id")], b[columns.IndexOf("message_id")]));
    }

    [Fact]
    public void Parse_NestedAndEscapedFields_AreReadFromTheirPaths()
    {
        var row = new SegmentEventParser(SegmentEventsSource.RawContextLayout).Parse(1, """{"type":"page","messageId":"m\u00e9","anonymousId":"a","timestamp":"2025-01-02T10:00:00.250+01:00","context":{"page":{"url":"https://x/\u00fc"},"campaign":{"name":"brand"}},"properties":{"revenue":20.5}}""", CultureInfo.InvariantCulture);

        Assert.Null(row.Reason);
        var columns = SegmentEventsSource.RawContextLayout.Columns.Select(c => c.Name).ToList();
        object? Value(string name) => row.Values![columns.IndexOf(name)];
        Assert.Equal("mé", Value("message_id"));
        Assert.Equal("https://x/ü", Value("page_url"));
        Assert.Equal("brand", Value("utm_campaign"));
        Assert.Equal(20.5, Value("revenue"));
        Assert.Equal(new DateTime(2025, 1, 2, 9, 0, 0, 250), Value("timestamp"));
        Assert.Equal("""{"page":{"url":"https://x/\u00fc"},"campaign":{"name":"brand"}}""", Value("context")); // raw text, escapes as written
    }

    [Fact]
    public void Parse_WithRoom_LeavesFreeSlotsThatTheLoaderFillsInPlace()
    {
        const string raw = """{"type":"page","messageId":"m","anonymousId":"a","timestamp":"2025-01-02T10:00:00Z"}""";
        var columns = SegmentEventsSource.Layout.Columns.Count;
        var plain = new SegmentEventParser(SegmentEventsSource.Layout).Parse(4, raw, CultureInfo.InvariantCulture);
        var roomy = new SegmentEventParser(SegmentEventsSource.Layout, ParsedRow.LoaderColumns).Parse(4, raw, CultureInfo.InvariantCulture);

        var stored = roomy.Stored(columns, "f.ndjson");
        var copied = plain.Stored(columns, "f.ndjson");

        Assert.Same(roomy.Values, stored);
        Assert.NotSame(plain.Values, copied);
        Assert.Equal(copied, stored);
        Assert.Equal([.. plain.Values!, "f.ndjson", 4L], stored);
    }

    [Fact]
    public void Parse_MalformedJson_IsRejectedWithTheReadersMessage()
    {
        var row = new SegmentEventParser(SegmentEventsSource.Layout).Parse(3, """{"type":"track","event":"E" "messageId":"m"}""", CultureInfo.InvariantCulture);

        Assert.Null(row.Values);
        Assert.StartsWith("invalid JSON: ", row.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain("LineNumber", row.Reason, StringComparison.Ordinal);
    }

    // The parser this one replaced: a JsonDocument per line and a property lookup per column path.
    private static ParsedRow Reference(long line, string raw, CultureInfo culture, PlatformLayout layout)
    {
        string[] types = ["identify", "track", "page", "screen", "group", "alias"];
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(raw);
        }
        catch (JsonException e)
        {
            return ParsedRow.Rejected(line, raw, $"invalid JSON: {e.Message.Split(" LineNumber", 2)[0].TrimEnd('.')}");
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return ParsedRow.Rejected(line, raw, $"an event must be a JSON object, got {root.ValueKind.ToString().ToLowerInvariant()}");
            string? Text(string name) => root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String && v.GetString() is { Length: > 0 } s ? s : null;
            var type = Text("type");
            if (type is null || !types.Contains(type)) return ParsedRow.Rejected(line, raw, $"'type' must be one of {string.Join(", ", types)}, got '{type}'");
            if (type == "track" && Text("event") is null) return ParsedRow.Rejected(line, raw, "a track event needs 'event'");
            if (Text("anonymousId") is null && Text("userId") is null) return ParsedRow.Rejected(line, raw, "an event needs 'anonymousId' or 'userId'");
            var values = new object?[layout.Columns.Count];
            for (var i = 0; i < values.Length; i++)
            {
                var column = layout.Columns[i];
                JsonElement? element = root;
                foreach (var part in column.Header.Split('.'))
                    element = element is { ValueKind: JsonValueKind.Object } o && o.TryGetProperty(part, out var next) ? next : null;
                if (element is null)
                {
                    if (column.Required) return ParsedRow.Rejected(line, raw, $"'{column.Header}' is missing but required");
                    continue;
                }
                var e = element.Value;
                var text = e.ValueKind switch
                {
                    JsonValueKind.Null => null,
                    JsonValueKind.String => e.GetString(),
                    _ => e.GetRawText(),
                };
                if (!FieldParser.TryParse(text, column.Kind, e.ValueKind == JsonValueKind.Number ? CultureInfo.InvariantCulture : culture, out values[i], out var reason))
                    return ParsedRow.Rejected(line, raw, $"'{column.Header}': {reason}, got '{CsvExportReader.Shorten(text ?? "")}'");
            }
            return ParsedRow.Valid(line, raw, values);
        }
    }
}
