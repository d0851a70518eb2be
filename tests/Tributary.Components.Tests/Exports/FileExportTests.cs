using Tributary.Engine.Runs;
using Tributary.Testing;

namespace Tributary.Components.Tests.Exports;

public sealed class FileExportTests(PostgresCluster postgres)
{
    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task CsvExport_WritesHeaderAndRowsAndReportsThePath(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        var result = await h.RunAsync("""
            pipeline: p
            components:
              - { id: t, type: transform.sql, with: { sql: "SELECT 1 AS id, 'a,b' AS name UNION ALL SELECT 2, 'c'" } }
              - { id: t_file, type: export.csv, inputs: [t], with: { path: out/nested/t.csv } }
            """);

        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        var lines = File.ReadAllLines(Path.Combine(h.Temp.Path, "out/nested/t.csv"));
        Assert.Equal("id,name", lines[0]);
        Assert.Equal(["1,\"a,b\"", "2,c"], lines.Skip(1).Order());
        Assert.Empty(Directory.GetFiles(Path.Combine(h.Temp.Path, "out/nested"), "*.tmp-*"));
        var m = (await h.Store.GetMaterializationsAsync(result.RunId, "t_file", TestContext.Current.CancellationToken)).Single();
        Assert.Equal(2, m.RowCount);
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task CsvExport_TextThatASpreadsheetWouldRun_IsWrittenAsText_UnlessTurnedOff(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        const string rows = "SELECT 1 AS id, -5 AS delta, '=HYPERLINK(1)' AS name UNION ALL SELECT 2, 3, '@x' UNION ALL SELECT 3, 4, '-1' UNION ALL SELECT 4, 5, 'a=b'";
        var result = await h.RunAsync($$"""
            pipeline: p
            components:
              - { id: t, type: transform.sql, with: { sql: "{{rows}}" } }
              - { id: safe, type: export.csv, inputs: [t], with: { path: out/safe.csv } }
              - { id: raw, type: export.csv, inputs: [t], with: { path: out/raw.csv, spreadsheet_safe: false } }
            """);

        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        Assert.Equal(["1,-5,'=HYPERLINK(1)", "2,3,'@x", "3,4,'-1", "4,5,a=b"], File.ReadAllLines(Path.Combine(h.Temp.Path, "out/safe.csv")).Skip(1).Order());
        Assert.Equal(["1,-5,=HYPERLINK(1)", "2,3,@x", "3,4,-1", "4,5,a=b"], File.ReadAllLines(Path.Combine(h.Temp.Path, "out/raw.csv")).Skip(1).Order());
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task CsvExport_PathOutsideTheProject_FailsNamingThePathAndAllowedPaths(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        using var outside = new TempDirectory();
        var escape = Path.GetRelativePath(h.Temp.Path, Path.Combine(outside.Path, "x.csv"));

        var result = await h.RunAsync(Export(escape));

        Assert.Equal(RunStatus.Failed, result.Status);
        Assert.Equal($"t_file (export.csv) failed: path '{escape}' resolves to '{Path.Combine(outside.Path, "x.csv")}', outside the project folder '{h.Temp.Path}'. "
            + "Use a path inside the project, or list its folder under allowed_paths: in tributary.yaml.", result.Error);
        Assert.Empty(Directory.GetFiles(outside.Path));
    }

    [Fact]
    public async Task CsvExport_ThroughALinkInTheProjectToAFolderOutside_Fails()
    {
        await using var h = await ComponentHarness.CreateAsync("duckdb", postgres);
        using var outside = new TempDirectory();
        Directory.CreateSymbolicLink(Path.Combine(h.Temp.Path, "out"), outside.Path);

        var result = await h.RunAsync(Export("out/x.csv"));

        Assert.Equal(RunStatus.Failed, result.Status);
        Assert.Contains($"(through a symbolic link, to '{Path.Combine(outside.Path, "x.csv")}')", result.Error, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(outside.Path));
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task CsvExport_FolderListedInAllowedPaths_IsWritten(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        using var outside = new TempDirectory();

        var result = await h.RunAsync(Export(Path.Combine(outside.Path, "x.csv")), allowedPaths: [outside.Path]);

        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        Assert.Equal(["id,name", "1,a"], File.ReadAllLines(Path.Combine(outside.Path, "x.csv")));
    }

    private static string Export(string path) => $$"""
        pipeline: p
        components:
          - { id: t, type: transform.sql, with: { sql: "SELECT 1 AS id, 'a' AS name" } }
          - { id: t_file, type: export.csv, inputs: [t], with: { path: "{{path}}" } }
        """;
}
