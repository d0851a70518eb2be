/** Data shaping for the propensity_marketing cards: curves per model or learner, and the uplift groups. */

const num = (v: unknown) => (v === null || v === undefined ? Number.NaN : typeof v === "number" ? v : Number(v));

/** The x coordinate's key in a curve point: not a series name (the X-learner's series is "x"). */
export const xKey = "_x";

/** One point per x with a value per series, sorted by x, from long rows (one per series and x); a curve starts at (0, 0). */
export function curvePoints(rows: Record<string, unknown>[], seriesColumn: string, xColumn: string, yColumn: string): Record<string, number>[] {
  const byX = new Map<number, Record<string, number>>([[0, { [xKey]: 0 }]]);
  const series = new Set<string>();
  for (const r of rows) {
    const x = num(r[xColumn]);
    const y = num(r[yColumn]);
    if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
    const key = Math.round(x * 1e6) / 1e6;
    const point = byX.get(key) ?? { [xKey]: key };
    const name = String(r[seriesColumn]);
    point[name] = y;
    series.add(name);
    byX.set(key, point);
  }
  const origin = byX.get(0)!;
  for (const s of series) origin[s] ??= 0;
  return [...byX.values()].sort((a, b) => a[xKey] - b[xKey]);
}

/** Cumulative gains (share of buyers reached by share of customers targeted) per model, with the random ordering's diagonal. */
export function gainsCurves(rows: Record<string, unknown>[]): Record<string, number>[] {
  return curvePoints(rows, "model", "cumulative_share_of_customers", "cumulative_share_of_buyers").map((p) => ({ ...p, random: p[xKey] }));
}

/** The five uplift groups in the order a marketer reads them, with how many customers are in each. */
export const upliftGroups: { group: string; meaning: string }[] = [
  { group: "persuadable", meaning: "buy only if contacted, as the holdout confirms" },
  { group: "unproven", meaning: "estimated moved by a contact either way, but the holdout cannot confirm it" },
  { group: "sure_thing", meaning: "buy either way: a contact is spent for nothing" },
  { group: "lost_cause", meaning: "buy neither way" },
  { group: "do_not_disturb", meaning: "less likely to buy if contacted" },
];

/**
 * Customers per uplift group, every group listed (0 when none), plus any group the component names that is not listed;
 * with an audience's rows (each with its uplift_group), how many of its members each group holds.
 */
export function groupCounts(rows: Record<string, unknown>[], audience?: Record<string, unknown>[]): { group: string; meaning: string; customers: number; inAudience?: number }[] {
  const count = (of: Record<string, unknown>[]) => {
    const counts = new Map<string, number>();
    for (const r of of) counts.set(String(r.uplift_group), (counts.get(String(r.uplift_group)) ?? 0) + 1);
    return counts;
  };
  const counts = count(rows);
  const members = audience ? count(audience) : undefined;
  const names = [...upliftGroups, ...[...new Set([...counts.keys(), ...(members?.keys() ?? [])])].filter((g) => !upliftGroups.some((k) => k.group === g)).map((group) => ({ group, meaning: "" }))];
  return names.map((g) => ({ ...g, customers: counts.get(g.group) ?? 0, ...(members ? { inAudience: members.get(g.group) ?? 0 } : {}) }));
}

/**
 * How the audience relates to the groups: it is chosen by the targeting step's rule on the estimates, not by group, so
 * it can hold customers of any group; the sentence says which groups its members come from.
 */
export function audienceGroupsNote(audienceName: string, counts: { group: string; inAudience?: number }[]): string | null {
  const inIt = counts.filter((c) => (c.inAudience ?? 0) > 0);
  if (counts.every((c) => c.inAudience === undefined)) return null;
  const total = inIt.reduce((s, c) => s + c.inAudience!, 0);
  if (total === 0) return `The audience ${audienceName} is empty.`;
  return `The audience ${audienceName} (${total.toLocaleString("en-US")} contacts) is chosen by the targeting step's rule on the estimated uplift, not by group: its members are ${inIt.map((c) => `${c.inAudience!.toLocaleString("en-US")} ${c.group.replaceAll("_", " ")}`).join(", ")}.`;
}

const finite = (v: unknown) => Number.isFinite(num(v));
const label = (r: Record<string, unknown>) => String(r.strategy).replaceAll("_", " ");
const one = (v: unknown) => num(v).toFixed(1);

/** The targeting summary's audiences (rows with an outcome), not its notes (left out, signal). */
export function audienceOutcomes(rows: Record<string, unknown>[]): Record<string, unknown>[] {
  return rows.filter((r) => finite(r.expected_profit));
}

/** True when the summary values its audiences on the holdout (the scores carried analytics.uplift's evidence). */
export function hasHoldoutValues(rows: Record<string, unknown>[]): boolean {
  const outcomes = audienceOutcomes(rows);
  return outcomes.length > 0 && outcomes.every((r) => finite(r.holdout_incremental_conversions));
}

/** The warning to show when the uplift model does not beat random targeting on the holdout, else null. */
export function signalWarning(rows: Record<string, unknown>[]): string | null {
  const signal = rows.find((r) => r.strategy === "uplift_signal");
  return signal && num(signal.contacts) === 0 ? "The uplift model does not beat random targeting on the holdout: expected figures are not reliable." : null;
}

/** Who was left out before choosing, as "reason: count" so a count of 0 reads plainly; null when none are listed. */
export function exclusionNote(rows: Record<string, unknown>[]): string | null {
  const excluded = rows.filter((r) => String(r.strategy).startsWith("excluded_"));
  if (excluded.length === 0) return null;
  return `Left out before choosing: ${excluded.map((r) => `${String(r.detail)}: ${Number.isFinite(num(r.contacts)) ? num(r.contacts).toLocaleString("en-US") : "—"}`).join("; ")}.`;
}

/** One line per audience: incremental conversions on the holdout with the 95% interval, then the model's own claim. */
export function audienceNote(rows: Record<string, unknown>[]): string {
  const outcomes = audienceOutcomes(rows);
  if (!hasHoldoutValues(rows))
    return `The model's estimates claim (no holdout evidence in the scores to check them): ${outcomes.map((r) => `${label(r)} ${num(r.contacts)} contacts, ${one(r.expected_incremental_conversions)} conversions`).join("; ")}.`;
  const outside = outcomes.find((r) => r.strategy === "uplift_targeted");
  return `Incremental conversions on the send's holdout (95% interval): ${outcomes.map((r) => `${label(r)} ${num(r.contacts)} contacts, ${one(r.holdout_incremental_conversions)} (${one(r.holdout_conversions_low)} to ${one(r.holdout_conversions_high)})`).join("; ")}. ` +
    `The model's own estimates claim ${outcomes.map((r) => `${one(r.expected_incremental_conversions)}`).join(", ")}, biased upward for the customers it ranks first.` +
    (outside && num(outside.outside_send) > 0 ? ` ${num(outside.outside_send)} of the chosen were not in the send and carry its average effect.` : "");
}

/**
 * The horizon the propensity model predicts over, from its metrics table's label_window row (days, and the window the
 * training labels came from): "90 days (labels from 2025-06-01 to 2025-08-29)"; null for a table that lacks the row.
 */
export function propensityHorizon(metrics: readonly Record<string, unknown>[]): string | null {
  const row = metrics.find((r) => r.model === "data" && r.metric === "label_window");
  const days = typeof row?.value === "number" ? row.value : Number(row?.value);
  if (!row || !Number.isFinite(days)) return null;
  return `${days} days${typeof row.detail === "string" && row.detail ? ` (labels from ${row.detail})` : ""}`;
}
