using Tributary.Core.Loading;
using Tributary.Core.Pipelines;
using static Tributary.Core.Tests.Loading.TestPipelines;

namespace Tributary.Core.Tests.Loading;

/// <summary>
/// 'params:' declarations: every malformed declaration or value is a positioned diagnostic naming the param, and a
/// valid declaration keeps its type, range, allowed values and description.
/// </summary>
public sealed class ParamDeclarationTests
{
    private const string Component = "components: [{ id: t, type: transform.sql, with: { sql: SELECT 1 } }]\n";

    [Fact]
    public void Load_FileThatIsAList_SaysAPipelineIsAMapping() =>
        Assert.Equal(["p.yaml:1:1: error TRIB0103: a pipeline file must be a mapping, got a list."], Problems("- pipeline: p\n"));

    [Fact]
    public void Load_ParamsAsAList_SaysParamsIsAMapping() =>
        Assert.Equal(["p.yaml:2:9: error TRIB0103: 'params' must be a mapping, got a list."], Problems("pipeline: p\nparams: [n]\n" + Component));

    [Fact]
    public void Load_ParamDeclaredAsText_SaysTheParamIsAMapping() =>
        Assert.Equal(["p.yaml:2:14: error TRIB0103: param 'n' must be a mapping, got a scalar."], Problems("pipeline: p\nparams: { n: integer }\n" + Component));

    [Fact]
    public void Load_ParamNameWithCapitals_IsRefused() =>
        Assert.Equal(["p.yaml:2:11: error TRIB0110: param name 'Top' may use only a-z, 0-9 and _, and not start with a digit."],
            Problems("pipeline: p\nparams: { Top: { type: integer, default: 1 } }\n" + Component));

    [Fact]
    public void Load_ParamWithUnknownKey_NamesTheParamAndSuggestsTheKey() =>
        Assert.Equal(["p.yaml:2:43: error TRIB0100: unknown key 'maxx' in param 'n'. Did you mean 'max'?"],
            Problems("pipeline: p\nparams: { n: { type: integer, default: 1, maxx: 3 } }\n" + Component));

    [Fact]
    public void Load_ParamWithoutType_IsMissingTheRequiredType() =>
        Assert.Equal(["p.yaml:2:14: error TRIB0101: param 'n' is missing required key 'type'."],
            Problems("pipeline: p\nparams: { n: { default: 1 } }\n" + Component));

    [Fact]
    public void Load_ParamWithoutDefaultOrValue_AsksForOne() =>
        Assert.Equal(["p.yaml:2:11: error TRIB0101: param 'n' has no default and no value was given. Pass --param n=VALUE or add 'default:'."],
            Problems("pipeline: p\nparams: { n: { type: integer } }\n" + Component));

    [Fact]
    public void Load_ParamWithoutDefault_TakesTheValueGiven()
    {
        var p = Valid("pipeline: p\nparams: { n: { type: integer } }\n" + Component, WithParam("n", "4"));

        Assert.Equal("4", Assert.Single(p.Params).Value);
    }

    [Fact]
    public void Load_RangeThatIsNotANumber_NamesTheBoundAndTheParam() =>
        Assert.Equal(["p.yaml:2:48: error TRIB0103: 'min' of param 'n' must be a finite number, got 'low'."],
            Problems("pipeline: p\nparams: { n: { type: integer, default: 1, min: low } }\n" + Component));

    [Theory]
    [InlineData("integer", "1.5", "a whole number")]
    [InlineData("number", "many", "a number")]
    [InlineData("boolean", "yes", "true or false")]
    public void Load_DefaultOfTheWrongType_SaysWhatTheTypeAccepts(string type, string value, string accepted) =>
        Assert.Equal([$"p.yaml:2:{33 + type.Length}: error TRIB0103: default of param 'n' must be {accepted}, got '{value}'."],
            Problems($"pipeline: p\nparams: {{ n: {{ type: {type}, default: {value} }} }}\n" + Component));

