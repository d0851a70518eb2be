using System.Globalization;
using System.Text;
using Tributary.Core.Warehousing;
using Tributary.Testing;
using Tributary.Warehouse.Postgres;

namespace Tributary.Warehouse.Tests.Postgres;

/// <summary>PostgreSQL loads files by streaming DuckDB's reader into COPY: files larger than the reader's memory load.</summary>
public sealed class PostgresFileLoadTests(PostgresCluster postgres) : IDisposable
{
    private const string ReaderLimit = "96MB"; // DuckDB reads a CSV with two buffers of about 32 MB
    private const int Rows = 1_500_000; // about 150 MB of CSV, 210 MB of NDJSON: held whole, more than the limit either way
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(FileFormat.Csv)]
    [InlineData(FileFormat.NdJson)]
    public async Task LoadFiles_FileSeveralTimesTheReadersMemory_LoadsEveryRowWithInferredTypes(FileFormat format)
    {
        await using var wh = await PostgresWarehouse.OpenAsync(await postgres.NewSchemaAsync(), Ct);
        wh.FileReaderMemoryLimit = ReaderLimit;
        var path = Write(format);

        // Materialized first, DuckDB's copy of the file would not fit in its limit and the load would fail.
        var rows = await wh.ReplaceTableAsync("big", (b, ct) => b.LoadFilesAsync([path], format, new FileReadOptions(), ct), Ct);

        Assert.Equal(Rows, rows);
        var schema = (await wh.DescribeTableAsync("big", Ct))!;
        Assert.Equal([("id", DataKind.Integer), ("amount", DataKind.Number), ("note", DataKind.Text)], schema.Columns.Select(c => (c.Name, c.Kind)));
        var sums = await wh.QueryAsync("SELECT sum(id) AS ids, sum(amount) AS amount, count(DISTINCT note) AS notes FROM big", null, 1, Ct);
        Assert.Equal((long)Rows * (Rows + 1) / 2, Convert.ToInt64(sums.Rows[0][0], CultureInfo.InvariantCulture));
        Assert.Equal(Rows * 0.25, Convert.ToDouble(sums.Rows[0][1], CultureInfo.InvariantCulture), 6);
        Assert.Equal(Rows, Convert.ToInt64(sums.Rows[0][2], CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task LoadFiles_BadRecordAfterRowsWereCopied_FailsWithItsLineAndKeepsTheOldTable()
    {
        await using var wh = await PostgresWarehouse.OpenAsync(await postgres.NewSchemaAsync(), Ct);
        await wh.ReplaceTableAsync("big", (b, ct) => b.CreateAsSelectAsync("SELECT 1 AS kept", null, ct), Ct);
        var path = Path.Combine(_temp.Path, "broken.csv");
        var text = new StringBuilder("id,amount\n");
        for (var i = 1; i <= 100_000; i++) text.Append(CultureInfo.InvariantCulture, $"{i},0.25\n");
        text.Append("100001,0.25,extra\n");
        File.WriteAllText(path, text.ToString());

        var e = await Assert.ThrowsAnyAsync<Exception>(() => wh.ReplaceTableAsync("big", (b, ct) => b.LoadFilesAsync([path], FileFormat.Csv, new FileReadOptions(), ct), Ct));

        Assert.Contains("100002", e.Message, StringComparison.Ordinal);
        Assert.Equal([("kept", DataKind.Integer)], (await wh.DescribeTableAsync("big", Ct))!.Columns.Select(c => (c.Name, c.Kind)));
        Assert.Equal(1L, Convert.ToInt64(await wh.ScalarAsync("SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema()", null, Ct),
            CultureInfo.InvariantCulture)); // no staging table left behind
    }

    private string Write(FileFormat format)
    {
        var path = Path.Combine(_temp.Path, format == FileFormat.Csv ? "big.csv" : "big.ndjson");
        using var writer = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 20);
        if (format == FileFormat.Csv) writer.Write("id,amount,note\n");
        for (var i = 1; i <= Rows; i++)
        {
            var note = $"note {i:D8} " + new string((char)('a' + i % 26), 60);
            writer.Write(format == FileFormat.Csv
                ? string.Create(CultureInfo.InvariantCulture, $"{i},0.25,{note}\n")
                : string.Create(CultureInfo.InvariantCulture, $"{{\"id\":{i},\"amount\":0.25,\"note\":\"{note}\"}}\n"));
        }
        return path;
    }
}
