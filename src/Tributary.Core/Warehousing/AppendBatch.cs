using System.Globalization;
using System.Text;

namespace Tributary.Core.Warehousing;

/// <summary>
/// Rows to append, written a row at a time into typed columns: no value is boxed and text stays UTF-8, so an engine that takes
/// native column vectors (DuckDB's table functions) copies each value once, without a string, an object per value or a type
/// test per value (see <see cref="ITableBuilder.CreateAndAppendBatchesInParallelAsync"/>). Values are of their column's
/// <see cref="DataKind"/>: <see cref="DataKind.Text"/> UTF-8 bytes, <see cref="DataKind.Integer"/> <see cref="long"/>,
/// <see cref="DataKind.Number"/> <see cref="double"/>, <see cref="DataKind.Boolean"/> <see cref="bool"/>,
/// <see cref="DataKind.Date"/> <see cref="DateOnly"/>, <see cref="DataKind.Timestamp"/> <see cref="DateTime"/> (UTC, as the
/// row writers take it). A new row's values are all NULL until set. A producer refills one batch for its next rows, so a
/// consumer reads a batch before asking for the next.
/// </summary>
public sealed class AppendBatch
{
    // Decoded text is kept per column when at most this long: comparing longer values costs about what decoding does.
    private const int MaxRememberedBytes = 256;

    private readonly DataKind[] _kinds;
    private Cell[] _cells;
    private byte[] _text;
    private int _textLength;
    private int _rowTextStart;
    private int _capacity;

    // The last text each column decoded to a string (Value), by its bytes: a repeat gets the same string back. An export keeps
    // one visitor's events together, so user agents, ids and pages mostly repeat from the row before.
    private readonly string?[] _decoded;
    private readonly byte[]?[] _decodedBytes;
    private readonly int[] _decodedLength;

    // Every cell past Count is NULL, so a new row needs no writes: Clear and RemoveLastRow put NULLs back, a column at a time.
    private static readonly Cell Null = new() { Length = -1 };

    // One value: a text's place in _text (Start, Length), any other kind's value in Bits; Length -1 is NULL.
    private struct Cell
    {
        public long Bits;
        public int Start;
        public int Length;
    }

    /// <summary>An empty batch of columns of <paramref name="kinds"/>, with room for <paramref name="capacity"/> rows before it grows.</summary>
    public AppendBatch(IReadOnlyList<DataKind> kinds, int capacity = 256)
    {
        ArgumentNullException.ThrowIfNull(kinds);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _kinds = [.. kinds];
        _capacity = capacity;
        _cells = new Cell[_kinds.Length * capacity];
        _cells.AsSpan().Fill(Null);
        _text = new byte[capacity * 64];
        _decoded = new string?[_kinds.Length];
        _decodedBytes = new byte[]?[_kinds.Length];
        _decodedLength = new int[_kinds.Length];
    }

    /// <summary>Each column's kind.</summary>
    public IReadOnlyList<DataKind> Kinds => _kinds;

    /// <summary>Rows in the batch.</summary>
    public int Count { get; private set; }

    /// <summary>Empties the batch for new rows (its memory is kept).</summary>
    public void Clear()
    {
        for (var c = 0; c < _kinds.Length; c++) _cells.AsSpan(c * _capacity, Count).Fill(Null);
        Count = 0;
        _textLength = _rowTextStart = 0;
    }

    /// <summary>Adds a row, every value NULL; the setters fill this last row.</summary>
    public void AddRow()
    {
        if (Count == _capacity) Grow();
        Count++;
        _rowTextStart = _textLength;
    }

    /// <summary>Takes back the row <see cref="AddRow"/> added last, with its text (a producer that finds the row bad half-way).</summary>
    public void RemoveLastRow()
    {
        if (Count == 0) throw new InvalidOperationException("no row to remove.");
        Count--;
        for (var c = 0; c < _kinds.Length; c++) _cells[c * _capacity + Count] = Null;
        _textLength = _rowTextStart;
    }

