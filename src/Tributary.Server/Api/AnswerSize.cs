using System.Buffers;
using System.Text.Json;
using Tributary.Server.Contracts;

namespace Tributary.Server.Api;

/// <summary>How many rows of an answer fit in a number of bytes of JSON, as the API writes them.</summary>
internal static class AnswerSize
{
    /// <summary>
    /// The count of leading rows whose JSON (with a comma between rows) is at most <paramref name="maxBytes"/>: all of them when
    /// they fit. A row's size is measured as it will be written, so wide text and long arrays count for what they cost.
    /// </summary>
    public static int RowsWithin(IReadOnlyList<object?[]> rows, long maxBytes)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = true, Encoder = ApiJson.Options.Encoder });
        long total = 0;
        for (var i = 0; i < rows.Count; i++)
        {
            JsonSerializer.Serialize(json, rows[i], ApiJson.Options);
            json.Flush();
            total += buffer.WrittenCount + 1;
            buffer.ResetWrittenCount();
            json.Reset();
            if (total > maxBytes) return i;
        }
        return rows.Count;
    }
}
