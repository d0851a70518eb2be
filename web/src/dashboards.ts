import type { Schemas } from "./api/client";

/**
 * Result panels by component type. A pipeline's dashboard shows one panel for each of its components whose type is
 * listed here; adding a dashboard for a new use case is one entry: which declared output to read, and how to turn its
 * rows into bars (x label, one or more series).
 */
export interface Panel {
  title: string;
  /** The declared output to chart ("main" for the step's asset); its table comes from the asset list, never from its name. */
  output: string;
  /** Bars from the table's rows (objects keyed by column). */
  bars: (rows: Record<string, unknown>[]) => { x: string; series: Record<string, number> }[];
}

const n = (v: unknown) => (typeof v === "number" ? v : Number(v ?? 0));

function countBy(rows: Record<string, unknown>[], column: string, series: string) {
  const counts = new Map<string, number>();
  for (const r of rows) counts.set(String(r[column]), (counts.get(String(r[column])) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1]).map(([x, c]) => ({ x, series: { [series]: c } }));
}

export const panels: Record<string, Panel> = {
  "segment.value_tiers": {
    title: "Value tiers: customers per tier",
    output: "summary",
    bars: (rows) => [...rows].sort((a, b) => n(a.tier_rank) - n(b.tier_rank)).map((r) => ({ x: String(r.tier), series: { customers: n(r.customers) } })),
  },
  "segment.rfm": {
    title: "RFM segments: customers per segment",
    output: "main",
    bars: (rows) => countBy(rows, "segment", "customers"),
  },
  "analytics.ltv": {
    title: "CLV distribution",
    output: "main",
    bars: (rows) => {
      const values = rows.map((r) => n(r.clv)).filter((v) => Number.isFinite(v));
      if (values.length === 0) return [];
      const max = Math.max(...values);
      const width = max / 10 || 1;
      const bins = Array.from({ length: 10 }, (_, i) => ({ x: `${Math.round(i * width)}–${Math.round((i + 1) * width)}`, series: { customers: 0 } }));
      for (const v of values) bins[Math.min(9, Math.floor(v / width))].series.customers++;
      return bins;
    },
  },
  "analytics.attribution": {
    title: "Attribution: share of conversions by channel and model",
    output: "main",
    bars: (rows) => {
      const byChannel = new Map<string, Record<string, number>>();
      for (const r of rows) {
        const s = byChannel.get(String(r.channel)) ?? {};
        s[String(r.model)] = n(r.share);
        byChannel.set(String(r.channel), s);
      }
      return [...byChannel].map(([x, series]) => ({ x, series }));
    },
  },
  "analytics.campaign_performance": {
    title: "Campaigns: ROAS over the period",
    output: "summary",
    bars: (rows) => rows.filter((r) => n(r.spend) > 0).map((r) => ({ x: `${r.channel} / ${r.campaign ?? ""}`, series: { roas: n(r.roas) } })),
  },
  "analytics.budget_optimizer": {
    title: "Budget reallocation: daily spend now and recommended",
    output: "main",
    bars: (rows) => rows.map((r) => ({ x: String(r.channel), series: { current: n(r.current_spend), recommended: n(r.recommended_spend) } })),
  },
};

/** The table holding output `output` of step `step`, as the asset list reports it; undefined until a run wrote it. */
export function outputTable(assets: Schemas["AssetSummary"][], step: string, output: string): string | undefined {
  return assets.find((a) => a.step === step && a.output === output)?.name;
}
