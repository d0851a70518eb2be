using System.Globalization;
using Tributary.Analytics.Experiments;
using Tributary.Engine.Runs;
using Tributary.Testing;

namespace Tributary.Components.Tests.Experiments;

public sealed class ExperimentAnalysisTests(PostgresCluster postgres)
{
    // Hand statistics, as experiment.metrics writes them (no z, w). revenue's units (x = pre-period, y = after exposure):
    // A (0,1) (1,2) on day 1, (2,3) (3,6) on day 2; B (2,3) (3,5) (4,6) (5,8). B's visitors spent more before exposure.
    private const string Statistics = """
          - id: stats
            type: transform.sql
            with:
              sql: |
                SELECT experiment, variant, metric, kind, stratum, CAST(d AS DATE) AS exposure_day, CAST(n AS BIGINT) AS units,
                       CAST(y AS DOUBLE PRECISION) AS sum_y, CAST(y2 AS DOUBLE PRECISION) AS sum_y2, CAST(x AS DOUBLE PRECISION) AS sum_x,
                       CAST(x2 AS DOUBLE PRECISION) AS sum_x2, CAST(xy AS DOUBLE PRECISION) AS sum_xy,
                       CAST(0 AS DOUBLE PRECISION) AS sum_z, CAST(0 AS DOUBLE PRECISION) AS sum_z2, CAST(0 AS DOUBLE PRECISION) AS sum_yz,
                       CAST(0 AS DOUBLE PRECISION) AS sum_xz, CAST(0 AS DOUBLE PRECISION) AS sum_w, CAST(0 AS DOUBLE PRECISION) AS sum_w2,
                       CAST(0 AS DOUBLE PRECISION) AS sum_yw, CAST(0 AS DOUBLE PRECISION) AS sum_xw, CAST(0 AS DOUBLE PRECISION) AS sum_zw
                FROM (VALUES
                  ('x', 'A', 'revenue', 'sum', '', '2025-01-10', 2, 3, 5, 1, 1, 2),
                  ('x', 'A', 'revenue', 'sum', '', '2025-01-11', 2, 9, 45, 5, 13, 24),
                  ('x', 'B', 'revenue', 'sum', '', '2025-01-10', 4, 22, 134, 14, 54, 85),
                  ('x', 'A', 'revenue_per_view', 'ratio', '', '2025-01-10', 4, 12, 50, 6, 14, 26),
                  ('x', 'B', 'revenue_per_view', 'ratio', '', '2025-01-10', 4, 22, 134, 14, 54, 85),
                  ('y', 'A', 'conversion', 'conversion', '', '2025-01-10', 1000, 290, 290, 0, 0, 0),
                  ('y', 'B', 'conversion', 'conversion', '', '2025-01-10', 1000, 345, 345, 0, 0, 0),
                  ('y', 'A', 'revenue', 'sum', '', '2025-01-10', 1000, 11500, 531850, 0, 0, 0),
                  ('y', 'B', 'revenue', 'sum', '', '2025-01-10', 1000, 14000, 645550, 0, 0, 0),
                  ('y', 'A', 'revenue_per_view', 'ratio', '', '2025-01-10', 1000, 11500, 531850, 3000, 11997, 44490),
                  ('y', 'B', 'revenue_per_view', 'ratio', '', '2025-01-10', 1000, 14000, 645550, 2980, 11877.4, 51710),
                  ('y', 'A', 'views', 'count', '', '2025-01-10', 1000, 3000, 11997, 0, 0, 0),
                  ('y', 'B', 'views', 'count', '', '2025-01-10', 1000, 2980, 11877.4, 0, 0, 0)
                ) v(experiment, variant, metric, kind, stratum, d, n, y, y2, x, x2, xy)
        """;

    private static string Pipeline(string with) => $"""
        pipeline: p
        components:
        {Statistics}
          - id: results
            type: analytics.experiment
            inputs: [stats]
            with: {with}
          - id: decision
            type: decision.experiment
            inputs: [results]
            with: {"{"} primary_metric: revenue, min_units_per_variant: 2 {"}"}
        """;

    // The table showed the CUPED-adjusted means as "each arm's conversion rate"; a reader recomputing them from the raw data
    // found other numbers. The observed means are what the data say; the adjusted ones are what the lift compares.
    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Analysis_CovariateImbalance_ReportsObservedMeansBesideAdjustedOnes(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);

