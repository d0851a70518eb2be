using System.Buffers.Binary;
using System.Text;
using Tributary.Core.Warehousing;

namespace Tributary.Server.Intake;

/// <summary>
/// How the events of one append are stored in one row of the <see cref="IntakeLog"/>: a compact binary record per event
/// (which columns are not null, then each present value: text as length-prefixed UTF-8, a timestamp as UTC ticks, a number
/// as a double), so that a commit writes one row per call instead of one row of 22 bound parameters per event.
/// </summary>
internal static class IntakeLogFormat
{
    private static readonly DataKind[] Kinds = [.. IntakeEvent.Columns.Select(c => c.Kind)];

    /// <summary>Encodes <paramref name="events"/> into <paramref name="output"/> (cleared first).</summary>
    public static void Write(MemoryStream output, IEnumerable<IntakeEvent> events)
    {
        output.SetLength(0);
        using var writer = new BinaryWriter(output, Encoding.UTF8, leaveOpen: true);
        foreach (var e in events)
        {
            var values = e.Values();
            var present = 0;
            for (var i = 0; i < values.Length; i++) if (values[i] is not null) present |= 1 << i;
            writer.Write(present);
            for (var i = 0; i < values.Length; i++)
                switch (values[i])
                {
                    case null: break;
                    case string s: writer.Write(s); break;
                    case DateTime t: writer.Write(t.Ticks); break;
                    case double d: writer.Write(d); break;
                    case var other: throw new InvalidOperationException($"column {IntakeEvent.Columns[i].Name} holds a {other.GetType().Name}");
                }
        }
    }

    /// <summary>The events of one row (its first <paramref name="length"/> bytes), each in the order of <see cref="IntakeEvent.Columns"/>.</summary>
    public static IEnumerable<object?[]> Read(byte[] data, int length)
    {
        for (var position = 0; position < length;)
        {
            var values = new object?[Kinds.Length];
            position = ReadEvent(data.AsSpan(0, length), position, values);
            yield return values;
        }
    }

    // One event from a span, as BinaryWriter wrote it: text decoded from the row's UTF-8 in one call per value (BinaryReader
    // decodes through a char buffer, a third of the loader's decoding time).
    private static int ReadEvent(ReadOnlySpan<byte> data, int position, object?[] values)
    {
        var present = BinaryPrimitives.ReadInt32LittleEndian(data[position..]);
        position += sizeof(int);
        for (var i = 0; i < values.Length; i++)
        {
            if ((present & (1 << i)) == 0) continue;
            switch (Kinds[i])
            {
                case DataKind.Timestamp:
                    values[i] = new DateTime(BinaryPrimitives.ReadInt64LittleEndian(data[position..]), DateTimeKind.Utc);
                    position += sizeof(long);
                    break;
                case DataKind.Number:
                    values[i] = BinaryPrimitives.ReadDoubleLittleEndian(data[position..]);
                    position += sizeof(double);
                    break;
                default:
                    // The byte length as BinaryWriter.Write7BitEncodedInt writes it, then the bytes.
                    var bytes = 0;
                    for (var shift = 0; ; shift += 7)
                    {
                        if (shift > 28) throw new InvalidDataException("a text length in the intake log is malformed.");
                        var b = data[position++];
                        bytes |= (b & 0x7F) << shift;
                        if (b < 0x80) break;
                    }
                    values[i] = Encoding.UTF8.GetString(data.Slice(position, bytes));
                    position += bytes;
                    break;
            }
        }
        return position;
    }
}
