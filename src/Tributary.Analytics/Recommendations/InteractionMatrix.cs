namespace Tributary.Analytics.Recommendations;

/// <summary>
/// A sparse users × items matrix of non-negative implicit feedback in compressed sparse row form: the items of user
/// <c>u</c> are <c>Items[RowStart[u]..RowStart[u + 1]]</c> in ascending order with their <c>Values</c>.
/// </summary>
public sealed class InteractionMatrix
{
    private InteractionMatrix(int users, int items, int[] rowStart, int[] columns, double[] values)
    {
        Users = users;
        Items = items;
        RowStart = rowStart;
        Columns = columns;
        Values = values;
    }

    /// <summary>Rows.</summary>
    public int Users { get; }
    /// <summary>Columns.</summary>
    public int Items { get; }
    /// <summary>Offsets of each row's entries, length <see cref="Users"/> + 1.</summary>
    public int[] RowStart { get; }
    /// <summary>Column of each entry.</summary>
    public int[] Columns { get; }
    /// <summary>Value of each entry.</summary>
    public double[] Values { get; }
    /// <summary>Stored entries.</summary>
    public int Count => Columns.Length;

    /// <summary>The entries of row <paramref name="row"/>: columns and values.</summary>
    public (ReadOnlyMemory<int> Columns, ReadOnlyMemory<double> Values) Row(int row) =>
        (Columns.AsMemory(RowStart[row], RowStart[row + 1] - RowStart[row]), Values.AsMemory(RowStart[row], RowStart[row + 1] - RowStart[row]));

    /// <summary>Builds the matrix from triplets; repeated (row, column) pairs are summed, zeros and negatives dropped.</summary>
    /// <exception cref="ArgumentException">Lengths differ or an index is out of range.</exception>
    public static InteractionMatrix FromTriplets(int users, int items, ReadOnlySpan<int> rows, ReadOnlySpan<int> columns, ReadOnlySpan<double> values)
    {
        if (rows.Length != columns.Length || rows.Length != values.Length)
            throw new ArgumentException($"rows, columns and values need one entry each; got {rows.Length}, {columns.Length}, {values.Length}.");
        var counts = new int[users + 1];
        for (var k = 0; k < rows.Length; k++)
        {
            if ((uint)rows[k] >= (uint)users || (uint)columns[k] >= (uint)items)
                throw new ArgumentException($"entry {k}: ({rows[k]}, {columns[k]}) is outside {users} × {items}.");
            counts[rows[k] + 1]++;
        }
        for (var u = 0; u < users; u++) counts[u + 1] += counts[u];
        var next = counts[..^1].ToArray();
        var cols = new int[rows.Length];
        var vals = new double[rows.Length];
        for (var k = 0; k < rows.Length; k++)
        {
            var at = next[rows[k]]++;
            cols[at] = columns[k];
            vals[at] = values[k];
        }
        // Sort each row by column and merge duplicates.
        var start = new int[users + 1];
        var write = 0;
        for (var u = 0; u < users; u++)
        {
            var (from, to) = (counts[u], counts[u + 1]);
            Array.Sort(cols, vals, from, to - from);
            start[u] = write;
            for (var k = from; k < to; k++)
            {
                if (write > start[u] && cols[write - 1] == cols[k]) vals[write - 1] += vals[k];
                else
                {
                    cols[write] = cols[k];
                    vals[write] = vals[k];
                    write++;
                }
            }
            // Drop what summed to zero or less: implicit feedback has no negative preference.
            var kept = start[u];
            for (var k = start[u]; k < write; k++)
                if (vals[k] > 0)
                {
                    cols[kept] = cols[k];
                    vals[kept] = vals[k];
                    kept++;
                }
            write = kept;
        }
        start[users] = write;
        return new InteractionMatrix(users, items, start, cols[..write], vals[..write]);
    }

    /// <summary>The items × users matrix.</summary>
    public InteractionMatrix Transpose()
    {
        var start = new int[Items + 1];
        foreach (var c in Columns) start[c + 1]++;
        for (var i = 0; i < Items; i++) start[i + 1] += start[i];
        var next = start[..^1].ToArray();
        var cols = new int[Count];
        var vals = new double[Count];
        for (var u = 0; u < Users; u++)
            for (var k = RowStart[u]; k < RowStart[u + 1]; k++)
            {
                var at = next[Columns[k]]++;
                cols[at] = u;
                vals[at] = Values[k];
            }
        return new InteractionMatrix(Items, Users, start, cols, vals);
    }

    /// <summary>Users (rows) with at least one entry in each column.</summary>
    public int[] ColumnCounts()
    {
        var counts = new int[Items];
        foreach (var c in Columns) counts[c]++;
        return counts;
    }
}
