/**
 * Campaign performance per channel, for the analyst's question "what did each channel bring, and at what cost?":
 * the campaign summary's rows (one per channel and campaign) added up per channel. Conversions and revenue are the
 * attribution model's credit, so every figure names that model.
 */
export interface ChannelTotals {
  channel: string;
  spend: number;
  conversions: number;
  revenue: number;
  /** Spend per attributed conversion; null when the channel has no spend (organic, email) or no attributed conversion. */
  costPerConversion: number | null;
  /** Attributed revenue per unit spent; null without spend. */
  roas: number | null;
}

const n = (v: unknown) => (typeof v === "number" ? v : Number(v ?? 0)) || 0;

/** Each channel's spend, attributed conversions and revenue, cost per attributed conversion and ROAS; highest attributed revenue first. */
export function channelTotals(rows: readonly Record<string, unknown>[]): ChannelTotals[] {
  const by = new Map<string, { spend: number; conversions: number; revenue: number }>();
  for (const r of rows) {
    const channel = String(r.channel ?? "(none)");
    const t = by.get(channel) ?? { spend: 0, conversions: 0, revenue: 0 };
    t.spend += n(r.spend);
    t.conversions += n(r.conversions);
    t.revenue += n(r.revenue);
    by.set(channel, t);
  }
  return [...by].map(([channel, t]) => ({
    channel, ...t,
    costPerConversion: t.spend > 0 && t.conversions > 0 ? t.spend / t.conversions : null,
    roas: t.spend > 0 ? t.revenue / t.spend : null,
  })).sort((a, b) => b.revenue - a.revenue || a.channel.localeCompare(b.channel));
}

/** A fit's warning with the currency after each daily amount ("up to 65.73/day" → "up to 65.73 USD/day"); unchanged without a currency. */
export function perDayWithCurrency(text: string, currency: string | null): string {
  return currency ? text.replace(/(\d[\d,]*(?:\.\d+)?)\/day/g, `$1 ${currency}/day`) : text;
}

/** "the shapley attribution model" from the step's metadata, or a plain fallback when an older run did not record it. */
export function attributionModelLabel(metadata: Record<string, unknown> | null): string {
  return typeof metadata?.model === "string" ? `the ${metadata.model} attribution model` : "the step's attribution model";
}
