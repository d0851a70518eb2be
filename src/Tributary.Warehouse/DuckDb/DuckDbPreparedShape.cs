using System.Runtime.InteropServices;
using DuckDB.NET.Data;
using DuckDB.NET.Native;

namespace Tributary.Warehouse.DuckDb;

/// <summary>
/// What DuckDB's parser and binder make of one statement, read from its prepared form without running it: the statement's
/// type (<c>duckdb_prepared_statement_type</c>) and the names of the columns it returns. DuckDB.NET exposes neither.
/// </summary>
/// <param name="Type">The statement's type as DuckDB classifies it: DESCRIBE, SHOW, SUMMARIZE and table PRAGMAs are SELECTs.</param>
/// <param name="Columns">The result's column names; a change without RETURNING returns DuckDB's one <c>Count</c> column.</param>
internal sealed record DuckDbPreparedShape(DuckDBStatementType Type, IReadOnlyList<string> Columns)
{
    private const string Library = "duckdb";

    /// <summary>DuckDB's MERGE INTO, newer than DuckDB.NET's enum.</summary>
    public const DuckDBStatementType MergeInto = (DuckDBStatementType)30;

    /// <summary>Whether the statement changes rows and returns only their count (no RETURNING), as DuckDB plans it.</summary>
    public bool ReturnsChangedRowCount =>
        Type is DuckDBStatementType.Insert or DuckDBStatementType.Update or DuckDBStatementType.Delete or MergeInto && Columns is ["Count"];

    /// <summary>The statement's type in the words a user knows (DELETE, CREATE, ATTACH…).</summary>
    public string Kind => Type switch
    {
        MergeInto => "MERGE",
        DuckDBStatementType.VariableSet or DuckDBStatementType.Set => "SET",
        DuckDBStatementType.Extension or DuckDBStatementType.Load => "INSTALL or LOAD",
        _ => Type.ToString().ToUpperInvariant(),
    };

    /// <summary>Prepares <paramref name="sql"/> on <paramref name="connection"/> (parameters unbound) and reads its shape.</summary>
    /// <exception cref="System.Data.Common.DbException">DuckDB refused the statement as written; the message is DuckDB's.</exception>
    public static DuckDbPreparedShape Of(DuckDBConnection connection, string sql)
    {
        if (NativeMethods.PreparedStatements.DuckDBPrepare(connection.NativeConnection, sql, out var statement) != DuckDBState.Success)
        {
            using (statement) throw new DuckDbStatementException(NativeMethods.PreparedStatements.DuckDBPrepareError(statement));
        }
        using (statement)
        {
            var columns = new string[ColumnCount(statement)];
            for (var i = 0; i < columns.Length; i++)
            {
                var name = ColumnName(statement, i);
                try
                {
                    columns[i] = Marshal.PtrToStringUTF8(name) ?? "";
                }
                finally
                {
                    Free(name);
                }
            }
            return new DuckDbPreparedShape((DuckDBStatementType)StatementType(statement), columns);
        }
    }

    [DllImport(Library, EntryPoint = "duckdb_prepared_statement_type")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int StatementType(DuckDBPreparedStatement statement);

    [DllImport(Library, EntryPoint = "duckdb_prepared_statement_column_count")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern long ColumnCount(DuckDBPreparedStatement statement);

    [DllImport(Library, EntryPoint = "duckdb_prepared_statement_column_name")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern IntPtr ColumnName(DuckDBPreparedStatement statement, long index);

    [DllImport(Library, EntryPoint = "duckdb_free")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern void Free(IntPtr pointer);
}
