namespace Tributary.Core.Warehousing;

/// <summary>
/// The warehouse contract every component uses, so none depends on one engine's SQL. SQL passed here
/// uses <see cref="ISqlDialect.Parameter"/> (<c>$1, $2…</c>) for bound values, best numbered by a <see cref="SqlBuilder"/>;
/// identifiers go through <see cref="ISqlDialect.Quote"/>.
/// </summary>
public interface IWarehouse : IAsyncDisposable
{
    /// <summary>The dialect for the SQL that differs between engines.</summary>
    ISqlDialect Dialect { get; }

    /// <summary>Runs a statement; returns the affected row count where the engine reports one.</summary>
    Task<long> ExecuteAsync(string sql, IReadOnlyList<object?>? parameters, CancellationToken cancellationToken);

    /// <summary>Runs a query and returns its first column of the first row, or null.</summary>
    Task<object?> ScalarAsync(string sql, IReadOnlyList<object?>? parameters, CancellationToken cancellationToken);

    /// <summary>Runs a query and materializes up to <paramref name="maxRows"/> rows.</summary>
    Task<QueryResult> QueryAsync(string sql, IReadOnlyList<object?>? parameters, int maxRows, CancellationToken cancellationToken);

    /// <summary>
    /// Runs one statement that the engine itself judges unable to change anything, and materializes up to
    /// <paramref name="maxRows"/> rows, read as the engine produces them. DuckDB: only a statement DuckDB prepares as a SELECT
    /// (DESCRIBE, SHOW, SUMMARIZE and table PRAGMAs are SELECTs), in a read-only transaction. PostgreSQL: any statement, in a
    /// <c>READ ONLY</c> transaction that is rolled back. Either way it is stopped after <paramref name="timeout"/>.
    /// </summary>
    /// <exception cref="StatementNotReadOnlyException">The statement could change something; nothing it did was kept.</exception>
    /// <exception cref="TimeoutException">It ran longer than <paramref name="timeout"/> and was stopped.</exception>
    Task<QueryResult> QueryReadOnlyAsync(string sql, int maxRows, TimeSpan timeout, CancellationToken cancellationToken);

    /// <summary>
    /// Runs one statement that may change rows and tables but reaches no file, extension or setting, and materializes up to
    /// <paramref name="maxRows"/> rows: what the API lets a caller change (a COPY ... TO through the server could overwrite
    /// the project's tributary.yaml, which sets what DuckDB may read). DuckDB: judged by the prepared statement's type
    /// (SELECT, INSERT, UPDATE, DELETE, MERGE, CREATE, DROP, ALTER). PostgreSQL: any statement, held by the role's
    /// privileges (no superuser, no pg_write_server_files).
    /// </summary>
    /// <exception cref="StatementNotReadOnlyException">The statement would reach beyond the tables; it did not run.</exception>
    Task<QueryResult> QueryTablesOnlyAsync(string sql, int maxRows, CancellationToken cancellationToken);

    /// <summary>Streams the rows of a query; for inputs too large to hold as a result.</summary>
    IAsyncEnumerable<object?[]> StreamAsync(string sql, IReadOnlyList<object?>? parameters, CancellationToken cancellationToken);

    /// <summary>
    /// Streams the rows of a query as one record that moves to the next row at each step: typed reads (GetInt64,
    /// GetDouble...) with no boxed value or array per row, for inputs of millions of rows. Read a row's fields before the
    /// next step. The field types are the engine's, so cast each column in the SQL to the type it is read as.
    /// </summary>
    IAsyncEnumerable<System.Data.IDataRecord> StreamRecordsAsync(string sql, IReadOnlyList<object?>? parameters, CancellationToken cancellationToken);

    /// <summary>
    /// Reads the rows of a query as batches of typed columns (<see cref="ColumnBatch"/>): the fastest way to bring millions
    /// of rows into C#, with no call, box or array per value where the engine hands results over in columns (DuckDB).
    /// <paramref name="kinds"/> gives each column's kind, in the query's column order; cast each column in the SQL to it
    /// (an engine's narrower integer or floating type is widened). The batch is refilled at each step: read it before the next.
    /// </summary>
    IAsyncEnumerable<ColumnBatch> ReadColumnsAsync(string sql, IReadOnlyList<object?>? parameters, IReadOnlyList<DataKind> kinds, CancellationToken cancellationToken);

    /// <summary>The schema of a table, or null when it does not exist.</summary>
    Task<TableSchema?> DescribeTableAsync(string table, CancellationToken cancellationToken);

