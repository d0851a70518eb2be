/** Data shaping for the fraud_detection cards: scores joined to labels, the score distribution and precision/recall at thresholds. */

import { num } from "./classifierCard";
import { formatCount } from "./ui/format";

/** The label of a transaction no label names: presumed legitimate. */
export const unlabelled = "unlabelled";

/** A transaction's risk score with its label (the fraud type, or unlabelled). */
export interface LabelledScore {
  score: number;
  label: string;
}

/** Risk scores joined to label rows by transaction id; a transaction without a label row is unlabelled. */
export function labelScores(scores: Record<string, unknown>[], labels: Record<string, unknown>[], labelId: string, labelColumn: string): LabelledScore[] {
  const byId = new Map<string, string>();
  for (const l of labels) {
    const id = String(l[labelId]);
    const label = l[labelColumn] === null || l[labelColumn] === undefined ? "fraud" : String(l[labelColumn]);
    // The same choice as analytics.risk_score: a transaction labelled twice takes the smallest label.
    if (!byId.has(id) || label < byId.get(id)!) byId.set(id, label);
  }
  return scores.filter((s) => Number.isFinite(num(s.risk_score)))
    .map((s) => ({ score: num(s.risk_score), label: byId.get(String(s.transaction_id)) ?? unlabelled }));
}

/**
 * Share of each label's transactions per score bin of `width` points (0–10, 10–20, …, the last bin closed at 100): each
 * label's bars sum to 1, so the few fraudulent transactions are as visible as the many legitimate ones.
 */
export function scoreDistribution(scored: LabelledScore[], width = 10): { x: string; series: Record<string, number> }[] {
  const bins = Math.ceil(100 / width);
  const labels = [...new Set(scored.map((s) => s.label))].sort((a, b) => (a === unlabelled ? -1 : b === unlabelled ? 1 : a.localeCompare(b)));
  const totals = new Map(labels.map((l) => [l, scored.filter((s) => s.label === l).length]));
  const bars = Array.from({ length: bins }, (_, i) => ({ x: `${i * width}–${Math.min(100, (i + 1) * width)}`, series: Object.fromEntries(labels.map((l) => [l, 0])) as Record<string, number> }));
  for (const s of scored) {
    const i = Math.min(bins - 1, Math.max(0, Math.floor(s.score / width)));
    bars[i].series[s.label] += 1 / totals.get(s.label)!;
  }
  return bars;
}

/** Precision and recall of flagging every transaction scored at or above a threshold. */
export interface ThresholdPoint {
  threshold: number;
  flagged: number;
  /** Share of the flagged that are fraud (NaN when none is flagged). */
  precision: number;
  /** Share of the fraud flagged (NaN without fraud). */
  recall: number;
}

/** Precision and recall at each threshold, every label but unlabelled counting as fraud. */
export function thresholdCurve(scored: LabelledScore[], thresholds: number[] = Array.from({ length: 20 }, (_, i) => i * 5)): ThresholdPoint[] {
  const fraud = scored.filter((s) => s.label !== unlabelled).length;
  return thresholds.map((threshold) => {
    const flagged = scored.filter((s) => s.score >= threshold);
    const caught = flagged.filter((s) => s.label !== unlabelled).length;
    return { threshold, flagged: flagged.length, precision: flagged.length === 0 ? Number.NaN : caught / flagged.length, recall: fraud === 0 ? Number.NaN : caught / fraud };
  });
}

/** The review and block thresholds a run used, read off its decisions: the lowest score given each (NaN when none was). */
export function decisionThresholds(rows: Record<string, unknown>[]): { review: number; block: number } {
  const lowest = (decisions: string[]) => {
    const scores = rows.filter((r) => decisions.includes(String(r.decision))).map((r) => num(r.risk_score)).filter(Number.isFinite);
    return scores.length === 0 ? Number.NaN : Math.min(...scores);
  };
  return { review: lowest(["review", "block"]), block: lowest(["block"]) };
}

