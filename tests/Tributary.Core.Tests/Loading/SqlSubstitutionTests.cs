using Tributary.Components;
using Tributary.Components.Sources;
using Tributary.Components.Transforms;
using Tributary.Core.Loading;
using Tributary.Core.Warehousing;

namespace Tributary.Core.Tests.Loading;

/// <summary>References in SQL parameters (ParameterKind.Sql): values kept apart from the text, typed as their params.</summary>
public sealed class SqlSubstitutionTests
{
    private static LoadResult Load(string yaml, IReadOnlyDictionary<string, string>? overrides = null) =>
        new PipelineLoader(BuiltInComponents.CreateCatalog()).Load(yaml, "p.yaml", new LoadOptions
        {
            ParamOverrides = overrides ?? new Dictionary<string, string>(), Environment = n => n == "REGION" ? "eu" : null,
        });

    [Fact]
    public void Load_SqlParameter_KeepsTheTextAsWrittenAndTypesEachValue()
    {
        var result = Load("""
            pipeline: p
            params:
              region: { type: string, default: eu }
              n: { type: integer, default: 5 }
              rate: { type: number, default: 0.5 }
              on: { type: boolean, default: true }
            components:
              - id: t
                type: transform.sql
                with: { sql: "SELECT ${param.rate} AS r, ${param.on} AS o, '${env.REGION}' AS e FROM x WHERE region = ${param.region} LIMIT ${param.n}" }
            """, new Dictionary<string, string> { ["region"] = "x' AS r; DROP TABLE orders; SELECT 'y" });

        Assert.True(result.Succeeded, string.Join("\n", result.Diagnostics));
        var sql = ((SqlTransformParameters)result.Pipeline!.Components[0].Parameters).Sql;
        Assert.Equal("SELECT ${param.rate} AS r, ${param.on} AS o, '${env.REGION}' AS e FROM x WHERE region = ${param.region} LIMIT ${param.n}", sql.Template);
        Assert.Equal(new Dictionary<string, object?>
        {
            ["param.rate"] = 0.5, ["param.on"] = true, ["env.REGION"] = "eu", ["param.region"] = "x' AS r; DROP TABLE orders; SELECT 'y", ["param.n"] = 5L,
        }, sql.Values);
    }

    [Theory]
    [InlineData(null, "UTC")]
    [InlineData("America/New_York", "America/New_York")]
    public void Load_ProjectTimezone_IsABoundValueOfTheProjectsZone(string? zone, string expected)
    {
        var options = new LoadOptions();
        var result = new PipelineLoader(BuiltInComponents.CreateCatalog()).Load("""
            pipeline: p
            components:
              - { id: t, type: transform.sql, with: { sql: "SELECT CAST(timezone(${project.timezone}, timezone('UTC', at)) AS DATE) AS day FROM x" } }
            """, "p.yaml", zone is null ? options : options with { Timezone = zone });

        Assert.True(result.Succeeded, string.Join("\n", result.Diagnostics));
        Assert.Equal(expected, result.Pipeline!.Timezone);
        var sql = ((SqlTransformParameters)result.Pipeline.Components[0].Parameters).Sql;
        Assert.Equal(new Dictionary<string, object?> { ["project.timezone"] = expected }, sql.Values);
    }

    [Fact]
    public void Load_UnknownProjectValue_IsAnError()
    {
        var result = Load("""
            pipeline: p
            components:
              - { id: t, type: transform.sql, with: { sql: "SELECT ${project.zone} AS z" } }
            """);

        Assert.Equal(["p.yaml:3:56: error TRIB0302: '${project.zone}' is not a project value. Project values: timezone."], result.Diagnostics.Select(d => d.ToString()));
    }

    [Fact]
    public void Load_SourceQuery_IsSqlToo()
    {
        var result = Load("""
            pipeline: p
            params: { min: { type: integer, default: 5 } }
            components:
              - { id: s, type: source.sql, with: { connection_env: CRM_DB, query: "SELECT * FROM contacts WHERE score > ${param.min}" } }
            """);

        Assert.True(result.Succeeded, string.Join("\n", result.Diagnostics));
        Assert.Equal(5L, ((SqlSourceParameters)result.Pipeline!.Components[0].Parameters).Query.Values["param.min"]);
    }

    [Fact]
    public void Load_SqlReferencesThatCannotBeValues_ReportsEachWithItsPosition()
    {
        var result = Load("""
            pipeline: p
            params: { v: { type: string, default: a } }
            components:
              - { id: a, type: transform.sql, with: { sql: "SELECT 1 AS x -- ${param.v}" } }
              - { id: b, type: transform.sql, with: { sql: "SELECT * FROM t_${param.v}" } }
              - { id: c, type: transform.sql, with: { sql: "SELECT $$ ${param.v} $$ AS x" } }
              - { id: d, type: transform.sql, with: { sql: "SELECT 'x${param.v} AS x" } }
            """);

        Assert.Equal(
        [
            "p.yaml:4:66: error TRIB0302: '${param.v}' is inside a comment in SQL, where a value cannot be quoted safely. "
                + "Use it bare (a bound value) or inside a plain '...' string; write '$${' for a literal '${'.",
            "p.yaml:5:65: error TRIB0302: '${param.v}' is joined to a name, but in SQL a reference stands for a value. "
                + "For a name, quote all of it, e.g. \"t_${param.v}\"; for a value, put a space or operator beside it.",
            "p.yaml:6:59: error TRIB0302: '${param.v}' is inside a dollar-quoted string in SQL, where a value cannot be quoted safely. "
                + "Use it bare (a bound value) or inside a plain '...' string; write '$${' for a literal '${'.",
            "p.yaml:7:58: error TRIB0302: '${param.v}' is inside a string that is never closed. Close the quote.",
        ], result.Diagnostics.Select(d => d.ToString()));
    }

    [Fact]
    public void Load_UnknownReferenceInSql_IsReportedAsInOtherValues()
    {
        var result = Load("""
            pipeline: p
            components:
              - { id: t, type: transform.sql, with: { sql: "SELECT ${param.nope}" } }
            """);

        Assert.Equal(["p.yaml:3:56: error TRIB0300: '${param.nope}' refers to no param 'nope'. Declare it under 'params:'."], result.Diagnostics.Select(d => d.ToString()));
    }

    [Fact]
    public void Load_OrdinaryParameter_StillSubstitutesText()
    {
        var result = Load("""
            pipeline: p
            params: { dir: { type: string, default: out } }
            components:
              - { id: t, type: transform.sql, with: { sql: "SELECT 1 AS x" } }
              - { id: e, type: export.csv, inputs: [t], with: { path: "${param.dir}/x.csv" } }
            """);

        Assert.True(result.Succeeded, string.Join("\n", result.Diagnostics));
        Assert.Equal("out/x.csv", ((Tributary.Components.Exports.CsvExportParameters)result.Pipeline!.Components[1].Parameters).Path);
        Assert.Empty(((SqlTransformParameters)result.Pipeline.Components[0].Parameters).Sql.Values);
    }
}
