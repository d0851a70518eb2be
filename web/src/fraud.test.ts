import { describe, expect, it } from "vitest";
import { alertQueueTable, alertsByReason, decisionThresholds, flaggedTransactions, newAlertsSentence, queueSummary, evaluationParts, fraudTypes, labelScores, scoreDistribution, thresholdCurve, unlabelled } from "./fraud";
import { panels } from "./dashboards";

const scores = [
  { transaction_id: "a", risk_score: 95, decision: "block" },
  { transaction_id: "b", risk_score: 80, decision: "block" },
  { transaction_id: "c", risk_score: 45, decision: "review" },
  { transaction_id: "d", risk_score: 12, decision: "allow" },
  { transaction_id: "e", risk_score: 100, decision: "block" },
];
const labels = [{ charge_id: "a", label: "card_testing" }, { charge_id: "c", label: "account_takeover" }, { charge_id: "a", label: "amount_outlier" }, { charge_id: "e", label: "card_testing" }];

describe("fraud cards", () => {
  it("joins scores to labels by id, a transaction labelled twice taking the smallest label, the others unlabelled", () => {
    expect(labelScores(scores, labels, "charge_id", "label")).toEqual([
      { score: 95, label: "amount_outlier" }, { score: 80, label: unlabelled }, { score: 45, label: "account_takeover" },
      { score: 12, label: unlabelled }, { score: 100, label: "card_testing" },
    ]);
  });

  it("bins scores by tens, each label's shares summing to one and 100 falling in the last bin", () => {
    const bars = scoreDistribution(labelScores(scores, labels, "charge_id", "label"));
    expect(bars).toHaveLength(10);
    expect(bars[0].x).toBe("0–10");
    expect(Object.keys(bars[0].series)).toEqual([unlabelled, "account_takeover", "amount_outlier", "card_testing"]);
    expect(bars[1].series[unlabelled]).toBe(0.5);
    expect(bars[8].series[unlabelled]).toBe(0.5);
    expect(bars[9].series).toEqual({ [unlabelled]: 0, account_takeover: 0, amount_outlier: 1, card_testing: 1 });
    for (const label of Object.keys(bars[0].series)) expect(bars.reduce((s, b) => s + b.series[label], 0)).toBeCloseTo(1);
  });

  it("counts precision and recall of flagging at or above each threshold, every fraud type counting as fraud", () => {
    const curve = thresholdCurve(labelScores(scores, labels, "charge_id", "label"), [0, 45, 90, 101]);
    expect(curve[0]).toEqual({ threshold: 0, flagged: 5, precision: 3 / 5, recall: 1 });
    expect(curve[1]).toEqual({ threshold: 45, flagged: 4, precision: 3 / 4, recall: 1 });
    expect(curve[2]).toEqual({ threshold: 90, flagged: 2, precision: 1, recall: 2 / 3 });
    expect(curve[3].flagged).toBe(0);
    expect(curve[3].precision).toBeNaN();
  });

  it("reads the thresholds off the decisions: the lowest score sent to review (or worse) and blocked", () => {
    expect(decisionThresholds(scores)).toEqual({ review: 45, block: 80 });
    expect(decisionThresholds([{ risk_score: 3, decision: "allow" }]).block).toBeNaN();
  });

  it("orders the evaluation's parts rules, anomaly models, their mean, the model, the combination, and all fraud first", () => {
    const rows = ["combined", "model", "isolation_forest", "rules", "anomaly", "extended_forest"].map((score) => ({ fraud_type: score === "rules" ? "card_testing" : "all", score }));
    expect(evaluationParts(rows)).toEqual(["rules", "extended_forest", "isolation_forest", "anomaly", "model", "combined"]);
    expect(fraudTypes([{ fraud_type: "card_testing" }, { fraud_type: "all" }, { fraud_type: "account_takeover" }])).toEqual(["all", "account_takeover", "card_testing"]);
  });

  it("groups alerts by their leading reason, counting the transactions they cover", () => {
    const alerts = [{ reasons: "ip burst; unusual amount", transactions: 3 }, { reasons: "ip burst", transactions: 1 }, { reasons: null, transactions: 2 }];
    expect(alertsByReason(alerts)).toEqual([{ reason: "ip burst", alerts: 2, transactions: 4 }, { reason: "(no reason)", alerts: 1, transactions: 2 }]);
  });

  it("charts PR-AUC by fraud type with the combined score picked", () => {
    const chart = panels["analytics.risk_score"].chart([
      { fraud_type: "all", score: "rules", pr_auc: 0.9 }, { fraud_type: "all", score: "combined", pr_auc: 0.95 }, { fraud_type: "card_testing", score: "combined", pr_auc: 0.8 },
    ]);
    expect(chart.bars).toEqual([{ x: "all", series: { rules: 0.9, combined: 0.95 } }, { x: "card testing", series: { combined: 0.8 } }]);
    expect(chart.pick).toBe("combined");
  });
});

describe("fraud alert queue", () => {
  const steps = [
    { id: "risk_scores", type: "analytics.risk_score", inputs: ["transactions"], params: {} },
    { id: "fraud_alerts", type: "alert.fraud", inputs: ["risk_scores"], params: {} },
    { id: "fraud_alert_sync", type: "activate.table", inputs: ["fraud_alerts"], params: { target: "fraud_alert_queue" } },
  ];

  it("finds the queue as the table the sync step of the alerts writes, recorded under the step or, before that, by its target", () => {
    expect(alertQueueTable([{ name: "fraud_alert_queue", step: "fraud_alert_sync", role: "target" }], steps, "fraud_alerts")).toEqual({ table: "fraud_alert_queue", step: "fraud_alert_sync" });
    expect(alertQueueTable([{ name: "fraud_alert_queue", step: null, role: null }], steps, "fraud_alerts")).toEqual({ table: "fraud_alert_queue", step: "fraud_alert_sync" });
    expect(alertQueueTable([], steps, "fraud_alerts")).toBeNull();
    expect(alertQueueTable([{ name: "fraud_alert_queue", step: "fraud_alert_sync", role: "target" }], steps, "risk_scores")).toBeNull();
  });

  it("sums the open queue by decision, block first, with the oldest opened", () => {
    expect(queueSummary([
      { decision: "review", opened_at: "2025-03-01T00:00:00" }, { decision: "block", opened_at: "2025-01-10T04:59:30" }, { decision: "review", opened_at: "2025-02-01T00:00:00" },
    ])).toEqual({ open: 3, byDecision: [{ decision: "block", alerts: 1 }, { decision: "review", alerts: 2 }], oldest: "2025-01-10T04:59:30" });
    expect(queueSummary([])).toEqual({ open: 0, byDecision: [], oldest: null });
  });

  it("reads the flagged transactions off the risk score's metadata", () => {
    expect(flaggedTransactions({ block: 74, review: 31 })).toEqual({ block: 74, review: 31 });
    expect(flaggedTransactions({})).toBeNull();
    expect(flaggedTransactions(undefined)).toBeNull();
  });

  it("says no new alerts, not that nothing reached the threshold, when flagged transactions already have alerts", () => {
    expect(newAlertsSentence(0, 0, 105)).toBe("No new alerts this run: every flagged transaction already has an alert (one per card or customer per window).");
    expect(newAlertsSentence(0, 0, 0)).toBe("No new alerts this run: no transaction reached the alert threshold.");
    expect(newAlertsSentence(2, 5, 105)).toBe("2 new alerts this run, covering 5 flagged transactions.");
  });
});
