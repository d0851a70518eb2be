using System.Diagnostics;
using System.Globalization;
using Tributary.Components.Features;
using Tributary.Components.Propensity;
using Tributary.Core.Components;
using Tributary.Core.Projects;
using Tributary.Core.Warehousing;
using Tributary.Warehouse.DuckDb;

namespace Tributary.Bench;

/// <summary>
/// propensity_marketing's analytics at scale (issue 19's bench): generates N customers' orders, sessions, email opens,
/// support tickets and a randomized past send inside DuckDB with SQL, then times features.customer_snapshot (now and 90
/// days back), analytics.propensity, analytics.uplift (all three learners are fitted; the X-learner scores) and
/// segment.propensity, each with the process's CPU seconds. TRIB_PROPENSITY_EXPORT=folder also writes the five input
/// tables as CSV for bench/peers/propensity.py (scikit-learn) and the holdout measures of ours beside them.
/// </summary>
/// <remarks>
/// The generated store: a customer is alive from a first day for an exponential lifetime (mean 300 days) and orders at a
/// constant rate while alive (the order count is the rate times the active days, the dates uniform in between: a Poisson
/// process given its count); most orders have a session in the three days before them, and there are as many browsing
/// sessions again; 60% subscribe and open emails while alive; 15% open a ticket. The send 90 days before the snapshot treats
/// half the customers at random: treated persuadables (half the subscribers who order less than once in 100 days) add an
/// order in the 30 days after it with probability 0.35; treated do-not-disturb customers (half the non-subscribers who
/// order more than once in 67 days) lose their orders in those 30 days with probability 0.7. Both are visible in the
/// features (frequency, email opens), so uplift models have something to learn.
/// </remarks>
internal static class PropensityBench
{
    public static async Task RunAsync(int customers, string output)
    {
        var work = Path.Combine(Path.GetTempPath(), "trib-bench-propensity-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(work);
        try
        {
            await using var wh = await DuckDbWarehouse.OpenAsync(Path.Combine(work, "w.duckdb"), CancellationToken.None);
            // A 1GB limit (the warehouse's default until stop 18; 900MB since) made 1M customers' snapshot spill to disk (84 s wall, 26 CPU s); a bound still keeps the run off the machine's RAM.
            await wh.ExecuteAsync($"SET memory_limit = {wh.Dialect.Literal(Environment.GetEnvironmentVariable("PROPENSITY_MEMORY_LIMIT") ?? "4GB")}", null, CancellationToken.None);
            var watch = Stopwatch.StartNew();
            await GenerateAsync(wh, customers);
            Console.Error.WriteLine($"generated {customers:N0} customers' activity in {watch.Elapsed.TotalSeconds:0.0}s: " +
                $"{await CountAsync(wh, "customer_orders"):N0} orders, {await CountAsync(wh, "customer_sessions"):N0} sessions, " +
                $"{await CountAsync(wh, "customer_email_opens"):N0} opens, {await CountAsync(wh, "customer_tickets"):N0} tickets");
            if (Environment.GetEnvironmentVariable("TRIB_PROPENSITY_EXPORT") is { Length: > 0 } export)
            {
                Directory.CreateDirectory(export);
                foreach (var table in new[] { "customer_orders", "customer_sessions", "customer_email_opens", "customer_tickets", "campaign_sends" })
                    await wh.ExportAsync($"SELECT * FROM {table}", null, Path.Combine(export, table + ".csv"), FileFormat.Csv, CancellationToken.None);
            }

            var total = Process.GetCurrentProcess().TotalProcessorTime;
            var wall = Stopwatch.StartNew();
            await StepAsync(wh, work, "customer_snapshot", new CustomerSnapshot(), new CustomerSnapshotParameters
            {
                Tables = new Dictionary<string, string> { ["orders"] = "customer_orders", ["sessions"] = "customer_sessions", ["emails"] = "customer_email_opens", ["tickets"] = "customer_tickets" },
                AsOf = "2025-01-01", PastSnapshotsDays = [90],
            }, ["customer_orders", "customer_sessions", "customer_email_opens", "customer_tickets"]);
            await StepAsync(wh, work, "propensity_scores", new PropensityPrediction(), new PropensityParameters(), ["customer_snapshot", "customer_orders"]);
            await StepAsync(wh, work, "uplift_scores", new UpliftModelling(), new UpliftParameters { WindowDays = 30 }, ["customer_snapshot", "customer_orders", "campaign_sends"]);
            await StepAsync(wh, work, "propensity_deciles", new PropensitySegments(), new PropensitySegmentsParameters(), ["propensity_scores"]);
            var cpu = (Process.GetCurrentProcess().TotalProcessorTime - total).TotalSeconds;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"customers={customers} analytics_seconds={wall.Elapsed.TotalSeconds:0.0} analytics_cpu_seconds={cpu:0.0}"));

            var metrics = await wh.QueryAsync("""
                SELECT model, metric, value FROM "propensity_scores__metrics" WHERE metric IN ('auc', 'pr_auc', 'brier', 'ece') ORDER BY model, metric
                """, null, 100, CancellationToken.None);
            foreach (var r in metrics.Rows) Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  propensity {r[0]} {r[1]} = {Convert.ToDouble(r[2], CultureInfo.InvariantCulture):0.0000}"));
            var qini = await wh.QueryAsync("""
                SELECT learner, metric, value FROM "uplift_scores__metrics" WHERE metric IN ('qini', 'auuc') ORDER BY learner, metric
                """, null, 100, CancellationToken.None);
            foreach (var r in qini.Rows) Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  uplift {r[0]} {r[1]} = {Convert.ToDouble(r[2], CultureInfo.InvariantCulture):0.00000}"));
            Directory.CreateDirectory(output);
            await wh.ExportAsync("SELECT * FROM \"propensity_scores__metrics\"", null, Path.Combine(output, "propensity_metrics.csv"), FileFormat.Csv, CancellationToken.None);
            await wh.ExportAsync("SELECT * FROM \"uplift_scores__metrics\"", null, Path.Combine(output, "uplift_metrics.csv"), FileFormat.Csv, CancellationToken.None);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static async Task StepAsync<TParameters>(DuckDbWarehouse wh, string work, string asset, IComponent<TParameters> component, TParameters parameters, IReadOnlyList<string> inputs)
        where TParameters : class
    {
        var planned = new List<PlannedInput>();
        foreach (var input in inputs) planned.Add(new PlannedInput(input, await wh.DescribeTableAsync(input, CancellationToken.None)));
        var plan = component.Plan(parameters, new PlanContext(asset, planned));
        var context = new ComponentContext
        {
            Asset = asset, Inputs = inputs, Warehouse = wh, Paths = new ProjectPaths(work), RunId = "bench", Time = TimeProvider.System,
            Log = m => Console.Error.WriteLine($"  {asset}: {m}"), Outputs = plan.OutputsOf(asset),
        };
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        await component.MaterializeAsync(parameters, context, CancellationToken.None);
        var (seconds, cpuSeconds) = (watch.Elapsed.TotalSeconds, (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds);
        var rows = await CountAsync(wh, asset);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {asset,-20} {seconds,7:0.0}s wall {cpuSeconds,7:0.0}s cpu  {rows,10:N0} rows"));
    }

    private static async Task<long> CountAsync(DuckDbWarehouse wh, string table) =>
        Convert.ToInt64(await wh.ScalarAsync($"SELECT count(*) FROM \"{table}\"", null, CancellationToken.None), CultureInfo.InvariantCulture);

    // Uniform numbers in [0, 1) from a hash of the row's keys: the same data for the same N whatever DuckDB's thread count.
    private static string U(string key, int salt) => $"(hash({key}, {salt}) % 1000003) / 1000003.0";

    // Days are numbers (days since 1970-01-01, fractional) until they become timestamps.
    private static string Ts(string days) => $"TIMESTAMP '1970-01-01' + to_seconds(CAST(({days}) * 86400 AS BIGINT))";

    private static async Task GenerateAsync(DuckDbWarehouse wh, int customers)
    {
        async Task Sql(string sql) => await wh.ExecuteAsync(sql, null, CancellationToken.None);
        const string asOf = "(DATE '2025-01-01' - DATE '1970-01-01')";
        const string send = "(DATE '2024-10-03' - DATE '1970-01-01')";
        await Sql($"""
            CREATE TABLE people AS
            SELECT c, 'c' || c AS customer_id, first_day, least(first_day + -ln(1 - {U("c", 3)}) * 300, {asOf}) AS end_day, rate,
                   {U("c", 7)} < 0.5 AS treated, subscribed,
                   CASE WHEN subscribed AND rate < 0.01 AND {U("c", 8)} < 0.5 THEN 0 WHEN NOT subscribed AND rate > 0.015 AND {U("c", 8)} < 0.5 THEN 1 ELSE 2 END AS kind
            FROM (SELECT c, {asOf} - 730 + floor({U("c", 1)} * 700) AS first_day, 0.002 + 0.03 * pow({U("c", 2)}, 2) AS rate, {U("c", 9)} < 0.6 AS subscribed
                  FROM range({customers}) t(c))
            """);
        // Orders: a Poisson count given the active days (rounded at a uniform), dates uniform in the active span, the first
        // on the first day; do-not-disturb customers who were sent lose window orders, persuadables who were sent add one.
        await Sql($"""
            CREATE TABLE customer_orders AS
            SELECT customer_id, 'o' || c || '-' || k AS order_id, {Ts("day")} AS ordered_at, round(20 + 80 * pow({U("c, k", 12)}, 2), 2) AS amount,
                   CASE WHEN {U("c, k", 13)} < 0.2 THEN round(0.1 * (20 + 80 * pow({U("c, k", 12)}, 2)), 2) ELSE 0 END AS discount,
                   CASE WHEN {U("c, k", 14)} < 0.04 THEN round(20 + 80 * pow({U("c, k", 12)}, 2), 2) ELSE 0 END AS refunded
            FROM (SELECT c, customer_id, k, treated, kind, CASE WHEN k = 0 THEN first_day + 0.4 ELSE first_day + {U("c, k", 11)} * (end_day - first_day) END AS day
                  FROM (SELECT *, unnest(range(1 + CAST(floor(rate * (end_day - first_day) + {U("c", 10)}) AS INTEGER))) AS k FROM people))
            WHERE NOT (treated AND kind = 1 AND day >= {send} AND day < {send} + 30 AND {U("c, k", 15)} < 0.7)
            UNION ALL
            SELECT customer_id, 'x' || c, {Ts($"{send} + {U("c", 16)} * 30")}, 25, 0, 0
            FROM people WHERE treated AND kind = 0 AND first_day <= {send} AND end_day > {send} AND {U("c", 17)} < 0.35
            """);
        await Sql($"""
            CREATE TABLE customer_sessions AS
            SELECT customer_id, ordered_at - to_seconds(CAST({U("order_id", 20)} * 3 * 86400 AS BIGINT)) AS started_at,
                   ['email', 'organic', 'paid', 'direct'][1 + CAST(hash(order_id, 21) % 4 AS INTEGER)] AS channel
            FROM customer_orders WHERE {U("order_id", 22)} < 0.7
            UNION ALL
            SELECT customer_id, {Ts($"first_day + {U("c, k", 23)} * (end_day - first_day)")}, ['email', 'organic', 'paid', 'direct'][1 + CAST(hash(c, k, 24) % 4 AS INTEGER)]
            FROM (SELECT *, unnest(range(CAST(floor(rate * (end_day - first_day) + {U("c", 25)}) AS INTEGER))) AS k FROM people)
            """);
        await Sql($"""
            CREATE TABLE customer_email_opens AS
            SELECT customer_id, {Ts($"first_day + {U("c, k", 26)} * (end_day - first_day)")} AS occurred_at
            FROM (SELECT *, unnest(range(CAST(floor(0.02 * (end_day - first_day) + {U("c", 27)}) AS INTEGER))) AS k FROM people WHERE subscribed)
            """);
        await Sql($"""
            CREATE TABLE customer_tickets AS
            SELECT customer_id, created_at, CASE WHEN {U("c", 29)} < 0.8 THEN created_at + INTERVAL 20 HOUR END AS solved_at,
                   CASE WHEN {U("c", 29)} >= 0.8 THEN NULL WHEN {U("c", 30)} < 0.8 THEN 'good' ELSE 'bad' END AS satisfaction
            FROM (SELECT c, customer_id, {Ts($"first_day + {U("c", 28)} * (end_day - first_day)")} AS created_at FROM people WHERE {U("c", 31)} < 0.15)
            """);
        await Sql($"""
            CREATE TABLE campaign_sends AS
            SELECT customer_id, treated, CAST(DATE '2024-10-03' AS TIMESTAMP) AS sent_at FROM people WHERE first_day <= {send}
            """);
        await Sql("DROP TABLE people");
        await Sql("CHECKPOINT");
    }
}
