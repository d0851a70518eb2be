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
        using var writer = new BinaryWriter(output, System.Text.Encoding.UTF8, leaveOpen: true);
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
        using var reader = new BinaryReader(new MemoryStream(data, 0, length, writable: false), System.Text.Encoding.UTF8);
        while (reader.BaseStream.Position < length)
        {
            var present = reader.ReadInt32();
            var values = new object?[Kinds.Length];
            for (var i = 0; i < values.Length; i++)
            {
                if ((present & (1 << i)) == 0) continue;
                values[i] = Kinds[i] switch
                {
                    DataKind.Timestamp => new DateTime(reader.ReadInt64(), DateTimeKind.Utc),
                    DataKind.Number => reader.ReadDouble(),
                    _ => reader.ReadString(),
                };
            }
            yield return values;
        }
    }
}
