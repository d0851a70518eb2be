using System.Globalization;
using Tributary.Components.Fraud;
using Tributary.Core.Components;
using Tributary.Core.Warehousing;
using Tributary.Engine.Runs;
using Tributary.Testing;
using Tributary.Warehouse.DuckDb;

namespace Tributary.Components.Tests.Fraud;

public sealed class FraudRulesTests(PostgresCluster postgres)
{
    private static string Pipeline(string rules) => $$"""
        pipeline: p
        components:
          - { id: f, type: source.csv, with: { path: f.csv, columns: { transaction_id: VARCHAR, x: DOUBLE, y: DOUBLE } } }
          - id: r
            type: rules.fraud
            inputs: [f]
            with:
              rules:
        {{rules}}
        """;

    private const string TwoRules = """
                - { name: big_x, when: "x > 1 and not y = 0", weight: 0.5, reason: "x is big" }
                - { name: ratio, when: "x / y >= 2 or -x > 10", weight: 0.2, reason: "x twice y" }
        """;

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Rules_FireByCondition_ScoreIsNoisyOrOfWeights_ReasonsStrongestFirst(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        File.WriteAllLines(Path.Combine(h.Temp.Path, "f.csv"), ["transaction_id,x,y", "a,4,2", "b,2,0", "c,3,2", "d,-20,1", "e,,1"]);
        var result = await h.RunAsync(Pipeline(TwoRules));
        Assert.True(result.Status == RunStatus.Succeeded, result.Error);

        var rows = (await h.RowsAsync("SELECT transaction_id, rule_big_x, rule_ratio, rule_score, rules_fired, rule_reasons, x FROM r ORDER BY transaction_id"))
            .ToDictionary(r => (string)r[0]!, r => r);
        // a: both fire, 1 - (1 - 0.5)(1 - 0.2) = 0.6.
        Assert.Equal(0.6, Convert.ToDouble(rows["a"][3], CultureInfo.InvariantCulture), 9);
        Assert.Equal("big_x, ratio", rows["a"][4]);
        Assert.Equal("x is big; x twice y", rows["a"][5]);
        // b: y = 0 stops big_x, and x / 0 is empty, so nothing fires.
        Assert.Equal(0.0, Convert.ToDouble(rows["b"][3], CultureInfo.InvariantCulture), 9);
        Assert.Null(rows["b"][4]);
        // c: only big_x (3 / 2 < 2); d: only the unary minus branch; e: an empty x fires nothing.
        Assert.Equal("big_x", rows["c"][4]);
        Assert.Equal("ratio", rows["d"][4]);
        Assert.Equal(0.2, Convert.ToDouble(rows["d"][3], CultureInfo.InvariantCulture), 9);
        Assert.Null(rows["e"][4]);
        // The input's columns pass through.
        Assert.Equal(-20.0, Convert.ToDouble(rows["d"][6], CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Expression_BecomesSqlOfQuotedColumnsAndBoundNumbers()
    {
        var q = new SqlBuilder(new DuckDbDialect());
        var sql = RuleExpression.ToSql("r", "amount_z >= 3.5 AND (email_count_10m + 1) * 2 != 7", new HashSet<string> { "amount_z", "email_count_10m" }, q);
        Assert.Contains("CAST(\"amount_z\" AS DOUBLE PRECISION) >= ", sql, StringComparison.Ordinal);
        Assert.Contains(" AND ", sql, StringComparison.Ordinal);
        Assert.Contains(" <> ", sql, StringComparison.Ordinal);
        Assert.DoesNotContain("3.5", sql, StringComparison.Ordinal);
        Assert.Equal([3.5, 1.0, 2.0, 7.0], q.Parameters.Select(v => Convert.ToDouble(v, CultureInfo.InvariantCulture)));
    }

    [Theory]
    [InlineData("x > 1 and y < 2")]
    [InlineData("x > 1 or y < 2")]
    [InlineData("not (x >= 1 or y = 0)")]
    [InlineData("x / y >= 1 or not y != 0")]
    [InlineData("-x + 2 * y - 1 <> 0 and (x < 2 or y > 0)")]
    public async Task Compiled_FiresWhereTheSqlFires_WithNullLogicAndDivisionByZero(string text)
    {
        // Every pair of NULL, 0, 1 and 2: the in-memory condition of the online scorer against the engine's answer.
        await using var h = await ComponentHarness.CreateAsync("duckdb", postgres);
        double?[] values = [null, 0, 1, 2];
        var pairs = values.SelectMany(x => values.Select(y => (x, y))).ToList();
        var q = new SqlBuilder(h.Warehouse.Dialect);
        var condition = RuleExpression.ToSql("r", text, new HashSet<string> { "x", "y" }, q);
        var rows = string.Join(" UNION ALL ", pairs.Select((p, i) => $"SELECT {i} AS i, CAST({(p.x?.ToString(CultureInfo.InvariantCulture) ?? "NULL")} AS DOUBLE) AS x, CAST({(p.y?.ToString(CultureInfo.InvariantCulture) ?? "NULL")} AS DOUBLE) AS y"));
        var sql = (await h.Warehouse.QueryAsync($"SELECT i, CASE WHEN {condition} THEN 1 ELSE 0 END FROM ({rows}) t ORDER BY i", q.Parameters, 100, TestContext.Current.CancellationToken)).Rows;
        var compiled = RuleExpression.Compile("r", text, ["x", "y"]);
        Assert.Equal(sql.Select(r => Convert.ToInt32(r[1], CultureInfo.InvariantCulture) == 1), pairs.Select(p => compiled([p.x, p.y])));
    }

    [Theory]
    [InlineData("x > 1; DROP TABLE f", "unexpected character ';'", 6)]
    [InlineData("x > 'a'", "unexpected character '''", 5)]
    [InlineData("x >", "the condition ends too early", 4)]
    [InlineData("x + 1", "must be a comparison", 1)]
    [InlineData("(x > 1", "expected ')'", 7)]
    [InlineData("x > 1 and z < 2", "unknown column 'z'", 11)]
    [InlineData("x > 1 and 2", "'and' joins comparisons", 11)]
    [InlineData("(x > 1) * 2 > 0", "arithmetic needs numbers", 9)]
    [InlineData("x > 1e999", "'1e999' is not a number", 5)]
    [InlineData("", "the condition is empty", 1)]
    public void Expression_Invalid_SaysRuleAndPosition(string text, string message, int position)
    {
        var e = Assert.Throws<PlanException>(() => RuleExpression.ToSql("my_rule", text, new HashSet<string> { "x", "y" }, new SqlBuilder(new DuckDbDialect())));
        Assert.Contains("rule 'my_rule'", e.Message, StringComparison.Ordinal);
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
        Assert.Contains($"at position {position.ToString(CultureInfo.InvariantCulture)}", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Expression_DeepNesting_IsRefusedNotRecursedInto()
    {
        var text = new string('(', 5000) + "x > 1" + new string(')', 5000);
        var e = Assert.Throws<PlanException>(() => RuleExpression.Check("deep", text, null));
        Assert.Contains("nests deeper", e.Message, StringComparison.Ordinal);
    }
}
