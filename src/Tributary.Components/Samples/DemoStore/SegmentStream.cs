using System.Text.Json;

namespace Tributary.Components.Samples.DemoStore;

/// <summary>Writes Segment-spec events (identify, track, page, alias) as NDJSON, one event per line.</summary>
internal sealed class SegmentStream : IDisposable
{
    private readonly FileStream _file;
    private readonly Utf8JsonWriter _json;
    private readonly Random _random;
    private readonly bool _mess;
    private long _messageIds;

    public SegmentStream(string path, Random random, bool mess)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        _file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        _json = new Utf8JsonWriter(_file, new JsonWriterOptions { SkipValidation = true });
        _random = random;
        _mess = mess;
    }

    public long Count { get; private set; }

    public sealed record Context(string AnonymousId, string? UserId, string Ip, string UserAgent, string? Url, string? Referrer,
        DemoChannel? Channel, string? Campaign);

    /// <summary>Writes one event; with mess on, about 1% are sent twice (same messageId) and 0.5% arrive days late.</summary>
    /// <remarks>A caller with its own <paramref name="random"/> and <paramref name="messageId"/> leaves this stream's draws and ids untouched.</remarks>
    public void Write(string type, string? name, DateTime at, Context context, Action<Utf8JsonWriter>? properties = null, Action<Utf8JsonWriter>? traits = null,
        string? previousId = null, Random? random = null, string? messageId = null)
    {
        random ??= _random;
        var id = messageId ?? $"msg-{++_messageIds:x10}";
        var copies = _mess && random.NextDouble() < 0.01 ? 2 : 1;
        var lateDays = _mess && random.NextDouble() < 0.005 ? random.Next(1, 6) : 0;
        for (var copy = 0; copy < copies; copy++)
        {
            _json.Reset();
            _json.WriteStartObject();
            _json.WriteString("type", type);
            if (name is not null) _json.WriteString(type == "page" ? "name" : "event", name);
            _json.WriteString("messageId", id);
            _json.WriteString("anonymousId", context.AnonymousId);
            if (context.UserId is not null) _json.WriteString("userId", context.UserId);
            if (previousId is not null) _json.WriteString("previousId", previousId);
            _json.WriteString("timestamp", Iso(at));
            _json.WriteString("sentAt", Iso(at.AddMilliseconds(40 + copy * 900)));
            _json.WriteString("receivedAt", Iso(at.AddMilliseconds(250 + copy * 1500).AddDays(lateDays)));
            if (properties is not null)
            {
                _json.WriteStartObject("properties");
                properties(_json);
                _json.WriteEndObject();
            }
            if (traits is not null)
            {
                _json.WriteStartObject("traits");
                traits(_json);
                _json.WriteEndObject();
            }
            _json.WriteStartObject("context");
            _json.WriteString("ip", context.Ip);
            _json.WriteString("userAgent", context.UserAgent);
            if (context.Url is not null)
            {
                _json.WriteStartObject("page");
                _json.WriteString("url", context.Url);
                _json.WriteString("path", new Uri(context.Url).AbsolutePath);
                if (context.Referrer is not null) _json.WriteString("referrer", context.Referrer);
                _json.WriteEndObject();
            }
            if (context.Channel is { } channel && channel.Name is not ("organic_search" or "referral"))
            {
                _json.WriteStartObject("campaign");
                _json.WriteString("source", channel.UtmSource);
                _json.WriteString("medium", channel.UtmMedium);
                if (context.Campaign is not null) _json.WriteString("name", context.Campaign);
                _json.WriteEndObject();
            }
            _json.WriteEndObject();
            _json.WriteEndObject();
            _json.Flush();
            _file.WriteByte((byte)'\n');
            Count++;
        }
    }

    public static string Iso(DateTime utc) => utc.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture);

    public void Dispose()
    {
        _json.Dispose();
        _file.Dispose();
    }
}
