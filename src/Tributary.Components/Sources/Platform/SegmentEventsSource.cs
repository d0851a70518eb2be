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
            else if (!string.IsNullOrWhiteSpace(line.Text)) yield return SegmentEventParser.Parse(line.Number, line.Text, culture);
        }
    }
}
