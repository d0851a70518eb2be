using Tributary.Components.Transforms;
using Tributary.Core.Loading;
using static Tributary.Core.Tests.Loading.TestPipelines;

namespace Tributary.Core.Tests.Loading;

/// <summary>
/// ${param.*}, ${env.*} and ${partition.*} in component parameters: what they expand to, the escape for a literal,
/// and for a bad reference one diagnostic at its '$', quoted or not, and nothing more about that value.
/// </summary>
public sealed class ReferenceExpansionTests
{
    private static string Sql(string sqlLine, string head = "pipeline: p\n") =>
        head + "components:\n  - id: t\n    type: transform.sql\n    with:\n      sql: " + sqlLine + "\n";

    [Theory]
    [InlineData("SELECT ${param.x}", 19)]
    [InlineData("\"SELECT ${param.x}\"", 20)]
    [InlineData("'SELECT ${param.x}'", 20)]
    public void Expand_UndefinedParam_IsReportedAtItsDollarSign(string sql, int column) =>
        Assert.Equal([$"p.yaml:6:{column}: error TRIB0300: '${{param.x}}' refers to no param 'x'. Declare it under 'params:'."], Problems(Sql(sql)));

    [Fact]
    public void Expand_UndefinedParamInATypedParameter_IsReportedOnceNotAlsoAsTheWrongType() =>
        Assert.Equal(["p.yaml:4:78: error TRIB0300: '${param.days}' refers to no param 'days'. Declare it under 'params:'."],
            Problems("pipeline: p\ncomponents:\n  - { id: orders, type: source.csv, with: { path: o.csv } }\n  - { id: ltv, type: analytics.ltv, inputs: [orders], with: { horizon_days: \"${param.days}\" } }\n"));

    [Fact]
    public void Expand_PartitionReferenceWithoutPartitions_AsksForPartitions() =>
        Assert.Equal(["p.yaml:6:21: error TRIB0302: '${partition.key}' needs 'partitions:' in the pipeline. Declare partitions, or remove the reference."],
            Problems(Sql("\"SELECT '${partition.key}'\"")));

    [Fact]
    public void Expand_UnknownPartitionValue_ListsThePartitionValues() =>
        Assert.Equal(["p.yaml:7:21: error TRIB0302: '${partition.kee}' is not a partition value. Did you mean 'key'? Partition values: key, start, end, static."],
            Problems(Sql("\"SELECT '${partition.kee}'\"", "pipeline: p\npartitions: { type: daily, start: 2024-01-01 }\n")));

    [Fact]
    public void Expand_EnvironmentVariable_IsReadWhenSetAndReportedWhenNot()
    {
        var yaml = Sql("\"SELECT '${env.REGION}'\"");

        Assert.Equal(["p.yaml:6:21: error TRIB0301: environment variable 'REGION' is not set. Set it before running, e.g. export REGION=..."], Problems(yaml));
        var p = Valid(yaml, new LoadOptions { Environment = name => name == "REGION" ? "eu" : null });
        Assert.Equal("eu", ((SqlTransformParameters)p.Components[0].Parameters).Sql.Values["env.REGION"]);
    }

    [Fact]
    public void Expand_DoubledDollar_WritesALiteralReference() =>
        Assert.Empty(((SqlTransformParameters)Valid(Sql("\"SELECT '$${x}', 'a$b'\"")).Components[0].Parameters).Sql.Values);

    [Fact]
    public void Expand_BracesHoldingMoreThanANameCanHold_ArePlainTextInSqlAndElsewhere()
    {
        var braces = "${" + new string('x', MaxReferenceLength + 1) + "}";

        Assert.Empty(((SqlTransformParameters)Valid(Sql($"\"SELECT '{braces}'\"")).Components[0].Parameters).Sql.Values);
        var p = Valid($"pipeline: p\ncomponents:\n  - {{ id: o, type: source.csv, with: {{ path: \"{braces}.csv\" }} }}\n");
        Assert.Equal(braces + ".csv", ((Tributary.Components.Sources.CsvSourceParameters)p.Components[0].Parameters).Path);
    }

    [Fact]
    public void Expand_ManyUnclosedReferences_StayPlainText()
    {
        // 100,000 unclosed '${' once took the lexer a scan to the end of the text for each of them.
        var text = string.Concat(Enumerable.Repeat("${", 100_000));

        var sql = ((SqlTransformParameters)Valid(Sql($"\"SELECT '{text}'\"")).Components[0].Parameters).Sql;

        Assert.Equal($"SELECT '{text}'", sql.Template);
        Assert.Empty(sql.Values);
    }

    // SqlLexer.MaxReferenceLength (internal to Core).
    private const int MaxReferenceLength = 200;
}
