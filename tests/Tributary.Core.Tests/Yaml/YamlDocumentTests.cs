using Tributary.Components.Transforms;
using Tributary.Core.Loading;
using Tributary.Components;
using static Tributary.Core.Tests.Loading.TestPipelines;

namespace Tributary.Core.Tests.Yaml;

/// <summary>The YAML layer under the loader: anchors and aliases, keys, one document per file, unreadable files.</summary>
public sealed class YamlDocumentTests
{
    [Fact]
    public void Aliases_OfAMappingAListAndAScalar_ReuseTheAnchoredNodes()
    {
        var p = Valid("""
            pipeline: p
            components:
              - { id: a, type: transform.sql, with: &w { sql: &q SELECT 1 AS v } }
              - { id: b, type: transform.sql, inputs: &in [a], with: *w }
              - { id: c, type: transform.sql, inputs: *in, with: { sql: *q } }
            """);

        Assert.All(p.Components, c => Assert.Equal("SELECT 1 AS v", ((SqlTransformParameters)c.Parameters).Sql.Template));
        Assert.Equal(["a"], p.Components[2].Inputs);
    }

    [Fact]
    public void Alias_WithoutAnchor_IsMalformedYaml() =>
        Assert.Equal(["p.yaml:2:13: error TRIB0001: malformed YAML: alias '*nope' refers to no anchor."],
            Problems("pipeline: p\ncomponents: *nope\n"));

    [Fact]
    public void Key_ThatIsAList_IsRefused() =>
        Assert.Contains("p.yaml:2:3: error TRIB0103: a key must be a scalar, got a list.", Problems("pipeline: p\n? [a, b]\n: c\ncomponents: [{ id: t, type: transform.sql, with: { sql: SELECT 1 } }]\n"));

    [Fact]
    public void DuplicateKey_IsReportedOnceAtTheSecond()
    {
        var result = Load("pipeline: p\ncomponents: [{ id: t, type: transform.sql, with: { sql: SELECT 1, sql: SELECT 2 } }]\n");

        Assert.Equal(["p.yaml:2:67: error TRIB0106: key 'sql' appears twice in this mapping. Keep one of them."], result.Diagnostics.Select(d => d.ToString()));
    }

    [Fact]
    public void SecondDocument_IsRefused() =>
        Assert.Equal(["p.yaml:2:1: error TRIB0001: a pipeline file holds one YAML document, found a second one. Remove the '---' separator or split the file."],
            Problems("pipeline: p\n---\npipeline: q\n"));

    [Fact]
    public void LoadFile_ThatDoesNotExist_IsAnUnreadableFileAtItsStart()
    {
        var path = Path.Combine(Path.GetTempPath(), "trib-no-such-" + Guid.NewGuid().ToString("N"), "p.yaml");

        var d = Assert.Single(new PipelineLoader(BuiltInComponents.CreateCatalog()).LoadFile(path).Diagnostics);

        Assert.Equal(("TRIB0002", 1, 1), (d.Code, d.Location.Line, d.Location.Column));
        Assert.StartsWith("cannot read the file: ", d.Message, StringComparison.Ordinal);
        Assert.Contains("p.yaml", d.Message, StringComparison.Ordinal);
    }
}
