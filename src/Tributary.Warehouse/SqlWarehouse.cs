using System.Data.Common;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Tributary.Core.Warehousing;

namespace Tributary.Warehouse;

/// <summary>
/// What DuckDB and PostgreSQL share over ADO.NET: bound statements, information_schema lookups and the
/// staging-then-swap write. Engines differ only in connections, bulk load and export.
/// </summary>
public abstract class SqlWarehouse : IWarehouse
{
    /// <summary>Prefix of staging tables; anything with it is a leftover once no run is active.</summary>
    public const string StagingPrefix = "__trib_staging_";

    /// <inheritdoc />
    public abstract ISqlDialect Dialect { get; }

    /// <summary>Opens a connection for one operation; callers dispose it.</summary>
    protected abstract Task<DbConnection> OpenAsync(CancellationToken cancellationToken);

    /// <summary>A positional parameter for the engine.</summary>
    protected abstract DbParameter CreateParameter(object? value);

    /// <summary>Loads a file into a new table named <paramref name="quotedTable"/>.</summary>
    protected abstract Task LoadFilesAsync(DbConnection connection, string quotedTable, IReadOnlyList<string> paths, FileFormat format, FileReadOptions options, CancellationToken cancellationToken);

    /// <summary>Creates a table with the given columns and appends the rows in bulk.</summary>
    protected abstract Task BulkAppendAsync(DbConnection connection, string table, IReadOnlyList<(string Name, DataKind Kind)> columns, IEnumerable<object?[]> rows, CancellationToken cancellationToken);

    /// <summary>Appends the rows in bulk to the existing <paramref name="table"/>, whose columns are <paramref name="columns"/> in that order.</summary>
    protected abstract Task AppendRowsAsync(DbConnection connection, string table, IReadOnlyList<(string Name, DataKind Kind)> columns, IEnumerable<object?[]> rows,
        CancellationToken cancellationToken);

    /// <summary>
    /// Readies the bulk append before a transaction whose builds append (<see cref="TableWrite.AppendDirectly"/>): what the
    /// engine registers for it must exist before the transaction begins to be seen inside it.
    /// </summary>
    protected virtual void PrepareBulkAppend()
    {
    }

    /// <summary>Creates <paramref name="table"/> and appends the rows of every stream; by default one stream after another on <paramref name="connection"/>.</summary>
    protected virtual Task BulkAppendInParallelAsync(DbConnection connection, string table, IReadOnlyList<(string Name, DataKind Kind)> columns,
        IReadOnlyList<IEnumerable<object?[]>> streams, CancellationToken cancellationToken) =>
        BulkAppendAsync(connection, table, columns, streams.SelectMany(s => s), cancellationToken);

    /// <summary>As <see cref="BulkAppendInParallelAsync"/> with rows in typed batches; by default their rows as arrays.</summary>
    protected virtual Task BulkAppendBatchesInParallelAsync(DbConnection connection, string table, IReadOnlyList<(string Name, DataKind Kind)> columns,
        IReadOnlyList<IEnumerable<AppendBatch>> streams, CancellationToken cancellationToken) =>
        BulkAppendInParallelAsync(connection, table, columns, [.. streams.Select(AppendBatch.Rows)], cancellationToken);

    /// <inheritdoc />
    public abstract Task ExportAsync(string selectSql, IReadOnlyList<object?>? parameters, string path, FileFormat format, CancellationToken cancellationToken);

