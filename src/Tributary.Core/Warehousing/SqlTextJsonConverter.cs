using System.Text.Json;
using System.Text.Json.Serialization;

namespace Tributary.Core.Warehousing;

/// <summary>
/// <see cref="SqlText"/> in JSON: a plain string when it has no values, else
/// <c>{"template": "...", "values": {"param.n": {"type": "integer", "value": 5}}}</c>, so each value keeps its type.
/// </summary>
internal sealed class SqlTextJsonConverter : JsonConverter<SqlText>
{
    public override SqlText Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.String) return new SqlText(reader.GetString()!);
        using var document = JsonDocument.ParseValue(ref reader);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("template", out var template) || template.ValueKind != JsonValueKind.String)
            throw new JsonException("SQL must be text.");
        var values = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (root.TryGetProperty("values", out var map))
            foreach (var entry in map.EnumerateObject())
                values[entry.Name] = entry.Value.GetProperty("type").GetString() switch
                {
                    "integer" => entry.Value.GetProperty("value").GetInt64(),
                    "number" => entry.Value.GetProperty("value").GetDouble(),
                    "boolean" => entry.Value.GetProperty("value").GetBoolean(),
                    "string" => entry.Value.GetProperty("value").GetString(),
                    "null" => null,
                    var other => throw new JsonException($"unknown SQL value type '{other}'."),
                };
        return new SqlText(template.GetString()!, values);
    }

    public override void Write(Utf8JsonWriter writer, SqlText value, JsonSerializerOptions options)
    {
        if (value.Values.Count == 0)
        {
            writer.WriteStringValue(value.Template);
            return;
        }
        writer.WriteStartObject();
        writer.WriteString("template", value.Template);
        writer.WriteStartObject("values");
        foreach (var (name, v) in value.Values)
        {
            writer.WriteStartObject(name);
            switch (v)
            {
                case long l:
                    writer.WriteString("type", "integer");
                    writer.WriteNumber("value", l);
                    break;
                case double d:
                    writer.WriteString("type", "number");
                    writer.WriteNumber("value", d);
                    break;
                case bool b:
                    writer.WriteString("type", "boolean");
                    writer.WriteBoolean("value", b);
                    break;
                case string s:
                    writer.WriteString("type", "string");
                    writer.WriteString("value", s);
                    break;
                default:
                    writer.WriteString("type", "null");
                    break;
            }
            writer.WriteEndObject();
        }
        writer.WriteEndObject();
        writer.WriteEndObject();
    }
}
