using System.Text;
using Tributary.Core.Components;
using Tributary.Core.Warehousing;

namespace Tributary.Components.Sources.Platform;

/// <summary>
/// Loads Segment-spec events (identify, track, page, screen, group, alias) from NDJSON files, one event per line,
/// flattening the fields identity and journeys need, and the <c>context</c> object's fields into typed columns as Segment's
/// and RudderStack's own warehouse schemas do; properties and traits stay JSON text. The raw context JSON (about half of a
/// typical line) is stored only with <c>keep_raw_context</c>. Invalid JSON and events that break the spec go to
/// <c>&lt;id&gt;__rejected</c>.
/// </summary>
public sealed class SegmentEventsSource : IComponent<SegmentEventsParameters>
{
    /// <summary>The columns stored by default: the context flattened, no raw context.</summary>
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
        new("properties", "properties"), new("traits", "traits"),
        // The rest of Segment's common context fields, named as the columns above (page_*, not context_page_*).
        new("page_title", "context.page.title"), new("page_search", "context.page.search"),
        new("library_name", "context.library.name"), new("library_version", "context.library.version"),
        new("locale", "context.locale"), new("timezone", "context.timezone"),
        new("device_id", "context.device.id"), new("device_type", "context.device.type"),
        new("device_manufacturer", "context.device.manufacturer"), new("device_model", "context.device.model"),
        new("os_name", "context.os.name"), new("os_version", "context.os.version"),
        new("app_name", "context.app.name"), new("app_version", "context.app.version"),
    ]);

    /// <summary>The columns with <c>keep_raw_context</c>: the flattened ones plus the context object as JSON text.</summary>
    internal static readonly PlatformLayout RawContextLayout = Layout with { Columns = [.. Layout.Columns, new("context", "context")] };

    private static readonly SegmentEventParser Flattened = new(Layout, ParsedRow.LoaderColumns), WithRawContext = new(RawContextLayout, ParsedRow.LoaderColumns);

    /// <inheritdoc />
    public static string TypeName => "source.segment_events";
    /// <inheritdoc />
    public static string Description => "Load Segment-spec events (NDJSON, one per line) into a table.";
    /// <inheritdoc />
    public static InputArity Inputs => InputArity.None;
    /// <inheritdoc />
    public static bool ReadsTimeZone => true;

    /// <inheritdoc />
    public ComponentPlan Plan(SegmentEventsParameters parameters, PlanContext context) => PlatformSchemas.Plan(LayoutOf(parameters));

    /// <inheritdoc />
    public Task<Materialization> MaterializeAsync(SegmentEventsParameters parameters, ComponentContext context, CancellationToken cancellationToken) =>
        PlatformFileLoader.LoadLinesAsync(context, parameters, LayoutOf(parameters), ".ndjson",
            (file, content) => SourceLineReader.Open(file, parameters.Encoding, parameters.MaxRecordBytes, content), (line, utf8) => Parse(line, utf8, parameters),
            (ReadOnlySpan<byte> utf8, AppendBatch rows, out string? reason) => Append(utf8, rows, parameters, out reason), cancellationToken);

    internal static PlatformLayout LayoutOf(SegmentEventsParameters parameters) => parameters.KeepRawContext ? RawContextLayout : Layout;

    internal static IEnumerable<ParsedRow> Read(string path, SegmentEventsParameters parameters) =>
        ParallelLineParse.Rows(SourceLineReader.Open(path, parameters.Encoding, parameters.MaxRecordBytes), (line, utf8) => Parse(line, utf8, parameters));

    // One line's event or the reason it is rejected; null for a blank line. Safe to call from several threads at once.
    private static ParsedRow? Parse(long line, ReadOnlySpan<byte> utf8, SegmentEventsParameters parameters)
    {
        if (IsBlank(utf8)) return null;
        return (parameters.KeepRawContext ? WithRawContext : Flattened).Parse(line, utf8, parameters.NumberCulture);
    }

    // As Parse, into a batch of rows: true with a row added, true with none for a blank line, false with the reason for a rejected one.
    private static bool Append(ReadOnlySpan<byte> utf8, AppendBatch rows, SegmentEventsParameters parameters, out string? reason)
    {
        reason = IsBlank(utf8) ? null : (parameters.KeepRawContext ? WithRawContext : Flattened).Append(utf8, parameters.NumberCulture, rows);
        return reason is null;
    }

    // Blank as string.IsNullOrWhiteSpace sees it; an event's first byte is '{', so the text is decoded only for odd lines.
    private static bool IsBlank(ReadOnlySpan<byte> utf8)
    {
        var first = utf8.IndexOfAnyExcept(" \t\r\n"u8);
        return first < 0 || utf8[first] != (byte)'{' && string.IsNullOrWhiteSpace(Encoding.UTF8.GetString(utf8));
    }
}
