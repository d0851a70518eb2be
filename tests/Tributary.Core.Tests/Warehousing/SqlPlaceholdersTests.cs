using Tributary.Core.Warehousing;

namespace Tributary.Core.Tests.Warehousing;

public sealed class SqlPlaceholdersTests
{
    private static string? Double(int n) => n is 1 or 10 ? "DOUBLE" : null;

    [Fact]
    public void Cast_PlaceholdersInCode_AreCastAndTheRestIsLeftAsWritten()
    {
        var sql = Cast("SELECT CASE WHEN a THEN $1 ELSE 1 END, $10 + $2, coalesce($1, 0)");

        Assert.Equal("SELECT CASE WHEN a THEN (CAST($1 AS DOUBLE)) ELSE 1 END, (CAST($10 AS DOUBLE)) + $2, coalesce((CAST($1 AS DOUBLE)), 0)", sql);
    }

    [Theory]
    [InlineData("SELECT '$1 each' AS price")]
    [InlineData("SELECT 1 AS \"$1\"")]
    [InlineData("SELECT 1 -- costs $1\n")]
    [InlineData("SELECT 1 /* $1 /* nested $1 */ $1 */")]
    [InlineData("SELECT $$ $1 $$, $tag$ $1 $tag$")]
    [InlineData("SELECT E'\\' $1 '")]
    [InlineData("SELECT a$1, $ FROM t")]
    [InlineData("SELECT $2 FROM t")]
    public void Cast_PlaceholderOutsideCodeOrNotTyped_IsLeftAsWritten(string sql) => Assert.Same(sql, Cast(sql));

    [Fact]
    public void Cast_NextToQuotesAndComments_CastsOnlyTheCode()
    {
        Assert.Equal("SELECT 'a$1', (CAST($1 AS DOUBLE)) -- $1\n, \"$1\"", Cast("SELECT 'a$1', $1 -- $1\n, \"$1\""));
    }

    private static string Cast(string sql) => SqlPlaceholders.Cast(sql, Double);
}
