using System.Globalization;
using Tributary.Engine.Runs;
using Tributary.Testing;

namespace Tributary.Components.Tests.Experiments;

public sealed class ExperimentMetricsTests(PostgresCluster postgres)
{
    // Four visitors; u1 has a pre-period redemption, one in the 14-day window and one after it; u4's only redemption is before the 28-day pre-period.
    private const string Pipeline = """
        pipeline: p
        components:
          - id: exposures
            type: transform.sql
            with:
              sql: |
                SELECT experiment, variant, visitor_id, CAST(t AS TIMESTAMP) AS first_exposed_at, country
                FROM (VALUES ('x', 'A', 'u1', '2025-01-10 12:00:00', 'DE'), ('x', 'A', 'u2', '2025-01-11 12:00:00', 'US'),
                             ('x', 'B', 'u3', '2025-01-10 12:00:00', 'DE'), ('x', 'B', 'u4', '2025-01-10 13:00:00', 'US')) v(experiment, variant, visitor_id, t, country)
          - id: metric_events
            type: transform.sql
            with:
              sql: |
                SELECT visitor_id, CAST(t AS TIMESTAMP) AS occurred_at, metric, CAST(value AS DOUBLE PRECISION) AS value
                FROM (VALUES ('u1', '2025-01-05 00:00:00', 'redemption', 5), ('u1', '2025-01-12 00:00:00', 'redemption', 10),
                             ('u1', '2025-01-30 00:00:00', 'redemption', 7), ('u1', '2025-01-11 00:00:00', 'view', 1),
                             ('u3', '2025-01-11 00:00:00', 'redemption', 3), ('u3', '2025-01-12 00:00:00', 'redemption', 4),
                             ('u3', '2025-01-11 00:00:00', 'view', 1), ('u3', '2025-01-13 00:00:00', 'view', 1),
                             ('u4', '2024-11-01 00:00:00', 'redemption', 9), ('zz', '2025-01-12 00:00:00', 'redemption', 50)) v(visitor_id, t, metric, value)
          - id: stats
            type: experiment.metrics
            inputs: [exposures, metric_events]
            with:
              window_days: 14
              pre_days: 28
              stratum_column: country
              metrics: { conversion: "conversion:redemption", revenue: "sum:redemption", views: "count:view", revenue_per_view: "ratio:redemption/view" }
          - id: results
            type: analytics.experiment
            inputs: [stats]
            with: { control: A, guardrails: { views: 0.1 } }
          - id: plan
            type: experiment.plan
            inputs: [stats]
          - id: decision
            type: decision.experiment
            inputs: [results]
            with: { primary_metric: conversion, min_units_per_variant: 100 }
        """;

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Metrics_HandData_SumsPostWindowAndPrePeriodPerUnit(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);

