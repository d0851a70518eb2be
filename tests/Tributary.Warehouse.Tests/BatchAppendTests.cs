using System.Text;
using Tributary.Core.Warehousing;
using Tributary.Testing;

namespace Tributary.Warehouse.Tests;

/// <summary>
/// Appending rows in typed batches (<see cref="ITableBuilder.CreateAndAppendBatchesInParallelAsync"/>) stores what appending
/// the same values as rows stores, on every engine: DuckDB writes the batches into its vectors itself, others take their rows.
/// </summary>
public sealed class BatchAppendTests(PostgresCluster postgres) : IDisposable
{
    private static readonly (string Name, DataKind Kind)[] Columns =
    [
        ("k", DataKind.Integer), ("i", DataKind.Integer), ("n", DataKind.Number), ("t", DataKind.Text), ("b", DataKind.Boolean), ("d", DataKind.Date),
        ("ts", DataKind.Timestamp), ("e", DataKind.Text),
    ];

    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private Task<IWarehouse> Open(string engine) => TestWarehouses.CreateAsync(engine, _temp, postgres);

    // Every kind: NULLs in every column on some rows, text empty, up to DuckDB's 12 inlined bytes, past them, multi-byte;
    // negative and large integers, fractions, dates and timestamps before 1970 and with sub-microsecond ticks.
    private static object?[] Row(int k)
    {
        if (k % 11 == 10) return [(long)k, null, null, null, null, null, null, null];
        var start = new DateTime(1969, 12, 31, 23, 59, 58, 123, DateTimeKind.Unspecified).AddTicks(4567);
        return
        [
            (long)k,
            k % 2 == 0 ? (long)k * 1_000_003 : -(long)k << 33,
            k % 3 == 0 ? k + 0.25 : -k / 7.0,
            (k % 4) switch { 0 => "", 1 => new string('x', 12), 2 => $"row {k}: naïve café ✓ — {new string('y', k % 40)}", _ => $"r{k}" },
            k % 2 == 0,
            DateOnly.FromDateTime(start).AddDays(k - 2_000),
            start.AddSeconds(k * 37.5),
            k % 5 == 0 ? null : "é",
        ];
    }

    private static IEnumerable<AppendBatch> Batches(IEnumerable<int> keys, int perBatch)
    {
        var batch = new AppendBatch([.. Columns.Select(c => c.Kind)], 4);
        foreach (var chunk in keys.Chunk(perBatch))
        {
            batch.Clear();
            foreach (var k in chunk)
            {
                batch.AddRow();
                var row = Row(k);
                for (var c = 0; c < row.Length; c++)
                    if (Columns[c].Kind == DataKind.Text && row[c] is string text) batch.SetText(c, Encoding.UTF8.GetBytes(text));
                    else batch.Set(c, row[c]);
            }
            yield return batch; // refilled for the next: the writer reads it before asking again
        }
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task CreateAndAppendBatches_EveryKindOverSeveralChunksAndStreams_StoresWhatRowsStore(string engine)
    {
        await using var wh = await Open(engine);
        // Two streams of batches of odd sizes that straddle DuckDB's 2,048-row vectors, and one empty stream.
        IReadOnlyList<IEnumerable<AppendBatch>> streams = [Batches(Enumerable.Range(0, 3_000), 333), Batches(Enumerable.Range(3_000, 2_500), 1_000), []];

        var counts = await wh.WriteTablesAsync(
        [
            new TableWrite("batches", TableWriteMode.Replace, (b, ct) => b.CreateAndAppendBatchesInParallelAsync(Columns, streams, ct)),
            new TableWrite("rows", TableWriteMode.Replace, (b, ct) => b.CreateAndAppendAsync(Columns, Enumerable.Range(0, 5_500).Select(Row), ct)),
        ], Ct);

        Assert.Equal([5_500L, 5_500L], counts);
        var batches = await wh.QueryAsync("SELECT * FROM batches ORDER BY k", null, 10_000, Ct);
        var rows = await wh.QueryAsync("SELECT * FROM rows ORDER BY k", null, 10_000, Ct);
        Assert.Equal(rows.Rows.Count, batches.Rows.Count);
        for (var r = 0; r < rows.Rows.Count; r++) Assert.Equal(rows.Rows[r], batches.Rows[r]);
        // And as given: the rows path is the reference, so check a few values against the source too.
        Assert.Equal(Row(2)[3], rows.Rows[2][3]);
        // Ticks finer than a microsecond are not kept (DuckDB drops them, PostgreSQL rounds).
        Assert.Equal(((DateTime)Row(7)[6]!).Ticks / 10, ((DateTime)batches.Rows[7][6]!).Ticks / 10, tolerance: 1);
        Assert.Equal(Row(1)[1], batches.Rows[1][1]);
        Assert.All(batches.Rows[10].Skip(1), Assert.Null);
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task CreateAndAppendBatches_OneStreamFailing_FailsWithItsErrorAndWritesNothing(string engine)
    {
        await using var wh = await Open(engine);
        IEnumerable<AppendBatch> Failing()
        {
            foreach (var batch in Batches(Enumerable.Range(0, 3_000), 500)) yield return batch;
            throw new InvalidDataException("stream broke");
        }

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => wh.WriteTablesAsync([new TableWrite("t", TableWriteMode.Replace,
            (b, ct) => b.CreateAndAppendBatchesInParallelAsync(Columns, [Batches(Enumerable.Range(10_000, 20_000), 256), Failing()], ct))], Ct));

        Assert.Equal("stream broke", error.Message);
        Assert.Empty(await wh.ListTablesAsync(Ct));
    }
}
