import { describe, expect, it } from "vitest";
import { alertsByReason, decisionThresholds, evaluationParts, fraudTypes, labelScores, scoreDistribution, thresholdCurve, unlabelled } from "./fraud";
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

  it("charts PR-AUC by fraud type with the combined score picked, and alerts by leading reason", () => {
    const chart = panels["analytics.risk_score"].chart([
      { fraud_type: "all", score: "rules", pr_auc: 0.9 }, { fraud_type: "all", score: "combined", pr_auc: 0.95 }, { fraud_type: "card_testing", score: "combined", pr_auc: 0.8 },
    ]);
    expect(chart.bars).toEqual([{ x: "all", series: { rules: 0.9, combined: 0.95 } }, { x: "card testing", series: { combined: 0.8 } }]);
    expect(chart.pick).toBe("combined");
    expect(panels["alert.fraud"].chart([{ reasons: "a; b" }, { reasons: "a" }, { reasons: "" }]).bars).toEqual([{ x: "a", series: { alerts: 2 } }, { x: "(no reason)", series: { alerts: 1 } }]);
  });
});