    /// <inheritdoc />
    public async Task<long> ExecuteAsync(string sql, IReadOnlyList<object?>? parameters, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        return await ExecuteAsync(connection, sql, parameters, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs a statement on a given connection (inside a caller's transaction, say).</summary>
    protected async Task<long> ExecuteAsync(DbConnection connection, string sql, IReadOnlyList<object?>? parameters, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, sql, parameters);
        return await OneStatement(() => command.ExecuteNonQueryAsync(cancellationToken)).ConfigureAwait(false);
    }

    // The caller's SQL after a prefix of the warehouse's own; the engine's error is told within the caller's SQL.
    private async Task ExecuteAroundAsync(DbConnection connection, string prefix, string sql, IReadOnlyList<object?>? parameters, CancellationToken cancellationToken)
    {
        try
        {
            await ExecuteAsync(connection, prefix + sql, parameters, cancellationToken).ConfigureAwait(false);
        }
        catch (DbException e)
        {
            if (InCallerSql(e, prefix, sql) is { } retold) throw retold;
            throw;
        }
    }

    /// <summary>
    /// The engine's error for a statement sent as <paramref name="prefix"/> followed by the caller's <paramref name="sql"/>,
    /// retold where it points inside <paramref name="sql"/>; null to keep it as it is (no position, or one already right).
    /// </summary>
    protected virtual DbException? InCallerSql(DbException exception, string prefix, string sql) => null;

    /// <inheritdoc />
    public async Task<object?> ScalarAsync(string sql, IReadOnlyList<object?>? parameters, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, sql, parameters);
        await using var reader = await OneStatement(() => command.ExecuteReaderAsync(cancellationToken)).ConfigureAwait(false);
        if (reader.FieldCount == 0 || !await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) return null;
        return reader.IsDBNull(0) ? null : Portable.Of(reader.GetValue(0), Dialect.KindOf(reader.GetDataTypeName(0)));
    }

    /// <inheritdoc />
    public async Task<QueryResult> QueryAsync(string sql, IReadOnlyList<object?>? parameters, int maxRows, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, sql, parameters);
        return await QueryAsync(command, maxRows, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A timeout in seconds as messages print it (<c>30</c>, <c>0.5</c>).</summary>
    protected static string Seconds(TimeSpan timeout) => timeout.TotalSeconds.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture);

    /// <inheritdoc />
    public abstract Task<QueryResult> QueryReadOnlyAsync(string sql, int maxRows, TimeSpan timeout, CancellationToken cancellationToken);

    /// <inheritdoc />
    public virtual Task<QueryResult> QueryTablesOnlyAsync(string sql, int maxRows, CancellationToken cancellationToken) =>
        QueryAsync(sql, null, maxRows, cancellationToken);

    /// <summary>
    /// Runs <paramref name="command"/> and materializes up to <paramref name="maxRows"/> rows, or the count of rows it
    /// changed when the engine says that is all it returns (a DELETE led by WITH too, whatever the text begins with).
    /// </summary>
    protected async Task<QueryResult> QueryAsync(DbCommand command, int maxRows, CancellationToken cancellationToken)
    {
        if (ReturnsChangedRowCount(command))
            return new QueryResult(new TableSchema([]), [])
            {
                RowsChanged = await OneStatement(() => command.ExecuteNonQueryAsync(cancellationToken)).ConfigureAwait(false),
            };
        await using var reader = await OneStatement(() => command.ExecuteReaderAsync(cancellationToken)).ConfigureAwait(false);
        if (RowsChanged(reader) is { } changed) return new QueryResult(new TableSchema([]), []) { RowsChanged = changed };
        var schema = SchemaOf(reader);
        var kinds = schema.Columns.Select(c => c.Kind).ToArray();
        var rows = new List<object?[]>();
        while (rows.Count < maxRows && await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) rows.Add(Row(reader, kinds));
        return new QueryResult(schema, rows);
    }

    /// <summary>
    /// Whether the engine, asked before <paramref name="command"/> runs, says it changes rows and returns only their count
    /// (an INSERT, UPDATE, DELETE or MERGE without RETURNING, whatever leads it); for an engine whose reader drops that count.
    /// </summary>
    protected virtual bool ReturnsChangedRowCount(DbCommand command) => false;

    /// <summary>The rows the statement behind <paramref name="reader"/> changed, when the engine reports it ran a change that returns no rows; else null.</summary>
    protected virtual long? RowsChanged(DbDataReader reader) => null;

    /// <inheritdoc />
    public async IAsyncEnumerable<object?[]> StreamAsync(string sql, IReadOnlyList<object?>? parameters, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, sql, parameters);
        StreamResults(command);
        await using var reader = await OneStatement(() => command.ExecuteReaderAsync(cancellationToken)).ConfigureAwait(false);
        var kinds = SchemaOf(reader).Columns.Select(c => c.Kind).ToArray();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) yield return Row(reader, kinds);
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<System.Data.IDataRecord> StreamRecordsAsync(string sql, IReadOnlyList<object?>? parameters, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, sql, parameters);
        StreamResults(command);
        await using var reader = await OneStatement(() => command.ExecuteReaderAsync(cancellationToken)).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) yield return reader;
    }

    /// <summary>
    /// Makes <paramref name="command"/> hand its rows over as the engine produces them rather than after computing them all,
    /// for the streaming reads; a no-op where the engine's reader streams already.
    /// </summary>
    protected virtual void StreamResults(DbCommand command)
    {
    }

    /// <summary>Rows per batch of <see cref="ReadColumnsAsync"/> where the engine does not batch them itself.</summary>
    protected const int BatchRows = 4096;

    /// <inheritdoc />
    /// <remarks>Here through the data reader, a typed read per value into the batch's arrays; an engine with a columnar result overrides it.</remarks>
    public virtual async IAsyncEnumerable<ColumnBatch> ReadColumnsAsync(string sql, IReadOnlyList<object?>? parameters, IReadOnlyList<DataKind> kinds,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var batch = new ColumnBatch(kinds, BatchRows);
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, sql, parameters);
        await using var reader = await OneStatement(() => command.ExecuteReaderAsync(System.Data.CommandBehavior.SequentialAccess, cancellationToken)).ConfigureAwait(false);
        RequireColumns(reader.FieldCount, kinds);
        batch.Reset(BatchRows);
        var row = 0;
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            for (var c = 0; c < kinds.Count; c++)
            {
                if (await reader.IsDBNullAsync(c, cancellationToken).ConfigureAwait(false))
                {
                    batch.SetNull(c, row);
                    continue;
                }
                switch (kinds[c])
                {
                    case DataKind.Integer: batch.Writable<long>(c)[row] = reader.GetInt64(c); break;
                    case DataKind.Number: batch.Writable<double>(c)[row] = reader.GetDouble(c); break;
                    case DataKind.Boolean: batch.Writable<bool>(c)[row] = reader.GetBoolean(c); break;
                    case DataKind.Date: batch.Writable<DateOnly>(c)[row] = reader.GetFieldValue<DateOnly>(c); break;
                    case DataKind.Timestamp: batch.Writable<DateTime>(c)[row] = reader.GetDateTime(c); break;
                    default: batch.Writable<string>(c)[row] = reader.GetString(c); break;
                }
            }
            if (++row < BatchRows) continue;
            yield return batch;
            batch.Reset(BatchRows);
            row = 0;
        }
        if (row == 0) yield break;
        batch.Truncate(row);
        yield return batch;
    }

    /// <summary>Refuses a result whose column count differs from the kinds given for it.</summary>
    protected static void RequireColumns(int fieldCount, IReadOnlyList<DataKind> kinds)
    {
        ArgumentNullException.ThrowIfNull(kinds);
        if (fieldCount != kinds.Count)
            throw new ArgumentException($"the query returns {fieldCount} columns but {kinds.Count} kinds were given for them.", nameof(kinds));
    }

    /// <inheritdoc />
    public async Task<TableSchema?> DescribeTableAsync(string table, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        return await DescribeAsync(connection, table, cancellationToken).ConfigureAwait(false);
    }

    // On a given connection, so a transaction sees its own changes.
    private async Task<TableSchema?> DescribeAsync(DbConnection connection, string table, CancellationToken cancellationToken)
    {
        await using var command = Command(connection,
            $"SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = {Dialect.CurrentSchema} AND table_name = {Dialect.Parameter(1)} ORDER BY ordinal_position",
            [table]);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var columns = new List<ColumnSchema>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            columns.Add(new ColumnSchema(reader.GetString(0), reader.GetString(1), Dialect.KindOf(reader.GetString(1))));
        return columns.Count == 0 ? null : new TableSchema(columns);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<string>> ListTablesAsync(CancellationToken cancellationToken)
    {
        var result = await QueryAsync(
            $"SELECT table_name FROM information_schema.tables WHERE table_schema = {Dialect.CurrentSchema} AND table_type = 'BASE TABLE' ORDER BY table_name",
            null, int.MaxValue, cancellationToken).ConfigureAwait(false);
        return result.Rows.Select(r => (string)r[0]!).Where(n => !n.StartsWith(StagingPrefix, StringComparison.Ordinal) && !n.StartsWith(WriteFence.TablePrefix, StringComparison.Ordinal)).ToList();
    }

    /// <inheritdoc />
    public async Task<long> ReplaceTableAsync(string table, Func<ITableBuilder, CancellationToken, Task> build, CancellationToken cancellationToken) =>
        (await WriteTablesAsync([new TableWrite(table, TableWriteMode.Replace, build)], cancellationToken).ConfigureAwait(false))[0];

    /// <inheritdoc />
    public async Task<long> ReplacePartitionAsync(string table, string partitionColumn, string key, Func<ITableBuilder, CancellationToken, Task> build, CancellationToken cancellationToken) =>
        (await WriteTablesAsync([new TableWrite(table, TableWriteMode.Replace, build) { Partition = new TablePartition(partitionColumn, key) }], cancellationToken)
            .ConfigureAwait(false))[0];

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, SemaphoreSlim> _tableGates = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public async Task<IReadOnlyList<long>> WriteTablesAsync(IReadOnlyList<TableWrite> writes, CancellationToken cancellationToken)
    {
        if (writes.Select(w => w.Table).Distinct(StringComparer.Ordinal).Count() != writes.Count)
            throw new ArgumentException("a table can be written only once in one call.", nameof(writes));
        if (writes.FirstOrDefault(w => w.AppendDirectly && (w.Mode != TableWriteMode.Append || w.Partition is not null)) is { } wrong)
            throw new ArgumentException($"{wrong.Table}: only an append without a partition can append directly.", nameof(writes));
        if (writes.FirstOrDefault(w => w.Supersedes is not null && w.Mode != TableWriteMode.Append) is { } replacing)
            throw new ArgumentException($"{replacing.Table}: only an append supersedes rows; a replace drops them all.", nameof(writes));
        var staging = writes.Select(w => StagingPrefix + (w.Table.Length > 30 ? w.Table[..30] : w.Table) + "_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6))).ToList();
        // With a direct append every build runs inside the transaction, in the given order (a later build may read an earlier one's work).
        var direct = writes.Any(w => w.AppendDirectly);
        var builders = new Builder[writes.Count];
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!direct)
                for (var i = 0; i < writes.Count; i++)
                    await writes[i].Build(builders[i] = new Builder(this, connection, staging[i], null), cancellationToken).ConfigureAwait(false);
            // Commits to one table take turns in this process (two first writes must not both create it); gates in name order cannot deadlock.
            var gates = writes.Select(w => w.Table).Order(StringComparer.Ordinal).Select(t => _tableGates.GetOrAdd(t, _ => new SemaphoreSlim(1, 1))).ToList();
            var held = 0;
            try
            {
                for (; held < gates.Count; held++) await gates[held].WaitAsync(cancellationToken).ConfigureAwait(false);
                cancellationToken.ThrowIfCancellationRequested();
                if (direct) PrepareBulkAppend();
                // Every table commits together or not at all: readers and the next run see all the old versions or all the new ones.
                await using var tx = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
                await LockTablesForCommitAsync(connection, writes.Select(w => w.Table).Order(StringComparer.Ordinal).ToList(), cancellationToken).ConfigureAwait(false);
                // Before any build appends directly, so only rows that were there before this write are deleted.
                foreach (var write in writes)
                    if (write.Supersedes is { } superseded && (superseded.All || superseded.Values.Count > 0))
                        await DeleteSupersededAsync(connection, write.Table, superseded, write.Partition, cancellationToken).ConfigureAwait(false);
                if (direct)
                    for (var i = 0; i < writes.Count; i++)
                    {
                        var existing = writes[i].AppendDirectly ? await DescribeAsync(connection, writes[i].Table, cancellationToken).ConfigureAwait(false) : null;
                        await writes[i].Build(builders[i] = new Builder(this, connection, staging[i], existing is null ? null : (writes[i].Table, existing)), cancellationToken)
                            .ConfigureAwait(false);
                    }
                var counts = new long[writes.Count];
                for (var i = 0; i < writes.Count; i++)
                {
                    if (writes[i].Fence is { } fence) await PassFenceAsync(connection, writes[i], fence, cancellationToken).ConfigureAwait(false);
                    counts[i] = builders[i].AppendedDirectly
                        ? await CountAsync(connection, $"SELECT count(*) FROM {Dialect.Quote(writes[i].Table)}", null, cancellationToken).ConfigureAwait(false)
                        : await CommitAsync(connection, writes[i], staging[i], cancellationToken).ConfigureAwait(false);
                    if (writes[i].Fence is { } done)
                        await ExecuteAsync(connection, WriteFence.RecordSql(Dialect), [writes[i].Table, writes[i].Partition?.Key ?? "", done.Epoch, done.RunId, counts[i]], cancellationToken)
                            .ConfigureAwait(false);
                }
                await RefreshStatisticsAsync(connection, writes.Select(w => w.Table).ToList(), cancellationToken).ConfigureAwait(false);
                await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
                return counts;
            }
            finally
            {
                for (var i = 0; i < held; i++) gates[i].Release();
            }
        }
        catch
        {
            // Best effort: when the connection itself broke, the cleanup's own error must not hide why the write failed;
            // whatever staging is left is swept by DropAbandonedStagingAsync at the next start.
            foreach (var name in staging)
            {
                try
                {
                    await ExecuteAsync(connection, $"DROP TABLE IF EXISTS {Dialect.Quote(name)}", null, CancellationToken.None).ConfigureAwait(false);
                }
                catch (Exception cleanup) when (cleanup is DbException or InvalidOperationException)
                {
                    break;
                }
            }
            throw;
        }
    }

    private async Task DeleteSupersededAsync(DbConnection connection, string table, SupersededRows superseded, TablePartition? partition, CancellationToken cancellationToken)
    {
        if (await DescribeAsync(connection, table, cancellationToken).ConfigureAwait(false) is not { } existing) return;
        if (superseded.All)
        {
            // A partition's full refresh takes back that partition's rows only; the others were loaded from other files.
            if (partition is not null && existing.Find(partition.Column) is not null)
                await ExecuteAsync(connection, $"DELETE FROM {Dialect.Quote(table)} WHERE {Dialect.Quote(partition.Column)} = {Dialect.Parameter(1)}", [partition.Key], cancellationToken)
                    .ConfigureAwait(false);
            else await ExecuteAsync(connection, $"DELETE FROM {Dialect.Quote(table)}", null, cancellationToken).ConfigureAwait(false);
            return;
        }
        if (existing.Find(superseded.Column) is null) return;
        var values = superseded.Values.Distinct(StringComparer.Ordinal).ToList();
        var list = string.Join(", ", values.Select((_, i) => Dialect.Parameter(i + 1)));
        await ExecuteAsync(connection, $"DELETE FROM {Dialect.Quote(table)} WHERE {Dialect.Quote(superseded.Column)} IN ({list})", [.. values.Cast<object?>()], cancellationToken)
            .ConfigureAwait(false);
    }

    // Inside the commit's transaction: the fence's row lock orders this commit against a newer attempt raising it.
    private async Task PassFenceAsync(DbConnection connection, TableWrite write, WriteFence fence, CancellationToken cancellationToken)
    {
        var partition = write.Partition?.Key ?? "";
        foreach (var sql in WriteFence.CreateSql(Dialect)) await ExecuteAsync(connection, sql, null, cancellationToken).ConfigureAwait(false);
        if (await ExecuteAsync(connection, WriteFence.PassSql(Dialect), [write.Table, partition, fence.Epoch, fence.RunId], cancellationToken).ConfigureAwait(false) != 1)
            throw new StaleAttemptException(write.Table, partition, fence.Epoch);
    }

    // Another attempt would meet the same table, so the refusal is not retried (StatementRefusedException).
    private static StatementRefusedException SchemaRefusal(string table, string partitionColumn, TableSchema existing, TableSchema built)
    {
        if (existing.Find(partitionColumn) is null)
            return new StatementRefusedException(
                $"{table}: the table has no '{partitionColumn}' column, so a partition cannot replace its rows: a run without a partition wrote it whole. " +
                "Drop the table and run its partitions again (trib backfill), or declare the partitions' time column ('column:') so that each partition replaces the rows of its window.");
        return new StatementRefusedException(
            $"{table}: this partition's columns ({string.Join(", ", built.Columns.Select(c => c.Name))}) differ from the table's " +
            $"({string.Join(", ", existing.Columns.Select(c => c.Name).Where(c => c != partitionColumn))}); " +
            "a partitioned asset keeps one schema. Drop the table to rebuild every partition with the new one.");
    }

    // One write inside the caller's transaction; returns the table's (or the partition's) row count after it.
    private async Task<long> CommitAsync(DbConnection connection, TableWrite write, string staging, CancellationToken cancellationToken)
    {
        var table = Dialect.Quote(write.Table);
        var source = Dialect.Quote(staging);
        var existing = await DescribeAsync(connection, write.Table, cancellationToken).ConfigureAwait(false);
        var built = (await DescribeAsync(connection, staging, cancellationToken).ConfigureAwait(false))!;
        var names = string.Join(", ", built.Columns.Select(c => Dialect.Quote(c.Name)));
        if (write.Partition is not { } partition)
        {
            if (write.Mode == TableWriteMode.Replace || existing is null)
            {
                var rows = await CountAsync(connection, $"SELECT count(*) FROM {source}", null, cancellationToken).ConfigureAwait(false);
                if (existing is not null) await ExecuteAsync(connection, $"DROP TABLE {table}", null, cancellationToken).ConfigureAwait(false);
                await ExecuteAsync(connection, $"ALTER TABLE {source} RENAME TO {table}", null, cancellationToken).ConfigureAwait(false);
                return rows;
            }
            await AddMissingColumnsAsync(connection, write.Table, existing, built, cancellationToken).ConfigureAwait(false);
            await ExecuteAsync(connection, $"INSERT INTO {table} ({names}) SELECT {names} FROM {source}", null, cancellationToken).ConfigureAwait(false);
            await ExecuteAsync(connection, $"DROP TABLE {source}", null, cancellationToken).ConfigureAwait(false);
            return await CountAsync(connection, $"SELECT count(*) FROM {table}", null, cancellationToken).ConfigureAwait(false);
        }

        if (built.Find(partition.Column) is not null)
            throw new StatementRefusedException($"{write.Table}: the step's output already has a column '{partition.Column}', which holds the partition key; rename it.");
        var column = Dialect.Quote(partition.Column);
        var select = $"SELECT {names}, CAST($1 AS VARCHAR) AS {column} FROM {source}";
        if (existing is not null && existing.Find(partition.Column) is null && partition.Window is not null && write.Mode == TableWriteMode.Replace)
        {
            // A run without a partition wrote the table whole: its rows keep no key until a partition of their window replaces them.
            await ExecuteAsync(connection, $"ALTER TABLE {table} ADD COLUMN {column} {Dialect.TypeName(DataKind.Text)}", null, cancellationToken).ConfigureAwait(false);
            existing = await DescribeAsync(connection, write.Table, cancellationToken).ConfigureAwait(false);
        }
        if (existing is null)
            await ExecuteAsync(connection, $"CREATE TABLE {table} AS {select}", [partition.Key], cancellationToken).ConfigureAwait(false);
        else if (write.Mode == TableWriteMode.Replace)
        {
            if (!existing.Columns.Select(c => c.Name).SequenceEqual(built.Columns.Select(c => c.Name).Append(partition.Column), StringComparer.Ordinal))
                throw SchemaRefusal(write.Table, partition.Column, existing, built);
            if (partition.Window is { } w)
                await ExecuteAsync(connection, $"DELETE FROM {table} WHERE {column} = $1 OR ({column} IS NULL AND {Dialect.Quote(w.Column)} >= $2 AND {Dialect.Quote(w.Column)} < $3)",
                    [partition.Key, w.Start, w.End], cancellationToken).ConfigureAwait(false);
            else await ExecuteAsync(connection, $"DELETE FROM {table} WHERE {column} = $1", [partition.Key], cancellationToken).ConfigureAwait(false);
            await ExecuteAsync(connection, $"INSERT INTO {table} {select}", [partition.Key], cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await AddMissingColumnsAsync(connection, write.Table, existing, built, cancellationToken).ConfigureAwait(false);
            await ExecuteAsync(connection, $"INSERT INTO {table} ({names}, {column}) {select}", [partition.Key], cancellationToken).ConfigureAwait(false);
        }
        await ExecuteAsync(connection, $"DROP TABLE {source}", null, cancellationToken).ConfigureAwait(false);
        return await CountAsync(connection, $"SELECT count(*) FROM {table} WHERE {column} = $1", [partition.Key], cancellationToken).ConfigureAwait(false);
    }

    // An append may bring columns the table does not have yet (a newer layout); older rows get NULL there.
    private async Task AddMissingColumnsAsync(DbConnection connection, string table, TableSchema existing, TableSchema built, CancellationToken cancellationToken)
    {
        foreach (var column in built.Columns.Where(c => existing.Find(c.Name) is null))
        {
            if (column.Kind == DataKind.Other)
                throw new InvalidOperationException($"{table}: cannot append the new column '{column.Name}' of type {column.SqlType}; drop the table to rebuild it.");
            await ExecuteAsync(connection, $"ALTER TABLE {Dialect.Quote(table)} ADD COLUMN {Dialect.Quote(column.Name)} {Dialect.TypeName(column.Kind)}", null, cancellationToken)
                .ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async Task<int> DropAbandonedStagingAsync(CancellationToken cancellationToken)
    {
        var result = await QueryAsync(
            $"SELECT table_name FROM information_schema.tables WHERE table_schema = {Dialect.CurrentSchema} AND {Dialect.StartsWith("table_name", Dialect.Parameter(1))}",
            [StagingPrefix], int.MaxValue, cancellationToken).ConfigureAwait(false);
        foreach (var row in result.Rows)
            await ExecuteAsync($"DROP TABLE IF EXISTS {Dialect.Quote((string)row[0]!)}", null, cancellationToken).ConfigureAwait(false);
        return result.Rows.Count;
    }

    /// <inheritdoc />
    public virtual bool IsOutOfMemory(Exception exception) => false;

    /// <inheritdoc />
    public virtual bool IsStatementError(Exception exception) => false;

    /// <inheritdoc />
    public virtual bool IsConnectionFailure(Exception exception) => false;

    /// <inheritdoc />
    public virtual Task<long?> MemoryLimitAsync(CancellationToken cancellationToken) => Task.FromResult<long?>(null);

    /// <inheritdoc />
    public abstract ValueTask DisposeAsync();

    private async Task<long> CountAsync(DbConnection connection, string sql, IReadOnlyList<object?>? parameters, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, sql, parameters);
        return Convert.ToInt64(await OneStatement(() => command.ExecuteScalarAsync(cancellationToken)).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>A command with positional parameters bound in order.</summary>
    protected DbCommand Command(DbConnection connection, string sql, IReadOnlyList<object?>? parameters)
    {
        var command = connection.CreateCommand();
#pragma warning disable CA2100 // SQL text is built with quoted identifiers only; every value is a bound parameter.
        command.CommandText = parameters is { Count: > 0 } ? TypePlaceholders(sql, parameters) : sql;
#pragma warning restore CA2100
        foreach (var p in parameters ?? []) command.Parameters.Add(CreateParameter(p));
        RequireOneStatement(command);
        return command;
    }

    /// <summary>
    /// <paramref name="sql"/> with placeholders typed as their values where the engine would otherwise convert a bound
    /// value to the type it guessed for the placeholder; as written where the engine's client sends each value's own type.
    /// </summary>
    protected virtual string TypePlaceholders(string sql, IReadOnlyList<object?> parameters) => sql;

    /// <summary>
    /// Makes the engine refuse <paramref name="command"/> unless its text is one statement, judged by the engine's own
    /// parser, so a statement can never ride along behind another (SQL injection's stacked queries).
    /// </summary>
    /// <exception cref="InvalidOperationException">The text holds several statements (when the engine can tell before running).</exception>
    protected abstract void RequireOneStatement(DbCommand command);

    /// <summary>Whether the engine refused a command for holding several statements.</summary>
    protected virtual bool IsSeveralStatements(DbException exception) => false;

    /// <summary>
    /// Inside a commit's transaction, before any table is looked at: makes commits to the same tables from other processes
    /// take turns until this transaction ends (the in-process gates only order this process's writers). Tables come in name order.
    /// </summary>
    protected virtual Task LockTablesForCommitAsync(DbConnection connection, IReadOnlyList<string> tables, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// Inside a commit's transaction, once every table holds its new rows: brings the engine's planner statistics up to date,
    /// so the next step's query over a table written moments ago is planned from its real size. Nothing by default.
    /// </summary>
    protected virtual Task RefreshStatisticsAsync(DbConnection connection, IReadOnlyList<string> tables, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>The message for SQL holding several statements; <paramref name="count"/> when the parser counted them.</summary>
    protected static string SeveralStatements(int? count) =>
        (count is { } n ? $"the SQL holds {n.ToString(System.Globalization.CultureInfo.InvariantCulture)} statements; " : "the SQL holds more than one statement; ")
        + "Tributary runs one statement at a time, so write a single query (SELECT, WITH ... SELECT or FROM ...), without ';' between statements.";

    private async Task<T> OneStatement<T>(Func<Task<T>> execute)
    {
        try
        {
            return await execute().ConfigureAwait(false);
        }
        catch (DbException e) when (IsSeveralStatements(e))
        {
            throw new InvalidOperationException(SeveralStatements(null), e);
        }
    }

    /// <summary>The schema of an open reader.</summary>
    protected TableSchema SchemaOf(DbDataReader reader)
    {
        var types = TypeNames(reader);
        return new(Enumerable.Range(0, reader.FieldCount).Select(i => new ColumnSchema(reader.GetName(i), types[i], Dialect.KindOf(types[i]))).ToList());
    }

    /// <summary>The engine's names of an open reader's column types, as complete as the driver gives them.</summary>
    protected virtual IReadOnlyList<string> TypeNames(DbDataReader reader) => [.. Enumerable.Range(0, reader.FieldCount).Select(reader.GetDataTypeName)];

    // Values in their portable form (see Portable), by each column's kind.
    private protected static object?[] Row(DbDataReader reader, DataKind[] kinds)
    {
        var row = new object?[reader.FieldCount];
        for (var i = 0; i < row.Length; i++) row[i] = reader.IsDBNull(i) ? null : Portable.Of(reader.GetValue(i), kinds[i]);
        return row;
    }

    // Builds a write's staging table; given the table and its columns (a direct append into an existing table), appends
    // CreateAndAppendAsync's rows to the table itself when the columns are the same.
    private sealed class Builder(SqlWarehouse warehouse, DbConnection connection, string staging, (string Table, TableSchema Columns)? direct) : ITableBuilder
    {
        /// <summary>Whether the rows went straight into the table (nothing to commit from staging).</summary>
        public bool AppendedDirectly { get; private set; }

        public string QuotedName => warehouse.Dialect.Quote(AppendedDirectly ? direct!.Value.Table : staging);

        // The caller's query on a line of its own: an engine that quotes the failing line of a statement (DuckDB's "LINE 2: ...")
        // then shows the query as written, with its caret, and not the staging table's name before it.
        public Task CreateAsSelectAsync(string selectSql, IReadOnlyList<object?>? parameters, CancellationToken cancellationToken) =>
            warehouse.ExecuteAroundAsync(connection, $"CREATE TABLE {QuotedName} AS\n", selectSql, parameters, cancellationToken);

        public Task InsertSelectAsync(string selectSql, IReadOnlyList<object?>? parameters, CancellationToken cancellationToken) =>
            warehouse.ExecuteAroundAsync(connection, $"INSERT INTO {QuotedName}\n", selectSql, parameters, cancellationToken);

        public Task LoadFilesAsync(IReadOnlyList<string> paths, FileFormat format, FileReadOptions options, CancellationToken cancellationToken) =>
            warehouse.LoadFilesAsync(connection, QuotedName, paths, format, options, cancellationToken);

        public Task CreateAndAppendAsync(IReadOnlyList<(string Name, DataKind Kind)> columns, IEnumerable<object?[]> rows, CancellationToken cancellationToken)
        {
            if (direct is not { } target || !Same(target.Columns, columns)) return warehouse.BulkAppendAsync(connection, staging, columns, rows, cancellationToken);
            AppendedDirectly = true;
            return warehouse.AppendRowsAsync(connection, target.Table, columns, rows, cancellationToken);
        }

        public Task CreateAndAppendInParallelAsync(IReadOnlyList<(string Name, DataKind Kind)> columns, IReadOnlyList<IEnumerable<object?[]>> streams,
            CancellationToken cancellationToken) =>
            warehouse.BulkAppendInParallelAsync(connection, staging, columns, streams, cancellationToken);

        public Task CreateAndAppendBatchesInParallelAsync(IReadOnlyList<(string Name, DataKind Kind)> columns, IReadOnlyList<IEnumerable<AppendBatch>> streams,
            CancellationToken cancellationToken) =>
            warehouse.BulkAppendBatchesInParallelAsync(connection, staging, columns, streams, cancellationToken);

        private static bool Same(TableSchema table, IReadOnlyList<(string Name, DataKind Kind)> columns) =>
            table.Columns.Count == columns.Count
            && table.Columns.Zip(columns).All(p => p.First.Kind == p.Second.Kind && string.Equals(p.First.Name, p.Second.Name, StringComparison.Ordinal));
    }
}
