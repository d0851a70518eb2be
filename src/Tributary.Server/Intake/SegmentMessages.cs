using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;
using System.Text.Json;
using Tributary.Components.Activation;

namespace Tributary.Server.Intake;

/// <summary>
/// Reads the bodies of Segment's HTTP tracking API (<c>/v1/track</c> … <c>/v1/batch</c>): checks each message against its
/// call type, stamps <c>receivedAt</c>, corrects <c>timestamp</c> for the sender's clock skew as Segment does
/// (<c>timestamp = receivedAt − (sentAt − timestamp)</c>) and gives a message without a <c>messageId</c> a new one.
/// </summary>
internal static class SegmentMessages
{
    /// <summary>Segment's limit for one event.</summary>
    public const int MaxEventBytes = 32 * 1024;
    /// <summary>Segment's limit for one batch call.</summary>
    public const int MaxBatchBytes = 500 * 1024;
    /// <summary>The country calling code for phones without one, as standardize.events' default.</summary>
    private const string DefaultCountryCode = "1";

    /// <summary>The message types (and single-message calls) of the API.</summary>
    public static readonly IReadOnlyList<string> CallTypes = ["identify", "track", "page", "screen", "group", "alias"];

    private static readonly HashSet<string> Types = [.. CallTypes];

    /// <summary>The body's write key (<c>writeKey</c>), when it has one.</summary>
    public static string? WriteKey(JsonElement body) =>
        body.ValueKind == JsonValueKind.Object && body.TryGetProperty("writeKey"u8, out var k) && k.ValueKind == JsonValueKind.String ? k.GetString() : null;

