using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace Tributary.Components.Sources.Platform;

/// <summary>Parameters of <c>source.segment_events</c>: the platform sources' ones plus whether to keep the raw context.</summary>
public sealed record SegmentEventsParameters : PlatformSourceParameters, IValidatableObject
{
    /// <summary>Also store each event's <c>context</c> object as JSON text.</summary>
    [Description("Also store each event's context object as JSON text in a 'context' column. Default false: its common fields are stored as columns (ip, user_agent, page_*, utm_*, library_*, locale, timezone, device_*, os_*, app_*) and the raw text, often half of a line, is not kept.")]
    public bool KeepRawContext { get; init; }

    /// <inheritdoc />
    public new IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var result in base.Validate(validationContext)) yield return result;
        // Segment writes ISO 8601 timestamps; a date_format would be silently unused.
        if (DateFormat is not null)
            yield return new ValidationResult("source.segment_events reads Segment's ISO 8601 timestamps; date_format is for CSV exports, remove it.", [nameof(DateFormat)]);
    }
}
