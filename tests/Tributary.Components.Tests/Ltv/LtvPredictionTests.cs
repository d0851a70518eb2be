using System.Globalization;
using Tributary.Core.Loading;
using Tributary.Engine.Runs;
using Tributary.Testing;

namespace Tributary.Components.Tests.Ltv;

public sealed class LtvPredictionTests(PostgresCluster postgres)
{
    private static string CdnowFolder() => RepositoryFiles.RequireSharedData("cdnow");

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task CdnowExample_RawTransactions_ReproducePublishedFitsSummaryAndHoldout(string engine)
    {
        var folder = CdnowFolder();
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);

        var result = await h.RunFileAsync(Path.Combine(RepositoryFiles.Templates, "examples", "cdnow_ltv.yaml"),
            new Dictionary<string, string> { ["cdnow_file"] = Path.Combine(folder, "CDNOW_sample.txt") }, allowedPaths: [folder]);

        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        var model = (await h.RowsAsync("SELECT model, parameter, value FROM cdnow_ltv__model"))
            .ToDictionary(r => ((string)r[0]!, (string)r[1]!), r => Convert.ToDouble(r[2], CultureInfo.InvariantCulture));
        // FHL 2005 and Fader & Hardie 2013, within 0.5%.
        foreach (var (key, published) in new Dictionary<(string, string), double>
        {
            [("bgnbd", "r")] = 0.243, [("bgnbd", "alpha")] = 4.414, [("bgnbd", "a")] = 0.793, [("bgnbd", "b")] = 2.426,
            [("gamma_gamma", "p")] = 6.25, [("gamma_gamma", "q")] = 3.74, [("gamma_gamma", "gamma")] = 15.44,
        })
            Assert.True(Math.Abs(model[key] / published - 1) < 0.005, $"{key}: {model[key]} vs published {published}");

        // Same-day orders merged into one transaction: frequency, recency and T match the published summary for every customer.
        var summary = File.ReadAllLines(Path.Combine(folder, "cdnow_customers_summary.csv")).Skip(1)
            .Select(l => l.Split(',')).ToDictionary(f => f[0], f => (X: double.Parse(f[1], CultureInfo.InvariantCulture), Tx: double.Parse(f[2], CultureInfo.InvariantCulture), T: double.Parse(f[3], CultureInfo.InvariantCulture)));
        var rows = await h.RowsAsync("SELECT customer_id, frequency, recency, t, holdout_purchases FROM cdnow_ltv");
        Assert.Equal(2357, rows.Count);
        foreach (var r in rows)
        {
            var s = summary[(string)r[0]!];
            Assert.Equal(s.X, Convert.ToDouble(r[1], CultureInfo.InvariantCulture));
            Assert.Equal(s.Tx, Convert.ToDouble(r[2], CultureInfo.InvariantCulture), 0.006);
            Assert.Equal(s.T, Convert.ToDouble(r[3], CultureInfo.InvariantCulture), 0.006);
        }

