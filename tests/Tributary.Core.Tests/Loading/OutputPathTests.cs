using Tributary.Core.Loading;
using Tributary.Core.Projects;
using Tributary.Testing;

namespace Tributary.Core.Tests.Loading;

/// <summary>
/// A parameter naming a file a component writes is checked at load when the project is known (trib validate, the designer,
/// every run's load): the pentest's export of a crafted CSV over tributary.yaml is an error at its 'path' key.
/// </summary>
public sealed class OutputPathTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private LoadOptions Options => new() { Environment = _ => null, Paths = new ProjectPaths(_temp.Path) };

    public void Dispose() => _temp.Dispose();

    // The review's evil_export.yaml: one column named "allowed_paths: [/]" written over the settings file.
    private const string EvilExport = """
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
        """;

    [Fact]
    public void Load_ExportOverTributaryYaml_IsAnErrorAtThePathKey()
    {
        var problems = TestPipelines.Problems(EvilExport, Options);

        Assert.Equal([$"p.yaml:11:13: error TRIB0111: component 'cfg_file' (export.csv): parameter 'path': path 'tributary.yaml' resolves to " +
            $"'{Path.Combine(_temp.Path, "tributary.yaml")}', which is 'tributary.yaml', one of the project's control files: no pipeline may write tributary.yaml, " +
            "the pipelines folder or .tributary/ (the warehouse, the run store, the secrets). Write to another folder, such as out/."], problems);
    }

    [Theory]
    [InlineData("export.csv", "pipelines/x.yaml", "")]
    [InlineData("export.parquet", ".tributary/warehouse.duckdb", "")]
    [InlineData("activate.audience_file", "pipelines/{segment}.yaml", ", segment_column: s")]
    [InlineData("activate.customer_feed", ".tributary/write-secret", ", format: json")]
    [InlineData("export.csv", "${param.p}", "")]
    public void Load_AnyWriterToAControlFile_IsAnErrorAtThePathKey(string type, string path, string more)
    {
        var problems = TestPipelines.Problems($$"""
            pipeline: p
            params: { p: { type: string, default: "pipelines/x.yml" } }
            components:
              - { id: t, type: transform.sql, with: { sql: "SELECT 'a@x' AS email, 1 AS customer_id, 1 AS rank, 'x' AS s" } }
              - { id: w, type: {{type}}, inputs: [t], with: { path: "{{path}}"{{more}} } }
            """, Options);

        var problem = Assert.Single(problems);
        Assert.StartsWith($"p.yaml:5:{type.Length + 43}: error TRIB0111: component 'w' ({type}): parameter 'path': path '", problem, StringComparison.Ordinal);
        Assert.Contains("one of the project's control files", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_ExportOutsideTheProject_IsAnErrorAtThePathKey()
    {
        var problems = TestPipelines.Problems("""
            pipeline: p
            components:
              - { id: t, type: transform.sql, with: { sql: "SELECT 1 AS a" } }
              - { id: w, type: export.csv, inputs: [t], with: { path: ../escape.csv } }
            """, Options);

        Assert.Equal([$"p.yaml:4:53: error TRIB0111: component 'w' (export.csv): parameter 'path': path '../escape.csv' resolves to " +
            $"'{Path.GetFullPath("../escape.csv", _temp.Path)}', outside the project folder '{_temp.Path}'. " +
            "Use a path inside the project, or list its folder under allowed_paths: in tributary.yaml."], problems);
    }

    [Fact]
    public void Load_ExportToOut_OrWithoutAProject_IsValid()
    {
        const string Yaml = """
            pipeline: p
            components:
              - { id: t, type: transform.sql, with: { sql: "SELECT 1 AS a" } }
              - { id: w, type: export.csv, inputs: [t], with: { path: out/t.csv } }
            """;

        TestPipelines.Valid(Yaml, Options);
        // Text checked on its own has no project to resolve against: the run checks it.
        TestPipelines.Valid(Yaml.Replace("out/t.csv", "tributary.yaml", StringComparison.Ordinal));
    }

    [Fact]
    public void Load_SourceReadingTributaryYaml_IsValid()
    {
        TestPipelines.Valid("""
            pipeline: p
            components:
              - { id: s, type: source.csv, with: { path: tributary.yaml } }
            """, Options);
    }
}
