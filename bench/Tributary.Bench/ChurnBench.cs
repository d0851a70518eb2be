using System.Diagnostics;
using System.Globalization;
using Tributary.Components.Churn;
using Tributary.Components.Features;
using Tributary.Core.Components;
using Tributary.Core.Projects;
using Tributary.Core.Warehousing;
using Tributary.Warehouse.DuckDb;

namespace Tributary.Bench;

/// <summary>
/// features.customer_snapshot and analytics.churn at scale: generates a store's customer 360 (orders, sessions, email
/// opens, support tickets) for <c>customers</c> profiles inside DuckDB with SQL (hash-based randomness, no file), then times
/// the snapshot (now and label_days before) and the churn model (training, calibration, holdout measures, scoring), each
/// with its wall and CPU seconds (this process, DuckDB's threads included). Each customer orders irregularly, on average
/// every 10–120 days, from a first day until an exponentially distributed end of life; sessions and newsletter opens fade
/// in the 30–60 days before that end, and some leave after a support ticket, so behaviour tells something purchase
/// timing does not.
/// TRIB_CHURN_EXPORT=1 writes the snapshot with the training labels as features.csv (untimed) for bench/peers/churn.py.
/// </summary>
internal static class ChurnBench
{
    private const string Start = "2024-01-01";
    private const int Days = 731;
    private const int LabelDays = 90;

