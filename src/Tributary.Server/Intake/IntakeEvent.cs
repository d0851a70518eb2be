using Tributary.Core.Warehousing;

namespace Tributary.Server.Intake;

/// <summary>
/// One accepted event, flattened to the columns of the canonical <c>events</c> table that <c>standardize.events</c>
/// writes (see <see cref="Columns"/>), with the same normalization (email and phone normalized, utm source and medium
/// lower-cased, currency upper-cased).
/// </summary>
internal sealed record IntakeEvent
{
    /// <summary>The canonical table's columns, in order; <see cref="Values"/> follows it.</summary>
    public static readonly IReadOnlyList<(string Name, DataKind Kind)> Columns =
    [
        ("event_id", DataKind.Text), ("type", DataKind.Text), ("event", DataKind.Text),
        ("anonymous_id", DataKind.Text), ("user_id", DataKind.Text),
        ("occurred_at", DataKind.Timestamp), ("received_at", DataKind.Timestamp),
        ("email", DataKind.Text), ("phone", DataKind.Text), ("ip", DataKind.Text),
        ("user_agent", DataKind.Text), ("page_url", DataKind.Text), ("page_referrer", DataKind.Text),
        ("utm_source", DataKind.Text), ("utm_medium", DataKind.Text), ("utm_campaign", DataKind.Text),
        ("order_id", DataKind.Text), ("revenue", DataKind.Number), ("currency", DataKind.Text),
        ("experiment", DataKind.Text), ("variant", DataKind.Text), ("properties", DataKind.Text),
    ];

    public required string EventId { get; init; }
    public required string Type { get; init; }
    public string? Event { get; init; }
    public string? AnonymousId { get; init; }
    public string? UserId { get; init; }
    public required DateTime OccurredAt { get; init; }
    public required DateTime ReceivedAt { get; init; }
    public string? Email { get; init; }
    public string? Phone { get; init; }
    public string? Ip { get; init; }
    public string? UserAgent { get; init; }
    public string? PageUrl { get; init; }
    public string? PageReferrer { get; init; }
    public string? UtmSource { get; init; }
    public string? UtmMedium { get; init; }
    public string? UtmCampaign { get; init; }
    public string? OrderId { get; init; }
    public double? Revenue { get; init; }
    public string? Currency { get; init; }
    public string? Experiment { get; init; }
    public string? Variant { get; init; }
    public string? Properties { get; init; }

    /// <summary>
    /// Whether <see cref="EventId"/> was made here (the message had no messageId): a new id cannot repeat an earlier one,
    /// so the log does not record it for deduplication. Not stored.
    /// </summary>
    public bool GeneratedId { get; init; }

    /// <summary>The values in the order of <see cref="Columns"/>.</summary>
    public object?[] Values() =>
    [
        EventId, Type, Event, AnonymousId, UserId, OccurredAt, ReceivedAt, Email, Phone, Ip, UserAgent, PageUrl, PageReferrer,
        UtmSource, UtmMedium, UtmCampaign, OrderId, Revenue, Currency, Experiment, Variant, Properties,
    ];
}
