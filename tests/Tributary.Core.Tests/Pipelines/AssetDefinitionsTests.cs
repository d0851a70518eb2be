using Tributary.Core.Loading;
using Tributary.Core.Pipelines;
using Tributary.Core.Tests.Loading;

namespace Tributary.Core.Tests.Pipelines;

public sealed class AssetDefinitionsTests
{
    private const string Base = """
        pipeline: a
        params:
          data_dir: { type: string, default: data }
          factor: { type: number, default: 2 }
        components:
          - { id: orders, type: source.csv, with: { path: "${param.data_dir}/orders.csv" } }
          - { id: scaled, type: transform.sql, inputs: [orders], with: { sql: "SELECT amount * ${param.factor} AS amount FROM orders" } }
          - { id: other, type: transform.sql, inputs: [orders], with: { sql: "SELECT 1 AS one" } }
        """;

    private static IReadOnlyDictionary<string, string?> Of(string yaml, LoadOptions? options = null) => AssetDefinitions.Fingerprints(TestPipelines.Valid(yaml, options));

    [Fact]
    public void Fingerprints_SameDefinitionInOtherLayoutWithOtherDescriptionChecksAndUnusedParams_AreEqual()
    {
        var other = Of("""
            pipeline: b
            params:
              horizon: { type: integer, default: 365 }
            components:
              - id: orders
                type: source.csv
                description: The shop's orders.
                with:
                  path: data/orders.csv
                checks: [{ type: row_count_min, value: 1 }]
              - id: scaled
                type: transform.sql
                inputs:
                  - orders
                with:
                  sql: "SELECT amount * 2 AS amount FROM orders"
            """);

        var fingerprints = Of(Base);

        Assert.Equal(fingerprints["orders"], other["orders"]);
        Assert.Equal(fingerprints["scaled"], other["scaled"]);
        Assert.Matches("^[0-9a-f]{64}$", fingerprints["scaled"]);
        Assert.NotEqual(fingerprints["scaled"], fingerprints["other"]);
    }

    [Fact]
    public void Fingerprints_ParamDefaultChanged_ChangeOnlyTheAssetsThatUseItAndTheirDownstream()
    {
        var fingerprints = Of(Base);

        var factor = Of(Base.Replace("factor: { type: number, default: 2 }", "factor: { type: number, default: 3 }", StringComparison.Ordinal));
        var dir = Of(Base.Replace("default: data }", "default: elsewhere }", StringComparison.Ordinal));

        Assert.Equal((fingerprints["orders"], fingerprints["other"]), (factor["orders"], factor["other"]));
        Assert.NotEqual(fingerprints["scaled"], factor["scaled"]);
        // Another source changes every table built from it, though their own SQL is the same.
        Assert.All(fingerprints.Keys, id => Assert.NotEqual(fingerprints[id], dir[id]));
    }

    [Fact]
    public void Fingerprints_ParamOverriddenForOneRun_AreTheFilesDefinitions()
    {
        var overridden = Of(Base, new LoadOptions { Environment = _ => null, ParamOverrides = new Dictionary<string, string> { ["factor"] = "3", ["data_dir"] = "elsewhere" } });

        Assert.Equal(Of(Base), overridden);
    }

    [Fact]
    public void Fingerprints_OfEachPartition_AreTheSame()
    {
        const string yaml = """
            pipeline: p
            partitions: { type: static, keys: [us, eu] }
            components:
              - { id: orders, type: source.csv, with: { path: "data/${partition.key}.csv" } }
            """;

        var us = Of(yaml, new LoadOptions { Environment = _ => null, Partition = new Dictionary<string, string> { ["key"] = "us" } });
        var eu = Of(yaml, new LoadOptions { Environment = _ => null, Partition = new Dictionary<string, string> { ["key"] = "eu" } });

        Assert.Equal(us["orders"], eu["orders"]);
    }

    [Fact]
    public void Fingerprints_SpecBuiltInCode_AreNullDownstreamToo()
    {
        var loaded = TestPipelines.Valid(Base);
        var pipeline = loaded with { Components = [loaded.Components[0] with { Definition = null }, .. loaded.Components.Skip(1)] };

        var fingerprints = AssetDefinitions.Fingerprints(pipeline);

        Assert.Equal([null, null, null], fingerprints.Values);
    }

    [Fact]
    public void Fingerprints_ProjectTimezoneChanged_ChangeTheComponentsThatReadItAndTheirDownstreamOnly()
    {
        const string yaml = """
            pipeline: a
            components:
              - { id: orders, type: source.csv, with: { path: data/orders.csv } }
              - { id: daily, type: transform.sql, inputs: [orders], with: { sql: "SELECT * FROM orders" } }
              - { id: constant, type: transform.sql, with: { sql: "SELECT 1 AS one" } }
              - { id: local, type: transform.sql, with: { sql: "SELECT timezone('${project.timezone}', now()) AS t" } }
            """;
        var utc = Of(yaml);
        var explicitUtc = Of(yaml, new LoadOptions { Environment = _ => null, Timezone = "Etc/UTC" });
        var newYork = Of(yaml, new LoadOptions { Environment = _ => null, Timezone = "America/New_York" });
        var berlin = Of(yaml, new LoadOptions { Environment = _ => null, Timezone = "Europe/Berlin" });

        // source.csv reads offset-less times in the zone; transform.sql depends on it only through its input or ${project.timezone}.
        Assert.Equal(utc, explicitUtc);
        Assert.Equal([true, true, false, true], new[] { "orders", "daily", "constant", "local" }.Select(a => utc[a] != newYork[a]));
        Assert.Equal([true, true, false, true], new[] { "orders", "daily", "constant", "local" }.Select(a => berlin[a] != newYork[a]));
    }
}