    /// <summary>
    /// The events of a call: <paramref name="type"/> is the path's call type, or null for a batch. On a bad message,
    /// <paramref name="problem"/> says why (and, in a batch, at which index) and the result is null.
    /// </summary>
    public static List<IntakeEvent>? Read(string? type, JsonElement body, DateTime receivedAt, IPAddress? remote, out string? problem)
    {
        problem = null;
        if (body.ValueKind != JsonValueKind.Object)
        {
            problem = "the body must be a JSON object";
            return null;
        }
        if (type is not null)
        {
            if (Message(type, body, null, receivedAt, remote, out var reason) is { } one) return [one];
            problem = reason;
            return null;
        }
        if (!body.TryGetProperty("batch"u8, out var batch) || batch.ValueKind != JsonValueKind.Array)
        {
            problem = "a batch call needs 'batch', an array of messages";
            return null;
        }
        // The batch's sentAt is read once; a message with its own sentAt does not need it, so a bad one is reported at the first message that does.
        var sentAt = body.TryGetProperty("sentAt"u8, out var s) ? new BatchSentAt(Time(s, out var sent, out var sentProblem, "sentAt"), sent, sentProblem) : null;
        var events = new List<IntakeEvent>(batch.GetArrayLength());
        var index = 0;
        foreach (var message in batch.EnumerateArray())
        {
            // The message's own bytes in the body, measured without copying them out.
            var size = JsonMarshal.GetRawUtf8Value(message).Length;
            if (size > MaxEventBytes)
            {
                problem = $"batch[{index}] is {size} bytes; an event may be at most {MaxEventBytes} bytes (32 KB)";
                return null;
            }
            var messageType = message.ValueKind == JsonValueKind.Object && message.TryGetProperty("type"u8, out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()! : null;
            if (messageType is null || !Types.Contains(messageType))
            {
                problem = $"batch[{index}]: 'type' must be one of {string.Join(", ", Types)}" + (messageType is null ? "" : $"; got '{messageType}'");
                return null;
            }
            if (Message(messageType, message, sentAt, receivedAt, remote, out var reason) is not { } e)
            {
                problem = $"batch[{index}]: {reason}";
                return null;
            }
            events.Add(e);
            index++;
        }
        return events;
    }

    private sealed record BatchSentAt(bool Valid, DateTime? Value, string? Problem);

    private static IntakeEvent? Message(string type, JsonElement m, BatchSentAt? batchSentAt, DateTime receivedAt, IPAddress? remote, out string? problem)
    {
        var userId = Id(m, "userId"u8);
        var anonymousId = Id(m, "anonymousId"u8);
        problem = type != "alias" && userId is null && anonymousId is null ? $"a {type} call needs 'userId' or 'anonymousId'"
            : type == "track" && Text(m, "event"u8) is not { Length: > 0 } ? "a track call needs 'event', the name of the action"
            : type == "group" && Id(m, "groupId"u8) is null ? "a group call needs 'groupId'"
            : type == "alias" && (Id(m, "previousId"u8) is null || userId is null) ? "an alias call needs 'previousId' and 'userId'"
            : null;
        if (problem is not null) return null;
        if (!Time(m, "timestamp"u8, out var timestamp, out problem) || !Time(m, "sentAt"u8, out var sentAt, out problem)) return null;
        if (sentAt is null && batchSentAt is { } b)
        {
            if (!b.Valid)
            {
                problem = b.Problem;
                return null;
            }
            sentAt = b.Value;
        }
        // The sender's clock is off by sentAt - receivedAt; the event happened that much earlier than receivedAt as sentAt is after timestamp.
        var occurredAt = timestamp is { } ts ? (sentAt is { } sent ? receivedAt - (sent - ts) : ts) : receivedAt;
        var context = Object(m, "context"u8);
        var properties = Object(m, "properties"u8);
        var traits = Object(m, "traits"u8) ?? (context is { } c ? Object(c, "traits"u8) : null);
        var page = context is { } c1 ? Object(c1, "page"u8) : null;
        var messageId = Id(m, "messageId"u8);
        var campaign = context is { } c2 ? Object(c2, "campaign"u8) : null;
        return new IntakeEvent
        {
            EventId = messageId ?? Guid.NewGuid().ToString(),
            GeneratedId = messageId is null,
            Type = type,
            Event = type == "track" ? Text(m, "event"u8) : Text(m, "name"u8),
            // An alias from a server has no anonymousId: its previousId (the visitor's old id) takes the place, as the
            // warehouse's standardize.events does, so that identity resolution links it to userId.
            AnonymousId = anonymousId ?? (type == "alias" ? Id(m, "previousId"u8) : null),
            UserId = userId,
            OccurredAt = occurredAt,
            ReceivedAt = receivedAt,
            Email = ContactNormalizer.Email(Text(traits, "email"u8)),
            Phone = ContactNormalizer.PhoneE164(Text(traits, "phone"u8), DefaultCountryCode),
            Ip = Text(context, "ip"u8) ?? remote?.ToString(),
            UserAgent = Text(context, "userAgent"u8),
            PageUrl = Text(page, "url"u8) ?? (type == "page" ? Text(properties, "url"u8) : null),
            PageReferrer = Text(page, "referrer"u8) ?? (type == "page" ? Text(properties, "referrer"u8) : null),
            UtmSource = Text(campaign, "source"u8)?.ToLowerInvariant(),
            UtmMedium = Text(campaign, "medium"u8)?.ToLowerInvariant(),
            UtmCampaign = Text(campaign, "name"u8),
            OrderId = Text(properties, "order_id"u8),
            Revenue = properties is { } p && p.TryGetProperty("revenue"u8, out var r) && r.ValueKind == JsonValueKind.Number ? r.GetDouble()
                : double.TryParse(Text(properties, "revenue"u8), NumberStyles.Float, CultureInfo.InvariantCulture, out var rv) ? rv : null,
            Currency = Text(properties, "currency"u8)?.ToUpperInvariant(),
            Experiment = Text(properties, "experiment_name"u8),
            Variant = Text(properties, "variation_name"u8),
            Properties = properties?.GetRawText(),
        };
    }

    private static JsonElement? Object(JsonElement? parent, ReadOnlySpan<byte> name) =>
        parent is { ValueKind: JsonValueKind.Object } p && p.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Object ? v : null;

    private static string? Text(JsonElement? parent, ReadOnlySpan<byte> name) =>
        parent is { ValueKind: JsonValueKind.Object } p && p.TryGetProperty(name, out var v) ? v.ValueKind switch
        {
            JsonValueKind.String => v.GetString(),
            JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => v.GetRawText(),
            _ => null,
        } : null;

    // Segment's ids may be strings or numbers; an empty string is no id.
    private static string? Id(JsonElement m, ReadOnlySpan<byte> name) => Text(m, name) is { Length: > 0 } id ? id : null;

    private static bool Time(JsonElement m, ReadOnlySpan<byte> name, out DateTime? value, out string? problem)
    {
        value = null;
        problem = null;
        return !m.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null || Time(v, out value, out problem, System.Text.Encoding.UTF8.GetString(name));
    }

    private static bool Time(JsonElement v, out DateTime? value, out string? problem, string name)
    {
        value = null;
        problem = null;
        // ISO 8601 in UTC or without a zone (what libraries send) is read straight from the UTF-8; a zone offset or any
        // other form goes through DateTimeOffset.TryParse, whose reading of the string is the definition.
        if (v.ValueKind == JsonValueKind.String && v.TryGetDateTime(out var iso) && iso.Kind != DateTimeKind.Local)
        {
            value = DateTime.SpecifyKind(iso, DateTimeKind.Utc);
            return true;
        }
        if (v.ValueKind == JsonValueKind.String && DateTimeOffset.TryParse(v.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t))
        {
            value = t.UtcDateTime;
            return true;
        }
        problem = $"'{name}' must be an ISO 8601 date and time, such as 2026-12-02T08:30:00.000Z; got {v.GetRawText()}";
        return false;
    }
}