    /// <summary>User tables in the warehouse, by name.</summary>
    Task<IReadOnlyList<string>> ListTablesAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Builds a new version of <paramref name="table"/> in a staging table and swaps it in within one transaction,
    /// so a failed, cancelled or killed build leaves the previous version in place. Returns the new row count.
    /// </summary>
    Task<long> ReplaceTableAsync(string table, Func<ITableBuilder, CancellationToken, Task> build, CancellationToken cancellationToken);

    /// <summary>
    /// Builds one partition of <paramref name="table"/> in a staging table, then in one transaction deletes the rows whose
    /// <paramref name="partitionColumn"/> is <paramref name="key"/> and inserts the new ones with it (creating the table on
    /// first use); other partitions are untouched. Returns the partition's row count.
    /// </summary>
    Task<long> ReplacePartitionAsync(string table, string partitionColumn, string key, Func<ITableBuilder, CancellationToken, Task> build, CancellationToken cancellationToken);

    /// <summary>
    /// Builds every write in its own staging table, then commits them all in one transaction, so a failed, cancelled or
    /// killed call leaves every table as it was: a source's rows, rejected rows and file log change together or not at all.
    /// Builds run one after another in the given order, so a later build may read an earlier one's staging table.
    /// Returns, in order, each table's row count after the commit (for a partition write, the partition's).
    /// </summary>
    Task<IReadOnlyList<long>> WriteTablesAsync(IReadOnlyList<TableWrite> writes, CancellationToken cancellationToken);

    /// <summary>Writes the rows of a query to a file.</summary>
    Task ExportAsync(string selectSql, IReadOnlyList<object?>? parameters, string path, FileFormat format, CancellationToken cancellationToken);

    /// <summary>Drops staging tables left behind by a process that died mid-write.</summary>
    Task<int> DropAbandonedStagingAsync(CancellationToken cancellationToken);

    /// <summary>
    /// The memory the engine may use for this process's statements, in bytes (DuckDB's <c>memory_limit</c>), or null where
    /// the engine's memory is not this process's to bound (PostgreSQL's server).
    /// </summary>
    Task<long?> MemoryLimitAsync(CancellationToken cancellationToken) => Task.FromResult<long?>(null);

    /// <summary>
    /// Whether <paramref name="exception"/> (or an exception it wraps) is the engine running out of the memory it may use: a
    /// statement that may succeed with nothing else running beside it, where the budget is shared (DuckDB's memory_limit).
    /// </summary>
    bool IsOutOfMemory(Exception exception) => false;

    /// <summary>
    /// Whether <paramref name="exception"/> (or an exception it wraps) is the engine refusing a statement as written: it does
    /// not parse, or names a table, column or function that does not exist, or mixes types the engine cannot match. Running
    /// the same statement again cannot succeed, so a step that fails so is not retried.
    /// </summary>
    bool IsStatementError(Exception exception) => false;

    /// <summary>
    /// Whether <paramref name="exception"/> (or an exception it wraps) is the connection to the engine failing, not the
    /// statement: the server restarted or ended the session, or the network dropped it. The same statement may succeed on a
    /// new connection.
    /// </summary>
    bool IsConnectionFailure(Exception exception) => false;
}

/// <summary>Builds the staging table of one <see cref="IWarehouse.ReplaceTableAsync"/> or <see cref="TableWrite"/>.</summary>
public interface ITableBuilder
{
    /// <summary>
    /// The quoted name of the staging table, for SQL the caller writes itself; after an append straight into the table
    /// (<see cref="TableWrite.AppendDirectly"/>), the table's.
    /// </summary>
    string QuotedName { get; }

    /// <summary>Creates the staging table from a SELECT.</summary>
    Task CreateAsSelectAsync(string selectSql, IReadOnlyList<object?>? parameters, CancellationToken cancellationToken);

    /// <summary>
    /// Appends the rows of a SELECT to the staging table <see cref="CreateAsSelectAsync"/> made (columns by position), so a
    /// table can be built in several statements (<see cref="KeyedPasses"/>) and still swapped in whole or not at all.
    /// </summary>
    Task InsertSelectAsync(string selectSql, IReadOnlyList<object?>? parameters, CancellationToken cancellationToken);

    /// <summary>Creates the staging table from one or more files of one format, matching columns by name.</summary>
    Task LoadFilesAsync(IReadOnlyList<string> paths, FileFormat format, FileReadOptions options, CancellationToken cancellationToken);

