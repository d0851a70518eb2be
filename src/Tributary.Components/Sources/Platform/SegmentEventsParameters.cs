using System.ComponentModel;

namespace Tributary.Components.Sources.Platform;

/// <summary>Parameters of <c>source.segment_events</c>: the platform sources' ones plus whether to keep the raw context.</summary>
public sealed record SegmentEventsParameters : PlatformSourceParameters
{
    /// <summary>Also store each event's <c>context</c> object as JSON text.</summary>
    [Description("Also store each event's context object as JSON text in a 'context' column. Default false: its common fields are stored as columns (ip, user_agent, page_*, utm_*, library_*, locale, timezone, device_*, os_*, app_*) and the raw text, often half of a line, is not kept.")]
    public bool KeepRawContext { get; init; }
}
