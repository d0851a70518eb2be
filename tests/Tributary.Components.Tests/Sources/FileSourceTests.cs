using Tributary.Engine.Runs;
using Tributary.Testing;

[assembly: AssemblyFixture(typeof(PostgresCluster))]

namespace Tributary.Components.Tests.Sources;

public sealed class FileSourceTests(PostgresCluster postgres)
{
    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task CsvSource_FolderOfFiles_LoadsAllOfThemMatchingColumnsByName(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        h.Temp.File("data/in/2024-01.csv", "id,amount\n1,2.5\n2,3.5\n");
        h.Temp.File("data/in/2024-02.csv", "amount,id,extra\n4,3,x\n");
        h.Temp.File("data/in/notes.txt", "not a csv");

        var result = await h.RunAsync("""
            pipeline: p
            components:
              - { id: orders, type: source.csv, with: { path: data/in } }
            """);

        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        var rows = await h.RowsAsync("SELECT id, amount, extra FROM orders ORDER BY id");
        Assert.Equal([1L, 2L, 3L], rows.Select(r => Convert.ToInt64(r[0])));
        Assert.Equal([null, null, "x"], rows.Select(r => r[2]));
        var m = Assert.Single(await h.Store.GetMaterializationsAsync(result.RunId, "orders", TestContext.Current.CancellationToken));
        Assert.Contains("\"files\":2", m.MetadataJson, StringComparison.Ordinal);
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task CsvSource_GlobAndDelimiterAndDeclaredColumns(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        h.Temp.File("data/a_1.csv", "id;amount;note\n1;2,5;x\n");
        h.Temp.File("data/a_2.csv", "id;amount;note\n2;1;y\n");
        h.Temp.File("data/b.csv", "id;amount;note\n9;9;z\n");

        var result = await h.RunAsync("""
            pipeline: p
            components:
              - id: orders
                type: source.csv
                with: { path: "data/a_*.csv", delimiter: ";", columns: { id: BIGINT, note: VARCHAR } }
            """);

        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        Assert.Equal([[1L, "x"], [2L, "y"]], (await h.RowsAsync("SELECT * FROM orders ORDER BY id")).Select(r => new object?[] { Convert.ToInt64(r[0]), r[1] }));
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task CsvSource_ColumnsDeclaredAsText_KeepTheTextAsWrittenWhateverItLooksLike(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        // Every value of 'flag' looks boolean and every 'zip' a number: a sniffed type cast back to text would give "false" and 1234.
        h.Temp.File("data/c.csv", "id,flag,zip,paid\n1,f,01234,t\n2,t,00100,f\n");

        var result = await h.RunAsync("""
            pipeline: p
            components:
              - { id: customers, type: source.csv, with: { path: data/c.csv, columns: { id: BIGINT, flag: VARCHAR, zip: TEXT, paid: BOOLEAN } } }
            """);

        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        var rows = await h.RowsAsync("SELECT flag, zip, paid FROM customers ORDER BY id");
        Assert.Equal([["f", "01234", true], ["t", "00100", false]], rows.Select(r => new object?[] { r[0], r[1], r[2] }));
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task CsvSource_MissingFile_FailsWithTheResolvedPath(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        var result = await h.RunAsync("""
            pipeline: p
            components:
              - { id: orders, type: source.csv, with: { path: data/nope.csv } }
            """);

        Assert.Equal(RunStatus.Failed, result.Status);
        Assert.Equal($"orders (source.csv) failed: no file matches 'data/nope.csv' (looked for {Path.Combine(h.Temp.Path, "data/nope.csv")}).", result.Error);
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task CsvSource_DeclaredTypeDoesNotFit_FailsAndKeepsPreviousVersion(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        var file = h.Temp.File("data/o.csv", "id,amount\n1,2\n");
        const string yaml = """
            pipeline: p
            components:
              - { id: orders, type: source.csv, with: { path: data/o.csv, columns: { id: BIGINT, amount: DOUBLE } } }
            """;
        Assert.Equal(RunStatus.Succeeded, (await h.RunAsync(yaml)).Status);
        File.WriteAllText(file, "id,amount\n1,2\n2,lots\n");

        var result = await h.RunAsync(yaml);

        Assert.Equal(RunStatus.Failed, result.Status);
        Assert.Contains("lots", result.Error, StringComparison.Ordinal);
        Assert.Single(await h.RowsAsync("SELECT * FROM orders"));
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task NdJsonAndParquetSources_LoadWhatExportsWrote(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        h.Temp.File("data/events.ndjson", """
            {"event":"Order Completed","userId":"u1","revenue":12.5}
            {"event":"Product Viewed","userId":"u2","revenue":null}
            """);

        var result = await h.RunAsync("""
            pipeline: p
            components:
              - { id: events, type: source.ndjson, with: { path: data/events.ndjson } }
              - { id: events_file, type: export.parquet, inputs: [events], with: { path: out/events.parquet } }
            """);

        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        var again = await h.RunAsync("""
            pipeline: p
            components:
              - { id: events_again, type: source.parquet, with: { path: out/events.parquet } }
            """);
        Assert.True(again.Status == RunStatus.Succeeded, again.Error);
        var rows = await h.RowsAsync("SELECT event, \"userId\", revenue FROM events_again ORDER BY \"userId\"");
        Assert.Equal(["Order Completed", "Product Viewed"], rows.Select(r => r[0]));
        Assert.Equal(12.5, Convert.ToDouble(rows[0][2]));
    }
}