    /// <summary>Creates the staging table with the given columns (portable kinds) and appends rows in bulk.</summary>
    Task CreateAndAppendAsync(IReadOnlyList<(string Name, DataKind Kind)> columns, IEnumerable<object?[]> rows, CancellationToken cancellationToken);

    /// <summary>
    /// Creates the staging table and appends the rows of several streams: an engine that can append to one table from several
    /// connections (DuckDB) enumerates each stream on its own thread, others one stream after another. The order of rows across
    /// streams is not kept.
    /// </summary>
    Task CreateAndAppendInParallelAsync(IReadOnlyList<(string Name, DataKind Kind)> columns, IReadOnlyList<IEnumerable<object?[]>> streams,
        CancellationToken cancellationToken) =>
        CreateAndAppendAsync(columns, streams.SelectMany(s => s), cancellationToken);

    /// <summary>
    /// As <see cref="CreateAndAppendInParallelAsync"/> with rows in typed batches (each batch is read before the next is asked
    /// for): an engine that takes native column vectors (DuckDB) copies the values without a string or an object per value;
    /// others get the batches' rows as arrays.
    /// </summary>
    Task CreateAndAppendBatchesInParallelAsync(IReadOnlyList<(string Name, DataKind Kind)> columns, IReadOnlyList<IEnumerable<AppendBatch>> streams,
        CancellationToken cancellationToken) =>
        CreateAndAppendInParallelAsync(columns, [.. streams.Select(AppendBatch.Rows)], cancellationToken);
}

/// <summary>The SQL that differs between engines, in one place.</summary>
public interface ISqlDialect
{
    /// <summary>Engine name: <c>duckdb</c> or <c>postgres</c>.</summary>
    string Name { get; }

    /// <summary>Quotes an identifier, doubling embedded quotes.</summary>
    string Quote(string identifier);

    /// <summary>A string literal holding <paramref name="text"/> exactly, quoted so no content can end it.</summary>
    string Literal(string text);

    /// <summary>The engine's type name for a portable kind.</summary>
    string TypeName(DataKind kind);

    /// <summary>The portable kind of one of the engine's type names.</summary>
    DataKind KindOf(string sqlType);

    /// <summary>
    /// A BIGINT from 0 to <paramref name="buckets"/> - 1 (an SQL expression, e.g. a bound value) picked by a hash of the
    /// text <paramref name="text"/>: equal texts always fall in the same bucket, and so do all NULLs.
    /// </summary>
    string HashBucket(string text, string buckets);

    /// <summary>The placeholder of the bound value at <paramref name="ordinal"/> (1-based), e.g. <c>$1</c>.</summary>
    string Parameter(int ordinal);

    /// <summary>
    /// The text expression <paramref name="text"/> as an ORDER BY key (of a query or a window) that sorts by its bytes, i.e.
    /// by UTF-8 code points ('A2' &lt; 'B' &lt; 'a-1' &lt; 'a_3'), whatever the database's collation: DuckDB's default order,
    /// and PostgreSQL's <c>COLLATE "C"</c> where an en_US or ICU collation would sort otherwise. Only for text: the engine
    /// may refuse a collation on other types. Used wherever the order of ids picks a result (a tie broken, a sample, a limit).
    /// </summary>
    string ByteOrder(string text);

    /// <summary>
    /// <paramref name="expression"/>, a value of <paramref name="kind"/>, as an ORDER BY key: text in <see cref="ByteOrder"/>,
    /// any other kind as it is (PostgreSQL refuses a collation on a number or a time).
    /// </summary>
    string OrderKey(string expression, DataKind kind) => kind == DataKind.Text ? ByteOrder(expression) : expression;

    /// <summary>An interval of exactly <paramref name="span"/>, to add to or subtract from a timestamp or date.</summary>
    string Interval(TimeSpan span);

    /// <summary>Text of <paramref name="expression"/> with every match of the regular expression <paramref name="pattern"/> replaced.</summary>
    string RegexReplaceAll(string expression, string pattern, string replacement);

    /// <summary>A TIMESTAMP: <paramref name="expression"/> (a date or timestamp) truncated to the start of its <paramref name="unit"/>.</summary>
    string DateTrunc(DateUnit unit, string expression);

    /// <summary>The text values of <paramref name="expression"/> in a group, joined by <paramref name="separator"/> in the order of <paramref name="orderBy"/>.</summary>
    string StringAgg(string expression, string separator, string orderBy);

    /// <summary>A DATE: the date <paramref name="day"/> plus the whole number of days <paramref name="days"/> (an SQL expression).</summary>
    string AddDays(string day, string days);