        // Holdout actuals counted independently from the raw file: distinct purchase days after 1997-09-30 through 1998-06-30.
        var actual = File.ReadAllLines(Path.Combine(folder, "CDNOW_sample.txt"))
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Where(f => f.Length == 5)
            .Select(f => (Customer: f[1], Day: f[2])).Where(p => string.CompareOrdinal(p.Day, "19970930") > 0 && string.CompareOrdinal(p.Day, "19980630") <= 0)
            .Distinct().Count();
        var holdout = await h.RowsAsync("SELECT calibration_frequency, actual_total, predicted_total FROM cdnow_ltv__holdout");
        var all = holdout.Single(r => (string)r[0]! == "all");
        Assert.Equal(actual, Convert.ToInt64(all[1], CultureInfo.InvariantCulture));
        Assert.Equal(actual, holdout.Where(r => (string)r[0]! != "all").Sum(r => Convert.ToInt64(r[1], CultureInfo.InvariantCulture)));
        Assert.Equal(actual, rows.Sum(r => Convert.ToInt64(r[4], CultureInfo.InvariantCulture)));
        var predicted = Convert.ToDouble(all[2], CultureInfo.InvariantCulture);
        Assert.InRange(predicted, actual * 0.8, actual * 1.05);
    }

    [Fact]
    public async Task Ltv_ParetoModelAndClvInterval_AreConsistent()
    {
        var folder = CdnowFolder();
        await using var h = await ComponentHarness.CreateAsync("duckdb", postgres);

        var result = await h.RunFileAsync(Path.Combine(RepositoryFiles.Templates, "examples", "cdnow_ltv.yaml"),
            new Dictionary<string, string> { ["cdnow_file"] = Path.Combine(folder, "CDNOW_sample.txt"), ["model"] = "pareto_nbd" }, allowedPaths: [folder]);

        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        var model = (await h.RowsAsync("SELECT parameter, value FROM cdnow_ltv__model WHERE model = 'pareto_nbd'"))
            .ToDictionary(r => (string)r[0]!, r => Convert.ToDouble(r[1], CultureInfo.InvariantCulture));
        Assert.Equal(0.553, model["r"], 0.553 * 0.005);
        Assert.Equal(11.669, model["beta"], 11.669 * 0.005);
        var bad = await h.RowsAsync("SELECT count(*) FROM cdnow_ltv WHERE NOT (clv_low <= clv AND clv <= clv_high AND p_alive BETWEEN 0 AND 1)");
        Assert.Equal(0L, Convert.ToInt64(bad[0][0], CultureInfo.InvariantCulture));
    }

    // The same orders stored in two row orders: three orders on a repeat day (0.1, 0.2 and 0.3 times a whole number) summed
    // front to back or back to front differ in their last bits as floating point, which moved the fit and every score.
    private const string OrdersSql = """
        SELECT 'c' || CAST(c.i AS VARCHAR) AS customer_id, CAST(DATE '2025-01-01' + CAST(CASE WHEN k.j = 0 THEN 0 WHEN k.j < 4 THEN 1 ELSE 2 END * (7 + c.i % 11) AS INTEGER) AS DATE) AS ordered_at,
               CASE (c.i + k.j) % 3 WHEN 0 THEN 0.1 WHEN 1 THEN 0.2 ELSE 0.3 END * (1 + c.i % 7) AS amount, k.j
        FROM generate_series(1, CUSTOMERS) AS c(i) CROSS JOIN generate_series(0, 4) AS k(j)
        WHERE k.j <= c.i % 5
        """;

    private static string Orders(int customers) =>
        OrdersSql.Replace("CUSTOMERS", customers.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Ltv_SameOrdersInAnotherRowOrder_GiveTheSameBits(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        var sql = Orders(300);
        var result = await h.RunAsync($$"""
            pipeline: p
            components:
              - { id: forward, type: transform.sql, with: { sql: "{{sql}} ORDER BY customer_id, j" } }
              - { id: backward, type: transform.sql, with: { sql: "{{sql}} ORDER BY customer_id DESC, j DESC" } }
              - { id: ltv_forward, type: analytics.ltv, inputs: [forward], with: { interval_draws: 0 } }
              - { id: ltv_backward, type: analytics.ltv, inputs: [backward], with: { interval_draws: 0 } }
            """);

        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        var rows = await h.RowsAsync("""
            SELECT count(*), count(*) FILTER (WHERE f.monetary_value <> b.monetary_value OR f.clv <> b.clv OR f.p_alive <> b.p_alive)
            FROM ltv_forward f JOIN ltv_backward b ON b.customer_id = f.customer_id
            """);
        Assert.Equal(300L, Convert.ToInt64(rows[0][0], CultureInfo.InvariantCulture));
        Assert.Equal(0L, Convert.ToInt64(rows[0][1], CultureInfo.InvariantCulture));
        // What a dashboard states about the values: their horizon, the time unit of recency and t, and that no interval was drawn.
        var metadata = (await h.Store.GetMaterializationsAsync(result.RunId, "ltv_forward", TestContext.Current.CancellationToken)).Single().MetadataJson;
        Assert.Contains("\"horizon_days\":365,\"time_unit\":\"week\",\"annual_discount_rate\":0.1,\"interval_draws\":0", metadata, StringComparison.Ordinal);
    }

    // Enough customers that their values are worked out in several parallel ranges: every customer's row is written once,
    // holds that customer's history, and the values (interval included) are the same bits whichever order the orders are
    // stored in.
    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Ltv_ManyCustomers_EachWrittenOnceWithItsOwnHistoryAndTheSameBitsInAnotherRowOrder(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        var sql = Orders(30_000);
        var result = await h.RunAsync($$"""
            pipeline: p
            components:
              - { id: forward, type: transform.sql, with: { sql: "{{sql}} ORDER BY customer_id, j" } }
              - { id: backward, type: transform.sql, with: { sql: "{{sql}} ORDER BY customer_id DESC, j DESC" } }
              - { id: ltv_forward, type: analytics.ltv, inputs: [forward], with: { interval_draws: 20 } }
              - { id: ltv_backward, type: analytics.ltv, inputs: [backward], with: { interval_draws: 20 } }
            """);

        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        // Customer c<i> has orders j = 0 .. i % 5 on days 0, then 7 + i % 11 (j = 1..3), then twice that (j = 4).
        var rows = await h.RowsAsync("""
            SELECT count(*), count(DISTINCT f.customer_id),
                   count(*) FILTER (WHERE f.frequency <> CASE CAST(substr(f.customer_id, 2) AS INTEGER) % 5 WHEN 0 THEN 0 WHEN 4 THEN 2 ELSE 1 END),
                   count(*) FILTER (WHERE NOT (f.clv_low <= f.clv AND f.clv <= f.clv_high)),
                   count(*) FILTER (WHERE f.frequency <> b.frequency OR f.recency <> b.recency OR f.t <> b.t OR f.monetary_value <> b.monetary_value
                       OR f.p_alive <> b.p_alive OR f.expected_purchases <> b.expected_purchases OR f.expected_order_value <> b.expected_order_value
                       OR f.clv <> b.clv OR f.clv_low <> b.clv_low OR f.clv_high <> b.clv_high OR f.clv_p05 <> b.clv_p05 OR f.clv_p95 <> b.clv_p95)
            FROM ltv_forward f JOIN ltv_backward b ON b.customer_id = f.customer_id
            """);
        Assert.Equal([30_000L, 30_000L, 0L, 0L, 0L], rows[0].Select(v => Convert.ToInt64(v, CultureInfo.InvariantCulture)));
    }

    // A store drawn from BG/NBD (r, α, a, b = 0.25, 4 weeks, 0.8, 2.5) and Gamma-Gamma (p, q, γ = 6, 4, 15): 4,000 customers
    // whose first order falls in the first 39 weeks of 2024, calibrated through 2024-12-30 and then followed for 273 days.
    private static void WriteSimulatedStore(string path, int seed)
    {
        var random = new Random(seed);
        var start = new DateOnly(2024, 1, 1);
        var lines = new List<string> { "customer_id,ordered_at,amount" };
        for (var i = 0; i < 4000; i++)
        {
            var rate = MathNet.Numerics.Distributions.Gamma.Sample(random, 0.25, 4);
            var dropout = MathNet.Numerics.Distributions.Beta.Sample(random, 0.8, 2.5);
            var nu = MathNet.Numerics.Distributions.Gamma.Sample(random, 4, 15);
            var first = random.Next(0, 273);
            var (clock, end) = (0.0, (365 + 273 - first) / 7.0);
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"c{i},{start.AddDays(first):yyyy-MM-dd},{MathNet.Numerics.Distributions.Gamma.Sample(random, 6, nu):0.00}"));
            while (true)
            {
                clock += MathNet.Numerics.Distributions.Exponential.Sample(random, rate);
                if (clock > end) break;
                lines.Add(string.Create(CultureInfo.InvariantCulture, $"c{i},{start.AddDays(first + (int)(clock * 7)):yyyy-MM-dd},{MathNet.Numerics.Distributions.Gamma.Sample(random, 6, nu):0.00}"));
                if (random.NextDouble() < dropout) break;
            }
        }
        File.WriteAllLines(path, lines);
    }

    // What each customer spent in the holdout against their 90% prediction interval and against clv_low/clv_high.
    private const string CoverageSql = """
        SELECT count(*),
               avg(CASE WHEN coalesce(h.spent, 0) BETWEEN l.clv_p05 AND l.clv_p95 THEN 1.0 ELSE 0.0 END),
               avg(CASE WHEN coalesce(h.spent, 0) > l.clv_p95 THEN 1.0 ELSE 0.0 END),
               avg(CASE WHEN coalesce(h.spent, 0) BETWEEN l.clv_low AND l.clv_high THEN 1.0 ELSE 0.0 END),
               avg(CASE WHEN l.frequency > 0 AND coalesce(h.spent, 0) BETWEEN l.clv_p05 AND l.clv_p95 THEN 1.0 WHEN l.frequency > 0 THEN 0.0 END)
        FROM LTV l LEFT JOIN (SELECT CAST(customer_id AS VARCHAR) AS customer_id, sum(amount) AS spent FROM ORDERS WHERE ordered_at > DATE 'CALIBRATION' AND ordered_at <= DATE 'HOLDOUT' GROUP BY 1) h
          ON h.customer_id = l.customer_id
        """;

    private static double[] Coverage(IReadOnlyList<object?[]> rows) => rows[0].Select(v => Convert.ToDouble(v, CultureInfo.InvariantCulture)).ToArray();

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Ltv_SimulatedStoreWithKnownTruth_PredictionIntervalCoversNinetyPercentOfWhatCustomersSpend(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        WriteSimulatedStore(Path.Combine(h.Temp.Path, "orders.csv"), 5);

        var result = await h.RunAsync("""
            pipeline: p
            components:
              - { id: orders, type: source.csv, with: { path: orders.csv, columns: { customer_id: VARCHAR, ordered_at: DATE, amount: DOUBLE } } }
              - { id: ltv, type: analytics.ltv, inputs: [orders], with: { calibration_end: 2024-12-30, holdout_end: 2025-09-29, horizon_days: 273, annual_discount_rate: 0 } }
            """);

        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        var coverage = Coverage(await h.RowsAsync(CoverageSql.Replace("LTV", "ltv", StringComparison.Ordinal).Replace("ORDERS", "orders", StringComparison.Ordinal)
            .Replace("CALIBRATION", "2024-12-30", StringComparison.Ordinal).Replace("HOLDOUT", "2025-09-29", StringComparison.Ordinal)));
        TestContext.Current.TestOutputHelper?.WriteLine($"{engine}: prediction interval covers {coverage[1]:0.000} (repeat buyers {coverage[4]:0.000}, above it {coverage[2]:0.000}); clv_low..clv_high {coverage[3]:0.000}");
        Assert.Equal(4000, coverage[0]);
        // 4,000 customers: a binomial standard error of half a point. Customers likely to buy nothing make the interval [0, 0]
        // and raise coverage above 90%; neither tail may hold more than its 5% beyond what fitting the parameters adds.
        Assert.InRange(coverage[1], 0.88, 0.97);
        Assert.InRange(coverage[2], 0.03, 0.08);
        Assert.InRange(coverage[4], 0.86, 0.97);
        // clv_low..clv_high is the expected value's uncertainty from the parameters: it covers almost nobody's spend.
        Assert.InRange(coverage[3], 0, 0.1);
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task CdnowHoldout_PredictionInterval_CoversWhatCustomersSpent(string engine)
    {
        var folder = CdnowFolder();
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);

        // The published 39-week holdout (273 days after 1997-09-30), undiscounted, as the reviewer's check ran it.
        var result = await h.RunFileAsync(Path.Combine(RepositoryFiles.Templates, "examples", "cdnow_ltv.yaml"),
            new Dictionary<string, string> { ["cdnow_file"] = Path.Combine(folder, "CDNOW_sample.txt"), ["horizon_days"] = "273", ["annual_discount_rate"] = "0" },
            allowedPaths: [folder]);

        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        var coverage = Coverage(await h.RowsAsync(CoverageSql.Replace("LTV", "cdnow_ltv", StringComparison.Ordinal).Replace("ORDERS", "cdnow_orders", StringComparison.Ordinal)
            .Replace("CALIBRATION", "1997-09-30", StringComparison.Ordinal).Replace("HOLDOUT", "1998-06-30", StringComparison.Ordinal)));
        TestContext.Current.TestOutputHelper?.WriteLine($"{engine}: prediction interval covers {coverage[1]:0.000} (repeat buyers {coverage[4]:0.000}, above it {coverage[2]:0.000}); clv_low..clv_high {coverage[3]:0.000}");
        Assert.Equal(2357, coverage[0]);
        Assert.InRange(coverage[1], 0.87, 0.96);
        Assert.InRange(coverage[4], 0.8, 0.96);
        Assert.InRange(coverage[3], 0, 0.1);
    }

    [Fact]
    public void Validate_InputLacksAmountColumn_PointsAtTheInput()
    {
        var result = new PipelineLoader(BuiltInComponents.CreateCatalog()).Load("""
            pipeline: p
            components:
              - { id: orders, type: source.csv, with: { path: o.csv, columns: { customer_id: BIGINT, ordered_at: TIMESTAMP, total: DOUBLE } } }
              - { id: ltv, type: analytics.ltv, inputs: [orders], with: { holdout_end: 2024-02-01 } }
            """, "p.yaml");

        Assert.Equal(
        [
            "p.yaml:4:63: error TRIB0105: component 'ltv' (analytics.ltv): holdout_end needs calibration_end: the holdout starts the day after it.",
        ], result.Diagnostics.Select(d => d.ToString()));

        var missing = new PipelineLoader(BuiltInComponents.CreateCatalog()).Load("""
            pipeline: p
            components:
              - { id: orders, type: source.csv, with: { path: o.csv, columns: { customer_id: BIGINT, ordered_at: VARCHAR, total: DOUBLE } } }
              - { id: ltv, type: analytics.ltv, inputs: [orders] }
            """, "p.yaml");
        Assert.Equal(
        [
            "p.yaml:4:46: error TRIB0204: column 'ordered_at' of input 'orders': expected DATE or TIMESTAMP, got TEXT. Set date_column to a DATE or TIMESTAMP column, or cast it upstream.",
            "p.yaml:4:46: error TRIB0204: input 'orders' has no column 'amount', which analytics.ltv needs. Set amount_column to a numeric column, or cast it upstream.",
        ], missing.Diagnostics.Select(d => d.ToString()));
    }
}
