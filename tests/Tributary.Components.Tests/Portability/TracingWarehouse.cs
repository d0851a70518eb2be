using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Tributary.Core.Warehousing;

namespace Tributary.Components.Tests.Portability;

/// <summary>
/// A warehouse that records every SQL text it is given, with each piece the dialect spelled marked
/// (<see cref="TracingDialect"/>), so a test can tell SQL a component wrote itself from SQL the dialect wrote for it.
/// With <paramref name="textHash"/>, the dialect's text hash is that one (a constant, say, to make every hash collide);
/// without <paramref name="storedRows"/>, it has no stored row number.
/// </summary>
internal sealed class TracingWarehouse(IWarehouse inner, Func<string, string?>? textHash = null, bool storedRows = true) : IWarehouse
{
    public ConcurrentQueue<string> Statements { get; } = new();

    /// <summary>Every statement with the values bound to it, in order (to EXPLAIN one again, say).</summary>
    public ConcurrentQueue<(string Sql, IReadOnlyList<object?>? Parameters)> Calls { get; } = new();

    public ISqlDialect Dialect { get; } = new TracingDialect(inner.Dialect, textHash, storedRows);

    private string Trace(string sql, IReadOnlyList<object?>? parameters = null)
    {
        Statements.Enqueue(sql);
        Calls.Enqueue((sql, parameters));
        return sql;
    }

    public Task<long?> MemoryLimitAsync(CancellationToken cancellationToken) => inner.MemoryLimitAsync(cancellationToken);

    public Task<long> ExecuteAsync(string sql, IReadOnlyList<object?>? parameters, CancellationToken cancellationToken) =>
        inner.ExecuteAsync(Trace(sql, parameters), parameters, cancellationToken);

    public Task<object?> ScalarAsync(string sql, IReadOnlyList<object?>? parameters, CancellationToken cancellationToken) =>
        inner.ScalarAsync(Trace(sql, parameters), parameters, cancellationToken);

    public Task<QueryResult> QueryAsync(string sql, IReadOnlyList<object?>? parameters, int maxRows, CancellationToken cancellationToken) =>
        inner.QueryAsync(Trace(sql, parameters), parameters, maxRows, cancellationToken);

    public Task<QueryResult> QueryReadOnlyAsync(string sql, int maxRows, TimeSpan timeout, CancellationToken cancellationToken) =>
        inner.QueryReadOnlyAsync(Trace(sql, null), maxRows, timeout, cancellationToken);

    public Task<QueryResult> QueryTablesOnlyAsync(string sql, int maxRows, CancellationToken cancellationToken) =>
        inner.QueryTablesOnlyAsync(Trace(sql, null), maxRows, cancellationToken);

    public async IAsyncEnumerable<object?[]> StreamAsync(string sql, IReadOnlyList<object?>? parameters, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var row in inner.StreamAsync(Trace(sql, parameters), parameters, cancellationToken)) yield return row;
    }

    public IAsyncEnumerable<System.Data.IDataRecord> StreamRecordsAsync(string sql, IReadOnlyList<object?>? parameters, CancellationToken cancellationToken) =>
        inner.StreamRecordsAsync(Trace(sql, parameters), parameters, cancellationToken);

    public IAsyncEnumerable<ColumnBatch> ReadColumnsAsync(string sql, IReadOnlyList<object?>? parameters, IReadOnlyList<DataKind> kinds, CancellationToken cancellationToken) =>
        inner.ReadColumnsAsync(Trace(sql, parameters), parameters, kinds, cancellationToken);

    public Task<TableSchema?> DescribeTableAsync(string table, CancellationToken cancellationToken) => inner.DescribeTableAsync(table, cancellationToken);

    public Task<IReadOnlyList<string>> ListTablesAsync(CancellationToken cancellationToken) => inner.ListTablesAsync(cancellationToken);

    public Task<long> ReplaceTableAsync(string table, Func<ITableBuilder, CancellationToken, Task> build, CancellationToken cancellationToken) =>
        inner.ReplaceTableAsync(table, Traced(build), cancellationToken);

    public Task<long> ReplacePartitionAsync(string table, string partitionColumn, string key, Func<ITableBuilder, CancellationToken, Task> build, CancellationToken cancellationToken) =>
        inner.ReplacePartitionAsync(table, partitionColumn, key, Traced(build), cancellationToken);

    public Task<IReadOnlyList<long>> WriteTablesAsync(IReadOnlyList<TableWrite> writes, CancellationToken cancellationToken) =>
        inner.WriteTablesAsync(writes.Select(w => w with { Build = Traced(w.Build) }).ToList(), cancellationToken);

    public Task ExportAsync(string selectSql, IReadOnlyList<object?>? parameters, string path, FileFormat format, CancellationToken cancellationToken) =>
        inner.ExportAsync(Trace(selectSql), parameters, path, format, cancellationToken);

    public Task<int> DropAbandonedStagingAsync(CancellationToken cancellationToken) => inner.DropAbandonedStagingAsync(cancellationToken);

    public ValueTask DisposeAsync() => inner.DisposeAsync();

    private Func<ITableBuilder, CancellationToken, Task> Traced(Func<ITableBuilder, CancellationToken, Task> build) =>
        (builder, ct) => build(new TracingBuilder(this, builder), ct);

    private sealed class TracingBuilder(TracingWarehouse warehouse, ITableBuilder inner) : ITableBuilder
    {
        public string QuotedName => inner.QuotedName;

        public Task CreateAsSelectAsync(string selectSql, IReadOnlyList<object?>? parameters, CancellationToken cancellationToken) =>
            inner.CreateAsSelectAsync(warehouse.Trace(selectSql, parameters), parameters, cancellationToken);

        public Task InsertSelectAsync(string selectSql, IReadOnlyList<object?>? parameters, CancellationToken cancellationToken) =>
            inner.InsertSelectAsync(warehouse.Trace(selectSql, parameters), parameters, cancellationToken);

        public Task LoadFilesAsync(IReadOnlyList<string> paths, FileFormat format, FileReadOptions options, CancellationToken cancellationToken) =>
            inner.LoadFilesAsync(paths, format, options, cancellationToken);

        public Task CreateAndAppendAsync(IReadOnlyList<(string Name, DataKind Kind)> columns, IEnumerable<object?[]> rows, CancellationToken cancellationToken) =>
            inner.CreateAndAppendAsync(columns, rows, cancellationToken);
    }
}