    /// <summary>A BIGINT: whole days from the date <paramref name="earlier"/> to the date <paramref name="later"/>.</summary>
    string DaysBetween(string earlier, string later);

    /// <summary>
    /// The engine's 128-bit integer type that a floating-point value casts to exactly (rounded to a whole number) and that
    /// sums without a decimal's scaling (DuckDB's HUGEINT), or null where there is none (PostgreSQL: its numeric cast of
    /// a double keeps 15 digits, not the exact value).
    /// </summary>
    string? WideIntegerType => null;

    /// <summary>
    /// A BIGINT hash of the text <paramref name="expression"/> (equal texts hash equal; distinct ones collide rarely, so a
    /// caller checks the hashes it relies on for collisions), or null where the engine has no such function.
    /// </summary>
    string? TextHash(string expression) => null;

    /// <summary>
    /// A BIGINT hash of the two texts <paramref name="first"/> and <paramref name="second"/> together (equal pairs hash
    /// equal; a caller checks the hashes it relies on for collisions), or null where the engine has no such function.
    /// </summary>
    string? TextPairHash(string first, string second) => null;

    /// <summary>
    /// Whether a query that only filters and computes over one table's rows returns them in the order they are stored, as
    /// DuckDB does (<c>preserve_insertion_order</c>, on by default); false where the order is the plan's (PostgreSQL's
    /// parallel scans interleave). Readers that rely on it still check what they assume.
    /// </summary>
    bool ScansInStoredOrder => false;

    /// <summary>
    /// The pseudo-column numbering a table's rows in the order they are stored (DuckDB's <c>rowid</c>), by which a reader
    /// splits one stored-order scan into ranges read side by side, each in stored order; null where the engine has none. A
    /// view has none either: a reader asks for it on a table it knows, or falls back when the engine refuses it.
    /// </summary>
    string? StoredRowNumber => null;

    /// <summary>
    /// Whether a large GROUP BY runs faster over its input sorted by the group key (an <c>ORDER BY</c> in a subquery): true
    /// where the engine's hash aggregation then finds each group's rows together and splits the key range between its
    /// threads (DuckDB: the 50M-event experiment statistics −12% CPU), false where the sort would only add work.
    /// </summary>
    bool GroupsFasterOverSortedInput => false;

    /// <summary>
    /// The engine's identity of a stored row, for the table a query reads in its FROM (DuckDB <c>rowid</c>, PostgreSQL
    /// <c>ctid</c>): within one statement it is equal for the same row only, and joins, <c>max</c> and <c>CASE</c> take it.
    /// Its type is the engine's own (not always an integer), so a statement only carries and compares it.
    /// </summary>
    string RowKey { get; }

    /// <summary>The schema unqualified names resolve to, as an SQL expression (for information_schema lookups).</summary>
    string CurrentSchema { get; }

    /// <summary>Whether the text <paramref name="text"/> begins with <paramref name="prefix"/>, as an SQL condition.</summary>
    string StartsWith(string text, string prefix);

    /// <summary>
    /// The start of a CREATE TABLE statement (follow it with columns or <c>AS SELECT</c>) for a work table: intermediate
    /// results that the caller drops after use and that need not survive a crash, so the engine may skip its write-ahead log.
    /// </summary>
    string CreateWorkTable(string table);

    /// <summary>
    /// Statements that make the work table <paramref name="table"/> quick to join on <paramref name="columns"/> (all
    /// quoted): an index named <paramref name="index"/> (unique when <paramref name="unique"/>) and fresh statistics where
    /// the engine's plans use them; none where its joins hash both sides anyway.
    /// </summary>
    IReadOnlyList<string> IndexWorkTable(string table, string index, IReadOnlyList<string> columns, bool unique);

    /// <summary>Whether the text <paramref name="expression"/> holds a match of the regular expression <paramref name="pattern"/> (an SQL expression, e.g. a bound value), ignoring case, as an SQL condition.</summary>
    string RegexMatchesIgnoringCase(string expression, string pattern);

    /// <summary>
    /// A join clause (to follow a FROM item) that pairs each left row with the one row of <paramref name="table"/>, named
    /// <paramref name="name"/>, meeting <paramref name="equal"/> whose <paramref name="rightTime"/> is the earliest at or
    /// after <paramref name="leftTime"/> (its columns NULL where there is none); null where the engine has no such join
    /// cheaper than a window pass, so the caller keeps its portable plan.
    /// </summary>
    string? NearestAtOrAfterJoin(string table, string name, string equal, string rightTime, string leftTime) => null;
}
