using Tributary.Core.Warehousing;

namespace Tributary.Engine.Execution;

/// <summary>
/// The warehouse as a step of a partitioned run sees it: replacing (or appending to) one of the tables the step declared
/// touches only this run's partition, keyed in the <c>partition_key</c> column; everything else passes through. With a
/// <paramref name="fence"/>, those writes commit only while the attempt's epoch holds the partition's fence. With a
/// <paramref name="window"/>, they also replace the rows of the window that a run without a partition wrote.
/// </summary>
internal sealed class PartitionedWarehouse(IWarehouse inner, IReadOnlySet<string> outputs, string partition, WriteFence? fence = null, PartitionWindow? window = null)
    : IWarehouse
{
    private readonly TablePartition _partition = new(Column, partition) { Window = window };

    /// <summary>The column that holds the partition key in a partitioned asset.</summary>
    public const string Column = "partition_key";

    public ISqlDialect Dialect => inner.Dialect;

    public Task<long> ReplaceTableAsync(string table, Func<ITableBuilder, CancellationToken, Task> build, CancellationToken cancellationToken) =>
        !outputs.Contains(table) ? inner.ReplaceTableAsync(table, build, cancellationToken)
        : fence is null && window is null ? inner.ReplacePartitionAsync(table, Column, partition, build, cancellationToken)
        : ReplaceFencedAsync(table, build, cancellationToken);

    private async Task<long> ReplaceFencedAsync(string table, Func<ITableBuilder, CancellationToken, Task> build, CancellationToken cancellationToken) =>
        (await inner.WriteTablesAsync([new TableWrite(table, TableWriteMode.Replace, build) { Partition = _partition, Fence = fence }],
            cancellationToken).ConfigureAwait(false))[0];

    public Task<IReadOnlyList<long>> WriteTablesAsync(IReadOnlyList<TableWrite> writes, CancellationToken cancellationToken) =>
        inner.WriteTablesAsync(writes.Select(w => w.Partition is null && outputs.Contains(w.Table)
            ? w with { Partition = _partition, Fence = fence }
            : w).ToList(), cancellationToken);

    public Task<long> ReplacePartitionAsync(string table, string partitionColumn, string key, Func<ITableBuilder, CancellationToken, Task> build, CancellationToken cancellationToken) =>
        inner.ReplacePartitionAsync(table, partitionColumn, key, build, cancellationToken);

    public Task<long> ExecuteAsync(string sql, IReadOnlyList<object?>? parameters, CancellationToken cancellationToken) => inner.ExecuteAsync(sql, parameters, cancellationToken);
    public Task<object?> ScalarAsync(string sql, IReadOnlyList<object?>? parameters, CancellationToken cancellationToken) => inner.ScalarAsync(sql, parameters, cancellationToken);
    public Task<QueryResult> QueryAsync(string sql, IReadOnlyList<object?>? parameters, int maxRows, CancellationToken cancellationToken) => inner.QueryAsync(sql, parameters, maxRows, cancellationToken);
    public Task<QueryResult> QueryReadOnlyAsync(string sql, int maxRows, TimeSpan timeout, CancellationToken cancellationToken) => inner.QueryReadOnlyAsync(sql, maxRows, timeout, cancellationToken);
    public Task<QueryResult> QueryTablesOnlyAsync(string sql, int maxRows, CancellationToken cancellationToken) => inner.QueryTablesOnlyAsync(sql, maxRows, cancellationToken);
    public IAsyncEnumerable<object?[]> StreamAsync(string sql, IReadOnlyList<object?>? parameters, CancellationToken cancellationToken) => inner.StreamAsync(sql, parameters, cancellationToken);
    public IAsyncEnumerable<System.Data.IDataRecord> StreamRecordsAsync(string sql, IReadOnlyList<object?>? parameters, CancellationToken cancellationToken) =>
        inner.StreamRecordsAsync(sql, parameters, cancellationToken);
    public IAsyncEnumerable<ColumnBatch> ReadColumnsAsync(string sql, IReadOnlyList<object?>? parameters, IReadOnlyList<DataKind> kinds, CancellationToken cancellationToken) =>
        inner.ReadColumnsAsync(sql, parameters, kinds, cancellationToken);
    public Task<TableSchema?> DescribeTableAsync(string table, CancellationToken cancellationToken) => inner.DescribeTableAsync(table, cancellationToken);
    public Task<IReadOnlyList<string>> ListTablesAsync(CancellationToken cancellationToken) => inner.ListTablesAsync(cancellationToken);
    public Task ExportAsync(string selectSql, IReadOnlyList<object?>? parameters, string path, FileFormat format, CancellationToken cancellationToken) => inner.ExportAsync(selectSql, parameters, path, format, cancellationToken);
    public Task<int> DropAbandonedStagingAsync(CancellationToken cancellationToken) => inner.DropAbandonedStagingAsync(cancellationToken);
    public bool IsOutOfMemory(Exception exception) => inner.IsOutOfMemory(exception);
    public bool IsStatementError(Exception exception) => inner.IsStatementError(exception);

    public bool IsConnectionFailure(Exception exception) => inner.IsConnectionFailure(exception);

    // The inner warehouse belongs to the run, not to this step's view of it.
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
