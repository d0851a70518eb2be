namespace Tributary.Core.Warehousing;

/// <summary>One table of an <see cref="IWarehouse.WriteTablesAsync"/>: how its staging table is built and how it is committed.</summary>
/// <param name="Table">The table to write.</param>
/// <param name="Mode">Replace the table (or its partition) with the staging rows, or append them.</param>
/// <param name="Build">Builds the staging table; runs before the transaction.</param>
public sealed record TableWrite(string Table, TableWriteMode Mode, Func<ITableBuilder, CancellationToken, Task> Build)
{
    /// <summary>
    /// When set, the write touches only the rows whose <see cref="TablePartition.Column"/> is <see cref="TablePartition.Key"/>;
    /// the staging rows get that column on commit.
    /// </summary>
    public TablePartition? Partition { get; init; }

    /// <summary>
    /// When set, the commit passes only while this attempt's epoch holds the fence of (table, partition), and is recorded in
    /// <see cref="WriteFence.CommitTable"/> in the same transaction; otherwise <see cref="StaleAttemptException"/> and nothing changes.
    /// </summary>
    public WriteFence? Fence { get; init; }

    /// <summary>
    /// For an <see cref="TableWriteMode.Append"/> without a partition: the transaction is opened and the table's turn taken
    /// before the build, and <see cref="ITableBuilder.CreateAndAppendAsync"/> appends straight into the table when it exists
    /// with exactly those columns (names, order and kinds), so each row is written once instead of into a staging table
    /// and then copied. When the table is missing or its columns differ, or the build uses another method, the build goes
    /// to a staging table as without it. The build then runs inside the transaction, holding the table's turn: keep it to
    /// the rows.
    /// </summary>
    public bool AppendDirectly { get; init; }

    /// <summary>
    /// For an <see cref="TableWriteMode.Append"/>: rows already in the table that the appended ones supersede (a file delivered
    /// again at the same path, or every row on a full refresh), deleted in the same transaction before the rows are added, from every partition.
    /// </summary>
    public SupersededRows? Supersedes { get; init; }
}

/// <summary>Rows of a table whose <paramref name="Column"/> holds one of <paramref name="Values"/>, or with <see cref="All"/> every row.</summary>
public sealed record SupersededRows(string Column, IReadOnlyList<string> Values)
{
    /// <summary>Every row of the table is superseded (a full refresh); <see cref="Column"/> and <see cref="Values"/> are not read.</summary>
    public bool All { get; init; }

    /// <summary>Every row of the table (of the partition, in a partitioned write): the appended rows take the place of all that was there.</summary>
    public static SupersededRows Everything { get; } = new("", []) { All = true };
}

/// <summary>A partition of a table: the column holding the key, and the key.</summary>
public sealed record TablePartition(string Column, string Key)
{
    /// <summary>
    /// The partition's time window, or null. With it, replacing the partition also replaces the rows without a key in the
    /// window (a whole-table write left them), and a table written whole gets the key column on the first partition write.
    /// </summary>
    public PartitionWindow? Window { get; init; }
}

/// <summary>A partition's time window: rows whose <paramref name="Column"/> is in [<paramref name="Start"/>, <paramref name="End"/>) (UTC).</summary>
public sealed record PartitionWindow(string Column, DateTime Start, DateTime End);

/// <summary>How a staging table is committed.</summary>
public enum TableWriteMode
{
    /// <summary>The staging table becomes the table (or the partition's rows), dropping what was there.</summary>
    Replace,
    /// <summary>The staging rows are added to the table, which is created on first use; new columns are added, missing ones get NULL.</summary>
    Append,
}
