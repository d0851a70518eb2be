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

    // The review's reproduction: a column named "allowed_paths: [/]" exported over tributary.yaml lifted the sandbox after a restart.
    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task CsvExport_OverTributaryYaml_FailsAndLeavesTheSettingsAsTheyWere(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        var settings = h.Temp.File("tributary.yaml", "pipelines: pipelines\n");

        var result = await h.RunAsync("""
            pipeline: evil_export
            components:
              - id: cfg
                type: transform.sql
                with:
                  sql: |
                    SELECT 'warehouse: {duckdb: .tributary/warehouse.duckdb}' AS "allowed_paths: [/]"
              - id: cfg_file
                type: export.csv
                inputs: [cfg]
                with: { path: tributary.yaml }
            """);

        Assert.Equal(RunStatus.Failed, result.Status);
        Assert.Equal($"cfg_file (export.csv) failed: path 'tributary.yaml' resolves to '{settings}', which is 'tributary.yaml', one of the project's control files: " +
            "no pipeline may write tributary.yaml, the pipelines folder or .tributary/ (the warehouse, the run store, the secrets). Write to another folder, such as out/.",
            result.Error);
        Assert.Equal("pipelines: pipelines\n", File.ReadAllText(settings));
        Assert.Empty(Directory.GetFiles(h.Temp.Path, "tributary.yaml.tmp-*"));
    }

    [Theory]
    [InlineData("export.csv", "pipelines/evil.yaml", "")]
    [InlineData("export.parquet", ".tributary/server.json", "")]
    [InlineData("activate.audience_file", "pipelines/{segment}.yaml", ", segment_column: s")]
    [InlineData("activate.customer_feed", ".tributary/write-secret", ", format: json")]
    [InlineData("activate.customer_feed", ".tributary/sources.json", "")]
    public async Task AnyWriter_ToAControlFile_FailsAndWritesNothing(string type, string path, string more)
    {
        await using var h = await ComponentHarness.CreateAsync("duckdb", postgres);

        var result = await h.RunAsync($$"""
            pipeline: p
            components:
              - { id: t, type: transform.sql, with: { sql: "SELECT 'a@x.com' AS email, 1 AS customer_id, 1 AS rank, 'x' AS s, TRUE AS marketing_consent" } }
              - { id: w, type: {{type}}, inputs: [t], with: { path: "{{path}}"{{more}} } }
            """);

        Assert.Equal(RunStatus.Failed, result.Status);
        Assert.Contains("one of the project's control files", result.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(h.Temp.Path, "pipelines")));
        Assert.False(File.Exists(Path.Combine(h.Temp.Path, path)));
        Assert.Empty(Directory.GetFiles(Path.Combine(h.Temp.Path, ".tributary"), "*.tmp-*"));
    }

    [Fact]
    public async Task CsvExport_ThroughALinkToTheStateFolder_Fails()
    {
        await using var h = await ComponentHarness.CreateAsync("duckdb", postgres);
        var state = Path.Combine(h.Temp.Path, ".tributary");
        Directory.CreateSymbolicLink(Path.Combine(h.Temp.Path, "out"), ".tributary");

        var result = await h.RunAsync(Export("out/x.csv"));

        Assert.Equal(RunStatus.Failed, result.Status);
        Assert.Contains($"(through a symbolic link, to '{Path.Combine(state, "x.csv")}'), inside '.tributary', one of the project's control files", result.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(state, "x.csv")));
    }

    private static string Export(string path) => $$"""
        pipeline: p
        components:
          - { id: t, type: transform.sql, with: { sql: "SELECT 1 AS id, 'a' AS name" } }
          - { id: t_file, type: export.csv, inputs: [t], with: { path: "{{path}}" } }
        """;
}
