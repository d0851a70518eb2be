namespace Tributary.Core.Warehousing;

/// <summary>
/// Fences a partition write by its attempt's epoch. An attempt raises the fence of each table partition it will write
/// when it starts (<see cref="RaiseSql"/>); its commit passes only while the fence still holds its own epoch, and records
/// the commit in the same warehouse transaction as the rows. A newer attempt of the same partition raises the fence past
/// an older one, so an attempt presumed dead that wakes up later has its commit refused and leaves the table unchanged.
/// </summary>
/// <param name="Epoch">The attempt's epoch, issued by the run store, higher for every new attempt of a partition.</param>
/// <param name="RunId">The run the attempt belongs to.</param>
public sealed record WriteFence(long Epoch, string RunId)
{
    /// <summary>Warehouse tables of the engine's own bookkeeping start with this; they are not assets.</summary>
    public const string TablePrefix = "_tributary_";

    /// <summary>The epoch fence of each (table, partition): the newest attempt that may commit.</summary>
    public const string FenceTable = TablePrefix + "fences";

    /// <summary>One row per fenced commit: which attempt wrote which partition, and how many rows.</summary>
    public const string CommitTable = TablePrefix + "commits";

    /// <summary>Creates the two bookkeeping tables when they are missing.</summary>
    public static IReadOnlyList<string> CreateSql(ISqlDialect d) =>
    [
        $"CREATE TABLE IF NOT EXISTS {d.Quote(FenceTable)} ({d.Quote("table_name")} {d.TypeName(DataKind.Text)} NOT NULL, " +
        $"{d.Quote("partition_key")} {d.TypeName(DataKind.Text)} NOT NULL, {d.Quote("epoch")} {d.TypeName(DataKind.Integer)} NOT NULL, " +
        $"{d.Quote("run_id")} {d.TypeName(DataKind.Text)}, PRIMARY KEY ({d.Quote("table_name")}, {d.Quote("partition_key")}))",
        $"CREATE TABLE IF NOT EXISTS {d.Quote(CommitTable)} ({d.Quote("table_name")} {d.TypeName(DataKind.Text)} NOT NULL, " +
        $"{d.Quote("partition_key")} {d.TypeName(DataKind.Text)} NOT NULL, {d.Quote("epoch")} {d.TypeName(DataKind.Integer)} NOT NULL, " +
        $"{d.Quote("run_id")} {d.TypeName(DataKind.Text)} NOT NULL, {d.Quote("row_count")} {d.TypeName(DataKind.Integer)} NOT NULL)",
    ];

    /// <summary>
    /// Raises the fence of ($1 table, $2 partition) to epoch $3 when it is lower; affects no row when the fence is missing
    /// (then <see cref="InsertSql"/>) or already at $3 or higher.
    /// </summary>
    public static string RaiseSql(ISqlDialect d) =>
        $"UPDATE {d.Quote(FenceTable)} SET {d.Quote("epoch")} = $3, {d.Quote("run_id")} = NULL " +
        $"WHERE {d.Quote("table_name")} = $1 AND {d.Quote("partition_key")} = $2 AND {d.Quote("epoch")} < $3";

    /// <summary>Creates the fence of ($1 table, $2 partition) at epoch $3 unless it exists.</summary>
    public static string InsertSql(ISqlDialect d) =>
        $"INSERT INTO {d.Quote(FenceTable)} ({d.Quote("table_name")}, {d.Quote("partition_key")}, {d.Quote("epoch")}) SELECT $1, $2, $3 " +
        $"WHERE NOT EXISTS (SELECT 1 FROM {d.Quote(FenceTable)} WHERE {d.Quote("table_name")} = $1 AND {d.Quote("partition_key")} = $2)";

    /// <summary>
    /// Inside the commit's transaction: claims the fence of ($1 table, $2 partition) for epoch $3 and run $4; affects one
    /// row when the epoch still holds the fence, none when a newer attempt raised it.
    /// </summary>
    public static string PassSql(ISqlDialect d) =>
        $"UPDATE {d.Quote(FenceTable)} SET {d.Quote("run_id")} = $4 " +
        $"WHERE {d.Quote("table_name")} = $1 AND {d.Quote("partition_key")} = $2 AND {d.Quote("epoch")} = $3";

    /// <summary>Inside the commit's transaction: records ($1 table, $2 partition, $3 epoch, $4 run, $5 rows).</summary>
    public static string RecordSql(ISqlDialect d) =>
        $"INSERT INTO {d.Quote(CommitTable)} ({d.Quote("table_name")}, {d.Quote("partition_key")}, {d.Quote("epoch")}, {d.Quote("run_id")}, {d.Quote("row_count")}) " +
        "VALUES ($1, $2, $3, $4, $5)";
}