        var result = await h.RunAsync(Pipeline);

        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        var rows = (await h.RowsAsync("""
            SELECT variant, metric, kind, sum(units), sum(sum_y), sum(sum_y2), sum(sum_x), sum(sum_x2), sum(sum_xy)
            FROM stats GROUP BY variant, metric, kind ORDER BY variant, metric
            """)).Select(r => $"{r[0]} {r[1]} {r[2]}: " + string.Join(" ", r.Skip(3).Select(v => Convert.ToDouble(v, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture)))).ToList();
        Assert.Equal(
        [
            // A: u1 converts (pre 1), u2 has nothing; u1's revenue 10 (the 7 falls after the window), pre 5.
            "A conversion conversion: 2 1 1 1 1 1",
            "A revenue sum: 2 10 100 5 25 50",
            "A revenue_per_view ratio: 2 10 100 1 1 10",
            "A views count: 2 1 1 0 0 0",
            // B: u3 redeems 3 + 4 and views twice; u4's redemption is before the pre-period.
            "B conversion conversion: 2 1 1 0 0 0",
            "B revenue sum: 2 7 49 0 0 0",
            "B revenue_per_view ratio: 2 7 49 2 4 14",
            "B views count: 2 2 4 0 0 0",
        ], rows);
        // One row per stratum and exposure day: A's two visitors came on different days and countries.
        Assert.Equal(2L, Convert.ToInt64((await h.RowsAsync("SELECT count(*) FROM stats WHERE variant = 'A' AND metric = 'conversion'"))[0][0], CultureInfo.InvariantCulture));
        var results = await h.RowsAsync("SELECT metric, units_control, units_variant, srm_blocked, guardrail_status FROM results ORDER BY metric");
        Assert.Equal(["conversion", "revenue", "revenue_per_view", "views"], results.Select(r => (string)r[0]!));
        Assert.All(results, r => Assert.Equal((2L, 2L, false), (Convert.ToInt64(r[1], CultureInfo.InvariantCulture), Convert.ToInt64(r[2], CultureInfo.InvariantCulture), (bool)r[3]!)));
        Assert.Equal("A", (await h.RowsAsync("SELECT variant FROM results__srm ORDER BY variant"))[0][0]);
        var decision = Assert.Single(await h.RowsAsync("SELECT variant, decision, reasons FROM decision"));
        Assert.Equal(("B", "keep_running", "not enough units yet: 2 of 100 per variant"), ((string)decision[0]!, (string)decision[1]!, (string)decision[2]!));
        Assert.Equal(4, (await h.RowsAsync("SELECT * FROM plan")).Count);
        // The decision's own evidence (sequential by default) beside it, not only the fixed-horizon interval.
        var evidence = Assert.Single(await h.RowsAsync("""
            SELECT d.evidence, d.evidence_low = r.seq_low AND d.evidence_high = r.seq_high, d.rel_low = r.rel_low
            FROM decision d JOIN results r ON r.variant = d.variant AND r.metric = d.primary_metric
            """));
        Assert.Equal(("sequential", true, true), ((string)evidence[0]!, (bool)evidence[1]!, (bool)evidence[2]!));
    }

    // experiment.plan took a control that is no variant ('a' for 'A') and planned from an empty baseline: 0 units needed,
    // 'enough'. Both steps now refuse it the same way, on the first attempt (a parameter is not retried).
    [Theory]
    [InlineData("results", "with: { control: A, guardrails: { views: 0.1 } }", "with: { control: a, guardrails: { views: 0.1 } }")]
    [InlineData("plan", "inputs: [stats]\n  - id: decision", "inputs: [stats]\n    with: { control: a }\n  - id: decision")]
    public async Task Control_ThatIsNoVariant_IsRefusedNamingTheVariants(string step, string from, string to)
    {
        await using var h = await ComponentHarness.CreateAsync("duckdb", postgres);
        var yaml = Pipeline.Replace("pipeline: p\n", "pipeline: p\nretry: { max_retries: 2, delay: 1ms }\n", StringComparison.Ordinal);
        Assert.Contains(from, yaml, StringComparison.Ordinal);

        var result = await h.RunAsync(yaml.Replace(from, to, StringComparison.Ordinal));

        Assert.Equal(RunStatus.Failed, result.Status);
        var failed = Assert.Single(result.Steps, s => s.Status == StepStatus.Failed);
        Assert.Equal((step, 1), (failed.Asset, failed.Attempts));
        Assert.Contains("experiment 'x' has no variant 'a' (variants: A, B); set control to one of them.", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Metrics_NoWindowNoPrePeriod_CountsEveryLaterEventAndNoCovariate(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);

        var result = await h.RunAsync(Pipeline.Replace("window_days: 14", "window_days: 0", StringComparison.Ordinal).Replace("pre_days: 28", "pre_days: 0", StringComparison.Ordinal));

        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        var rows = (await h.RowsAsync("""
            SELECT variant, metric, sum(units), sum(sum_y), sum(sum_y2), sum(sum_x), sum(sum_x2), sum(sum_xy)
            FROM stats GROUP BY variant, metric ORDER BY variant, metric
            """)).Select(r => $"{r[0]} {r[1]}: " + string.Join(" ", r.Skip(2).Select(v => Convert.ToDouble(v, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture)))).ToList();
        Assert.Equal(
        [
            // u1's 7 on day 20 now counts (10 + 7); its pre-period 5 is no covariate; a ratio's x stays its denominator.
            "A conversion: 2 1 1 0 0 0",
            "A revenue: 2 17 289 0 0 0",
            "A revenue_per_view: 2 17 289 1 1 17",
            "A views: 2 1 1 0 0 0",
            "B conversion: 2 1 1 0 0 0",
            "B revenue: 2 7 49 0 0 0",
            "B revenue_per_view: 2 7 49 2 4 14",
            "B views: 2 2 4 0 0 0",
        ], rows);
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Metrics_RatioAndSecondCovariate_SumPreExposureNumeratorDenominatorAndCovariate(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        // u1 also viewed before exposure; revenue's second covariate is the pre-period view count.
        var pipeline = Pipeline
            .Replace("('u4', '2024-11-01 00:00:00', 'redemption', 9),", "('u4', '2024-11-01 00:00:00', 'redemption', 9), ('u1', '2025-01-08 00:00:00', 'view', 2),", StringComparison.Ordinal)
            .Replace("revenue_per_view: \"ratio:redemption/view\" }", "revenue_per_view: \"ratio:redemption/view\" }\n      covariates: { revenue: \"count:view\" }", StringComparison.Ordinal);

        var result = await h.RunAsync(pipeline);

        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        var rows = (await h.RowsAsync("""
            SELECT variant, metric, sum(sum_z), sum(sum_z2), sum(sum_yz), sum(sum_xz), sum(sum_w), sum(sum_w2), sum(sum_yw), sum(sum_xw), sum(sum_zw)
            FROM stats GROUP BY variant, metric ORDER BY variant, metric
            """)).Select(r => $"{r[0]} {r[1]}: " + string.Join(" ", r.Skip(2).Select(v => Convert.ToDouble(v, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture)))).ToList();
        Assert.Equal(
        [
            "A conversion: 0 0 0 0 0 0 0 0 0",
            // u1: revenue y 10, its pre-period revenue x 5, one pre-period view z.
            "A revenue: 1 1 10 5 0 0 0 0 0",
            // u1: y 10 (redemptions), x 1 (the view after exposure), z 5 (pre-period redemptions), w 2 (pre-period view value).
            "A revenue_per_view: 5 25 50 5 2 4 20 2 10",
            "A views: 0 0 0 0 0 0 0 0 0",
            // B has nothing before exposure (u4's redemption is before the pre-period).
            "B conversion: 0 0 0 0 0 0 0 0 0",
            "B revenue: 0 0 0 0 0 0 0 0 0",
            "B revenue_per_view: 0 0 0 0 0 0 0 0 0",
            "B views: 0 0 0 0 0 0 0 0 0",
        ], rows);
        Assert.Equal(4, (await h.RowsAsync("SELECT * FROM results")).Count);
    }

    // Ten visitors of A, each with a redemption of 0.1 in the window and one of 0.2 before exposure (B: one visitor, 0.3 and 0.4).
    // A statistics row as "variant metric v1 v2 ...", each sum in its shortest round-trip form: exact totals show as such.
    private static string Line(object?[] row) =>
        $"{row[0]} {row[1]} " + string.Join(" ", row.Skip(2).Select(v => Convert.ToDouble(v, CultureInfo.InvariantCulture).ToString("R", CultureInfo.InvariantCulture)));

    private static string CentsPipeline(string extraEvent) => $$"""
        pipeline: p
        components:
          - id: exposures
            type: transform.sql
            with:
              sql: |
                SELECT experiment, variant, visitor_id, CAST(t AS TIMESTAMP) AS first_exposed_at
                FROM (VALUES {{string.Join(", ", Enumerable.Range(1, 10).Select(i => $"('x', 'A', 'u{i}', '2025-01-10 12:00:00')"))}}, ('x', 'B', 'b1', '2025-01-10 12:00:00')) v(experiment, variant, visitor_id, t)
          - id: metric_events
            type: transform.sql
            with:
              sql: |
                SELECT visitor_id, CAST(t AS TIMESTAMP) AS occurred_at, metric, CAST(value AS DOUBLE PRECISION) AS value
                FROM (VALUES {{string.Join(", ", Enumerable.Range(1, 10).Select(i => $"('u{i}', '2025-01-12 00:00:00', 'redemption', 0.1), ('u{i}', '2025-01-05 00:00:00', 'redemption', 0.2)"))}},
                             ('b1', '2025-01-12 00:00:00', 'redemption', 0.3), ('b1', '2025-01-05 00:00:00', 'redemption', 0.4){{extraEvent}}) v(visitor_id, t, metric, value)
          - id: stats
            type: experiment.metrics
            inputs: [exposures, metric_events]
            with:
              window_days: 14
              pre_days: 28
              metrics: { revenue: "sum:redemption", revenue_per_view: "ratio:redemption/redemption" }
        """;

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Metrics_CentValues_LinearSumsAreTheDecimalTotals(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);

        var result = await h.RunAsync(CentsPipeline(""));

        // Each unit's sum is a whole number of 10^-10 and the units' sums add as integers, so ten units of 0.1 give 1 exactly;
        // summing the units' doubles in binary fixed point gave 1.0000000000002274 (0.1 is no binary fraction).
        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        var rows = await h.RowsAsync("SELECT variant, metric, sum_y, sum_x, sum_z, sum_w FROM stats ORDER BY variant, metric");
        Assert.Equal(
        [
            "A revenue 1 2 0 0",
            "A revenue_per_view 1 1 2 2",
            "B revenue 0.3 0.4 0 0",
            "B revenue_per_view 0.3 0.3 0.4 0.4",
        ], rows.Select(Line));
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Metrics_ValueBeyondTheFixedPoint_SumsInDecimals(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);

        // 2e9 · 10^10 is past BIGINT's 9.2e18: the per-unit sums fall back to the decimals instead of failing the run.
        var result = await h.RunAsync(CentsPipeline(", ('b1', '2025-01-13 00:00:00', 'redemption', 2000000000.5)"));

        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        var rows = await h.RowsAsync("SELECT variant, metric, sum_y, sum_x FROM stats WHERE variant = 'B' AND metric = 'revenue_per_view'");
        Assert.Equal(["B revenue_per_view 2000000000.8 2000000000.8"],
            rows.Select(Line));
    }
}
