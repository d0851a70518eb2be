using System.Globalization;
using Microsoft.Extensions.Time.Testing;
using Tributary.Core.Loading;
using Tributary.Core.Warehousing;
using Tributary.Components.Segments;
using Tributary.Engine.Execution;
using Tributary.Engine.Runs;
using Tributary.Testing;
using Tributary.Warehouse.DuckDb;
using Tributary.Warehouse.Postgres;

namespace Tributary.Components.Tests.Segments;

public sealed class AudienceTests(PostgresCluster postgres)
{
    // Now is 2025-06-30 02:00 UTC: in New York still 2025-06-29. 90 days before now is 2025-04-01 02:00 UTC.
    private static readonly DateTimeOffset Now = new(2025, 6, 30, 2, 0, 0, TimeSpan.Zero);

    private static readonly string[] Customers =
    [
        "customer_id,tier,churn_risk,marketing_consent,clv,last_order_at,last_order_day",
        "c1,platinum,high,true,900,2025-06-29 10:00:00,2025-06-29",  // everything
        "c2,platinum,high,false,800,2025-06-20 10:00:00,2025-06-20", // no consent
        "c3,gold,high,true,500,2025-06-01 00:00:00,2025-06-01",      // not the top tier
        "c4,platinum,low,true,950,2025-06-25 00:00:00,2025-06-25",   // low risk
        "c5,platinum,high,true,700,2025-04-01 01:59:00,2025-04-01",  // a minute past 90 days
        "c6,platinum,high,true,650,2025-04-01 02:00:00,2025-04-01",  // exactly 90 days
        "c7,,high,true,600,2025-06-28 23:00:00,2025-06-28",          // no tier
    ];

    private const string Source = "  - { id: profiles, type: source.csv, with: { path: customers.csv, columns: { customer_id: VARCHAR, tier: VARCHAR, churn_risk: VARCHAR, marketing_consent: BOOLEAN, clv: DOUBLE, last_order_at: TIMESTAMP, last_order_day: DATE } } }\n";

    private static async Task<ComponentHarness> WithCustomersAsync(string engine, PostgresCluster postgres)
    {
        var h = await ComponentHarness.CreateAsync(engine, postgres);
        File.WriteAllLines(Path.Combine(h.Temp.Path, "customers.csv"), Customers);
        return h;
    }

