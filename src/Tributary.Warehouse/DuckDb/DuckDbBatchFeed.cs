using System.Collections.Concurrent;
using System.Data.Common;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using DuckDB.NET.Data;
using DuckDB.NET.Native;
using Tributary.Core.Warehousing;

namespace Tributary.Warehouse.DuckDb;

/// <summary>
/// Stores <see cref="AppendBatch"/> rows with one <c>INSERT ... SELECT</c> from a table function, as <see cref="DuckDbRowFeed"/>
/// does for rows of objects, but registered through DuckDB's C API directly so each chunk's vectors are written a column at a
/// time: numbers and timestamps straight into the vector's data, text as the batch's UTF-8 bytes. DuckDB.NET's table
/// functions hand over a generic writer per column and take one boxed value per call through it; on a Segment load that path
/// (the dispatch, its type tests, a string per text value and its re-encoding to UTF-8) was about 13% of the CPU.
/// The function is registered once per warehouse under a random name and takes the key of a pending feed, so loads on several
/// connections at once each read their own batches.
/// </summary>
internal sealed unsafe class DuckDbBatchFeed
{
    private const string Library = "duckdb";

    // DuckDB's rows per vector (STANDARD_VECTOR_SIZE), the most a table function may return per call.
    private const int VectorSize = 2048;

    // duckdb_string_t keeps a string of up to 12 bytes inside itself (after its 4-byte length); longer ones live in the vector's heap.
    private const int InlinedBytes = 12;

    // Microseconds (DuckDB's TIMESTAMP) and days (DATE) count from 1970-01-01.
    private static readonly long EpochTicks = DateTime.UnixEpoch.Ticks;
    private static readonly int EpochDay = DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber;

    private readonly ConcurrentDictionary<long, Feed> _feeds = new();
    private readonly Action<int>? _waitForWorker;
    private long _lastKey;

    private DuckDbBatchFeed(string functionName, Action<int>? waitForWorker) => (FunctionName, _waitForWorker) = (functionName, waitForWorker);

    /// <summary>The table function's name in the database's system catalog.</summary>
    public string FunctionName { get; }