        var result = await h.RunAsync(Pipeline("{ control: A }"));

        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        var rows = (await h.RowsAsync("""
            SELECT metric, units_control, units_variant, observed_control, observed_variant, mean_control, mean_variant, abs_lift
            FROM results WHERE experiment = 'x' ORDER BY metric
            """)).ToDictionary(r => (string)r[0]!, r => r.Skip(1).Select(v => Convert.ToDouble(v, CultureInfo.InvariantCulture)).ToArray());
        // Observed: A's revenue (1 + 2 + 3 + 6)/4 = 3, B's (3 + 5 + 6 + 8)/4 = 5.5; the ratio Σy/Σx, 12/6 and 22/14.
        Assert.Equal([4, 4, 3, 5.5], rows["revenue"][..4]);
        Assert.Equal(2, rows["revenue_per_view"][2], 12);
        Assert.Equal(22.0 / 14, rows["revenue_per_view"][3], 12);
        // CUPED: θ = (8 + 8)/(5 + 5) = 1.6 pooled within arms, x̄ = 2.5: A 3 − 1.6·(1.5 − 2.5) = 4.6, B 5.5 − 1.6·(3.5 − 2.5) = 3.9.
        Assert.Equal(4.6, rows["revenue"][4], 12);
        Assert.Equal(3.9, rows["revenue"][5], 12);
        Assert.Equal(-0.7, rows["revenue"][6], 12);
        // The decision carries the primary metric's observed values and units, beside its adjusted lift.
        var decision = Assert.Single(await h.RowsAsync(
            "SELECT units_control, units_variant, observed_control, observed_variant, rel_lift FROM decision WHERE experiment = 'x'"));
        Assert.Equal([4, 4, 3, 5.5], decision[..4].Select(v => Convert.ToDouble(v, CultureInfo.InvariantCulture)));
        Assert.Equal(3.9 / 4.6 - 1, Convert.ToDouble(decision[4], CultureInfo.InvariantCulture), 12);
    }

    // Holm over every metric multiplied the primary metric's p by four (conversion with a guardrail and two secondary
    // metrics), so an interval that excluded 0 read "not significant". Each role is now its own family.
    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Correction_PrimarySecondaryAndGuardrail_IsWithinEachRolesFamily(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);

        var result = await h.RunAsync(Pipeline("{ control: A, metric_roles: { conversion: primary }, guardrails: { views: 0.05 } }"));

        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        var rows = (await h.RowsAsync("SELECT metric, role, p_value, p_adjusted, p_holm, p_bh, significant FROM results WHERE experiment = 'y' ORDER BY metric"))
            .ToDictionary(r => (string)r[0]!, r => (Role: (string)r[1]!, P: Convert.ToDouble(r[2], CultureInfo.InvariantCulture),
                Adjusted: Convert.ToDouble(r[3], CultureInfo.InvariantCulture), Holm: Convert.ToDouble(r[4], CultureInfo.InvariantCulture),
                Bh: Convert.ToDouble(r[5], CultureInfo.InvariantCulture), Significant: (bool)r[6]!));
        Assert.Equal(("primary", "secondary", "secondary", "guardrail"),
            (rows["conversion"].Role, rows["revenue"].Role, rows["revenue_per_view"].Role, rows["views"].Role));
        // The primary metric is a family of one (one variant): its p is not multiplied by the other metrics' count.
        var conversion = rows["conversion"];
        Assert.InRange(conversion.P, 0.005, 0.05);
        Assert.Equal((conversion.P, conversion.P, conversion.P, true), (conversion.Adjusted, conversion.Holm, conversion.Bh, conversion.Significant));
        Assert.Equal(rows["views"].P, rows["views"].Adjusted);
        // The secondary metrics are corrected together, as a family of two.
        var (low, high) = rows["revenue"].P <= rows["revenue_per_view"].P ? (rows["revenue"], rows["revenue_per_view"]) : (rows["revenue_per_view"], rows["revenue"]);
        Assert.Equal(Math.Min(1, 2 * low.P), low.Holm, 12);
        Assert.Equal(Math.Max(Math.Min(1, 2 * low.P), high.P), high.Holm, 12);
    }

    [Fact]
    public async Task Correction_NoRolesDeclared_CorrectsEveryNonGuardrailMetricTogether()
    {
        await using var h = await ComponentHarness.CreateAsync("duckdb", postgres);

        var result = await h.RunAsync(Pipeline("{ control: A, guardrails: { views: 0.05 } }"));

        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        var rows = await h.RowsAsync("SELECT metric, role, p_value, p_holm FROM results WHERE experiment = 'y' ORDER BY metric");
        Assert.Equal(["secondary", "secondary", "secondary", "guardrail"], rows.Select(r => (string)r[1]!));
        var secondary = rows.Take(3).Select(r => Convert.ToDouble(r[2], CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(MultipleComparisons.Holm(secondary), rows.Take(3).Select(r => Convert.ToDouble(r[3], CultureInfo.InvariantCulture)));
        Assert.Equal(rows[3][2], rows[3][3]);
    }
}