    /// <summary>Sets the last row's <paramref name="column"/> (a text column) to <paramref name="utf8"/>, copied.</summary>
    public void SetText(int column, ReadOnlySpan<byte> utf8)
    {
        if (_textLength + utf8.Length > _text.Length) Array.Resize(ref _text, Math.Max(_text.Length * 2, _textLength + utf8.Length));
        utf8.CopyTo(_text.AsSpan(_textLength));
        Last(column) = new Cell { Start = _textLength, Length = utf8.Length };
        _textLength += utf8.Length;
    }

    /// <summary>
    /// Sets the last row's <paramref name="column"/> (a text column) to <paramref name="text"/> encoded as UTF-8 into the batch:
    /// a producer holding characters (a span of a larger array, say) needs no string per value.
    /// </summary>
    public void SetText(int column, ReadOnlySpan<char> text)
    {
        var most = Encoding.UTF8.GetMaxByteCount(text.Length);
        if (_textLength + most > _text.Length) Array.Resize(ref _text, Math.Max(_text.Length * 2, _textLength + most));
        var length = Encoding.UTF8.GetBytes(text, _text.AsSpan(_textLength));
        Last(column) = new Cell { Start = _textLength, Length = length };
        _textLength += length;
    }

    /// <summary>Sets the last row's <paramref name="column"/> (an integer column).</summary>
    public void SetInteger(int column, long value) => Last(column) = new Cell { Bits = value };

    /// <summary>Sets the last row's <paramref name="column"/> (a number column).</summary>
    public void SetNumber(int column, double value) => Last(column) = new Cell { Bits = BitConverter.DoubleToInt64Bits(value) };

    /// <summary>Sets the last row's <paramref name="column"/> (a boolean column).</summary>
    public void SetBoolean(int column, bool value) => Last(column) = new Cell { Bits = value ? 1 : 0 };

    /// <summary>Sets the last row's <paramref name="column"/> (a date column).</summary>
    public void SetDate(int column, DateOnly value) => Last(column) = new Cell { Bits = value.DayNumber };

    /// <summary>Sets the last row's <paramref name="column"/> (a timestamp column); the kind of <paramref name="value"/> is not kept.</summary>
    public void SetTimestamp(int column, DateTime value) => Last(column) = new Cell { Bits = value.Ticks };

    /// <summary>
    /// Sets the last row's <paramref name="column"/> from a value in any form the row writers take (null, a string, a number of
    /// any type, a <see cref="DateTimeOffset"/>...), converted by the column's kind as they convert it.
    /// </summary>
    public void Set(int column, object? value)
    {
        if (value is null)
        {
            Last(column) = Null;
            return;
        }
        switch (_kinds[column])
        {
            case DataKind.Integer: SetInteger(column, Convert.ToInt64(value, CultureInfo.InvariantCulture)); break;
            case DataKind.Number: SetNumber(column, Convert.ToDouble(value, CultureInfo.InvariantCulture)); break;
            case DataKind.Boolean: SetBoolean(column, Convert.ToBoolean(value, CultureInfo.InvariantCulture)); break;
            case DataKind.Date: SetDate(column, value is DateOnly d ? d : DateOnly.FromDateTime(Convert.ToDateTime(value, CultureInfo.InvariantCulture))); break;
            case DataKind.Timestamp: SetTimestamp(column, value is DateTimeOffset o ? o.UtcDateTime : Convert.ToDateTime(value, CultureInfo.InvariantCulture)); break;
            default: SetText(column, Encoding.UTF8.GetBytes(Convert.ToString(value, CultureInfo.InvariantCulture)!)); break;
        }
    }

    /// <summary>Whether <paramref name="column"/> of <paramref name="row"/> is NULL.</summary>
    public bool IsNull(int row, int column) => At(row, column).Length < 0;