    /// <summary>Registers the feed's table function on <paramref name="connection"/>'s database (see <see cref="DuckDbRowFeed.Register"/>).</summary>
    public static DuckDbBatchFeed Register(DuckDBConnection connection, Action<int>? waitForWorker = null)
    {
        var feed = new DuckDbBatchFeed("trib_batches_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)), waitForWorker);
        var function = NativeMethods.TableFunction.DuckDBCreateTableFunction();
        try
        {
            NativeMethods.TableFunction.DuckDBTableFunctionSetName(function, feed.FunctionName);
            using (var key = NativeMethods.LogicalType.DuckDBCreateLogicalType(DuckDBType.BigInt))
                NativeMethods.TableFunction.DuckDBTableFunctionAddParameter(function, key);
            NativeMethods.TableFunction.DuckDBTableFunctionSetBind(function, &Bind);
            NativeMethods.TableFunction.DuckDBTableFunctionSetInit(function, &Init);
            NativeMethods.TableFunction.DuckDBTableFunctionSetFunction(function, &Produce);
            // DuckDB owns the handle from here: it frees it (FreeHandle) when the function is dropped with the database.
            NativeMethods.TableFunction.DuckDBTableFunctionSetExtraInfo(function, GCHandle.ToIntPtr(GCHandle.Alloc(feed)), &FreeHandle);
            if (NativeMethods.TableFunction.DuckDBRegisterTableFunction(connection.NativeConnection, function) != DuckDBState.Success)
                throw new InvalidOperationException($"DuckDB refused the table function {feed.FunctionName}.");
        }
        finally
        {
            NativeMethods.TableFunction.DuckDBDestroyTableFunction(ref function);
        }
        return feed;
    }

    /// <summary>
    /// Inserts the rows of <paramref name="batches"/> (columns in <paramref name="columns"/>' order) into <paramref name="quotedTable"/>,
    /// whose columns are those, in one statement on <paramref name="connection"/>. An exception thrown while the batches are read
    /// (cancellation included) is rethrown as itself; the statement then stored nothing.
    /// </summary>
    public void Insert(DuckDBConnection connection, string quotedTable, IReadOnlyList<(string Name, DataKind Kind)> columns, IEnumerable<AppendBatch> batches,
        CancellationToken cancellationToken)
    {
        var key = Interlocked.Increment(ref _lastKey);
        using var feed = new Feed(columns, batches, cancellationToken);
        _feeds[key] = feed;
        try
        {
            // The table is a quoted identifier, the function a hex name made here, the key a number.
            DuckDbCallerThreadStatement.Execute(connection, $"INSERT INTO {quotedTable} SELECT * FROM {FunctionName}({key})", _waitForWorker);
        }
        catch (DbException) when (feed.Failure is { } cause)
        {
            // DuckDB reports the callback's failure as its own error; the cause is what the caller knows how to handle.
            ExceptionDispatchInfo.Throw(cause);
        }
        finally
        {
            _feeds.TryRemove(key, out _);
        }
    }

    // The callbacks are called by DuckDB's threads through function pointers: no exception may leave them, so each reports
    // its failure through DuckDB (and keeps the exception for Insert to rethrow).
    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void Bind(IntPtr info)
    {
        try
        {
            var owner = (DuckDbBatchFeed)GCHandle.FromIntPtr(NativeMethods.TableFunction.DuckDBBindGetExtraInfo(info)).Target!;
            long key;
            using (var parameter = NativeMethods.TableFunction.DuckDBBindGetParameter(info, 0)) key = NativeMethods.Value.DuckDBGetInt64(parameter);
            if (!owner._feeds.TryGetValue(key, out var feed)) throw new InvalidOperationException($"no rows are waiting under {key}.");
            foreach (var (name, kind) in feed.Columns)
            {
                using var type = NativeMethods.LogicalType.DuckDBCreateLogicalType(TypeOf(kind));
                NativeMethods.TableFunction.DuckDBBindAddResultColumn(info, name, type);
            }
            NativeMethods.TableFunction.DuckDBBindSetBindData(info, GCHandle.ToIntPtr(GCHandle.Alloc(feed)), &FreeHandle);
        }
        catch (Exception e)
        {
            NativeMethods.TableFunction.DuckDBBindSetError(info, e.Message);
        }
    }

    // DuckDB requires an init callback; the feed keeps its own place, and one thread reads it (the C API's default).
    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void Init(IntPtr info)
    {
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void Produce(IntPtr info, IntPtr chunk)
    {
        Feed? feed = null;
        try
        {
            feed = (Feed)GCHandle.FromIntPtr(NativeMethods.TableFunction.DuckDBFunctionGetBindData(info)).Target!;
            SetSize(chunk, (ulong)feed.Fill(chunk));
        }
        catch (Exception e)
        {
            if (feed is not null) feed.Failure ??= e;
            NativeMethods.TableFunction.DuckDBFunctionSetError(info, e.Message);
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void FreeHandle(IntPtr handle) => GCHandle.FromIntPtr(handle).Free();

    private static DuckDBType TypeOf(DataKind kind) => kind switch
    {
        DataKind.Integer => DuckDBType.BigInt,
        DataKind.Number => DuckDBType.Double,
        DataKind.Boolean => DuckDBType.Boolean,
        DataKind.Date => DuckDBType.Date,
        DataKind.Timestamp => DuckDBType.Timestamp,
        _ => DuckDBType.Varchar,
    };

    // The batches of one insert, where the last chunk stopped in them, and the first exception reading or writing them threw.
    private sealed class Feed(IReadOnlyList<(string Name, DataKind Kind)> columns, IEnumerable<AppendBatch> batches, CancellationToken cancellationToken) : IDisposable
    {
        private readonly DataKind[] _kinds = [.. columns.Select(c => c.Kind)];
        private readonly IEnumerator<AppendBatch> _batches = batches.GetEnumerator();
        private AppendBatch? _batch;
        private int _next;

        public IReadOnlyList<(string Name, DataKind Kind)> Columns { get; } = columns;

        public Exception? Failure { get; set; }

        // Fills the chunk's vectors with up to a vector's rows, a column at a time; the rows written (0 at the end).
        public int Fill(IntPtr chunk)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var size = 0;
            while (size < VectorSize)
            {
                if (_batch is null || _next == _batch.Count)
                {
                    // The enumerator's failure (a stream's error, cancellation) is the load's; Produce reports it.
                    if (!_batches.MoveNext())
                    {
                        _batch = null;
                        break;
                    }
                    (_batch, _next) = (_batches.Current, 0);
                    continue;
                }
                var rows = Math.Min(_batch.Count - _next, VectorSize - size);
                for (var c = 0; c < _kinds.Length; c++) Write(GetVector(chunk, (ulong)c), _kinds[c], _batch, c, _next, rows, size);
                _next += rows;
                size += rows;
            }
            return size;
        }

        public void Dispose() => _batches.Dispose();
    }

    // Rows [from, from + rows) of the batch's column into the vector from row at on, by the column's kind (the table's type
    // for it): one loop per kind, so the kind is tested once per column and chunk, not per value.
    private static void Write(IntPtr vector, DataKind kind, AppendBatch batch, int column, int from, int rows, int at)
    {
        var data = NativeMethods.Vectors.DuckDBVectorGetData(vector);
        ulong* validity = null;
        switch (kind)
        {
            case DataKind.Integer:
                for (var r = 0; r < rows; r++)
                    if (batch.IsNull(from + r, column)) SetNull(vector, ref validity, at + r);
                    else ((long*)data)[at + r] = batch.IntegerAt(from + r, column);
                break;
            case DataKind.Number:
                for (var r = 0; r < rows; r++)
                    if (batch.IsNull(from + r, column)) SetNull(vector, ref validity, at + r);
                    else ((double*)data)[at + r] = batch.NumberAt(from + r, column);
                break;
            case DataKind.Boolean:
                for (var r = 0; r < rows; r++)
                    if (batch.IsNull(from + r, column)) SetNull(vector, ref validity, at + r);
                    else ((byte*)data)[at + r] = batch.BooleanAt(from + r, column) ? (byte)1 : (byte)0;
                break;
            case DataKind.Date:
                for (var r = 0; r < rows; r++)
                    if (batch.IsNull(from + r, column)) SetNull(vector, ref validity, at + r);
                    else ((int*)data)[at + r] = batch.DateAt(from + r, column).DayNumber - EpochDay;
                break;
            case DataKind.Timestamp:
                for (var r = 0; r < rows; r++)
                    if (batch.IsNull(from + r, column)) SetNull(vector, ref validity, at + r);
                    else ((long*)data)[at + r] = Microseconds(batch.TimestampAt(from + r, column).Ticks);
                break;
            default:
                for (var r = 0; r < rows; r++)
                    if (batch.IsNull(from + r, column)) SetNull(vector, ref validity, at + r);
                    else WriteText(vector, (byte*)data + 16L * (at + r), (ulong)(at + r), batch.TextAt(from + r, column));
                break;
        }
    }

    // Marks the vector's row NULL, making its validity mask writable on the first NULL (a column without NULLs has none).
    private static void SetNull(IntPtr vector, ref ulong* validity, int index)
    {
        if (validity is null)
        {
            NativeMethods.Vectors.DuckDBVectorEnsureValidityWritable(vector);
            validity = NativeMethods.Vectors.DuckDBVectorGetValidity(vector);
        }
        validity[index >> 6] &= ~(1UL << (index & 63));
    }

    // A short text goes inside its duckdb_string_t (length, then the bytes, zero-padded: DuckDB compares inlined strings as
    // whole 16-byte values); a longer one is copied into the vector's string heap without DuckDB's UTF-8 check (the
    // "unsafe" assign), as the batch's text is valid UTF-8: the loaders read lines as validated UTF-8 or encode strings.
    private static void WriteText(IntPtr vector, byte* slot, ulong index, ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length <= InlinedBytes)
        {
            *(uint*)slot = (uint)utf8.Length;
            var inlined = new Span<byte>(slot + 4, InlinedBytes);
            utf8.CopyTo(inlined);
            inlined[utf8.Length..].Clear();
            return;
        }
        fixed (byte* bytes = utf8) NativeMethods.Vectors.DuckDBUnsafeVectorAssignStringElementLength(vector, index, bytes, utf8.Length);
    }

    // DuckDB.NET's timestamps: the date's days and the time of day's whole microseconds, i.e. ticks since 1970 floored to microseconds.
    private static long Microseconds(long ticks)
    {
        var since = ticks - EpochTicks;
        return since >= 0 ? since / 10 : (since - 9) / 10;
    }

    [DllImport(Library, EntryPoint = "duckdb_data_chunk_get_vector")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    [SuppressGCTransition]
    private static extern IntPtr GetVector(IntPtr chunk, ulong column);

    [DllImport(Library, EntryPoint = "duckdb_data_chunk_set_size")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    [SuppressGCTransition]
    private static extern void SetSize(IntPtr chunk, ulong size);
}
