using System.Text.Json.Nodes;
using Tributary.Components;
using Tributary.Core.Components;

namespace Tributary.Core.Tests.Components;

public sealed class ComponentDescriptorTests
{
    private static readonly ComponentCatalog Catalog = BuiltInComponents.CreateCatalog();

    [Fact]
    public void JsonSchema_CsvSource_IsGeneratedFromTheRecord()
    {
        var schema = (JsonObject)Catalog.Get("source.csv").JsonSchema();

        Assert.Equal("source.csv", (string?)schema["title"]);
        Assert.Equal(["path"], schema["required"]!.AsArray().Select(n => (string?)n));
        var props = schema["properties"]!.AsObject();
        Assert.Equal(["path", "delimiter", "header", "columns", "encoding", "date_format", "timezone"], props.Select(p => p.Key));
        Assert.StartsWith("CSV file, folder", (string?)props["path"]!["description"], StringComparison.Ordinal);
        Assert.Equal("string", (string?)props["path"]!["type"]);
    }

    // The designer showed calibration_end_date beside calibration_end: a computed property, no parameter.
    [Fact]
    public void JsonSchema_ComputedProperties_AreNoParameters()
    {
        var props = Catalog.Get("analytics.ltv").JsonSchema()["properties"]!.AsObject().Select(p => p.Key).ToList();

        Assert.Contains("calibration_end", props);
        Assert.Contains("holdout_end", props);
        Assert.DoesNotContain("calibration_end_date", props);
        Assert.DoesNotContain("holdout_end_date", props);
        Assert.Equal(Catalog.Get("analytics.ltv").Parameters.Select(p => p.Name).Order(), props.Order());
    }

    [Fact]
    public void JsonSchema_EnumParameter_ListsSnakeCaseValuesAndDefault()
    {
        var engine = Catalog.Get("source.sql").JsonSchema()["properties"]!["engine"]!;
        Assert.Equal(["postgres", "duckdb"], engine["enum"]!.AsArray().Select(n => (string?)n));
        Assert.Equal("postgres", (string?)engine["default"]);
    }

    [Fact]
    public void Parameters_DescribeKindsRequirednessAndDefaults()
    {
        var p = Catalog.Get("source.sql").Parameters.ToDictionary(x => x.Name);
        Assert.Equal(ParameterKind.Enum, p["engine"].Kind);
        Assert.False(p["engine"].Required);
        Assert.True(p["connection_env"].Required);
        Assert.Equal(ParameterKind.Sql, p["query"].Kind);
    }

    [Fact]
    public void JsonSchema_SqlParameter_IsText()
    {
        var sql = Catalog.Get("transform.sql").JsonSchema()["properties"]!["sql"]!;
        Assert.Equal("string", (string?)sql["type"]);
        Assert.StartsWith("One query (SELECT, WITH ... SELECT, FROM ...) over the input tables", (string?)sql["description"], StringComparison.Ordinal);
    }

    [Fact]
    public void JsonSchema_MapListWhoseFieldsTakeLists_SaysTextOrListOfText()
    {
        var conditions = Catalog.Get("segment.audience").JsonSchema()["properties"]!["conditions"]!;
        var parameter = Catalog.Get("segment.audience").Parameters.Single(p => p.Name == "conditions");

        Assert.Equal(ParameterKind.MapList, parameter.Kind);
        Assert.True(parameter.FieldsTakeLists);
        Assert.Equal("""{"type":["string","array"],"items":{"type":"string"}}""", conditions["items"]!["additionalProperties"]!.ToJsonString());
        Assert.False(Catalog.Get("rules.fraud").Parameters.Single(p => p.Name == "rules").FieldsTakeLists);
    }

    [Fact]
    public void Get_UnknownType_SuggestsTheClosest()
    {
        var e = Assert.Throws<KeyNotFoundException>(() => Catalog.Get("export.cvs"));
        Assert.Equal("Unknown component type 'export.cvs'. Did you mean 'export.csv'? Run 'trib components' to list them.", e.Message);
    }

    [Fact]
    public void Types_EveryBuiltInHasCategoryDescriptionAndSchema()
    {
        Assert.Subset(Catalog.Types.Select(t => t.TypeName).ToHashSet(),
            new HashSet<string> { "source.csv", "source.parquet", "source.ndjson", "source.sql", "transform.sql", "export.csv", "export.parquet" });
        Assert.All(Catalog.Types, t => Assert.Matches("^[a-z]+\\.[a-z0-9_]+$", t.TypeName));
        foreach (var t in Catalog.Types)
        {
            Assert.NotEmpty(t.Description);
            Assert.All(t.Parameters, p => Assert.False(string.IsNullOrWhiteSpace(p.Description), $"{t.TypeName}.{p.Name} has no description"));
            Assert.IsType<JsonObject>(t.JsonSchema());
        }
    }

    [Theory]
    [InlineData("500ms", 500)]
    [InlineData("10s", 10_000)]
    [InlineData("5m", 300_000)]
    [InlineData("2h", 7_200_000)]
    [InlineData("1d", 86_400_000)]
    [InlineData("1.5s", 1_500)]
    public void Durations_Parse(string text, double ms)
    {
        Assert.True(Durations.TryParse(text, out var d));
        Assert.Equal(ms, d.TotalMilliseconds);
    }

    [Theory]
    [InlineData("")]
    [InlineData("10")]
    [InlineData("s")]
    [InlineData("10 seconds")]
    [InlineData("-1s")]
    public void Durations_RejectNonDurations(string text) => Assert.False(Durations.TryParse(text, out _));
}
