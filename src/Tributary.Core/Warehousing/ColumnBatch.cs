namespace Tributary.Core.Warehousing;

/// <summary>
/// Rows of a query's result as typed columns, one array per column, for reading millions of rows without a call, box or
/// array per value (see <see cref="IWarehouse.ReadColumnsAsync"/>). Each column holds the values of its
/// <see cref="DataKind"/>, read with <see cref="Values{T}"/> as that kind's type: <see cref="DataKind.Integer"/>
/// <see cref="long"/>, <see cref="DataKind.Number"/> <see cref="double"/>, <see cref="DataKind.Boolean"/> <see cref="bool"/>,
/// <see cref="DataKind.Date"/> <see cref="DateOnly"/>, <see cref="DataKind.Timestamp"/> <see cref="DateTime"/> and
/// <see cref="DataKind.Text"/> <see cref="string"/>. A NULL reads as the type's default and <see cref="IsNull"/> tells it apart.
/// A warehouse refills one batch for the next rows, so read a batch before asking for the next.
/// </summary>
public sealed class ColumnBatch
{
    private readonly Array[] _values;
    private readonly bool[][] _nulls;
    private readonly bool[] _hasNulls;

    /// <summary>An empty batch with room for <paramref name="capacity"/> rows of columns of the given kinds.</summary>
    public ColumnBatch(IReadOnlyList<DataKind> kinds, int capacity)
    {
        ArgumentNullException.ThrowIfNull(kinds);
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        Kinds = [.. kinds];
        _values = new Array[Kinds.Count];
        _nulls = new bool[Kinds.Count][];
        _hasNulls = new bool[Kinds.Count];
        Allocate(capacity);
    }

    /// <summary>Each column's kind, in the query's column order.</summary>
    public IReadOnlyList<DataKind> Kinds { get; }

    /// <summary>Rows in the batch.</summary>
    public int Count { get; private set; }

    /// <summary>The values of <paramref name="column"/> (0-based), <see cref="Count"/> of them.</summary>
    /// <exception cref="InvalidCastException"><typeparamref name="T"/> is not the type of the column's kind.</exception>
    public ReadOnlySpan<T> Values<T>(int column) => Column<T>(column).AsSpan(0, Count);

    /// <summary>Whether the value of <paramref name="column"/> in <paramref name="row"/> is NULL.</summary>
    public bool IsNull(int column, int row)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)row, (uint)Count, nameof(row));
        return _nulls[column][row];
    }

    /// <summary>Whether <paramref name="column"/> holds a NULL anywhere in the batch; when not, <see cref="IsNull"/> need not be asked.</summary>
    public bool HasNulls(int column) => _hasNulls[column];

    /// <summary>
    /// For a warehouse filling the batch: empties it for <paramref name="count"/> rows (growing it when needed), every value
    /// not NULL until <see cref="SetNull"/>. Fill the values through <see cref="Writable{T}"/>.
    /// </summary>
    public void Reset(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (count > Capacity) Allocate(Math.Max(count, 2 * Capacity));
        for (var c = 0; c < _nulls.Length; c++)
        {
            if (_hasNulls[c]) Array.Clear(_nulls[c], 0, Count);
            _hasNulls[c] = false;
        }
        Count = count;
    }

    /// <summary>For a warehouse filling the batch: the values of <paramref name="column"/> to write, <see cref="Count"/> of them.</summary>
    public Span<T> Writable<T>(int column) => Column<T>(column).AsSpan(0, Count);

    /// <summary>For a warehouse filling the batch: marks the value of <paramref name="column"/> in <paramref name="row"/> NULL (its value the type's default).</summary>
    public void SetNull(int column, int row)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)row, (uint)Count, nameof(row));
        _nulls[column][row] = true;
        _hasNulls[column] = true;
        Array.Clear(_values[column], row, 1);
    }

    /// <summary>For a warehouse filling the batch: keeps only the first <paramref name="count"/> rows written (the last batch of a result).</summary>
    public void Truncate(int count)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)count, (uint)Count, nameof(count));
        for (var c = 0; c < _nulls.Length; c++)
            if (_hasNulls[c])
            {
                Array.Clear(_nulls[c], count, Count - count);
                _hasNulls[c] = Array.IndexOf(_nulls[c], true, 0, count) >= 0;
            }
        Count = count;
    }

    private int Capacity => _nulls.Length == 0 ? int.MaxValue : _nulls[0].Length;

    private T[] Column<T>(int column) =>
        _values[column] as T[] ?? throw new InvalidCastException($"column {column} holds {Kinds[column]} values, read as {TypeOf(Kinds[column]).Name}, not {typeof(T).Name}.");

    private void Allocate(int capacity)
    {
        for (var c = 0; c < Kinds.Count; c++)
        {
            _values[c] = Array.CreateInstance(TypeOf(Kinds[c]), capacity);
            _nulls[c] = new bool[capacity];
            _hasNulls[c] = false;
        }
    }

    /// <summary>The type a column of <paramref name="kind"/> is read as.</summary>
    /// <exception cref="ArgumentException">The kind has no batch type (<see cref="DataKind.Other"/>).</exception>
    public static Type TypeOf(DataKind kind) => kind switch
    {
        DataKind.Integer => typeof(long),
        DataKind.Number => typeof(double),
        DataKind.Boolean => typeof(bool),
        DataKind.Date => typeof(DateOnly),
        DataKind.Timestamp => typeof(DateTime),
        DataKind.Text => typeof(string),
        _ => throw new ArgumentException($"a column batch holds integer, number, boolean, date, timestamp or text columns, not {kind}: cast the column in the SQL.", nameof(kind)),
    };
}
