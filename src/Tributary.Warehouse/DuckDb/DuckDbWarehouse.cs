using System.Runtime.CompilerServices;
using System.Data.Common;
using System.Text.RegularExpressions;
using DuckDB.NET.Data;
using DuckDB.NET.Native;
using Tributary.Core.Warehousing;
using Tributary.Core.Projects;

namespace Tributary.Warehouse.DuckDb;

/// <summary>The embedded default: a DuckDB file owned by this process, loading files with DuckDB's own readers.</summary>
public sealed partial class DuckDbWarehouse : SqlWarehouse
{
    private readonly string _connectionString;
    private readonly DuckDBConnection _keepAlive;
    private readonly Lazy<DuckDbRowFeed> _rowFeed;
    private readonly Lazy<DuckDbBatchFeed> _batchFeed;

    private DuckDbWarehouse(string connectionString, DuckDBConnection keepAlive)
    {
        _connectionString = connectionString;
        _keepAlive = keepAlive;
        // Registered on the first append only: most opens (the server's, queries) never append and would leave a function behind.
        _rowFeed = new Lazy<DuckDbRowFeed>(() => DuckDbRowFeed.Register(keepAlive), LazyThreadSafetyMode.ExecutionAndPublication);
        _batchFeed = new Lazy<DuckDbBatchFeed>(() => DuckDbBatchFeed.Register(keepAlive), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>The storage format a new warehouse file is created in (DuckDB's <c>storage_compatibility_version</c>).</summary>
    public const string StorageVersion = "v1.3.0";

    /// <summary>DuckDB's allocator settings for a file database: freed memory back to the OS soon (see <see cref="OpenAsync(string, IReadOnlyList{string}?, string, CancellationToken)"/>).</summary>
    private static readonly string[] AllocatorSettings =
        ["SET allocator_background_threads = true", "SET allocator_flush_threshold = '32MB'", "SET allocator_bulk_deallocation_flush_threshold = '64MB'"];

    /// <summary>Memory DuckDB may hold for a database file (its cache of blocks included) before it evicts blocks and spills to disk.</summary>
    public const string DefaultMemoryLimit = Core.Projects.ProjectSettings.DefaultDuckDbMemoryLimit;

    /// <summary>Opens (creating if needed) the DuckDB file at <paramref name="path"/>, or an in-memory database for ":memory:".</summary>
    public static Task<DuckDbWarehouse> OpenAsync(string path, CancellationToken cancellationToken) => OpenAsync(path, null, cancellationToken);

    /// <summary>
    /// Opens the DuckDB file at <paramref name="path"/>; with <paramref name="allowedDirectories"/>, DuckDB's own file access
    /// (read_csv, read_text, COPY, ATTACH, INSTALL…) is limited to those folders and the setting is locked for the life of
    /// the database, so SQL cannot reach other files nor lift the limit.
    /// </summary>
    public static Task<DuckDbWarehouse> OpenAsync(string path, IReadOnlyList<string>? allowedDirectories, CancellationToken cancellationToken) =>
        OpenAsync(path, allowedDirectories, DefaultMemoryLimit, cancellationToken);

    /// <summary>
    /// As <see cref="OpenAsync(string, IReadOnlyList{string}?, CancellationToken)"/>, with a file database bounded to
    /// <paramref name="memoryLimit"/> (DuckDB's notation, e.g. <c>4GB</c>; <c>warehouse.memory_limit</c> in tributary.yaml).
    /// </summary>
    public static async Task<DuckDbWarehouse> OpenAsync(string path, IReadOnlyList<string>? allowedDirectories, string memoryLimit, CancellationToken cancellationToken)
    {
        if (path != ":memory:") PrivateFiles.CreateFolder(Path.GetDirectoryName(Path.GetFullPath(path))!);
        // A new file is written in DuckDB 1.3's storage format (DuckDB's default is 0.10.2's, readable by older DuckDBs): from 1.3
        // text columns may use DICT_FSST compression, which cut the CPU of writing the Segment events and the canonical events
        // by ~20% (bench/README.md, stop 17); such a file needs DuckDB 1.3 or later to read. A file that exists keeps the
        // format it was created in.
        var connectionString = path == ":memory:" ? $"Data Source={path}" : $"Data Source={path};storage_compatibility_version={StorageVersion}";
        var keepAlive = new DuckDBConnection(connectionString);
        await keepAlive.OpenAsync(cancellationToken).ConfigureAwait(false);
        // DuckDB creates the file with the umask's mode; a WAL it creates later relies on the folder being private.
        if (path != ":memory:") PrivateFiles.Tighten(path, path + ".wal");
        var warehouse = new DuckDbWarehouse(connectionString, keepAlive);
        // Locked already: the database was opened (and limited) earlier in this process, and DuckDB.NET shares the instance.
        if (Convert.ToBoolean(await warehouse.ScalarAsync("SELECT current_setting('lock_configuration')", null, cancellationToken).ConfigureAwait(false),
                System.Globalization.CultureInfo.InvariantCulture))
            return warehouse;
        // DuckDB's default (80% of the machine's memory) keeps every block it has touched cached, so a process's memory grew
        // with the data; bounded, it evicts and spills to '<file>.tmp' next to the database (inside the project).
        if (path != ":memory:")
        {
            await warehouse.ExecuteAsync($"SET memory_limit = {warehouse.Dialect.Literal(memoryLimit)}", null, cancellationToken).ConfigureAwait(false);
            // The limit bounds what DuckDB counts, not what its allocator (jemalloc) keeps from the OS: memory a statement freed
            // stayed resident until the allocator next ran on that thread, so while a step worked in C# (identity, attribution)
            // or in another arena the process held 300-500 MB above DuckDB's own count at 100k demo customers (bench/README.md,
            // stop 18). The background thread returns freed pages on jemalloc's decay schedule whatever the statements do, and
            // the lower thresholds flush a task's or a bulk free's memory sooner than the 128 MiB / 512 MiB defaults.
            foreach (var setting in AllocatorSettings)
                await warehouse.ExecuteAsync(setting, null, cancellationToken).ConfigureAwait(false);
        }
        if (allowedDirectories is not null)
        {
            // SET takes no bound values; the folders come from tributary.yaml and are quoted as literals.
            var list = string.Join(", ", allowedDirectories.Select(warehouse.Dialect.Literal));
            foreach (var setting in new[] { $"SET allowed_directories = [{list}]", "SET enable_external_access = false", "SET lock_configuration = true" })
                await warehouse.ExecuteAsync(setting, null, cancellationToken).ConfigureAwait(false);
        }
        return warehouse;
    }

    /// <inheritdoc />
    public override ISqlDialect Dialect { get; } = new DuckDbDialect();

    /// <inheritdoc />
    protected override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        // Connections to the same file in one process share one database instance (DuckDB.NET's cache),
        // so each operation gets its own connection and parallel steps do not serialize on one.
        var connection = _connectionString == "Data Source=:memory:" ? _keepAlive.Duplicate() : new DuckDBConnection(_connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        return connection;
    }

    /// <inheritdoc />
    /// <remarks>Without it DuckDB.NET materializes the whole result inside DuckDB before the first row is read.</remarks>
    protected override void StreamResults(DbCommand command) => ((DuckDBCommand)command).UseStreamingMode = true;

    /// <inheritdoc />
    /// <remarks>DuckDB.NET names a decimal <c>Decimal</c> without its width and scale; its schema table has them, as DuckDB spells the type: <c>DECIMAL(18,2)</c>.</remarks>
    protected override IReadOnlyList<string> TypeNames(DbDataReader reader)
    {
        var names = base.TypeNames(reader);
        if (!names.Contains(nameof(DuckDBType.Decimal))) return names;
        var schema = reader.GetSchemaTable()!;
        return [.. names.Select((name, i) => name == nameof(DuckDBType.Decimal) && schema.Rows[i][SchemaTableColumn.NumericPrecision] is byte precision && schema.Rows[i][SchemaTableColumn.NumericScale] is byte scale
            ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"DECIMAL({precision},{scale})") : name)];
    }

    /// <inheritdoc />
    protected override DbParameter CreateParameter(object? value) => new DuckDBParameter(value ?? DBNull.Value);

    /// <inheritdoc />
    /// <remarks>
    /// DuckDB guesses a placeholder's type from where it first stands (<c>THEN $1 ELSE 1</c>, <c>coalesce($1, 0)</c>,
    /// <c>x = $1</c> with x an INTEGER: INTEGER) and DuckDB.NET converts the value to that type, whatever the parameter's
    /// DbType says, so 1.09 arrived as 1 and <c>true</c> as 1. A number or boolean is therefore written as
    /// <c>CAST($n AS its type)</c>, the type PostgreSQL is sent by Npgsql. Text, dates, timestamps and NULL stay bare and
    /// take the type of where they stand (text as a quoted literal would; a timestamp so no time zone is applied to it).
    /// </remarks>
    protected override string TypePlaceholders(string sql, IReadOnlyList<object?> parameters)
    {
        var any = false;
        foreach (var p in parameters) any |= TypeOf(p) is not null;
        return any ? SqlPlaceholders.Cast(sql, n => n <= parameters.Count ? TypeOf(parameters[n - 1]) : null) : sql;
    }

    // DuckDB's type for a CLR value that DuckDB.NET would otherwise convert to the placeholder's guessed type.
    private static string? TypeOf(object? value) => value switch
    {
        double => "DOUBLE",
        float => "FLOAT",
        long => "BIGINT",
        int => "INTEGER",
        short => "SMALLINT",
        sbyte => "TINYINT",
        ulong => "UBIGINT",
        uint => "UINTEGER",
        ushort => "USMALLINT",
        byte => "UTINYINT",
        decimal d => $"DECIMAL(38, {d.Scale.ToString(System.Globalization.CultureInfo.InvariantCulture)})",
        bool => "BOOLEAN",
        _ => null,
    };

    /// <inheritdoc />
    /// <remarks>DuckDB.NET would run every statement of the text in turn, so DuckDB's parser counts them first.</remarks>
    protected override void RequireOneStatement(DbCommand command)
    {
        var count = NativeMethods.ExtractStatements.DuckDBExtractStatements(((DuckDBConnection)command.Connection!).NativeConnection, command.CommandText, out var statements);
        statements.Dispose();
        // Zero with a syntax error: running the command reports DuckDB's own message.
        if (count > 1) throw new InvalidOperationException(SeveralStatements(count));
    }

    /// <inheritdoc />
    /// <remarks>COPY, EXPORT, ATTACH, INSTALL, LOAD, SET, PRAGMA, EXPLAIN (ANALYZE runs what it explains) and the rest are refused before they run.</remarks>
    public override async Task<QueryResult> QueryTablesOnlyAsync(string sql, int maxRows, CancellationToken cancellationToken)
    {
        await using var connection = (DuckDBConnection)await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, sql, null);
        var shape = DuckDbPreparedShape.Of(connection, command.CommandText);
        if (shape.Type is not (DuckDBStatementType.Select or DuckDBStatementType.Insert or DuckDBStatementType.Update or DuckDBStatementType.Delete
            or DuckDbPreparedShape.MergeInto or DuckDBStatementType.Create or DuckDBStatementType.Drop or DuckDBStatementType.Alter))
            throw new StatementNotReadOnlyException($"it is a {shape.Kind} statement, which reaches beyond the warehouse's tables");
        return await QueryAsync(command, maxRows, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    /// <remarks>
    /// The prepared statement must be a SELECT (DESCRIBE, SHOW, SUMMARIZE, <c>PRAGMA table_info</c> and the other table
    /// PRAGMAs are). EXPLAIN is refused too: EXPLAIN ANALYZE runs the statement it explains, and a COPY ... TO inside one
    /// writes its file even in a read-only transaction. A SELECT that would write (<c>nextval</c>) fails in the read-only
    /// transaction. Rows are streamed, so DuckDB computes only those read; the deadline or the caller interrupts it.
    /// </remarks>
    public override async Task<QueryResult> QueryReadOnlyAsync(string sql, int maxRows, TimeSpan timeout, CancellationToken cancellationToken)
    {
        await using var connection = (DuckDBConnection)await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, sql, null);
        var shape = DuckDbPreparedShape.Of(connection, command.CommandText);
        if (shape.Type != DuckDBStatementType.Select)
            throw new StatementNotReadOnlyException(shape.Type == DuckDBStatementType.Explain
                ? "it is an EXPLAIN statement, which DuckDB runs in full for EXPLAIN ANALYZE"
                : $"it is a {shape.Kind} statement");
        StreamResults(command);
        await ExecuteAsync(connection, "BEGIN TRANSACTION READ ONLY", null, cancellationToken).ConfigureAwait(false);
        try
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(timeout);
            await using (deadline.Token.Register(command.Cancel).ConfigureAwait(false))
            {
                try
                {
                    return await QueryAsync(command, maxRows, deadline.Token).ConfigureAwait(false);
                }
                catch (Exception e) when (e is DbException or OperationCanceledException && deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
                {
                    throw new TimeoutException($"the query ran longer than {Seconds(timeout)} s and was stopped", e);
                }
                catch (DuckDBException e) when (e.ErrorType == DuckDBErrorType.Transaction && e.Message.Contains("read-only", StringComparison.Ordinal))
                {
                    throw new StatementNotReadOnlyException(e.Message);
                }
            }
        }
        finally
        {
            // A connection whose ROLLBACK failed is closed below, which ends its transaction all the same.
            try
            {
                await ExecuteAsync(connection, "ROLLBACK", null, CancellationToken.None).ConfigureAwait(false);
            }
            catch (DbException)
            {
            }
        }
    }

    /// <inheritdoc />
    /// <remarks>DuckDB.NET's reader skips a result that is a count of changed rows, so the prepared statement is asked first.</remarks>
    protected override bool ReturnsChangedRowCount(DbCommand command) =>
        DuckDbPreparedShape.Of((DuckDBConnection)command.Connection!, command.CommandText).ReturnsChangedRowCount;

    /// <inheritdoc />
    /// <remarks>
    /// DuckDB's memory_limit is one budget for the whole database, shared by every connection, so a statement fails with an
    /// out-of-memory error ("failed to allocate ... used") when statements beside it hold the rest; known by DuckDB's error type,
    /// except from a streamed result, where DuckDB.NET reports it inside an "unsuccessful pending query result" error, untyped.
    /// </remarks>
    public override bool IsOutOfMemory(Exception exception) => exception switch
    {
        DuckDBException { ErrorType: DuckDBErrorType.OutOfMemory } => true,
        // DuckDB.NET does not always carry the error's type: untyped inside a streamed read's "unsuccessful pending query
        // result" error, and mistyped when a table function's exception from another statement rides along as its inner.
        DuckDBException untyped => untyped.Message.StartsWith("Out of Memory Error:", StringComparison.Ordinal)
            || untyped.Message.Contains("\nError: Out of Memory Error:", StringComparison.Ordinal),
        AggregateException many => many.InnerExceptions.Any(IsOutOfMemory),
        { InnerException: { } inner } => IsOutOfMemory(inner),
        _ => false,
    };

    /// <inheritdoc />
    /// <remarks>
    /// DuckDB's parser, binder and catalog errors (but an object that already exists), and a prepared statement's parameter errors; known by DuckDB's error type,
    /// or by the message's prefix where DuckDB.NET carries no type (a streamed read's "unsuccessful pending query result", a
    /// statement run on the caller's thread). Conversion errors are not among them: they come from the data, which a retry
    /// may find changed (a file rewritten by its producer).
    /// </remarks>
    public override bool IsStatementError(Exception exception) => exception switch
    {
        // An object that already exists may be gone on the next attempt (another session's table), as on PostgreSQL.
        System.Data.Common.DbException duplicate when duplicate.Message.Contains(" already exists", StringComparison.Ordinal) => false,
        DuckDBException { ErrorType: DuckDBErrorType.Parser or DuckDBErrorType.Syntax or DuckDBErrorType.Binder or DuckDBErrorType.Catalog
            or DuckDBErrorType.ParameterNotResolved or DuckDBErrorType.ParameterNotAllowed } => true,
        System.Data.Common.DbException untyped => StatementErrorPrefixes.Any(p => untyped.Message.StartsWith(p, StringComparison.Ordinal)
            || untyped.Message.Contains("\nError: " + p, StringComparison.Ordinal)),
        AggregateException many => many.InnerExceptions.Any(IsStatementError),
        { InnerException: { } inner } => IsStatementError(inner),
        _ => false,
    };

    private static readonly string[] StatementErrorPrefixes = ["Parser Error:", "Syntax Error:", "Binder Error:", "Catalog Error:"];

    /// <inheritdoc />
    /// <remarks>DuckDB's setting as it reports it (e.g. <c>953.6 MiB</c>); null when it cannot be read as a size.</remarks>
    public override async Task<long?> MemoryLimitAsync(CancellationToken cancellationToken)
    {
        var setting = Convert.ToString(await ScalarAsync("SELECT current_setting('memory_limit')", null, cancellationToken).ConfigureAwait(false),
            System.Globalization.CultureInfo.InvariantCulture);
        var match = MemorySettingPattern().Match(setting ?? "");
        if (!match.Success) return null;
        var unit = match.Groups[2].Value.ToUpperInvariant() switch
        {
            "" or "B" or "BYTES" => 1L,
            "KB" => 1_000L, "MB" => 1_000_000L, "GB" => 1_000_000_000L, "TB" => 1_000_000_000_000L,
            "KIB" => 1L << 10, "MIB" => 1L << 20, "GIB" => 1L << 30, "TIB" => 1L << 40,
            _ => 0L,
        };
        return unit == 0 ? null : (long)(double.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) * unit);
    }

    [GeneratedRegex(@"^\s*(\d+(?:\.\d+)?)\s*([A-Za-z]*)\s*$")]
    private static partial Regex MemorySettingPattern();

    [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9_ ]*(\(\d+(,\s*\d+)?\))?(\[\])?$")]
    private static partial Regex TypeNamePattern();

    /// <inheritdoc />
    protected override async Task LoadFilesAsync(DbConnection connection, string quotedTable, IReadOnlyList<string> paths, FileFormat format,
        FileReadOptions options, CancellationToken cancellationToken)
    {
        var (select, args) = await FilesQueryAsync(connection, paths, format, options, cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, $"CREATE TABLE {quotedTable} AS {select}", args, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Reads files as a load into this warehouse would (the same readers, inferred or declared types) and hands their schema
    /// and rows to <paramref name="consume"/> while DuckDB reads on, a vector at a time, so another engine loads files of any
    /// size through DuckDB's readers without DuckDB holding them.
    /// </summary>
    public async Task ReadFilesAsync(IReadOnlyList<string> paths, FileFormat format, FileReadOptions options,
        Func<TableSchema, IEnumerable<object?[]>, CancellationToken, Task> consume, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var (select, args) = await FilesQueryAsync(connection, paths, format, options, cancellationToken).ConfigureAwait(false);
        await using var command = (DuckDBCommand)Command(connection, select, args);
        command.UseStreamingMode = true; // otherwise DuckDB materializes the whole result before the first row
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var schema = SchemaOf(reader);
        await consume(schema, Rows(reader, [.. schema.Columns.Select(c => c.Kind)]), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    /// <remarks>
    /// Through DuckDB's own Arrow export, a vector of rows at a time (DuckDB.NET's <c>ExecuteArrowBatchesAsync</c>): fixed-width
    /// columns are copied whole, so no managed call is made per value except for text, dates and timestamps.
    /// </remarks>
    public override async IAsyncEnumerable<ColumnBatch> ReadColumnsAsync(string sql, IReadOnlyList<object?>? parameters, IReadOnlyList<DataKind> kinds,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var batch = new ColumnBatch(kinds, BatchRows);
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = (DuckDBCommand)Command(connection, sql, parameters);
        command.UseStreamingMode = true; // otherwise DuckDB materializes the whole result before the first batch
        // The Arrow export runs the query on this thread without watching the token: cancelling interrupts DuckDB (Cancel does).
        await using var interrupt = cancellationToken.UnsafeRegister(c => ((DuckDBCommand)c!).Cancel(), command).ConfigureAwait(false);
        await foreach (var arrow in Interrupted(command.ExecuteArrowBatchesAsync(cancellationToken), cancellationToken).ConfigureAwait(false))
        {
            using (arrow)
            {
                RequireColumns(arrow.ColumnCount, kinds);
                if (arrow.Length == 0) continue;
                batch.Reset(arrow.Length);
                for (var c = 0; c < kinds.Count; c++) ArrowColumns.Copy(arrow.Column(c), batch, c);
            }
            yield return batch;
        }
    }

    // DuckDB reports an interrupted query as an error of its own; a cancelled caller expects OperationCanceledException.
    private static async IAsyncEnumerable<T> Interrupted<T>(IAsyncEnumerable<T> items, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var e = items.GetAsyncEnumerator(cancellationToken);
        while (true)
        {
            try
            {
                if (!await e.MoveNextAsync().ConfigureAwait(false)) yield break;
            }
            catch (DuckDBException interrupted) when (cancellationToken.IsCancellationRequested)
            {
                throw new OperationCanceledException("the query was interrupted: cancelled", interrupted, cancellationToken);
            }
            yield return e.Current;
        }
    }

    private static IEnumerable<object?[]> Rows(DbDataReader reader, DataKind[] kinds)
    {
        while (reader.Read()) yield return Row(reader, kinds);
    }

    // The SELECT over DuckDB's reader for the files, with its bound values.
    private async Task<(string Select, List<object?> Args)> FilesQueryAsync(DbConnection connection, IReadOnlyList<string> paths, FileFormat format,
        FileReadOptions options, CancellationToken cancellationToken)
    {
        var args = paths.Cast<object?>().ToList();
        var files = "[" + string.Join(", ", paths.Select((_, i) => $"${i + 1}")) + "]";
        var reader = format switch
        {
            // RFC 4180 quoting, stated rather than sniffed: a sniffer that meets an unclosed quote can settle on one column per line.
            FileFormat.Csv => $"read_csv({files}, header = {(options.Header ? "true, union_by_name = true" : "false" + Names(options, args))}{Delimiter(options, args)}, quote = '\"', escape = '\"'{Encoding(options)}{DateFormat(options, args)}{TextColumns(options)})",
            FileFormat.Parquet => $"read_parquet({files}, union_by_name = true)",
            FileFormat.NdJson when options.Encoding != TextEncoding.Utf8 => throw new ArgumentException($"JSON is read as UTF-8; {options.Encoding} is not supported."),
            FileFormat.NdJson => $"read_json({files}, format = 'newline_delimited', union_by_name = true)",
            _ => throw new System.Diagnostics.UnreachableException(format.ToString()),
        };
        // Only a zone other than UTC needs the columns' types as read, to know which hold times without an offset.
        var read = WallClockTimes.Of(options.OffsetlessZone) is null ? null
            : await ReadTypesAsync(connection, $"SELECT * FROM {reader} LIMIT 0", args, cancellationToken).ConfigureAwait(false);
        return ($"SELECT {Projection(options, args, read)} FROM {reader}", args);
    }

    private async Task<Dictionary<string, string>> ReadTypesAsync(DbConnection connection, string sql, List<object?> args, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, sql, args);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return Enumerable.Range(0, reader.FieldCount).ToDictionary(reader.GetName, reader.GetDataTypeName, StringComparer.Ordinal);
    }

    // Without a header row, declared columns name the fields in file order.
    private static string Names(FileReadOptions options, List<object?> args)
    {
        if (options.Columns is not { Count: > 0 } columns) return "";
        var start = args.Count;
        args.AddRange(columns.Keys);
        return ", names = [" + string.Join(", ", columns.Keys.Select((_, i) => $"${start + i + 1}")) + "]";
    }

    // Columns declared as text are read as text: sniffed first, "01234" would become the number 1234 and "f" the boolean
    // false before the cast back to text gave "1234" and "false".
    // With a date_format, declared dates and timestamps too: the projection reads them with it.
    // With a zone, declared timestamps too: sniffed, a column mixing times with and without an offset would be read all as UTC.
    private string TextColumns(FileReadOptions options)
    {
        var zoned = WallClockTimes.Of(options.OffsetlessZone) is not null;
        var text = options.Columns?.Where(c => TypeNamePattern().IsMatch(c.Value)
            && (SqlTypeNames.KindOf(c.Value) == DataKind.Text || (options.DateFormats is { Count: > 0 } && IsDateKind(c.Value))
                || (zoned && SqlTypeNames.KindOf(c.Value) == DataKind.Timestamp))).ToList();
        return text is { Count: > 0 }
            ? ", types = struct_pack(" + string.Join(", ", text.Select(c => $"{Dialect.Quote(c.Key)} := 'VARCHAR'")) + ")"
            : "";
    }

    private static string Delimiter(FileReadOptions options, List<object?> args)
    {
        if (options.Delimiter is not { } d) return "";
        args.Add(d);
        return $", delim = ${args.Count}";
    }

    private static bool IsDateKind(string type) => SqlTypeNames.KindOf(type) is DataKind.Date or DataKind.Timestamp;

    // Undeclared columns are sniffed with the format, so a column of 10/5/2024 10:15 becomes a timestamp.
    private static string DateFormat(FileReadOptions options, List<object?> args)
    {
        if (options.DateFormats is not [var format, ..] || options.Columns is { Count: > 0 }) return "";
        args.Add(format);
        return format.Contains("%H", StringComparison.Ordinal) || format.Contains("%I", StringComparison.Ordinal)
            ? $", timestampformat = ${args.Count}"
            : $", dateformat = ${args.Count}";
    }

    private static string Encoding(FileReadOptions options) => options.Encoding switch
    {
        TextEncoding.Utf8 => "",
        TextEncoding.Utf16 => ", encoding = 'utf-16'",
        TextEncoding.Latin1 => ", encoding = 'latin-1'",
        _ => throw new ArgumentException($"DuckDB reads CSV as utf8, utf16 or latin1; {options.Encoding} is not supported."),
    };

    // Declared columns are kept and cast; type names cannot be bound, so they must match a strict pattern.
    // With a zone, times read without an offset become the UTC instants they name there (read holds the types as read).
    private string Projection(FileReadOptions options, List<object?> args, Dictionary<string, string>? read)
    {
        var zone = read is null ? null : Bound(args, WallClockTimes.Of(options.OffsetlessZone)!);
        if (options.Columns is not { Count: > 0 } columns)
        {
            var shifted = read?.Where(r => WallClockTimes.IsWallClock(r.Value)).Select(r => $"{WallClockTimes.ToUtc(Dialect.Quote(r.Key), zone!)} AS {Dialect.Quote(r.Key)}").ToList();
            return shifted is { Count: > 0 } ? $"* REPLACE ({string.Join(", ", shifted)})" : "*";
        }
        var formats = "";
        if (options.DateFormats is { Count: > 0 } f)
        {
            var start = args.Count;
            args.AddRange(f);
            formats = "[" + string.Join(", ", f.Select((_, i) => $"${start + i + 1}")) + "]";
        }
        return string.Join(", ", columns.Select(c =>
        {
            if (!TypeNamePattern().IsMatch(c.Value)) throw new ArgumentException($"'{c.Value}' is not a SQL type name (column '{c.Key}').");
            var value = formats.Length > 0 && IsDateKind(c.Value) ? Dated(c.Key, c.Value, formats) : $"CAST({Dialect.Quote(c.Key)} AS {c.Value})";
            if (zone is not null && SqlTypeNames.KindOf(c.Value) == DataKind.Timestamp && read!.TryGetValue(c.Key, out var type))
                value = WallClockTimes.IsWallClock(type) || (formats.Length > 0 && SqlTypeNames.KindOf(type) == DataKind.Text) ? WallClockTimes.ToUtc(value, zone)
                    // Text read as written: each value says whether it names its offset.
                    : SqlTypeNames.KindOf(type) == DataKind.Text ? WallClockTimes.ToUtcUnlessOffset(Dialect.Quote(c.Key), c.Value, zone, Bound(args, WallClockTimes.OffsetPattern))
                    : value;
            return $"{value} AS {Dialect.Quote(c.Key)}";
        }));
    }

    private static string Bound(List<object?> args, object value)
    {
        args.Add(value);
        return $"${args.Count}";
    }

    // A text field read with the date_format (then its fallbacks): blank is NULL, and a value none reads fails naming column and value.
    private string Dated(string column, string type, string formats)
    {
        var c = Dialect.Quote(column);
        var holds = Dialect.Literal($"column '{column}' holds '");
        return $"CASE WHEN {c} IS NULL OR trim({c}) = '' THEN NULL WHEN try_strptime({c}, {formats}) IS NULL "
            + $"THEN error(concat({holds}, {c}, ''', which date_format ''', {formats}[1], ''' does not read')) "
            + $"ELSE CAST(strptime({c}, {formats}) AS {type}) END";
    }

    /// <inheritdoc />
    protected override async Task BulkAppendAsync(DbConnection connection, string table, IReadOnlyList<(string Name, DataKind Kind)> columns,
        IEnumerable<object?[]> rows, CancellationToken cancellationToken)
    {
        await CreateTableAsync(connection, table, columns, cancellationToken).ConfigureAwait(false);
        Append((DuckDBConnection)connection, table, columns, rows, cancellationToken);
    }

    /// <inheritdoc />
    /// <remarks>A table function registered while a transaction is open is not in that transaction's catalog.</remarks>
    protected override void PrepareBulkAppend() => (_, _) = (_rowFeed.Value, _batchFeed.Value);

    /// <inheritdoc />
    protected override Task AppendRowsAsync(DbConnection connection, string table, IReadOnlyList<(string Name, DataKind Kind)> columns, IEnumerable<object?[]> rows,
        CancellationToken cancellationToken)
    {
        Append((DuckDBConnection)connection, table, columns, rows, cancellationToken);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    /// <remarks>As <see cref="BulkAppendInParallelAsync"/>, the batches' values written straight into DuckDB's vectors (see <see cref="DuckDbBatchFeed"/>).</remarks>
    protected override Task BulkAppendBatchesInParallelAsync(DbConnection connection, string table, IReadOnlyList<(string Name, DataKind Kind)> columns,
        IReadOnlyList<IEnumerable<AppendBatch>> streams, CancellationToken cancellationToken) =>
        AppendInParallelAsync(connection, table, columns, streams, (own, stream) => _batchFeed.Value.Insert(own, Dialect.Quote(table), columns, stream, cancellationToken),
            cancellationToken);

    /// <inheritdoc />
    /// <remarks>
    /// Each stream appends on its own thread through its own connection: DuckDB's appends to one table never conflict, and
    /// each appender converts, stores and compresses its rows on its thread, which is most of a load's work.
    /// </remarks>
    protected override Task BulkAppendInParallelAsync(DbConnection connection, string table, IReadOnlyList<(string Name, DataKind Kind)> columns,
        IReadOnlyList<IEnumerable<object?[]>> streams, CancellationToken cancellationToken) =>
        AppendInParallelAsync(connection, table, columns, streams, (own, stream) => Append(own, table, columns, stream, cancellationToken), cancellationToken);

    // Creates the table, then appends each stream on its own thread and connection (one stream on the caller's connection).
    private async Task AppendInParallelAsync<T>(DbConnection connection, string table, IReadOnlyList<(string Name, DataKind Kind)> columns,
        IReadOnlyList<T> streams, Action<DuckDBConnection, T> append, CancellationToken cancellationToken)
    {
        await CreateTableAsync(connection, table, columns, cancellationToken).ConfigureAwait(false);
        if (streams.Count == 1)
        {
            append((DuckDBConnection)connection, streams[0]);
            return;
        }
        // Dedicated threads: the streams may block waiting for their producer, which must not starve the thread pool.
        var appends = streams.Select(stream => Task.Factory.StartNew(() =>
        {
            using var own = OpenAsync(cancellationToken).GetAwaiter().GetResult();
            append((DuckDBConnection)own, stream);
        }, cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToList();
        try
        {
            await Task.WhenAll(appends).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (appends.SelectMany(a => a.Exception?.InnerExceptions ?? []).FirstOrDefault(e => e is not OperationCanceledException) is { } cause)
        {
            // One stream failed and the others were cancelled because of it: its error is the one to report.
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(cause);
        }
    }

    private async Task CreateTableAsync(DbConnection connection, string table, IReadOnlyList<(string Name, DataKind Kind)> columns, CancellationToken cancellationToken)
    {
        var definition = string.Join(", ", columns.Select(c => $"{Dialect.Quote(c.Name)} {Dialect.TypeName(c.Kind)}"));
        await ExecuteAsync(connection, $"CREATE TABLE {Dialect.Quote(table)} ({definition})", null, cancellationToken).ConfigureAwait(false);
    }

    // One INSERT from the rows as a table function (see DuckDbRowFeed), not the appender: no second copy of the rows in memory.
    private void Append(DuckDBConnection connection, string table, IReadOnlyList<(string Name, DataKind Kind)> columns, IEnumerable<object?[]> rows,
        CancellationToken cancellationToken) =>
        _rowFeed.Value.Insert(connection, Dialect.Quote(table), columns, rows, cancellationToken);

    /// <inheritdoc />
    public override async Task ExportAsync(string selectSql, IReadOnlyList<object?>? parameters, string path, FileFormat format, CancellationToken cancellationToken)
    {
        var args = new List<object?>(parameters ?? []) { path };
        var options = format switch
        {
            FileFormat.Csv => "FORMAT csv, HEADER",
            FileFormat.Parquet => "FORMAT parquet",
            FileFormat.NdJson => "FORMAT json",
            _ => throw new System.Diagnostics.UnreachableException(format.ToString()),
        };
        await ExecuteAsync($"COPY ({selectSql}) TO ${args.Count} ({options})", args, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override async ValueTask DisposeAsync() => await _keepAlive.DisposeAsync().ConfigureAwait(false);
}
