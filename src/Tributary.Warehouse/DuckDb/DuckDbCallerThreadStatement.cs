using System.Data.Common;
using System.Runtime.InteropServices;
using DuckDB.NET.Data;
using DuckDB.NET.Native;

namespace Tributary.Warehouse.DuckDb;

/// <summary>
/// Runs one statement through DuckDB's pending-result API, so the calling thread executes the query's tasks itself and
/// sleeps, instead of spinning, while one of DuckDB's worker threads holds the only task. <c>ExecuteNonQuery</c> waits in
/// <c>PendingQueryResult::ExecuteInternal</c>, which polls for tasks without pause (duckdb/duckdb issue 22178): on an
/// <c>INSERT ... SELECT</c> from a table function (one task) that polling cost more CPU than the insert (1,381 of 1,749
/// write-phase samples; 7.26 CPU s against about 3.3 without it). The database-wide <c>threads</c> setting, which would
/// also remove it, is shared by every step running at once.
/// </summary>
internal static class DuckDbCallerThreadStatement
{
    private const string Library = "duckdb";

    /// <summary>Polls that only yield the processor before the caller sleeps a millisecond between them.</summary>
    private const int YieldingPolls = 16;

    private enum PendingState
    {
        Ready = 0,
        NotReady = 1,
        Error = 2,
        NoTasksAvailable = 3,
    }

    /// <summary>
    /// Executes <paramref name="sql"/> (no parameters; any result is discarded) on <paramref name="connection"/>, in its
    /// transaction if one is open. <paramref name="waitForWorker"/> is called with the count of idle polls so far whenever
    /// a worker thread holds the query's tasks; by default it yields, then sleeps a millisecond.
    /// </summary>
    /// <exception cref="DbException">DuckDB refused or failed the statement.</exception>
    public static void Execute(DuckDBConnection connection, string sql, Action<int>? waitForWorker = null)
    {
        waitForWorker ??= WaitForWorker;
        if (NativeMethods.PreparedStatements.DuckDBPrepare(connection.NativeConnection, sql, out var statement) != DuckDBState.Success)
        {
            using (statement) throw new DuckDbStatementException(NativeMethods.PreparedStatements.DuckDBPrepareError(statement));
        }
        using (statement)
        {
            var pending = IntPtr.Zero;
            try
            {
                if (PendingPrepared(statement, out pending) != DuckDBState.Success) throw new DuckDbStatementException(ErrorOf(pending));
                var idle = 0;
                for (var state = ExecuteTask(pending); state is not (PendingState.Ready or PendingState.Error); state = ExecuteTask(pending))
                {
                    if (state == PendingState.NoTasksAvailable) waitForWorker(idle++);
                    else idle = 0;
                }
                var failed = ExecutePending(pending, out var result) != DuckDBState.Success;
                try
                {
                    if (failed) throw new DuckDbStatementException(NativeMethods.Query.DuckDBResultError(ref result));
                }
                finally
                {
                    NativeMethods.Query.DuckDBDestroyResult(ref result);
                }
            }
            finally
            {
                if (pending != IntPtr.Zero) DestroyPending(ref pending);
            }
        }
    }

    // A worker finishing a scan of the process's rows takes milliseconds to seconds: yield a few times for short
    // statements, then sleep, which costs a wake-up a millisecond instead of a core.
    private static void WaitForWorker(int idlePolls)
    {
        if (idlePolls < YieldingPolls) Thread.Yield();
        else Thread.Sleep(1);
    }

    private static string ErrorOf(IntPtr pending) =>
        pending == IntPtr.Zero ? "DuckDB could not start the statement." : Marshal.PtrToStringUTF8(PendingError(pending)) ?? "DuckDB failed the statement.";

    [DllImport(Library, EntryPoint = "duckdb_pending_prepared")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern DuckDBState PendingPrepared(DuckDBPreparedStatement statement, out IntPtr pending);

    [DllImport(Library, EntryPoint = "duckdb_pending_execute_task")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern PendingState ExecuteTask(IntPtr pending);

    [DllImport(Library, EntryPoint = "duckdb_execute_pending")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern DuckDBState ExecutePending(IntPtr pending, out DuckDBResult result);

    [DllImport(Library, EntryPoint = "duckdb_pending_error")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern IntPtr PendingError(IntPtr pending);

    [DllImport(Library, EntryPoint = "duckdb_destroy_pending")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern void DestroyPending(ref IntPtr pending);
}

/// <summary>DuckDB refused or failed a statement run by <see cref="DuckDbCallerThreadStatement"/>.</summary>
internal sealed class DuckDbStatementException(string message) : DbException(message);
