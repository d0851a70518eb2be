using System.Globalization;
using System.Text.Json;
using Tributary.Core.Components;
using Tributary.Core.Warehousing;

namespace Tributary.Components.Sources.Platform;

/// <summary>
/// Loads Segment-spec events (identify, track, page, screen, group, alias) from NDJSON files, one event per line,
/// flattening the fields identity and journeys need and keeping properties, traits and context as JSON text.
/// Invalid JSON and events that break the spec go to <c>&lt;id&gt;__rejected</c>.
/// </summary>
public sealed class SegmentEventsSource : IComponent<PlatformSourceParameters>
{
    private static readonly HashSet<string> Types = ["identify", "track", "page", "screen", "group", "alias"];

    internal static readonly PlatformLayout Layout = new("Segment event",
    [
        new("message_id", "messageId", Required: true), new("type", "type", Required: true), new("event", "event"), new("name", "name"),
        new("anonymous_id", "anonymousId"), new("user_id", "userId"), new("previous_id", "previousId"),
        new("timestamp", "timestamp", DataKind.Timestamp, Required: true), new("sent_at", "sentAt", DataKind.Timestamp), new("received_at", "receivedAt", DataKind.Timestamp),
        new("email", "traits.email"), new("phone", "traits.phone"), new("ip", "context.ip"), new("user_agent", "context.userAgent"),
        new("page_url", "context.page.url"), new("page_path", "context.page.path"), new("page_referrer", "context.page.referrer"),
        new("utm_source", "context.campaign.source"), new("utm_medium", "context.campaign.medium"), new("utm_campaign", "context.campaign.name"),
        new("utm_term", "context.campaign.term"), new("utm_content", "context.campaign.content"),
        new("order_id", "properties.order_id"), new("revenue", "properties.revenue", DataKind.Number), new("currency", "properties.currency"),
        new("experiment_name", "properties.experiment_name"), new("variation_name", "properties.variation_name"),
        new("properties", "properties"), new("traits", "traits"), new("context", "context"),
    ]);

    // Each column's JSON path, split once rather than per event.
    private static readonly string[][] Paths = [.. Layout.Columns.Select(c => c.Header.Split('.'))];

    /// <inheritdoc />
    public static string TypeName => "source.segment_events";
    /// <inheritdoc />
    public static string Description => "Load Segment-spec events (NDJSON, one per line) into a table.";
    /// <inheritdoc />
    public static InputArity Inputs => InputArity.None;

    /// <inheritdoc />
    public ComponentPlan Plan(PlatformSourceParameters parameters, PlanContext context) => PlatformSchemas.Plan(Layout);

    /// <inheritdoc />
    public Task<Materialization> MaterializeAsync(PlatformSourceParameters parameters, ComponentContext context, CancellationToken cancellationToken) =>
        PlatformFileLoader.LoadAsync(context, parameters, Layout, ".ndjson", file => Read(file, parameters), cancellationToken);

    internal static IEnumerable<ParsedRow> Read(string path, PlatformSourceParameters parameters)
    {
        var culture = parameters.NumberCulture;
        foreach (var line in SourceLineReader.ReadAll(path, parameters.Encoding, parameters.MaxRecordBytes))
        {
            if (line.Problem is { } problem) yield return ParsedRow.Rejected(line.Number, line.Text, problem);
            else if (!string.IsNullOrWhiteSpace(line.Text)) yield return Parse(line.Number, line.Text, culture);
        }
    }

    internal static ParsedRow Parse(long line, string raw, CultureInfo culture)
    {
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
            var type = Text(root, "type");
            if (type is null || !Types.Contains(type)) return ParsedRow.Rejected(line, raw, $"'type' must be one of {string.Join(", ", Types)}, got '{type}'");
            if (type == "track" && Text(root, "event") is null) return ParsedRow.Rejected(line, raw, "a track event needs 'event'");
            if (Text(root, "anonymousId") is null && Text(root, "userId") is null) return ParsedRow.Rejected(line, raw, "an event needs 'anonymousId' or 'userId'");
            var values = new object?[Layout.Columns.Count];
            for (var i = 0; i < values.Length; i++)
            {
                var column = Layout.Columns[i];
                var element = Find(root, Paths[i]);
                if (element is null)
                {
                    if (column.Required) return ParsedRow.Rejected(line, raw, $"'{column.Header}' is missing but required");
                    continue;
                }
                var e = element.Value;
                string? text = e.ValueKind switch
                {
                    JsonValueKind.Object or JsonValueKind.Array => e.GetRawText(),
                    JsonValueKind.Null => null,
                    JsonValueKind.String => e.GetString(),
                    _ => e.GetRawText(),
                };
                // JSON numbers are invariant whatever the culture; strings holding numbers are written in it.
                if (!FieldParser.TryParse(text, column.Kind, e.ValueKind == JsonValueKind.Number ? CultureInfo.InvariantCulture : culture, out values[i], out var reason))
                    return ParsedRow.Rejected(line, raw, $"'{column.Header}': {reason}, got '{CsvExportReader.Shorten(text ?? "")}'");
            }
            return ParsedRow.Valid(line, raw, values);
        }
    }

    private static string? Text(JsonElement root, string name) =>
        root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String && v.GetString() is { Length: > 0 } s ? s : null;

    private static JsonElement? Find(JsonElement root, string[] path)
    {
        var current = root;
        foreach (var part in path)
        {
            if (current.ValueKind != JsonValueKind.Object || !current.TryGetProperty(part, out current)) return null;
        }
        return current;
    }
}
