using System.Globalization;
using Tributary.Engine.Runs;
using Tributary.Testing;

namespace Tributary.Components.Tests.Transforms;

/// <summary>transform.sql on both engines: params reach SQL as values, and the SQL is one query as the engine's parser sees it.</summary>
public sealed class SqlTransformTests(PostgresCluster postgres)
{
    private const string Injection = "x' AS r; DROP TABLE orders; SELECT 'y";

    // The orders table, with one row whose region is exactly the injection text.
    private const string Orders = """
        pipeline: inj
        params:
          region: { type: string, default: eu }
        components:
          - id: orders
            type: transform.sql
            with: { sql: "SELECT 1 AS id, 'eu' AS region UNION ALL SELECT 2, 'x'' AS r; DROP TABLE orders; SELECT ''y'" }

        """;

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Param_WithSqlInIt_LeavesOrdersIntactAndIsComparedAsAString(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);

        var result = await h.RunAsync(Orders + """
              - { id: by_region, type: transform.sql, inputs: [orders], with: { sql: "SELECT id FROM orders WHERE region = ${param.region}" } }
              - { id: quoted, type: transform.sql, inputs: [orders], with: { sql: "SELECT '${param.region}' AS r, count(*) AS n FROM orders" } }
            """, parameters: new Dictionary<string, string> { ["region"] = Injection });

        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        Assert.Equal(2, (await h.RowsAsync("SELECT * FROM orders")).Count);
        Assert.Equal(2L, Convert.ToInt64(Assert.Single(await h.RowsAsync("SELECT id FROM by_region"))[0]));
        var quoted = Assert.Single(await h.RowsAsync("SELECT r, n FROM quoted"));
        Assert.Equal((Injection, 2L), ((string)quoted[0]!, Convert.ToInt64(quoted[1])));
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Params_ReachSqlAsTheirDeclaredTypes(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);

        var result = await h.RunAsync("""
            pipeline: p
            params:
              n: { type: integer, default: 2 }
              rate: { type: number, default: 0.5 }
              day: { type: string, default: 2024-03-01 }
            components:
              - id: t
                type: transform.sql
                with:
                  sql: |
                    SELECT d + ${param.n} * INTERVAL '1 day' AS later, ${param.rate} * 4 AS doubled, '${param.n} days' AS label
                    FROM (SELECT DATE '2024-03-01' AS d UNION ALL SELECT DATE '2024-03-02') AS x
                    WHERE d = ${param.day}
                    LIMIT ${param.n}
            """);

        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        var row = Assert.Single(await h.RowsAsync("SELECT CAST(CAST(later AS DATE) AS VARCHAR), doubled, label FROM t"));
        Assert.Equal(("2024-03-03", 2.0, "2 days"), ((string)row[0]!, Convert.ToDouble(row[1]), (string)row[2]!));
    }

    // One $n for every use of a param: DuckDB typed it from its first context (ELSE 1: INTEGER) and 1.09 arrived as 1.
    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task NumberParam_InCaseBareProductAndCoalesce_KeepsItsFraction(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        const string pipeline = """
            pipeline: ptype
            params:
              x: { type: number, default: 1.09 }
            components:
              - id: t
                type: transform.sql
                with: { sql: "SELECT CASE WHEN 1 = 1 THEN ${param.x} ELSE 1 END AS v, ${param.x} AS bare, 10 * ${param.x} AS times, coalesce(${param.x}, 0) AS co" }
            """;

        var byDefault = await h.RunAsync(pipeline);
        var defaults = Assert.Single(await h.RowsAsync("SELECT v, bare, times, co FROM t"));
        var given = await h.RunAsync(pipeline, parameters: new Dictionary<string, string> { ["x"] = "2.75" });
        var overridden = Assert.Single(await h.RowsAsync("SELECT v, bare, times, co FROM t"));

        Assert.True(byDefault.Status == RunStatus.Succeeded && given.Status == RunStatus.Succeeded, byDefault.Error ?? given.Error);
        Assert.Equal([1.09, 1.09, 10.9, 1.09], defaults.Select(v => Math.Round(Convert.ToDouble(v, CultureInfo.InvariantCulture), 12)));
        Assert.Equal([2.75, 2.75, 27.5, 2.75], overridden.Select(v => Convert.ToDouble(v, CultureInfo.InvariantCulture)));
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task SeveralStatements_FailWithAClearMessageAndRunNone(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);

        var result = await h.RunAsync(Orders + """
              - { id: stacked, type: transform.sql, inputs: [orders], with: { sql: "SELECT 1 AS a; DROP TABLE orders; SELECT 2 AS b" } }
            """);

        Assert.Equal(RunStatus.Failed, result.Status);
        Assert.Equal("stacked (transform.sql) failed: the SQL holds " + (engine == "duckdb" ? "3 statements" : "more than one statement") + "; Tributary runs one statement "
            + "at a time, so write a single query (SELECT, WITH ... SELECT or FROM ...), without ';' between statements.", result.Error);
        Assert.Equal(2, (await h.RowsAsync("SELECT * FROM orders")).Count);
    }

    // The error quotes the query as written (DuckDB: its line and caret), not the staging table the step builds it into.
    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task MisspelledColumn_ErrorQuotesTheQueryNotTheStagingTable(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);

        var result = await h.RunAsync(Orders + """
              - { id: refunds, type: transform.sql, inputs: [orders], with: { sql: "SELECT id, refund_amount FROM orders" } }
            """);

        Assert.Equal(RunStatus.Failed, result.Status);
        Assert.Contains("refund_amount", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("__trib", result.Error, StringComparison.Ordinal);
        if (engine == "duckdb") Assert.Contains("LINE 2: SELECT id, refund_amount FROM orders\n                   ^", result.Error, StringComparison.Ordinal);
        else Assert.EndsWith("LINE 1: SELECT id, refund_amount FROM orders\n                   ^", result.Error, StringComparison.Ordinal);
    }

    // PostgreSQL's POSITION counted the CREATE TABLE ... AS the step runs the query in, so it pointed past the mistake.
    [Fact]
    public async Task MisspelledColumn_OnPostgreSql_IsShownAtItsLineAndColumnOfTheStepsQuery()
    {
        await using var h = await ComponentHarness.CreateAsync("postgres", postgres);

        var result = await h.RunAsync(Orders + """
              - id: refunds
                type: transform.sql
                inputs: [orders]
                with:
                  sql: |
                    SELECT id,
                           region,
                           refund_amount
                    FROM orders
            """);

        Assert.Equal(RunStatus.Failed, result.Status);
        Assert.Equal("refunds (transform.sql) failed: 42703: column \"refund_amount\" does not exist\n\nLINE 3:        refund_amount\n               ^", result.Error);
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task StatementThatIsNotAQuery_IsRefusedByTheParser(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        var target = Path.Combine(h.Temp.Path, "copied.csv");

        var result = await h.RunAsync($$"""
            pipeline: p
            components:
              - { id: copy, type: transform.sql, with: { sql: "COPY (SELECT 1 AS a) TO '{{target}}'" } }
            """);

        Assert.Equal(RunStatus.Failed, result.Status);
        Assert.Contains("syntax error at or near \"COPY\"", result.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(target));
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task QueryNotStartingWithSelect_IsAccepted(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);

        var result = await h.RunAsync("""
            pipeline: p
            components:
              - id: t
                type: transform.sql
                with:
                  sql: |
                    -- a comment first, then a parenthesized query;
                    (SELECT 1 AS a UNION ALL SELECT 2) ORDER BY a;
            """);

        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        Assert.Equal(2, (await h.RowsAsync("SELECT * FROM t")).Count);
    }
}