/** analytics.risk_score's evaluation parts in reading order: rules, the anomaly models, their mean, the supervised model, then the combination. */
export function evaluationParts(rows: Record<string, unknown>[]): string[] {
  const rank = (p: string) => (p === "rules" ? 0 : p === "anomaly" ? 2 : p === "model" ? 3 : p === "combined" ? 4 : 1);
  return [...new Set(rows.map((r) => String(r.score)))].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

/** Fraud types of the evaluation, all fraud first. */
export function fraudTypes(rows: Record<string, unknown>[]): string[] {
  return [...new Set(rows.map((r) => String(r.fraud_type)))].sort((a, b) => (a === "all" ? -1 : b === "all" ? 1 : a.localeCompare(b)));
}

/** Alerts by the reason that leads them (the first of their reasons), the most frequent first. */
export function alertsByReason(alerts: Record<string, unknown>[]): { reason: string; alerts: number; transactions: number }[] {
  const by = new Map<string, { alerts: number; transactions: number }>();
  for (const a of alerts) {
    const reason = typeof a.reasons === "string" && a.reasons.length > 0 ? a.reasons.split("; ")[0] : "(no reason)";
    const seen = by.get(reason) ?? { alerts: 0, transactions: 0 };
    seen.alerts++;
    seen.transactions += Number.isFinite(num(a.transactions)) ? num(a.transactions) : 1;
    by.set(reason, seen);
  }
  return [...by].map(([reason, s]) => ({ reason, ...s })).sort((a, b) => b.alerts - a.alerts || a.reason.localeCompare(b.reason));
}

/** A step as the dashboard reads it off the pipeline file. */
interface StepNode {
  id: string;
  type: string;
  inputs: string[];
  params: Record<string, unknown>;
}

/** A table as the asset list names it. */
interface ListedTable {
  name: string;
  step?: string | null;
  role?: string | null;
}

/**
 * The table that keeps the open alerts: the target of the activate.table step that reads the alert step. The run records
 * it under the writing step (role target); tables written before it did are found by the step's target parameter.
 */
export function alertQueueTable(assets: readonly ListedTable[], steps: readonly StepNode[], alertStep: string): { table: string; step: string } | null {
  for (const s of steps.filter((c) => c.type === "activate.table" && c.inputs.includes(alertStep))) {
    const recorded = assets.find((a) => a.step === s.id && a.role === "target");
    const named = typeof s.params.target === "string" ? assets.find((a) => a.name === s.params.target) : undefined;
    const found = recorded ?? named;
    if (found) return { table: found.name, step: s.id };
  }
  return null;
}

/** What the open queue holds: how many alerts, by decision (block first), and the oldest opened. */
export interface QueueSummary {
  open: number;
  byDecision: { decision: string; alerts: number }[];
  /** opened_at of the oldest open alert, or null when none is open. */
  oldest: string | null;
}

export function queueSummary(rows: readonly Record<string, unknown>[]): QueueSummary {
  const counts = new Map<string, number>();
  for (const r of rows) counts.set(String(r.decision ?? "(none)"), (counts.get(String(r.decision ?? "(none)")) ?? 0) + 1);
  const rank = (d: string) => (d === "block" ? 0 : d === "review" ? 1 : 2);
  const opened = rows.map((r) => r.opened_at).filter((v): v is string => typeof v === "string" && v.length > 0).sort();
  return {
    open: rows.length,
    byDecision: [...counts].map(([decision, alerts]) => ({ decision, alerts })).sort((a, b) => rank(a.decision) - rank(b.decision) || a.decision.localeCompare(b.decision)),
    oldest: opened[0] ?? null,
  };
}

/** Transactions the risk score flagged in its last run (review or block), from its materialization's metadata; null when it did not report them. */
export function flaggedTransactions(metadata: Record<string, unknown> | undefined): { block: number; review: number } | null {
  const block = num(metadata?.block);
  const review = num(metadata?.review);
  return Number.isFinite(block) && Number.isFinite(review) ? { block, review } : null;
}

/**
 * The sentence for the alerts a run opened. Zero new alerts is not zero flagged transactions: alerts already open
 * (in the queue or the history) are not raised again.
 */
export function newAlertsSentence(opened: number, transactions: number, flagged: number | null): string {
  if (opened > 0) return `${formatCount(opened)} new alert${opened === 1 ? "" : "s"} this run, covering ${formatCount(transactions)} flagged transaction${transactions === 1 ? "" : "s"}.`;
  if (flagged !== null && flagged > 0) return "No new alerts this run: every flagged transaction already has an alert (one per card or customer per window).";
  if (flagged === 0) return "No new alerts this run: no transaction reached the alert threshold.";
  return "No new alerts this run.";
}
