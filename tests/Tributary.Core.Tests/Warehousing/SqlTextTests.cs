using Tributary.Core.Warehousing;
using Tributary.Warehouse.DuckDb;
using Tributary.Warehouse.Postgres;

namespace Tributary.Core.Tests.Warehousing;

public sealed class SqlTextTests
{
    private const string Injection = "x' AS r; DROP TABLE orders; SELECT 'y";

    private static SqlText Sql(string template, params (string Name, object? Value)[] values) =>
        new(template, values.ToDictionary(v => v.Name, v => v.Value));

    [Fact]
    public void Render_BareReference_BecomesABoundParameter()
    {
        var statement = Sql("SELECT * FROM orders WHERE region = ${param.region}", ("param.region", Injection)).Render(new DuckDbDialect());

        Assert.Equal("SELECT * FROM orders WHERE region = $1", statement.Sql);
        Assert.Equal(new object?[] { Injection }, statement.Parameters);
    }

    [Fact]
    public void Render_SameReferenceTwiceAndSeveralReferences_NumbersEachOnceInOrder()
    {
        var statement = Sql("SELECT ${param.b} AS b, ${param.a} AS a, ${param.b} + 1 AS c LIMIT ${param.a}", ("param.a", 3L), ("param.b", 1.5))
            .Render(new DuckDbDialect(), firstParameter: 4);

        Assert.Equal("SELECT $4 AS b, $5 AS a, $4 + 1 AS c LIMIT $5", statement.Sql);
        Assert.Equal(new object?[] { 1.5, 3L }, statement.Parameters);
    }

    [Fact]
    public void Render_ReferenceInsideAString_IsPartOfALiteralTheDialectQuotes()
    {
        var sql = Sql("SELECT 'it''s ${param.region}' AS r, INTERVAL '${param.days} days' AS i", ("param.region", Injection), ("param.days", 3L));

        Assert.Equal("SELECT 'it''s x'' AS r; DROP TABLE orders; SELECT ''y' AS r, INTERVAL '3 days' AS i", sql.Render(new DuckDbDialect()).Sql);
        Assert.Empty(sql.Render(new DuckDbDialect()).Parameters);
    }

    [Fact]
    public void Render_BackslashInAStringOnPostgres_UsesAnEscapeStringSoNoSettingChangesIt()
    {
        var sql = Sql(@"SELECT 'a\b ${param.v}' AS r", ("param.v", @"c\' OR 1=1 --"));

        Assert.Equal(@"SELECT E'a\\b c\\'' OR 1=1 --' AS r", sql.Render(new PostgresDialect()).Sql);
        Assert.Equal(@"SELECT 'a\b c\'' OR 1=1 --' AS r", sql.Render(new DuckDbDialect()).Sql);
    }

    [Fact]
    public void Render_ReferenceInsideAQuotedName_IsQuotedAsOneName()
    {
        var statement = Sql("SELECT \"t_${param.suffix}\".id FROM \"t_${param.suffix}\"", ("param.suffix", "a\" ; DROP TABLE orders; --")).Render(new DuckDbDialect());

        Assert.Equal("SELECT \"t_a\"\" ; DROP TABLE orders; --\".id FROM \"t_a\"\" ; DROP TABLE orders; --\"", statement.Sql);
    }

    [Fact]
    public void Render_EscapedDollarBraceAndTextWithoutReferences_StayAsWritten()
    {
        var statement = Sql("SELECT '$${x}' AS a, $${y} -- ${ not a reference\n, 'don''t' AS b").Render(new PostgresDialect());

        Assert.Equal("SELECT '${x}' AS a, ${y} -- ${ not a reference\n, 'don''t' AS b", statement.Sql);
    }

    [Theory]
    [InlineData("SELECT 1 -- ${param.v}", "a comment")]
    [InlineData("SELECT 1 /* outer /* ${param.v} */ */", "a comment")]
    [InlineData("SELECT $$ ${param.v}$$", "a dollar-quoted string")]
    [InlineData("SELECT $tag$ x ${param.v} $tag$", "a dollar-quoted string")]
    [InlineData("SELECT E'${param.v}'", "a E'...' string")]
    [InlineData("SELECT U&\"${param.v}\"", "a U&\"...\" name")]
    public void Render_ReferenceWhereNoValueCanBeQuoted_IsRefused(string template, string where)
    {
        var error = Assert.Throws<ArgumentException>(() => Sql(template, ("param.v", "x")).Render(new DuckDbDialect()));

        Assert.Equal($"'${{param.v}}' is inside {where}, where a value cannot be quoted safely.", error.Message);
    }

    [Fact]
    public void Render_ValueWithANulCharacter_IsRefused()
    {
        var error = Assert.Throws<ArgumentException>(() => Sql("SELECT '${param.v}'", ("param.v", "a\0b")).Render(new DuckDbDialect()));

        Assert.Equal("the value of '${param.v}' holds a NUL character, which SQL text cannot carry.", error.Message);
    }

    [Fact]
    public void Json_RoundTrip_KeepsTheTemplateAndEachValuesType()
    {
        var sql = Sql("SELECT ${param.i}, ${param.n}, ${param.b}, ${param.s}, ${env.e}", ("param.i", 5L), ("param.n", 5.0), ("param.b", true), ("param.s", "5"), ("env.e", null));

        var back = System.Text.Json.JsonSerializer.Deserialize<SqlText>(System.Text.Json.JsonSerializer.Serialize(sql))!;

        Assert.Equal(sql.Template, back.Template);
        Assert.Equal(new object?[] { 5L, 5.0, true, "5", null }, back.Render(new DuckDbDialect()).Parameters);
        Assert.IsType<double>(back.Values["param.n"]);
    }
}
