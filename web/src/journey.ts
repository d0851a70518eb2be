/** Data shaping for the journey cards: the funnel correlation's findings as a reader scans them. */

const num = (v: unknown) => (v === null || v === undefined ? Number.NaN : typeof v === "number" ? v : Number(v));

/** One item that goes with converting or with dropping off at a step. */
export interface CorrelationFinding {
  key: string;
  step: string;
  /** The event, or column=value, with its kind. */
  item: string;
  /** "converting" (odds ratio at least 1) or "dropping off". */
  goesWith: "converting" | "dropping off";
  oddsRatio: number;
  low: number;
  high: number;
  /** Share of the step's converters, and of its drop-offs, who did the item. */
  converterShare: number;
  dropOffShare: number;
  adjustedP: number;
  significant: boolean;
}

/** analytics.funnel_correlation's rows, significant first, then by adjusted p-value and by how far the odds ratio is from 1. */
export function correlationFindings(rows: readonly Record<string, unknown>[]): CorrelationFinding[] {
  return rows.map((r) => ({
    key: `${String(r.step)}.${String(r.kind)}.${String(r.item)}`,
    step: `${String(r.step)}. ${String(r.step_name)}`,
    item: r.kind === "property" ? String(r.item) : `${String(r.item)} (event)`,
    goesWith: (r.direction === "failure" || num(r.odds_ratio) < 1 ? "dropping off" : "converting") as CorrelationFinding["goesWith"],
    oddsRatio: num(r.odds_ratio),
    low: num(r.ci_low),
    high: num(r.ci_high),
    converterShare: num(r.converter_share),
    dropOffShare: num(r.drop_off_share),
    adjustedP: num(r.adjusted_p_value),
    significant: r.significant === true,
  })).sort((a, b) => Number(b.significant) - Number(a.significant) || a.adjustedP - b.adjustedP
    || Math.abs(Math.log(b.oddsRatio)) - Math.abs(Math.log(a.oddsRatio)) || a.key.localeCompare(b.key));
}
