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

/** The four uplift groups in the order a marketer reads them, with how many customers are in each. */
export const upliftGroups: { group: string; meaning: string }[] = [
  { group: "persuadable", meaning: "buy only if contacted: the audience" },
  { group: "sure_thing", meaning: "buy either way: a contact is spent for nothing" },
  { group: "lost_cause", meaning: "buy neither way" },
  { group: "do_not_disturb", meaning: "less likely to buy if contacted" },
];

/** Customers per uplift group, every group listed (0 when none), plus any group the component names that is not listed. */
export function groupCounts(rows: Record<string, unknown>[]): { group: string; meaning: string; customers: number }[] {
  const counts = new Map<string, number>();
  for (const r of rows) counts.set(String(r.uplift_group), (counts.get(String(r.uplift_group)) ?? 0) + 1);
  const known = upliftGroups.map((g) => ({ ...g, customers: counts.get(g.group) ?? 0 }));
  const other = [...counts].filter(([g]) => !upliftGroups.some((k) => k.group === g)).map(([group, customers]) => ({ group, meaning: "", customers }));
  return [...known, ...other];
}