    private static async Task<(RunResult Run, List<string> Ids)> RunAsync(ComponentHarness h, string with, string timezone = "UTC")
    {
        var result = await h.RunAsync("pipeline: p\ncomponents:\n" + Source + "  - { id: audience, type: segment.audience, inputs: [profiles], with: " + with + " }\n",
            timezone: timezone, time: new FakeTimeProvider(Now));
        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        var ids = (await h.RowsAsync("SELECT customer_id FROM audience ORDER BY customer_id")).Select(r => (string)r[0]!).ToList();
        return (result, ids);
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Audience_TopTierHighRiskOptedInRecentBuyers_AreExactlyTheMatchingRowsWithAllColumns(string engine)
    {
        await using var h = await WithCustomersAsync(engine, postgres);

        var (run, ids) = await RunAsync(h, """
            { conditions: [{ column: tier, op: "=", value: platinum }, { column: churn_risk, op: in, value: "high, very high" },
                           { column: marketing_consent, op: "=", value: "true" }, { column: last_order_at, op: within last, value: 90 }] }
            """);

        Assert.Equal(["c1", "c6"], ids);
        Assert.Equal(7, (await h.RowsAsync("SELECT * FROM audience")).Single(r => (string)r[0]! == "c1").Length);
        var metadata = Assert.Single(await h.Store.GetMaterializationsAsync(run.RunId, "audience", CancellationToken.None)).MetadataJson;
        Assert.Contains("\"rows_in\":7", metadata, StringComparison.Ordinal);
        Assert.Contains("\"rows_matched\":2", metadata, StringComparison.Ordinal);
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Audience_MatchAnyWithNotEqualAndOlderThan_KeepsEmptyTiersAndOldOrders(string engine)
    {
        await using var h = await WithCustomersAsync(engine, postgres);

        var (_, ids) = await RunAsync(h, """{ match: any, conditions: [{ column: tier, op: "!=", value: platinum }, { column: last_order_at, op: older than, value: 90 }] }""");

        Assert.Equal(["c3", "c5", "c7"], ids);
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Audience_DateWithinLastDay_CountsDaysInTheProjectsTimezone(string engine)
    {
        await using var h = await WithCustomersAsync(engine, postgres);
        const string WithinOneDay = """{ conditions: [{ column: last_order_day, op: within last, value: 1 }] }""";

        var (_, utc) = await RunAsync(h, WithinOneDay);
        var (_, newYork) = await RunAsync(h, WithinOneDay, "America/New_York");

        // Today is 2025-06-30 in UTC (from 06-29) and still 2025-06-29 in New York (from 06-28).
        Assert.Equal(["c1"], utc);
        Assert.Equal(["c1", "c7"], newYork);
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Audience_LimitByClvDescending_WritesTheTopRows(string engine)
    {
        await using var h = await WithCustomersAsync(engine, postgres);

        var (run, ids) = await RunAsync(h, """{ conditions: [{ column: churn_risk, op: contains, value: HIG }], limit: 2, order_by: clv desc }""");

        Assert.Equal(["c1", "c2"], ids);
        Assert.Contains("\"rows_matched\":6", Assert.Single(await h.Store.GetMaterializationsAsync(run.RunId, "audience", CancellationToken.None)).MetadataJson, StringComparison.Ordinal);
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Audience_ValueLookingLikeSql_IsBoundAsText(string engine)
    {
        await using var h = await WithCustomersAsync(engine, postgres);

        var (_, ids) = await RunAsync(h, """{ conditions: [{ column: tier, op: "=", value: "x' OR '1'='1" }] }""");

        Assert.Empty(ids);
        Assert.Equal(7L, Convert.ToInt64((await h.RowsAsync("SELECT count(*) FROM profiles"))[0][0], CultureInfo.InvariantCulture));
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Audience_InValueAsYamlList_KeepsAnItemWithACommaWhole(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        const string Companies = "  - { id: companies, type: transform.sql, with: { sql: \"SELECT 'Acme, Inc.' AS company UNION ALL SELECT 'Acme' UNION ALL SELECT 'Inc.' UNION ALL SELECT 'Globex'\" } }\n";
        async Task<List<string>> SelectAsync(string value)
        {
            var result = await h.RunAsync("pipeline: p\ncomponents:\n" + Companies
                + "  - { id: audience, type: segment.audience, inputs: [companies], with: { conditions: [{ column: company, op: in, value: " + value + " }] } }\n");
            Assert.True(result.Status == RunStatus.Succeeded, result.Error);
            return (await h.RowsAsync("SELECT company FROM audience ORDER BY company")).Select(r => (string)r[0]!).ToList();
        }

        var listed = await SelectAsync("[\"Acme, Inc.\", Globex]");
        var commaText = await SelectAsync("\"Acme, Inc.\"");

        Assert.Equal(["Acme, Inc.", "Globex"], listed);
        Assert.Equal(["Acme", "Inc."], commaText);
    }

    // The Audiences page and trib audiences preview show the first rows: with an order_by they are the first by it, limit or not.
    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Sample_OrderByWithoutALimit_ShowsTheFirstRowsByThatOrder(string engine)
    {
        await using var h = await WithCustomersAsync(engine, postgres);
        await RunAsync(h, """{ conditions: [{ column: churn_risk, op: "=", value: high }] }""");
        var schema = (await h.Warehouse.DescribeTableAsync("profiles", CancellationToken.None))!;
        var query = AudienceQuery.Build(h.Warehouse.Dialect, "profiles", schema, [AudienceCondition.Of("churn_risk", "=", "high")], AudienceMatch.All, null, "clv desc",
            Now.UtcDateTime, TimeZoneInfo.Utc);

        var sample = await AudienceSample.ReadAsync(h.Warehouse, "profiles", schema, query, 3, CancellationToken.None);

        Assert.Equal(6, sample.Count);
        Assert.Equal(["c1", "c2", "c5"], sample.Rows.Select(r => (string)r[0]!));
    }

    [Fact]
    public async Task Build_TimestamptzWithinLastAndOlderThan_CompareInstantsWhateverTheSessionTimeZone()
    {
        // Tokyo is UTC+9: a bound plain TIMESTAMP read there would be 9 hours early, and the row a minute past 90 days would match.
        await using var w = await PostgresWarehouse.OpenAsync(await postgres.NewSchemaAsync() + ";Timezone=Asia/Tokyo", CancellationToken.None);
        await AssertComparesInstantsAsync(w);
    }

    [Fact]
    public async Task Build_TimestamptzOnDuckDbWithTheSessionInTokyo_ComparesInstants()
    {
        using var temp = new TempDirectory();
        await using var w = await DuckDbWarehouse.OpenAsync(Path.Combine(temp.Path, "w.duckdb"), CancellationToken.None);
        // DuckDB casts a plain TIMESTAMP to TIMESTAMPTZ in its TimeZone setting, as PostgreSQL does; each query has its own connection, hence GLOBAL.
        await w.ExecuteAsync("SET GLOBAL TimeZone = 'Asia/Tokyo'", null, CancellationToken.None);
        Assert.Equal("Asia/Tokyo", await w.ScalarAsync("SELECT current_setting('TimeZone')", null, CancellationToken.None));
        await AssertComparesInstantsAsync(w);
    }

    private static async Task AssertComparesInstantsAsync(IWarehouse w)
    {
        await w.ExecuteAsync("""
            CREATE TABLE "orders_tz" AS SELECT * FROM (VALUES ('late', TIMESTAMPTZ '2025-04-01 01:59:00+00'), ('edge', TIMESTAMPTZ '2025-04-01 02:00:00+00'),
                ('recent', TIMESTAMPTZ '2025-06-29 11:00:00+09')) AS v("customer_id", "last_order_at")
            """, null, CancellationToken.None);
        var schema = (await w.DescribeTableAsync("orders_tz", CancellationToken.None))!;
        async Task<List<string>> SelectAsync(string op, string value)
        {
            var q = AudienceQuery.Build(w.Dialect, "orders_tz", schema, [AudienceCondition.Of("last_order_at", op, value)], AudienceMatch.All, null, null, Now.UtcDateTime, TimeZoneInfo.Utc);
            return (await w.QueryAsync($"SELECT \"customer_id\" FROM ({q.Sql}) a ORDER BY 1", q.Parameters, 100, CancellationToken.None)).Rows.Select(r => (string)r[0]!).ToList();
        }

        Assert.Equal(["edge", "recent"], await SelectAsync("within last", "90"));
        Assert.Equal(["late"], await SelectAsync("older than", "90"));
        Assert.Equal(["edge", "recent"], await SelectAsync(">=", "2025-04-01T02:00:00Z"));
    }

    [Fact]
    public void Load_ConditionsThatDoNotFitTheColumns_ReportEachAtTheComponent()
    {
        var result = new PipelineLoader(BuiltInComponents.CreateCatalog()).Load("pipeline: p\ncomponents:\n" + Source + """
              - id: audience
                type: segment.audience
                inputs: [profiles]
                with:
                  conditions:
                    - { column: teir, op: "=", value: gold }
                    - { column: tier, op: ">", value: 3 }
                    - { column: clv, op: ">=", value: lots }
                    - { column: "tier\"; DROP TABLE profiles; --", op: "=", value: x }
            """, "p.yaml", new LoadOptions());

        var message = Assert.Single(result.Diagnostics).Message;
        Assert.Equal("component 'audience' (segment.audience): "
            + "condition 1 (teir = gold): 'profiles' has no column 'teir'. Did you mean 'tier'? Its columns: customer_id, tier, churn_risk, marketing_consent, clv, last_order_at, last_order_day. "
            + "condition 2 (tier > 3): column 'tier' is text (VARCHAR), and 3 is a number: '>' would compare them as text ('10' < '9'). Compare a numeric column, or cast this one in a transform. "
            + "condition 3 (clv >= lots): column 'clv' is a number (DOUBLE), so its value must be a number, got 'lots'. "
            + "condition 4 (tier\"; DROP TABLE profiles; -- = x): 'profiles' has no column 'tier\"; DROP TABLE profiles; --'. Its columns: customer_id, tier, churn_risk, marketing_consent, clv, last_order_at, last_order_day.",
            message);
    }
}