    public static async Task RunAsync(int customers, string output)
    {
        Directory.CreateDirectory(output);
        var work = Path.Combine(output, "work-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(work);
        try
        {
            await using var wh = await DuckDbWarehouse.OpenAsync(Path.Combine(work, "w.duckdb"), CancellationToken.None);
            // A 1GB limit (the warehouse's default until stop 18; 900MB since) made 1M customers' snapshot spill to disk (84 s wall, 26 CPU s); a bound still keeps the run off the machine's RAM.
            await wh.ExecuteAsync($"SET memory_limit = {wh.Dialect.Literal(Environment.GetEnvironmentVariable("CHURN_MEMORY_LIMIT") ?? "4GB")}", null, CancellationToken.None);
            var watch = Stopwatch.StartNew();
            await GenerateAsync(wh, customers);
            var counts = await wh.QueryAsync("""
                SELECT (SELECT count(*) FROM customer_orders), (SELECT count(*) FROM customer_sessions), (SELECT count(*) FROM customer_email_opens), (SELECT count(*) FROM customer_tickets)
                """, null, 1, CancellationToken.None);
            Console.Error.WriteLine($"{customers:N0} customers: {counts.Rows[0][0]:N0} orders, {counts.Rows[0][1]:N0} sessions, {counts.Rows[0][2]:N0} email opens, {counts.Rows[0][3]:N0} tickets generated in {watch.Elapsed.TotalSeconds:0.0}s");

            var asOf = DateOnly.ParseExact(Start, "yyyy-MM-dd", CultureInfo.InvariantCulture).AddDays(Days);
            var snapshot = new CustomerSnapshotParameters
            {
                Tables = new Dictionary<string, string> { ["orders"] = "customer_orders", ["sessions"] = "customer_sessions", ["emails"] = "customer_email_opens", ["tickets"] = "customer_tickets" },
                AsOf = CustomerSnapshot.Iso(asOf), PastSnapshotsDays = [LabelDays],
            };
            var (featureSeconds, featureCpu) = await TimedAsync(() => new CustomerSnapshot().MaterializeAsync(snapshot,
                Context(wh, work, "customer_snapshot", ["customer_orders", "customer_sessions", "customer_email_opens", "customer_tickets"]), CancellationToken.None));

            var churn = new ChurnParameters { LabelDays = LabelDays };
            var component = new ChurnPrediction();
            var plan = component.Plan(churn, new PlanContext("churn_scores", []));
            var context = Context(wh, work, "churn_scores", ["customer_snapshot", "customer_orders"]) with { Outputs = plan.OutputsOf("churn_scores") };
            var (modelSeconds, modelCpu) = await TimedAsync(() => component.MaterializeAsync(churn, context, CancellationToken.None));

            var auc = await wh.QueryAsync("SELECT model, value FROM churn_scores__metrics WHERE metric = 'auc' ORDER BY model", null, 10, CancellationToken.None);
            var scored = Convert.ToInt64(await wh.ScalarAsync("SELECT count(*) FROM churn_scores", null, CancellationToken.None), CultureInfo.InvariantCulture);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"customers={customers} scored={scored} features_seconds={featureSeconds:0.000} features_cpu_seconds={featureCpu:0.000} model_seconds={modelSeconds:0.000} model_cpu_seconds={modelCpu:0.000} total_seconds={featureSeconds + modelSeconds:0.000} total_cpu_seconds={featureCpu + modelCpu:0.000}"));
            foreach (var r in auc.Rows) Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"auc_{r[0]}={Convert.ToDouble(r[1], CultureInfo.InvariantCulture):0.0000}"));

            if (Environment.GetEnvironmentVariable("TRIB_CHURN_EXPORT") == "1")
            {
                var train = asOf.AddDays(-LabelDays);
                await wh.ExportAsync($"""
                    SELECT s.*, CASE WHEN s.as_of = DATE '{CustomerSnapshot.Iso(train)}' THEN a.customer_id IS NULL END AS churned
                    FROM customer_snapshot s
                    LEFT JOIN (SELECT DISTINCT customer_id FROM customer_orders
                               WHERE ordered_at >= TIMESTAMP '{CustomerSnapshot.Iso(train)}' AND ordered_at < TIMESTAMP '{CustomerSnapshot.Iso(asOf)}') a ON a.customer_id = s.customer_id
                    """, null, Path.Combine(output, "features.csv"), FileFormat.Csv, CancellationToken.None);
            }
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static async Task<(double Seconds, double Cpu)> TimedAsync(Func<Task<Materialization>> step)
    {
        var watch = Stopwatch.StartNew();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        await step();
        return (watch.Elapsed.TotalSeconds, (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds);
    }

    // Days are counted from Start; a customer's life ends at first_day + life (exponential, mean 300 days), after which
    // they no longer order and visit less. Orders are irregular (every gap/2 days plus a jitter up to gap, each kept with
    // probability ½) and the behaviour before the end fades only partly, so the churn label is hard to call: with regular
    // orders and strong fading both ours and the peer reached an AUC of 0.99, which measures nothing. r(k) is a uniform in [0, 1) from a hash, so the data is the same every run.
    private static async Task GenerateAsync(DuckDbWarehouse wh, int customers)
    {
        static string R(string key) => $"(hash({key}) % 1000000 / 1000000.0)";
        var n = customers.ToString(CultureInfo.InvariantCulture);
        string At(string day, string key) => $"TIMESTAMP '{Start}' + to_seconds(CAST(({day}) * 86400 + hash({key}) % 86400 AS BIGINT))";
        await wh.ExecuteAsync($"""
            CREATE TABLE people AS
            SELECT c, 'c' || c AS customer_id, CAST(hash(c * 3 + 1) % 600 AS INTEGER) AS first_day, CAST(10 + hash(c * 5 + 2) % 110 AS INTEGER) AS gap,
                   CAST(-ln(1 - {R("c * 7 + 3")}) * 300 AS INTEGER) AS life, 0.1 + 0.4 * {R("c * 11 + 4")} AS open_p, {R("c * 19 + 5")} AS trouble
            FROM range({n}) t(c)
            """, null, CancellationToken.None);
        await wh.ExecuteAsync($"""
            CREATE TABLE customer_orders AS
            SELECT customer_id, {At("day", "c * 1000 + k")} AS ordered_at, amount, CASE WHEN hash(c * 31 + k) % 5 = 0 THEN 5.0 ELSE 0.0 END AS discount,
                   CASE WHEN hash(c * 37 + k) % 25 = 0 THEN amount ELSE 0.0 END AS refunded
            FROM (SELECT c, customer_id, k, first_day + CAST(k * gap / 2.0 + {R("c * 13 + k")} * gap AS INTEGER) AS day, first_day + life AS end_day,
                         round(20 + 80 * {R("c * 17 + k")}, 2) AS amount
                  FROM people, range(80) r(k))
            WHERE (day < least(end_day, {Days}) AND {R("c * 71 + k")} < 0.5) OR k = 0
            """, null, CancellationToken.None);
        // Sessions every gap/3 days or so, down to 60% in the 30 days before the end of life and 30% after it
        // (a lapsed customer still browses now and then).
        await wh.ExecuteAsync($"""
            CREATE TABLE customer_sessions AS
            SELECT customer_id, {At("day", "c * 2000 + k")} AS started_at, ['direct', 'email', 'organic_search', 'paid_search'][1 + CAST(hash(c * 41 + k) % 4 AS INTEGER)] AS channel
            FROM (SELECT c, customer_id, k, first_day + CAST(k * gap / 3.0 + {R("c * 43 + k")} * 3 AS INTEGER) AS day, first_day + life AS end_day FROM people, range(60) r(k))
            WHERE day < {Days} AND {R("c * 47 + k")} < CASE WHEN day < end_day - 30 THEN 1 WHEN day < end_day THEN 0.6 ELSE 0.3 END
            """, null, CancellationToken.None);
        // A weekly newsletter opened with the customer's own probability, falling to 60% of it in the 60 days before the end of life and 30% after.
        await wh.ExecuteAsync($"""
            CREATE TABLE customer_email_opens AS
            SELECT customer_id, {At("day", "c * 3000 + k")} AS occurred_at
            FROM (SELECT c, customer_id, k, first_day + 7 * k AS day, first_day + life AS end_day, open_p FROM people, range(105) r(k))
            WHERE day < {Days} AND {R("c * 53 + k")} < open_p * CASE WHEN day < end_day - 60 THEN 1 WHEN day < end_day THEN 0.6 ELSE 0.3 END
            """, null, CancellationToken.None);
        // Support trouble: 15% of lives end after a ticket (left open or rated bad); 10% of customers have one at a random time.
        await wh.ExecuteAsync($"""
            CREATE TABLE customer_tickets AS
            SELECT customer_id, {At("day", "c * 4000")} AS created_at,
                   CASE WHEN hash(c * 59) % 5 < 3 THEN NULL ELSE {At("day + 5", "c * 4001")} END AS solved_at,
                   CASE WHEN hash(c * 59) % 5 < 3 THEN NULL ELSE 'bad' END AS satisfaction
            FROM (SELECT c, customer_id, CASE WHEN trouble < 0.15 THEN first_day + life - 3 - CAST(37 * {R("c * 61")} AS INTEGER)
                                              ELSE first_day + CAST({R("c * 67")} * ({Days} - first_day) AS INTEGER) END AS day, trouble
                  FROM people WHERE trouble < 0.25)
            WHERE day < {Days} AND day >= 0
            """, null, CancellationToken.None);
        await wh.ExecuteAsync("DROP TABLE people", null, CancellationToken.None);
        await wh.ExecuteAsync("CHECKPOINT", null, CancellationToken.None);
    }

    private static ComponentContext Context(DuckDbWarehouse wh, string work, string asset, IReadOnlyList<string> inputs) => new()
    {
        Asset = asset, Inputs = inputs, Warehouse = wh, Paths = new ProjectPaths(work), RunId = "bench", Time = TimeProvider.System, Log = m => Console.Error.WriteLine($"  {asset}: {m}"),
    };
}