    [Theory]
    [InlineData("max: 2", "5", "[-inf, 2]")]
    [InlineData("min: 10", "5", "[10, inf]")]
    [InlineData("min: 1, max: 2", "2.5", "[1, 2]")]
    public void Load_DefaultOutsideItsRange_ShowsTheRangeWithOpenEnds(string range, string value, string shown) =>
        Assert.Equal([$"p.yaml:2:39: error TRIB0104: default of param 'x' must be within {shown}, got {value}."],
            Problems($"pipeline: p\nparams: {{ x: {{ type: number, default: {value}, {range} }} }}\n" + Component));

    [Theory]
    [InlineData("max: 2", "2")]
    [InlineData("min: 10", "10")]
    [InlineData("min: -1, max: 1", "-1")]
    public void Load_DefaultOnTheBoundOfItsRange_IsAccepted(string range, string value) =>
        Assert.Equal(value, Assert.Single(Valid($"pipeline: p\nparams: {{ x: {{ type: number, default: {value}, {range} }} }}\n" + Component).Params).Value);

    [Fact]
    public void Load_DefaultOutsideItsEnum_ListsTheAllowedValues() =>
        Assert.Equal(["p.yaml:2:44: error TRIB0105: default of param 'region' must be one of us, de, got 'eu'."],
            Problems("pipeline: p\nparams: { region: { type: string, default: eu, enum: [us, de] } }\n" + Component));

    [Fact]
    public void Load_ValueFromTheCommandLineOfTheWrongType_NamesTheOption() =>
        Assert.Equal(["p.yaml:2:11: error TRIB0103: --param n must be a whole number, got 'x'."],
            Problems("pipeline: p\nparams: { n: { type: integer, default: 1 } }\n" + Component, WithParam("n", "x")));

    [Fact]
    public void Load_InvalidValueFromTheCommandLine_DoesNotReplaceTheDefault()
    {
        var result = Load("pipeline: p\nparams: { n: { type: integer, default: 1, max: 5 } }\n" + Component, WithParam("n", "9"));

        Assert.Equal(["p.yaml:2:11: error TRIB0104: --param n must be within [-inf, 5], got 9."], result.Diagnostics.Select(d => d.ToString()));
        Assert.Null(result.Pipeline);
    }

    [Fact]
    public void Load_EnumThatIsNotAList_NamesTheParam() =>
        Assert.Equal(["p.yaml:2:51: error TRIB0103: 'enum' of param 'mode' must be a list, got a mapping."],
            Problems("pipeline: p\nparams: { mode: { type: string, default: a, enum: { a: 1 } } }\n" + Component));

    [Theory]
    [InlineData("\"true\"", "true")]
    [InlineData("\"false\"", "false")]
    public void Load_BooleanDefault_AcceptsTrueAndFalse(string written, string value) =>
        Assert.Equal(value, Assert.Single(Valid($"pipeline: p\nparams: {{ dry: {{ type: boolean, default: {written} }} }}\n" + Component).Params).Value);

    [Fact]
    public void Load_FullDeclaration_KeepsTypeRangeValuesAndDescription()
    {
        var p = Valid("""
            pipeline: p
            description: scores customers
            params:
              limit: { type: integer, default: 3, min: 1, max: 10, description: how many }
              ratio: { type: number, default: 0.5 }
              mode: { type: string, default: fast, enum: [fast, slow] }
              dry: { type: boolean, default: "false" }
            components: [{ id: t, type: transform.sql, with: { sql: SELECT 1 } }]
            """);

        Assert.Equal("scores customers", p.Description);
        var limit = p.Params[0];
        Assert.Equal(("limit", ParamType.Integer, "3", "how many", 1.0, 10.0), (limit.Name, limit.Type, limit.Value, limit.Description, limit.Min, limit.Max));
        Assert.Equal(ParamType.Number, p.Params[1].Type);
        Assert.Equal(["fast", "slow"], p.Params[2].Values);
        Assert.Equal((ParamType.Boolean, "false"), (p.Params[3].Type, p.Params[3].Value));
    }

    private static LoadOptions WithParam(string name, string value) =>
        new() { ParamOverrides = new Dictionary<string, string> { [name] = value }, Environment = _ => null };
}
