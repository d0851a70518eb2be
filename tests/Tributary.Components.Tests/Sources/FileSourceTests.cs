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
    public async Task CsvSource_ExcelDatesWithDateFormat_LoadAsTimestampsDeclaredOrInferred(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        // Excel re-saves timestamps without seconds and months and days without their leading zero.
        h.Temp.File("data/o.csv", "id,ordered_at,note\n1,10/5/2024 10:15,a\n2,1/12/2024 9:05,\n3,,c\n");

        var result = await h.RunAsync("""
            pipeline: p
            components:
              - { id: declared, type: source.csv, with: { path: data/o.csv, date_format: "%m/%d/%Y %H:%M", columns: { id: BIGINT, ordered_at: TIMESTAMP } } }
              - { id: inferred, type: source.csv, with: { path: data/o.csv, date_format: "%m/%d/%Y %H:%M" } }
              - { id: days, type: source.csv, with: { path: data/o.csv, date_format: "%m/%d/%Y %H:%M", columns: { id: BIGINT, ordered_at: DATE } } }
            """);

        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        DateTime?[] expected = [new DateTime(2024, 10, 5, 10, 15, 0), new DateTime(2024, 1, 12, 9, 5, 0), null];
        Assert.Equal(expected, (await h.RowsAsync("SELECT ordered_at FROM declared ORDER BY id")).Select(r => (DateTime?)r[0]));
        Assert.Equal(expected, (await h.RowsAsync("SELECT ordered_at FROM inferred ORDER BY id")).Select(r => (DateTime?)r[0]));
        Assert.Equal([new DateOnly(2024, 10, 5), new DateOnly(2024, 1, 12), null], (await h.RowsAsync("SELECT ordered_at FROM days ORDER BY id")).Select(r => (DateOnly?)r[0]));
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task CsvSource_DateTheFormatDoesNotRead_FailsNamingColumnValueAndFormat(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        h.Temp.File("data/o.csv", "id,ordered_at\n1,10/5/2024 10:15\n2,2024-10-05 10:15\n");

        var result = await h.RunAsync("""
            pipeline: p
            components:
              - { id: orders, type: source.csv, with: { path: data/o.csv, date_format: "%m/%d/%Y %H:%M", columns: { id: BIGINT, ordered_at: TIMESTAMP } } }
            """);

        Assert.Equal(RunStatus.Failed, result.Status);
        Assert.Contains("column 'ordered_at' holds '2024-10-05 10:15', which date_format '%m/%d/%Y %H:%M' does not read", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task CsvSource_ExcelDateWithoutDateFormat_FailsNamingTheOption(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        h.Temp.File("data/o.csv", "id,ordered_at\n1,10/5/2024 10:15\n");

        var result = await h.RunAsync("""
            pipeline: p
            components:
              - { id: orders, type: source.csv, with: { path: data/o.csv, columns: { id: BIGINT, ordered_at: TIMESTAMP } } }
            """);

        Assert.Equal(RunStatus.Failed, result.Status);
        Assert.Contains("10/5/2024 10:15", result.Error, StringComparison.Ordinal);
        Assert.EndsWith("A date or timestamp in the files is not in ISO form (2024-10-05 10:15:00): set date_format to how they write it, e.g. '%m/%d/%Y %H:%M' for 10/5/2024 10:15.", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("%m/%d/%Q", "date_format '%m/%d/%Q' has '%Q', which is not read; use %Y %y %m %d %b %B %H %I %M %S %p %f (e.g. '%m/%d/%Y %H:%M' for 10/5/2024 10:15).")]
    [InlineData("%H:%M", "date_format '%H:%M' needs a year (%Y), a month (%m) and a day (%d), e.g. '%m/%d/%Y %H:%M' for 10/5/2024 10:15.")]
    [InlineData("%m/%d/%Y %I:%M", "date_format '%m/%d/%Y %I:%M' has %I (12-hour clock) without %p (AM/PM); use both, or %H for a 24-hour clock.")]
    public void CsvSource_UnreadableDateFormat_IsRefusedAtValidation(string format, string expected)
    {
        var result = new Tributary.Core.Loading.PipelineLoader(BuiltInComponents.CreateCatalog()).Load($$"""
            pipeline: p
            components:
              - { id: src, type: source.csv, with: { path: o.csv, date_format: "{{format}}" } }
            """, "test.yaml", new Tributary.Core.Loading.LoadOptions());

        Assert.False(result.Succeeded);
        Assert.Contains(result.Diagnostics, d => d.Message.EndsWith(": " + expected, StringComparison.Ordinal));
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
