using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Tributary.Engine.Execution;

/// <summary>
/// A materialization's metadata as the run store keeps it (JSON). It is written after the step's tables are swapped in, so
/// it cannot fail: a number that is not finite (an AUC undefined on a holdout of one class is NaN) is written as null, as
/// JSON has no NaN or infinity, and a value JSON cannot hold at all is written as null with a warning naming its key.
/// </summary>
public static class MaterializationJson
{
    /// <summary>Options writing non-finite <see cref="double"/> and <see cref="float"/> values as null, everywhere in the value.</summary>
    public static JsonSerializerOptions Options { get; } = Create();

    /// <summary>The metadata as a JSON object, and a warning for each value that could not be written (then null).</summary>
    public static (string Json, IReadOnlyList<string> Warnings) Serialize(IReadOnlyDictionary<string, object?> metadata)
    {
        var json = new JsonObject();
        var warnings = new List<string>();
        foreach (var (key, value) in metadata)
        {
            try
            {
                json[key] = JsonSerializer.SerializeToNode(value, Options);
            }
            catch (Exception e) when (e is NotSupportedException or InvalidOperationException or JsonException or ArgumentException)
            {
                json[key] = null;
                warnings.Add($"metadata '{key}' could not be recorded ({value?.GetType().Name}: {e.Message}); it is kept as null");
            }
        }
        return (json.ToJsonString(Options), warnings);
    }

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions { Converters = { new FiniteDouble(), new FiniteSingle() } };
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    private sealed class FiniteDouble : JsonConverter<double>
    {
        public override double Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.GetDouble();

        public override void Write(Utf8JsonWriter writer, double value, JsonSerializerOptions options)
        {
            if (double.IsFinite(value)) writer.WriteNumberValue(value);
            else writer.WriteNullValue();
        }
    }

    private sealed class FiniteSingle : JsonConverter<float>
    {
        public override float Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.GetSingle();

        public override void Write(Utf8JsonWriter writer, float value, JsonSerializerOptions options)
        {
            if (float.IsFinite(value)) writer.WriteNumberValue(value);
            else writer.WriteNullValue();
        }
    }
}
