using System.Globalization;
using Tributary.Engine.Runs;
using Tributary.Testing;

namespace Tributary.Components.Tests.Fraud;

public sealed class RiskScoreAndAlertTests(PostgresCluster postgres)
{
    private const string Pipeline = """
        pipeline: p
        components:
          - id: rules
            type: source.csv
            with:
              path: rules.csv
              columns: { transaction_id: VARCHAR, created_at: TIMESTAMP, profile_id: VARCHAR, card_fingerprint: VARCHAR, email: VARCHAR, amount: DOUBLE, rule_score: DOUBLE, rule_reasons: VARCHAR }
          - { id: anomaly, type: source.csv, with: { path: anomaly.csv, columns: { transaction_id: VARCHAR, anomaly_score: DOUBLE, top_feature: VARCHAR } } }
          - { id: labels, type: source.csv, with: { path: labels.csv, columns: { charge_id: VARCHAR, label: VARCHAR } } }
          - id: risk
            type: analytics.risk_score
            inputs: [rules, anomaly, labels]
            with: { rules: rules, anomaly: [anomaly], labels: labels, label_id: charge_id, rule_weight: 2, review: 29, block: 40, alert_rate: 0.25 }
          - { id: alerts, type: alert.fraud, inputs: [risk], with: { min_decision: review, window: 1h } }
        """;

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task RiskScore_CombinesPartsWithReasons_AlertsOncePerCardOrProfilePerWindow(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        File.WriteAllLines(Path.Combine(h.Temp.Path, "rules.csv"),
        [
            "transaction_id,created_at,profile_id,card_fingerprint,email,amount,rule_score,rule_reasons",
            "a,2025-01-01 10:00:00,p1,c1,x@x,5,1,many attempts; new card",
            "b,2025-01-01 10:10:00,p1,c2,x@x,5,1,many attempts",
            "c,2025-01-01 10:20:00,p2,c2,y@x,5,0.6,new card",
            "d,2025-01-01 11:30:00,p1,c3,x@x,5,1,many attempts",
            "e,2025-01-01 12:00:00,p3,c4,z@x,50,0,",
            "f,2025-01-01 12:00:00,p4,c5,w@x,20,0,",
            "g,2025-01-01 13:00:00,p5,c6,v@x,20,0,",
            "h,2025-01-01 14:00:00,p6,c7,u@x,20,0,",
        ]);
        // Anomaly scores in ascending order: h, a, b, c, d, f, g, e (percentiles 0, 1/7, ..., 1).
        File.WriteAllLines(Path.Combine(h.Temp.Path, "anomaly.csv"),
            ["transaction_id,anomaly_score,top_feature", "a,0.51,x", "b,0.52,x", "c,0.53,x", "d,0.54,x", "e,0.9,amount_ratio", "f,0.55,x", "g,0.56,x", "h,0.5,x"]);
        File.WriteAllLines(Path.Combine(h.Temp.Path, "labels.csv"), ["charge_id,label", "a,card_testing", "b,card_testing", "d,card_testing", "e,amount_outlier"]);
        var result = await h.RunAsync(Pipeline);
        Assert.True(result.Status == RunStatus.Succeeded, result.Error);

        var risk = (await h.RowsAsync("SELECT transaction_id, risk_score, decision, reasons FROM risk ORDER BY transaction_id")).ToDictionary(r => (string)r[0]!, r => r);
        // Each part's evidence is -ln(p) / ln 8, p the share of the 8 scores at or above the transaction's; weights rules 2,
        // anomaly 1. a: rule 1 (3 of 8 at or above), anomaly 7 of 8: 100 × (2 ln(8/3) + ln(8/7)) / (3 ln 8) = 33.6;
        // d: rule 3/8, anomaly 4/8: 42.6 (block); e: rule 0 (p 1), the highest anomaly (p 1/8, evidence 1): 100 / 3 = 33.3;
        // g: anomaly 2/8: 22.2 (allow); h: lowest everywhere: 0.
        Assert.Equal(33.6, Convert.ToDouble(risk["a"][1], CultureInfo.InvariantCulture), 6);
        Assert.Equal(42.6, Convert.ToDouble(risk["d"][1], CultureInfo.InvariantCulture), 6);
        Assert.Equal(33.3, Convert.ToDouble(risk["e"][1], CultureInfo.InvariantCulture), 6);
        Assert.Equal(0.0, Convert.ToDouble(risk["h"][1], CultureInfo.InvariantCulture), 6);
        Assert.Equal(["review", "block", "review", "allow", "allow"], new[] { "a", "d", "e", "g", "h" }.Select(id => (string)risk[id][2]!));
        Assert.Equal("many attempts; new card", risk["a"][3]);
        Assert.Equal("unusual amount for this customer (against their average payment)", risk["e"][3]);
        Assert.Null(risk["h"][3]);

        // a opens an alert for p1/c1; b joins it (same profile within the hour); c joins through card c2; d (90 minutes after a) opens another.
        var alerts = (await h.RowsAsync("SELECT alert_id, transactions FROM alerts ORDER BY opened_at")).Select(r => $"{r[0]}:{r[1]}").ToList();
        Assert.Equal(["fa_a:3", "fa_d:1", "fa_e:1"], alerts);
        // A second run raises nothing new; the history keeps the three.
        Assert.True((await h.RunAsync(Pipeline)).Status == RunStatus.Succeeded);
        Assert.Empty(await h.RowsAsync("SELECT * FROM alerts"));
        Assert.Equal(3, (await h.RowsAsync("SELECT * FROM alerts__history")).Count);

        // Evaluation: 2 alerts allowed (25% of 8); the top scores d, then b (with a in its hour) catch all three card-testing charges.
        var evaluation = (await h.RowsAsync("SELECT fraud_type, score, positives, recall_at_alert_rate, alert_recall_at_alert_rate FROM risk__evaluation WHERE score = 'combined' ORDER BY fraud_type"))
            .ToDictionary(r => (string)r[0]!, r => r);
        Assert.Equal(["all", "amount_outlier", "card_testing"], evaluation.Keys);
        Assert.Equal(3L, Convert.ToInt64(evaluation["card_testing"][2], CultureInfo.InvariantCulture));
        Assert.Equal(2.0 / 3, Convert.ToDouble(evaluation["card_testing"][3], CultureInfo.InvariantCulture), 9);
        Assert.Equal(1.0, Convert.ToDouble(evaluation["card_testing"][4], CultureInfo.InvariantCulture), 9);
    }
}
