using Tributary.Core.Warehousing;
using Tributary.Testing;
using Tributary.Warehouse.DuckDb;

namespace Tributary.Warehouse.Tests.DuckDb;

/// <summary>DuckDB's own file access, limited to the project's folders when the warehouse is opened for a project.</summary>
public sealed class DuckDbWarehouseTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly TempDirectory _outside = new();

    public void Dispose()
    {
        _temp.Dispose();
        _outside.Dispose();
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private Task<DuckDbWarehouse> OpenLimitedAsync() =>
        DuckDbWarehouse.OpenAsync(Path.Combine(_temp.Path, ".tributary", "warehouse.duckdb"), [_temp.Path], Ct);

    [Theory]
    [InlineData("SELECT * FROM read_csv('/etc/passwd')", "/etc/passwd")]
    [InlineData("SELECT * FROM read_text('/etc/hostname')", "/etc/hostname")]
    [InlineData("SELECT * FROM glob('/etc/*')", "/etc/*")]
    public async Task Limited_FileOutsideTheAllowedFolders_IsRefusedByDuckDb(string sql, string file)
    {
        await using var wh = await OpenLimitedAsync();

        var error = await Assert.ThrowsAnyAsync<Exception>(() => wh.QueryAsync(sql, null, 10, Ct));

        Assert.Contains($"Permission Error: Cannot access file \"{file}\" - file system operations are disabled by configuration", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Limited_WritesAttachesAndLinksOutside_AreRefusedAndTheLimitCannotBeLifted()
    {
        var secret = _outside.File("secret.csv", "a\n1\n");
        File.CreateSymbolicLink(Path.Combine(_temp.Path, "link.csv"), secret);
        await using var wh = await OpenLimitedAsync();

        await Assert.ThrowsAnyAsync<Exception>(() => wh.ExecuteAsync($"COPY (SELECT 1) TO {wh.Dialect.Literal(Path.Combine(_outside.Path, "x.csv"))}", null, Ct));
        await Assert.ThrowsAnyAsync<Exception>(() => wh.ExecuteAsync($"ATTACH {wh.Dialect.Literal(Path.Combine(_outside.Path, "x.duckdb"))} AS x", null, Ct));
        await Assert.ThrowsAnyAsync<Exception>(() => wh.QueryAsync($"SELECT * FROM read_csv({wh.Dialect.Literal(Path.Combine(_temp.Path, "link.csv"))})", null, 10, Ct));
        var unlock = await Assert.ThrowsAnyAsync<Exception>(() => wh.ExecuteAsync("SET enable_external_access = true", null, Ct));
        Assert.Contains("the configuration has been locked", unlock.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(_outside.Path, "x.*"));
    }

    [Fact]
    public async Task Limited_RowsFromTheProcess_AreAppendedAfterTheConfigurationIsLocked_AndBySecondOpenOfTheSameFile()
    {
        // The bulk append's table function is registered on the first append, after the limits are set and locked; a second
        // warehouse over the same file (DuckDB.NET shares the database) registers its own beside it.
        await using var wh = await OpenLimitedAsync();
        await using var again = await OpenLimitedAsync();
        IEnumerable<object?[]> Rows(long from) => Enumerable.Range(0, 3_000).Select(i => new object?[] { from + i, $"row {from + i}" });

        await wh.WriteTablesAsync([new TableWrite("t", TableWriteMode.Append, (b, ct) => b.CreateAndAppendAsync([("v", DataKind.Integer), ("w", DataKind.Text)], Rows(0), ct))], Ct);
        await again.WriteTablesAsync([new TableWrite("t", TableWriteMode.Append, (b, ct) => b.CreateAndAppendAsync([("v", DataKind.Integer), ("w", DataKind.Text)], Rows(3_000), ct))], Ct);

        var summary = await wh.QueryAsync("SELECT count(DISTINCT v), min(v), max(v), max(w) FILTER (WHERE v = 5999) FROM t", null, 1, Ct);
        Assert.Equal([6_000L, 0L, 5_999L], summary.Rows[0].Take(3).Select(v => Convert.ToInt64(v)));
        Assert.Equal("row 5999", summary.Rows[0][3]);
    }

    [Fact]
    public async Task Limited_FilesInsideTheAllowedFolders_LoadAndExport()
    {
        var csv = _temp.File("data/orders.csv", "id\n1\n2\n");
        await using var wh = await OpenLimitedAsync();

        var rows = await wh.ReplaceTableAsync("orders", (b, ct) => b.LoadFilesAsync([csv], FileFormat.Csv, new FileReadOptions(), ct), Ct);
        await wh.ExportAsync("SELECT * FROM orders", null, Path.Combine(_temp.Path, "out.parquet"), FileFormat.Parquet, Ct);

        Assert.Equal(2, rows);
        Assert.Equal(2L, Convert.ToInt64(await wh.ScalarAsync($"SELECT count(*) FROM read_parquet({wh.Dialect.Literal(Path.Combine(_temp.Path, "out.parquet"))})", null, Ct)));
    }

    [Fact]
    public async Task Open_FileDatabase_BoundsDuckDbsMemorySoItsCacheDoesNotGrowWithTheData()
    {
        await using var limited = await OpenLimitedAsync();
        await using var unlimited = await DuckDbWarehouse.OpenAsync(Path.Combine(_temp.Path, "w.duckdb"), Ct);

        // 900MB is 9 * 10^8 bytes, which DuckDB reports in MiB; its own default is 80% of the machine's memory.
        Assert.Equal("858.3 MiB", await limited.ScalarAsync("SELECT current_setting('memory_limit')", null, Ct));
        Assert.Equal("858.3 MiB", await unlimited.ScalarAsync("SELECT current_setting('memory_limit')", null, Ct));
    }

    // The memory limit bounds DuckDB's count, not what its allocator keeps from the OS: a file database returns freed memory
    // on a background thread and flushes a task's memory from 32 MB on (DuckDB's defaults: no thread, 128 MiB).
    [Fact]
    public async Task Open_FileDatabase_ReturnsFreedMemoryToTheOs()
    {
        await using var wh = await OpenLimitedAsync();

        Assert.True(Convert.ToBoolean(await wh.ScalarAsync("SELECT current_setting('allocator_background_threads')", null, Ct),
            System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("30.5 MiB", await wh.ScalarAsync("SELECT current_setting('allocator_flush_threshold')", null, Ct));
        Assert.Equal("61.0 MiB", await wh.ScalarAsync("SELECT current_setting('allocator_bulk_deallocation_flush_threshold')", null, Ct));
    }

    // Components size their passes (KeyedPasses) from the limit: it must read back as the bytes DuckDB was given.
    [Fact]
    public async Task MemoryLimit_IsTheSettingInBytes()
    {
        await using var byDefault = await OpenLimitedAsync();
        await using var small = await DuckDbWarehouse.OpenAsync(Path.Combine(_temp.Path, "w.duckdb"), null, "64MB", Ct);

        // DuckDB reports its setting rounded to a tenth of a MiB (858.3 MiB for the default 900MB).
        Assert.InRange(await byDefault.MemoryLimitAsync(Ct) ?? 0, 899_900_000L, 900_100_000L);
        Assert.InRange(await small.MemoryLimitAsync(Ct) ?? 0, 63_900_000L, 64_100_000L);
    }

    // The executor runs a step that ran out of the shared memory_limit again alone; it asks the warehouse which errors those are.
    [Fact]
    public async Task IsOutOfMemory_StatementBeyondTheMemoryLimit_IsTold_OtherErrorsAreNot()
    {
        await using var wh = await DuckDbWarehouse.OpenAsync(Path.Combine(_temp.Path, "w.duckdb"), null, "64MB", Ct);

        // One list of 50 million numbers is a single value of 400 MB: it cannot spill to disk.
        var outOfMemory = await Assert.ThrowsAnyAsync<Exception>(() => wh.ScalarAsync("SELECT len(list(range)) FROM range(50000000)", null, Ct));
        var streamed = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await foreach (var _ in wh.StreamAsync("SELECT len(list(range)) FROM range(50000000)", null, Ct)) { }
        });
        var syntax = await Assert.ThrowsAnyAsync<Exception>(() => wh.ScalarAsync("SELEC 1", null, Ct));

        Assert.True(wh.IsOutOfMemory(outOfMemory), outOfMemory.ToString());
        Assert.True(wh.IsOutOfMemory(streamed), streamed.ToString());
        Assert.True(wh.IsOutOfMemory(new InvalidOperationException("a component's own message", outOfMemory)));
        Assert.False(wh.IsOutOfMemory(syntax));
        Assert.False(wh.IsOutOfMemory(new InvalidOperationException("Out of Memory Error: only the words")));
    }

    // Streaming reads hand rows over as DuckDB makes them: the start of a result far larger than the memory limit is read
    // without DuckDB computing and holding all of it first.
    [Fact]
    public async Task StreamingReads_ResultLargerThanTheMemoryLimit_AreReadWithoutHoldingIt()
    {
        await using var wh = await DuckDbWarehouse.OpenAsync(Path.Combine(_temp.Path, "w.duckdb"), null, "32MB", Ct);
        const string sql = "SELECT range AS n, repeat('x', 40) || range AS s FROM range(10000000)";

        var records = new List<long>();
        await foreach (var r in wh.StreamRecordsAsync(sql, null, Ct))
            if (records.Count < 3) records.Add(r.GetInt64(0));
            else break;
        var rows = new List<long>();
        await foreach (var r in wh.StreamAsync(sql, null, Ct))
            if (rows.Count < 3) rows.Add(Convert.ToInt64(r[0], System.Globalization.CultureInfo.InvariantCulture));
            else break;

        Assert.Equal([0L, 1L, 2L], records);
        Assert.Equal([0L, 1L, 2L], rows);
    }

    [Fact]
    public async Task Unlimited_ByDefault_ReadsAnyFile()
    {
        var secret = _outside.File("secret.csv", "a\n1\n");
        await using var wh = await DuckDbWarehouse.OpenAsync(Path.Combine(_temp.Path, "w.duckdb"), Ct);

        Assert.Equal(1L, Convert.ToInt64(await wh.ScalarAsync($"SELECT count(*) FROM read_csv({wh.Dialect.Literal(secret)})", null, Ct)));
    }
    // A new warehouse file is written in DuckDB 1.3's format (its text compression costs less CPU to write); a file made
    // earlier, in DuckDB's default format, keeps it, so opening never changes which DuckDBs can read an existing warehouse.
    [Fact]
    public async Task StorageFormat_NewFileIsDuckDb13_ExistingFileKeepsItsOwn()
    {
        var created = Path.Combine(_temp.Path, "new.duckdb");
        var existing = Path.Combine(_temp.Path, "old.duckdb");
        await using (var memory = await DuckDbWarehouse.OpenAsync(":memory:", Ct))
        {
            await memory.ExecuteAsync($"ATTACH {memory.Dialect.Literal(existing)} AS old (STORAGE_VERSION 'v1.0.0')", null, Ct);
            await memory.ExecuteAsync("CREATE TABLE old.t AS SELECT 1 AS a", null, Ct);
            await memory.ExecuteAsync("DETACH old", null, Ct);
        }
        const string version = "SELECT CAST(tags AS VARCHAR) FROM duckdb_databases() WHERE database_name = current_database()";

        await using var fresh = await DuckDbWarehouse.OpenAsync(created, Ct);
        await using var earlier = await DuckDbWarehouse.OpenAsync(existing, Ct);

        Assert.Equal("{storage_version=v1.3.0+}", await fresh.ScalarAsync(version, null, Ct));
        Assert.Equal("{storage_version=v1.0.0+}", await earlier.ScalarAsync(version, null, Ct));
        Assert.Equal(1, Convert.ToInt32(await earlier.ScalarAsync("SELECT a FROM t", null, Ct), System.Globalization.CultureInfo.InvariantCulture));
    }
}
