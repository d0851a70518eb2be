using System.Buffers;
using System.Text.Json;
using Tributary.Server.Contracts;

namespace Tributary.Server.Api;

/// <summary>
/// A list serialized once as a JSON array with the API's conventions, with the end of each element, so that its first n
/// elements are a slice plus a closing bracket: an answer copies bytes instead of serializing on every request.
/// </summary>
internal sealed class SerializedList
{
    private readonly byte[] _json;
    private readonly int[] _ends;

    private SerializedList(byte[] json, int[] ends) => (_json, _ends) = (json, ends);

    /// <summary>Elements.</summary>
    public int Count => _ends.Length;

    /// <summary>Serializes <paramref name="items"/> with <see cref="ApiJson.Options"/>.</summary>
    public static SerializedList Of<T>(IReadOnlyList<T> items)
    {
        using var buffer = new MemoryStream();
        var ends = new int[items.Count];
        buffer.WriteByte((byte)'[');
        for (var i = 0; i < items.Count; i++)
        {
            if (i > 0) buffer.WriteByte((byte)',');
            JsonSerializer.Serialize(buffer, items[i], ApiJson.Options);
            ends[i] = (int)buffer.Length;
        }
        buffer.WriteByte((byte)']');
        return new SerializedList(buffer.ToArray(), ends);
    }

    /// <summary>Writes the JSON array of the first <paramref name="count"/> elements (all when there are fewer) to <paramref name="output"/>.</summary>
    public void WriteFirst(IBufferWriter<byte> output, int count)
    {
        if (count >= _ends.Length) output.Write(_json);
        else if (count <= 0) output.Write("[]"u8);
        else
        {
            output.Write(_json.AsSpan(0, _ends[count - 1]));
            output.Write("]"u8);
        }
    }

    /// <summary>Bytes <see cref="WriteFirst"/> writes.</summary>
    public int Length(int count) => count >= _ends.Length ? _json.Length : count <= 0 ? 2 : _ends[count - 1] + 1;
}
