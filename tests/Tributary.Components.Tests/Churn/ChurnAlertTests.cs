using System.Globalization;
using Tributary.Engine.Runs;
using Tributary.Testing;

namespace Tributary.Components.Tests.Churn;

public sealed class ChurnAlertTests(PostgresCluster postgres)
{
    private static string Pipeline(string playbook = "") => $$"""
        pipeline: p
        components:
          - { id: scores, type: source.csv, with: { path: scores.csv, columns: { customer_id: VARCHAR, as_of: DATE, churn_probability: DOUBLE, value_at_risk: DOUBLE, risk_band: VARCHAR, reason_code: VARCHAR, reason: VARCHAR } } }
          - { id: alerts, type: alert.churn, inputs: [scores], with: { threshold: 0.5, budget: 2, cooldown_days: 30{{playbook}} } }
        """;

    private static void Scores(ComponentHarness h, string asOf) => File.WriteAllLines(Path.Combine(h.Temp.Path, "scores.csv"),
    [
        "customer_id,as_of,churn_probability,value_at_risk,risk_band,reason_code,reason",
        $"x1,{asOf},0.9,100,high,support_issue,support ticket unsolved for 20 days",
        $"x2,{asOf},0.8,300,high,recency,\"no order in 94 days, usually every 31\"",
        $"x3,{asOf},0.7,,high,,",
        $"x4,{asOf},0.4,900,medium,recency,no order in 50 days",
    ]);

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Alerts_OverRunsOnLaterDays_RespectBudgetCooldownAndKeepHistory(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);

        Scores(h, "2025-07-01");
        Assert.True((await h.RunAsync(Pipeline())).Status == RunStatus.Succeeded);
        // Budget 2 by value at risk: x2 then x1; x4 is below the threshold.
        Assert.Equal(["x2:winback_offer", "x1:support_callback"], await AlertsAsync(h));

        Scores(h, "2025-07-15");
        Assert.True((await h.RunAsync(Pipeline())).Status == RunStatus.Succeeded);
        Assert.Equal(["x3:personal_check_in"], await AlertsAsync(h)); // x1, x2 cooling down; no reason gets a personal check-in

        // The same day again gives the same alerts, not an empty list.
        Assert.True((await h.RunAsync(Pipeline())).Status == RunStatus.Succeeded);
        Assert.Equal(["x3:personal_check_in"], await AlertsAsync(h));

        Scores(h, "2025-08-05");
        var result = await h.RunAsync(Pipeline(", playbook: { recency: call_them }"));
        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        Assert.Equal(["x2:call_them", "x1:support_callback"], await AlertsAsync(h)); // 35 days since 07-01; x3 (07-15) still cooling
        var history = (await h.RowsAsync("SELECT customer_id, alerted_on FROM alerts__history ORDER BY alerted_on, customer_id"))
            .Select(r => $"{r[0]}@{Convert.ToDateTime(r[1] is DateOnly d ? d.ToDateTime(TimeOnly.MinValue) : r[1], CultureInfo.InvariantCulture):MM-dd}").ToList();
        Assert.Equal(["x1@07-01", "x2@07-01", "x3@07-15", "x1@08-05", "x2@08-05"], history);
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Alerts_ByDefault_TakeTheHighBandWhateverTheProbability(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        // Most customers churn here: a 0.85 is only medium risk by rank, and the neutral reason gets a personal check-in.
        File.WriteAllLines(Path.Combine(h.Temp.Path, "scores.csv"),
        [
            "customer_id,as_of,churn_probability,value_at_risk,risk_band,reason_code,reason",
            "x1,2025-07-01,0.97,100,high,model_signal,no single clear cause; the model's strongest signal is sessions 30d = 3",
            "x2,2025-07-01,0.85,900,medium,recency,\"no order in 94 days, usually every 31\"",
            "x3,2025-07-01,0.40,50,low,,",
        ]);
        const string pipeline = """
            pipeline: p
            components:
              - { id: scores, type: source.csv, with: { path: scores.csv, columns: { customer_id: VARCHAR, as_of: DATE, churn_probability: DOUBLE, value_at_risk: DOUBLE, risk_band: VARCHAR, reason_code: VARCHAR, reason: VARCHAR } } }
              - { id: alerts, type: alert.churn, inputs: [scores] }
            """;

        var result = await h.RunAsync(pipeline);

        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        Assert.Equal(["x1:personal_check_in"], await AlertsAsync(h));
        Assert.True((await h.RunAsync(pipeline.Replace("inputs: [scores] }", "inputs: [scores], with: { risk_bands: [high, medium] } }", StringComparison.Ordinal))).Status == RunStatus.Succeeded);
        Assert.Equal(["x2:winback_offer", "x1:personal_check_in"], await AlertsAsync(h));
    }

    private static async Task<List<string>> AlertsAsync(ComponentHarness h) =>
        (await h.RowsAsync("SELECT customer_id, action FROM alerts ORDER BY coalesce(value_at_risk, churn_probability) DESC")).Select(r => $"{r[0]}:{r[1]}").ToList();
}
