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

    /// <inheritdoc />
    public async Task<object?> ScalarAsync(string sql, IReadOnlyList<object?>? parameters, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, sql, parameters);
        var value = await OneStatement(() => command.ExecuteScalarAsync(cancellationToken)).ConfigureAwait(false);
        return value is null or DBNull ? null : Portable(value);
    }

    /// <inheritdoc />
    public async Task<QueryResult> QueryAsync(string sql, IReadOnlyList<object?>? parameters, int maxRows, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, sql, parameters);
        await using var reader = await OneStatement(() => command.ExecuteReaderAsync(cancellationToken)).ConfigureAwait(false);
        var schema = SchemaOf(reader);
        var rows = new List<object?[]>();
        while (rows.Count < maxRows && await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) rows.Add(Row(reader));
        return new QueryResult(schema, rows);
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<object?[]> StreamAsync(string sql, IReadOnlyList<object?>? parameters, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, sql, parameters);
        await using var reader = await OneStatement(() => command.ExecuteReaderAsync(cancellationToken)).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) yield return Row(reader);
    }

    /// <inheritdoc />
    public async Task<TableSchema?> DescribeTableAsync(string table, CancellationToken cancellationToken)
    {
        var result = await QueryAsync(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
            [table], int.MaxValue, cancellationToken).ConfigureAwait(false);
        if (result.Rows.Count == 0) return null;
        return new TableSchema(result.Rows.Select(r => new ColumnSchema((string)r[0]!, (string)r[1]!, Dialect.KindOf((string)r[1]!))).ToList());
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<string>> ListTablesAsync(CancellationToken cancellationToken)
    {
        var result = await QueryAsync(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name",
            null, int.MaxValue, cancellationToken).ConfigureAwait(false);
        return result.Rows.Select(r => (string)r[0]!).Where(n => !n.StartsWith(StagingPrefix, StringComparison.Ordinal)).ToList();
    }

    /// <inheritdoc />
    public async Task<long> ReplaceTableAsync(string table, Func<ITableBuilder, CancellationToken, Task> build, CancellationToken cancellationToken)
    {
        var staging = StagingPrefix + (table.Length > 30 ? table[..30] : table) + "_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await build(new Builder(this, connection, staging), cancellationToken).ConfigureAwait(false);
            var rows = Convert.ToInt64(await ScalarOn(connection, $"SELECT count(*) FROM {Dialect.Quote(staging)}", cancellationToken).ConfigureAwait(false),
                System.Globalization.CultureInfo.InvariantCulture);
            cancellationToken.ThrowIfCancellationRequested();
            // The swap: both statements commit together or not at all, so readers see the old or the new version.
            await using var tx = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await ExecuteAsync(connection, $"DROP TABLE IF EXISTS {Dialect.Quote(table)}", null, cancellationToken).ConfigureAwait(false);
            await ExecuteAsync(connection, $"ALTER TABLE {Dialect.Quote(staging)} RENAME TO {Dialect.Quote(table)}", null, cancellationToken).ConfigureAwait(false);
            await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
            return rows;
        }
        catch
        {
            await ExecuteAsync(connection, $"DROP TABLE IF EXISTS {Dialect.Quote(staging)}", null, CancellationToken.None).ConfigureAwait(false);
            throw;
        }
    }

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, SemaphoreSlim> _partitionGates = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public async Task<long> ReplacePartitionAsync(string table, string partitionColumn, string key, Func<ITableBuilder, CancellationToken, Task> build, CancellationToken cancellationToken)
    {
        var staging = StagingPrefix + (table.Length > 30 ? table[..30] : table) + "_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await build(new Builder(this, connection, staging), cancellationToken).ConfigureAwait(false);
            var columns = (await DescribeTableAsync(staging, cancellationToken).ConfigureAwait(false))!.Columns.Select(c => c.Name).ToList();
            if (columns.Contains(partitionColumn, StringComparer.Ordinal))
                throw new InvalidOperationException($"{table}: the step's output already has a column '{partitionColumn}', which holds the partition key; rename it.");
            // Partitions of one table commit one at a time: the first two must not both create it.
            var gate = _partitionGates.GetOrAdd(table, _ => new SemaphoreSlim(1, 1));
            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                return await CommitPartitionAsync(connection, table, staging, columns, partitionColumn, key, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                gate.Release();
            }
        }
        catch
        {
            await ExecuteAsync(connection, $"DROP TABLE IF EXISTS {Dialect.Quote(staging)}", null, CancellationToken.None).ConfigureAwait(false);
            throw;
        }
    }

    private async Task<long> CommitPartitionAsync(DbConnection connection, string table, string staging, List<string> columns, string partitionColumn, string key, CancellationToken cancellationToken)
    {
        var existing = await DescribeTableAsync(table, cancellationToken).ConfigureAwait(false);
        if (existing is not null && !existing.Columns.Select(c => c.Name).SequenceEqual(columns.Append(partitionColumn), StringComparer.Ordinal))
            throw new InvalidOperationException(
                $"{table}: this partition's columns ({string.Join(", ", columns)}) differ from the table's ({string.Join(", ", existing.Columns.Select(c => c.Name).Where(c => c != partitionColumn))}); " +
                "a partitioned asset keeps one schema. Drop the table to rebuild every partition with the new one.");
        var rows = Convert.ToInt64(await ScalarOn(connection, $"SELECT count(*) FROM {Dialect.Quote(staging)}", cancellationToken).ConfigureAwait(false),
            System.Globalization.CultureInfo.InvariantCulture);
        cancellationToken.ThrowIfCancellationRequested();
        var select = $"SELECT {string.Join(", ", columns.Select(Dialect.Quote))}, CAST($1 AS VARCHAR) AS {Dialect.Quote(partitionColumn)} FROM {Dialect.Quote(staging)}";
        // Delete and insert commit together: readers see the partition's old rows or its new ones, never neither.
        await using var tx = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        if (existing is null)
            await ExecuteAsync(connection, $"CREATE TABLE {Dialect.Quote(table)} AS {select}", [key], cancellationToken).ConfigureAwait(false);
        else
        {
            await ExecuteAsync(connection, $"DELETE FROM {Dialect.Quote(table)} WHERE {Dialect.Quote(partitionColumn)} = $1", [key], cancellationToken).ConfigureAwait(false);
            await ExecuteAsync(connection, $"INSERT INTO {Dialect.Quote(table)} {select}", [key], cancellationToken).ConfigureAwait(false);
        }
        await ExecuteAsync(connection, $"DROP TABLE {Dialect.Quote(staging)}", null, cancellationToken).ConfigureAwait(false);
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        return rows;
    }

    /// <inheritdoc />
    public async Task<int> DropAbandonedStagingAsync(CancellationToken cancellationToken)
    {
        var result = await QueryAsync(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND starts_with(table_name, $1)",
            [StagingPrefix], int.MaxValue, cancellationToken).ConfigureAwait(false);
        foreach (var row in result.Rows)
            await ExecuteAsync($"DROP TABLE IF EXISTS {Dialect.Quote((string)row[0]!)}", null, cancellationToken).ConfigureAwait(false);
        return result.Rows.Count;
    }

    /// <inheritdoc />
    public abstract ValueTask DisposeAsync();

    private async Task<object?> ScalarOn(DbConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, sql, null);
        return await OneStatement(() => command.ExecuteScalarAsync(cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>A command with positional parameters bound in order.</summary>
    protected DbCommand Command(DbConnection connection, string sql, IReadOnlyList<object?>? parameters)
    {
        var command = connection.CreateCommand();
#pragma warning disable CA2100 // SQL text is built with quoted identifiers only; every value is a bound parameter.
        command.CommandText = sql;
#pragma warning restore CA2100
        foreach (var p in parameters ?? []) command.Parameters.Add(CreateParameter(p));
        RequireOneStatement(command);
        return command;
    }

    /// <summary>
    /// Makes the engine refuse <paramref name="command"/> unless its text is one statement, judged by the engine's own
    /// parser, so a statement can never ride along behind another (SQL injection's stacked queries).
    /// </summary>
    /// <exception cref="InvalidOperationException">The text holds several statements (when the engine can tell before running).</exception>
    protected abstract void RequireOneStatement(DbCommand command);

    /// <summary>Whether the engine refused a command for holding several statements.</summary>
    protected virtual bool IsSeveralStatements(DbException error) => false;

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
    protected TableSchema SchemaOf(DbDataReader reader) =>
        new(Enumerable.Range(0, reader.FieldCount)
            .Select(i => new ColumnSchema(reader.GetName(i), reader.GetDataTypeName(i), Dialect.KindOf(reader.GetDataTypeName(i)))).ToList());

    private static object?[] Row(DbDataReader reader)
    {
        var row = new object?[reader.FieldCount];
        for (var i = 0; i < row.Length; i++) row[i] = reader.IsDBNull(i) ? null : Portable(reader.GetValue(i));
        return row;
    }

    // DuckDB's HUGEINT (sum of integers) arrives as BigInteger; callers get long, or double beyond its range.
    private static object Portable(object value) => value switch
    {
        System.Numerics.BigInteger b => b >= long.MinValue && b <= long.MaxValue ? (long)b : (double)b,
        ulong u => u <= long.MaxValue ? (long)u : (double)u,
        _ => value,
    };

    private sealed class Builder(SqlWarehouse warehouse, DbConnection connection, string staging) : ITableBuilder
    {
        public string QuotedName => warehouse.Dialect.Quote(staging);

        public Task CreateAsSelectAsync(string selectSql, IReadOnlyList<object?>? parameters, CancellationToken cancellationToken) =>
            warehouse.ExecuteAsync(connection, $"CREATE TABLE {QuotedName} AS {selectSql}", parameters, cancellationToken);

        public Task LoadFilesAsync(IReadOnlyList<string> paths, FileFormat format, FileReadOptions options, CancellationToken cancellationToken) =>
            warehouse.LoadFilesAsync(connection, QuotedName, paths, format, options, cancellationToken);

        public Task CreateAndAppendAsync(IReadOnlyList<(string Name, DataKind Kind)> columns, IEnumerable<object?[]> rows, CancellationToken cancellationToken) =>
            warehouse.BulkAppendAsync(connection, staging, columns, rows, cancellationToken);
    }
}
