using Apache.Arrow;
using Apache.Arrow.Types;
using Tributary.Core.Warehousing;

namespace Tributary.Warehouse.DuckDb;

/// <summary>Copies Arrow columns, as DuckDB exports them, into a <see cref="ColumnBatch"/>'s arrays of the portable kinds.</summary>
internal static class ArrowColumns
{
    private static readonly long UnixEpochTicks = DateTime.UnixEpoch.Ticks;
    private static readonly int UnixEpochDay = DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber;

    /// <summary>Copies <paramref name="array"/> into column <paramref name="column"/> of <paramref name="batch"/> (reset to its length).</summary>
    /// <exception cref="InvalidOperationException">The Arrow type cannot be read as the column's kind.</exception>
    public static void Copy(IArrowArray array, ColumnBatch batch, int column)
    {
        var kind = batch.Kinds[column];
        switch (kind, array)
        {
            case (DataKind.Integer, Int64Array a): a.Values.CopyTo(batch.Writable<long>(column)); break;
            case (DataKind.Integer, Int32Array a): Widen(a.Values, batch.Writable<long>(column)); break;
            case (DataKind.Integer, Int16Array a): Widen(a.Values, batch.Writable<long>(column)); break;
            case (DataKind.Integer, Int8Array a): Widen(a.Values, batch.Writable<long>(column)); break;
            case (DataKind.Integer, UInt32Array a): Widen(a.Values, batch.Writable<long>(column)); break;
            case (DataKind.Integer, UInt16Array a): Widen(a.Values, batch.Writable<long>(column)); break;
            case (DataKind.Integer, UInt8Array a): Widen(a.Values, batch.Writable<long>(column)); break;
            case (DataKind.Number, DoubleArray a): a.Values.CopyTo(batch.Writable<double>(column)); break;
            case (DataKind.Number, FloatArray a): Widen(a.Values, batch.Writable<double>(column)); break;
            case (DataKind.Number, Int64Array a): Widen(a.Values, batch.Writable<double>(column)); break;
            case (DataKind.Number, Int32Array a): Widen(a.Values, batch.Writable<double>(column)); break;
            case (DataKind.Number, Decimal128Array a):
                var numbers = batch.Writable<double>(column);
                for (var i = 0; i < numbers.Length; i++) numbers[i] = a.IsNull(i) ? 0 : (double)a.GetValue(i)!.Value;
                break;
            case (DataKind.Boolean, BooleanArray a):
                // Straight from the value bits (a NULL's bit reads false, and is marked below): GetValue checks each row's
                // validity and boxes it in a nullable first, a cost per row of millions.
                var booleans = batch.Writable<bool>(column);
                var bits = a.ValueBuffer.Span;
                for (var i = 0; i < booleans.Length; i++) booleans[i] = BitUtility.GetBit(bits, a.Offset + i) && (a.NullCount == 0 || a.IsValid(i));
                break;
            case (DataKind.Text, StringArray a):
                var texts = batch.Writable<string>(column);
                for (var i = 0; i < texts.Length; i++) texts[i] = a.GetString(i);
                break;
            case (DataKind.Date, Date32Array a):
                var dates = batch.Writable<DateOnly>(column);
                var days = a.Values;
                for (var i = 0; i < dates.Length; i++) dates[i] = a.IsNull(i) ? default : DateOnly.FromDayNumber(UnixEpochDay + days[i]);
                break;
            case (DataKind.Timestamp, TimestampArray a):
                var type = (TimestampType)a.Data.DataType;
                var (multiply, divide) = type.Unit switch
                {
                    TimeUnit.Second => (TimeSpan.TicksPerSecond, 1L),
                    TimeUnit.Millisecond => (TimeSpan.TicksPerMillisecond, 1L),
                    TimeUnit.Microsecond => (TimeSpan.TicksPerMicrosecond, 1L),
                    _ => (1L, 100L),
                };
                // A zoned timestamp is an instant (UTC); a plain one is wall-clock time, as the data reader gives both.
                var dateKind = string.IsNullOrEmpty(type.Timezone) ? DateTimeKind.Unspecified : DateTimeKind.Utc;
                var stamps = batch.Writable<DateTime>(column);
                var raw = a.Values;
                if (a.NullCount == 0)
                    for (var i = 0; i < stamps.Length; i++) stamps[i] = new DateTime(UnixEpochTicks + raw[i] * multiply / divide, dateKind);
                else
                    for (var i = 0; i < stamps.Length; i++)
                        stamps[i] = a.IsNull(i) ? default : new DateTime(UnixEpochTicks + raw[i] * multiply / divide, dateKind);
                break;
            default:
                throw new InvalidOperationException($"column {column} is {array.Data.DataType.Name} in DuckDB's result, which is not read as {kind}: cast it in the SQL.");
        }
        if (array.NullCount == 0) return;
        for (var i = 0; i < array.Length; i++)
            if (array.IsNull(i)) batch.SetNull(column, i);
    }

    private static void Widen<T>(ReadOnlySpan<T> from, Span<long> to) where T : System.Numerics.IBinaryInteger<T>
    {
        for (var i = 0; i < to.Length; i++) to[i] = long.CreateTruncating(from[i]);
    }

    private static void Widen<T>(ReadOnlySpan<T> from, Span<double> to) where T : System.Numerics.INumber<T>
    {
        for (var i = 0; i < to.Length; i++) to[i] = double.CreateTruncating(from[i]);
    }
}
