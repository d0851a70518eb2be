using Tributary.Core.Warehousing;

namespace Tributary.Engine.Tests;

/// <summary>The test's warehouse, which also counts a probe's <see cref="ProbeOutOfMemoryException"/> as running out of memory.</summary>
internal sealed class ProbeWarehouse(IWarehouse inner) : IWarehouse
{
    public ISqlDialect Dialect => inner.Dialect;

    public bool IsOutOfMemory(Exception exception) => exception is ProbeOutOfMemoryException || inner.IsOutOfMemory(exception);
    public bool IsStatementError(Exception exception) => inner.IsStatementError(exception);
    public bool IsConnectionFailure(Exception exception) => inner.IsConnectionFailure(exception);

    public Task<long> ExecuteAsync(string sql, IReadOnlyList<object?>? parameters, CancellationToken cancellationToken) => inner.ExecuteAsync(sql, parameters, cancellationToken);
    public Task<object?> ScalarAsync(string sql, IReadOnlyList<object?>? parameters, CancellationToken cancellationToken) => inner.ScalarAsync(sql, parameters, cancellationToken);
    public Task<QueryResult> QueryAsync(string sql, IReadOnlyList<object?>? parameters, int maxRows, CancellationToken cancellationToken) =>
        inner.QueryAsync(sql, parameters, maxRows, cancellationToken);
    public Task<QueryResult> QueryReadOnlyAsync(string sql, int maxRows, TimeSpan timeout, CancellationToken cancellationToken) =>
        inner.QueryReadOnlyAsync(sql, maxRows, timeout, cancellationToken);
    public Task<QueryResult> QueryTablesOnlyAsync(string sql, int maxRows, CancellationToken cancellationToken) => inner.QueryTablesOnlyAsync(sql, maxRows, cancellationToken);
    public IAsyncEnumerable<object?[]> StreamAsync(string sql, IReadOnlyList<object?>? parameters, CancellationToken cancellationToken) =>
        inner.StreamAsync(sql, parameters, cancellationToken);
    public IAsyncEnumerable<System.Data.IDataRecord> StreamRecordsAsync(string sql, IReadOnlyList<object?>? parameters, CancellationToken cancellationToken) =>
        inner.StreamRecordsAsync(sql, parameters, cancellationToken);
    public IAsyncEnumerable<ColumnBatch> ReadColumnsAsync(string sql, IReadOnlyList<object?>? parameters, IReadOnlyList<DataKind> kinds, CancellationToken cancellationToken) =>
        inner.ReadColumnsAsync(sql, parameters, kinds, cancellationToken);
    public Task<TableSchema?> DescribeTableAsync(string table, CancellationToken cancellationToken) => inner.DescribeTableAsync(table, cancellationToken);
    public Task<IReadOnlyList<string>> ListTablesAsync(CancellationToken cancellationToken) => inner.ListTablesAsync(cancellationToken);
    public Task<long> ReplaceTableAsync(string table, Func<ITableBuilder, CancellationToken, Task> build, CancellationToken cancellationToken) =>
        inner.ReplaceTableAsync(table, build, cancellationToken);
    public Task<long> ReplacePartitionAsync(string table, string partitionColumn, string key, Func<ITableBuilder, CancellationToken, Task> build, CancellationToken cancellationToken) =>
        inner.ReplacePartitionAsync(table, partitionColumn, key, build, cancellationToken);
    public Task<IReadOnlyList<long>> WriteTablesAsync(IReadOnlyList<TableWrite> writes, CancellationToken cancellationToken) => inner.WriteTablesAsync(writes, cancellationToken);
    public Task ExportAsync(string selectSql, IReadOnlyList<object?>? parameters, string path, FileFormat format, CancellationToken cancellationToken) =>
        inner.ExportAsync(selectSql, parameters, path, format, cancellationToken);
    public Task<int> DropAbandonedStagingAsync(CancellationToken cancellationToken) => inner.DropAbandonedStagingAsync(cancellationToken);
    public ValueTask DisposeAsync() => inner.DisposeAsync();
}