    /// <summary>The UTF-8 text of <paramref name="column"/> of <paramref name="row"/> (empty for NULL).</summary>
    public ReadOnlySpan<byte> TextAt(int row, int column)
    {
        ref readonly var cell = ref At(row, column);
        return cell.Length < 0 ? default : _text.AsSpan(cell.Start, cell.Length);
    }

    /// <summary>The value of an integer <paramref name="column"/> of <paramref name="row"/> (0 for NULL).</summary>
    public long IntegerAt(int row, int column) => At(row, column).Bits;

    /// <summary>The value of a number <paramref name="column"/> of <paramref name="row"/> (0 for NULL).</summary>
    public double NumberAt(int row, int column) => BitConverter.Int64BitsToDouble(At(row, column).Bits);

    /// <summary>The value of a boolean <paramref name="column"/> of <paramref name="row"/> (false for NULL).</summary>
    public bool BooleanAt(int row, int column) => At(row, column).Bits != 0;

    /// <summary>The value of a date <paramref name="column"/> of <paramref name="row"/> (day 0 for NULL).</summary>
    public DateOnly DateAt(int row, int column) => DateOnly.FromDayNumber((int)At(row, column).Bits);

    /// <summary>The value of a timestamp <paramref name="column"/> of <paramref name="row"/>, its kind unspecified (tick 0 for NULL).</summary>
    public DateTime TimestampAt(int row, int column) => new(At(row, column).Bits, DateTimeKind.Unspecified);

    /// <summary>
    /// The value of <paramref name="column"/> of <paramref name="row"/> as the row writers take it (text a string, a timestamp a
    /// <see cref="DateTime"/>...), or null. A text repeating the column's previous one read this way is the same string.
    /// </summary>
    public object? Value(int row, int column)
    {
        if (IsNull(row, column)) return null;
        return _kinds[column] switch
        {
            DataKind.Integer => IntegerAt(row, column),
            DataKind.Number => NumberAt(row, column),
            DataKind.Boolean => BooleanAt(row, column),
            DataKind.Date => DateAt(row, column),
            DataKind.Timestamp => TimestampAt(row, column),
            _ => Decode(column, TextAt(row, column)),
        };
    }

    /// <summary>Every row of <paramref name="batches"/> as an array of values (see <see cref="Value"/>), for writers that take rows.</summary>
    public static IEnumerable<object?[]> Rows(IEnumerable<AppendBatch> batches)
    {
        ArgumentNullException.ThrowIfNull(batches);
        foreach (var batch in batches)
            for (var r = 0; r < batch.Count; r++)
            {
                var values = new object?[batch._kinds.Length];
                for (var c = 0; c < values.Length; c++) values[c] = batch.Value(r, c);
                yield return values;
            }
    }

    private string Decode(int column, ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length > MaxRememberedBytes) return Encoding.UTF8.GetString(utf8);
        if (_decoded[column] is { } previous && utf8.SequenceEqual(_decodedBytes[column].AsSpan(0, _decodedLength[column]))) return previous;
        var text = Encoding.UTF8.GetString(utf8);
        utf8.CopyTo(_decodedBytes[column] ??= new byte[MaxRememberedBytes]);
        _decodedLength[column] = utf8.Length;
        return _decoded[column] = text;
    }

    private ref Cell Last(int column)
    {
        if (Count == 0) throw new InvalidOperationException("no row to set: call AddRow first.");
        return ref _cells[column * _capacity + Count - 1];
    }

    private ref readonly Cell At(int row, int column)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)row, (uint)Count, nameof(row));
        return ref _cells[column * _capacity + row];
    }

    // Columns are laid out one after another, so growing moves each column's rows to its new place.
    private void Grow()
    {
        var capacity = _capacity * 2;
        var cells = new Cell[_kinds.Length * capacity];
        cells.AsSpan().Fill(Null);
        for (var c = 0; c < _kinds.Length; c++) _cells.AsSpan(c * _capacity, Count).CopyTo(cells.AsSpan(c * capacity));
        (_cells, _capacity) = (cells, capacity);
    }
}
