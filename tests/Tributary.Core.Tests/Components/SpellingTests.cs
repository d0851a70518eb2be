using Tributary.Core.Components;
using Tributary.Core.Warehousing;
using Tributary.Core.Yaml;
using Tributary.Core.Diagnostics;

namespace Tributary.Core.Tests.Components;

/// <summary>
/// How pipeline files and messages spell things: durations, input counts, SQL type names as both engines report
/// them, and the plain scalars YAML reads as null.
/// </summary>
public sealed class SpellingTests
{
    [Theory]
    [InlineData(2 * 86_400_000, "2d")]
    [InlineData(3 * 3_600_000, "3h")]
    [InlineData(25 * 3_600_000, "25h")]
    [InlineData(90 * 60_000, "90m")]
    [InlineData(5 * 60_000, "5m")]
    [InlineData(90_000, "90s")]
    [InlineData(1_000, "1s")]
    [InlineData(1_500, "1500ms")]
    [InlineData(0, "0s")]
    [InlineData(-86_400_000, "-86400s")]
    public void Format_Duration_IsTheShortestExactSpellingThatParsesBack(long milliseconds, string text)
    {
        var value = TimeSpan.FromMilliseconds(milliseconds);

        Assert.Equal(text, Durations.Format(value));
        if (milliseconds >= 0)
        {
            Assert.True(Durations.TryParse(text, out var back));
            Assert.Equal(value, back);
        }
    }

    [Theory]
    [InlineData(0, 0, "no inputs")]
    [InlineData(1, 1, "exactly 1 input")]
    [InlineData(2, 2, "exactly 2 inputs")]
    [InlineData(0, int.MaxValue, "at least 0 inputs")]
    [InlineData(1, int.MaxValue, "at least 1 input")]
    [InlineData(2, int.MaxValue, "at least 2 inputs")]
    [InlineData(1, 3, "1 to 3 inputs")]
    public void InputArity_ReadsAsASentenceFragment(int min, int max, string text) => Assert.Equal(text, new InputArity(min, max).ToString());

    [Theory]
    [InlineData("BIGINT", DataKind.Integer)]
    [InlineData("integer", DataKind.Integer)]
    [InlineData("INT", DataKind.Integer)]
    [InlineData("SMALLINT", DataKind.Integer)]
    [InlineData("TINYINT", DataKind.Integer)]
    [InlineData("HUGEINT", DataKind.Integer)]
    [InlineData("UBIGINT", DataKind.Integer)]
    [InlineData("UINTEGER", DataKind.Integer)]
    [InlineData("USMALLINT", DataKind.Integer)]
    [InlineData("UTINYINT", DataKind.Integer)]
    [InlineData("int2", DataKind.Integer)]
    [InlineData("INT4", DataKind.Integer)]
    [InlineData("INT8", DataKind.Integer)]
    [InlineData("BIGSERIAL", DataKind.Integer)]
    [InlineData("SERIAL", DataKind.Integer)]
    [InlineData("DOUBLE", DataKind.Number)]
    [InlineData("FLOAT", DataKind.Number)]
    [InlineData("REAL", DataKind.Number)]
    [InlineData("DECIMAL(10,2)", DataKind.Number)]
    [InlineData("numeric (18, 4)", DataKind.Number)]
    [InlineData("double precision", DataKind.Number)]
    [InlineData("FLOAT4", DataKind.Number)]
    [InlineData("FLOAT8", DataKind.Number)]
    [InlineData("VARCHAR", DataKind.Text)]
    [InlineData("TEXT", DataKind.Text)]
    [InlineData("STRING", DataKind.Text)]
    [InlineData("character varying", DataKind.Text)]
    [InlineData("CHARACTER", DataKind.Text)]
    [InlineData("CHAR", DataKind.Text)]
    [InlineData("bpchar", DataKind.Text)]
    [InlineData("UUID", DataKind.Text)]
    [InlineData("BOOLEAN", DataKind.Boolean)]
    [InlineData("bool", DataKind.Boolean)]
    [InlineData("DATE", DataKind.Date)]
    [InlineData("TIMESTAMP WITH TIME ZONE", DataKind.Timestamp)]
    [InlineData("timestamptz", DataKind.Timestamp)]
    [InlineData("INTEGER[]", DataKind.Other)]
    [InlineData("BLOB", DataKind.Other)]
    public void KindOf_TypeNameAsEitherEngineSpellsIt(string sqlType, DataKind kind) => Assert.Equal(kind, SqlTypeNames.KindOf(sqlType));

    [Theory]
    [InlineData("", true, true)]
    [InlineData("~", true, true)]
    [InlineData("null", true, true)]
    [InlineData("Null", true, true)]
    [InlineData("NULL", true, true)]
    [InlineData("nil", true, false)]
    [InlineData("null", false, false)]
    [InlineData("", false, false)]
    public void IsNull_OnlyPlainNullSpellings(string value, bool plain, bool isNull)
    {
        var scalar = new YamlScalar(value, plain, new SourceLocation("p.yaml", 1, 1));

        Assert.Equal(isNull, scalar.IsNull);
        Assert.Equal(isNull ? "null" : "a scalar", scalar.KindName);
    }

    [Theory]
    [InlineData("horizn", true, "horizon_days")]
    [InlineData("horizn", false, null)]
    [InlineData("top", true, "top_n")]
    [InlineData("modle", true, "model")]
    [InlineData("xyz", true, null)]
    [InlineData("day", true, null)]
    public void Closest_ByWord_MatchesAWordOfTheCandidate(string name, bool byWord, string? expected) =>
        Assert.Equal(expected, NameSuggestion.Closest(name, ["model", "horizon_days", "top_n", "annual_discount_rate"], byWord));
}