/// <summary>A dialect that wraps every engine-specific piece it spells in <c>/*dialect*/ ... /*end*/</c> (comments, so the SQL still runs).</summary>
internal sealed class TracingDialect(ISqlDialect inner, Func<string, string?>? textHash = null, bool storedRows = true) : ISqlDialect
{
    public const string Open = "/*dialect*/";
    public const string Close = "/*end*/";

    private static string Mark(string sql) => Open + sql + Close;

    public string Name => inner.Name;
    public string Quote(string identifier) => inner.Quote(identifier);
    public string Literal(string text) => inner.Literal(text);
    public string TypeName(DataKind kind) => Mark(inner.TypeName(kind));
    public DataKind KindOf(string sqlType) => inner.KindOf(sqlType);
    public string Parameter(int ordinal) => Mark(inner.Parameter(ordinal));
    public string Interval(TimeSpan span) => Mark(inner.Interval(span));
    public string ByteOrder(string text) => Mark(inner.ByteOrder(text));
    public string RegexReplaceAll(string expression, string pattern, string replacement) => Mark(inner.RegexReplaceAll(expression, pattern, replacement));
    public string DateTrunc(DateUnit unit, string expression) => Mark(inner.DateTrunc(unit, expression));
    public string StringAgg(string expression, string separator, string orderBy) => Mark(inner.StringAgg(expression, separator, orderBy));
    public string AddDays(string date, string days) => Mark(inner.AddDays(date, days));
    public string DaysBetween(string from, string to) => Mark(inner.DaysBetween(from, to));
    public string? WideIntegerType => inner.WideIntegerType is { } type ? Mark(type) : null;
    public string? TextHash(string expression) => (textHash ?? inner.TextHash)(expression) is { } hash ? Mark(hash) : null;
    public string CurrentSchema => Mark(inner.CurrentSchema);
    public string RowKey => Mark(inner.RowKey);
    public bool GroupsFasterOverSortedInput => inner.GroupsFasterOverSortedInput;
    public string? TextPairHash(string first, string second) => inner.TextPairHash(first, second) is { } hash ? Mark(hash) : null;
    public bool ScansInStoredOrder => inner.ScansInStoredOrder;

    // Without storedRows, the engine's stored row number is hidden (a table is then read in one scan).
    public string? StoredRowNumber => storedRows ? inner.StoredRowNumber : null;
    public string StartsWith(string text, string prefix) => Mark(inner.StartsWith(text, prefix));
    public string CreateWorkTable(string table) => Mark(inner.CreateWorkTable(table));
    public IReadOnlyList<string> IndexWorkTable(string table, string index, IReadOnlyList<string> columns, bool unique) => inner.IndexWorkTable(table, index, columns, unique);
    public string RegexMatchesIgnoringCase(string expression, string pattern) => Mark(inner.RegexMatchesIgnoringCase(expression, pattern));
    public string HashBucket(string text, string buckets) => Mark(inner.HashBucket(text, buckets));
    public string? NearestAtOrAfterJoin(string table, string name, string equal, string rightTime, string leftTime) =>
        inner.NearestAtOrAfterJoin(table, name, equal, rightTime, leftTime) is { } join ? Mark(join) : null;

    /// <summary><paramref name="sql"/> without the pieces the dialect spelled (marks nest when one piece holds another).</summary>
    public static string WithoutDialectPieces(string sql)
    {
        var kept = new System.Text.StringBuilder();
        var depth = 0;
        for (var i = 0; i < sql.Length;)
        {
            if (string.CompareOrdinal(sql, i, Open, 0, Open.Length) == 0) { depth++; i += Open.Length; }
            else if (depth > 0 && string.CompareOrdinal(sql, i, Close, 0, Close.Length) == 0) { depth--; i += Close.Length; kept.Append(' '); }
            else { if (depth == 0) kept.Append(sql[i]); i++; }
        }
        return kept.ToString();
    }
}
