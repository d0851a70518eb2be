/**
 * The demo store's two truths of channel credit and how close each attribution model comes to them. The generator
 * knows both exactly (docs/data-model.md, Demo data); real data has neither.
 */

/** A channel's row of data/demo/ground_truth/channels.csv as the API serves it (incremental values are null in older files). */
export type ChannelTruthRow = { channel: string; true_share: number; incremental_share?: number | null };

export type TruthKey = "incremental" | "shapley";

/** Each truth's column header and its definition, in one line. */
export const truthDefinitions: Record<TruthKey, { header: string; definition: string; favours: string }> = {
  incremental: {
    header: "incremental truth",
    definition: "conversions that would have been lost without the channel's touches, from the generator's true conversion chances (a counterfactual, no Shapley value in it)",
    favours: "the leave-one-out counterfactual a holdout test measures, which no model here computes by definition",
  },
  shapley: {
    header: "Shapley truth",
    definition: "each converting journey's conversion split by the Shapley value of the generator's true conversion chances over the channels it touched",
    favours: "the quantity the shapley model estimates from observed conversion rates, so shapley comes close by construction",
  },
};

/** The share a truth gives a channel, or null where the file has no such column. */
export function truthShare(t: ChannelTruthRow, key: TruthKey): number | null {
  const v = key === "shapley" ? t.true_share : t.incremental_share;
  return v === null || v === undefined || !Number.isFinite(Number(v)) ? null : Number(v);
}

/** The truths the file holds: the incremental one first, as it shares no definition with any model. */
export function availableTruths(truth: ChannelTruthRow[]): TruthKey[] {
  const keys: TruthKey[] = ["incremental", "shapley"];
  return keys.filter((k) => truth.length > 0 && truth.every((t) => truthShare(t, k) !== null));
}

/**
 * A model's share of conversions per channel among the channels the truth credits: the generator gives no credit to
 * direct visits, so a model's credit to direct (or any channel the truth lacks) is left out of the denominator.
 */
export function modelShares(rows: Record<string, unknown>[], model: string, channels: string[]): Map<string, number> {
  const credited = new Set(channels);
  const own = rows.filter((r) => String(r.model) === model && credited.has(String(r.channel)));
  const total = own.reduce((s, r) => s + Number(r.conversions), 0);
  return new Map(channels.map((c) => {
    const hit = own.find((r) => String(r.channel) === c);
    return [c, hit && total > 0 ? Number(hit.conversions) / total : 0];
  }));
}

/** Mean absolute gap between a model's shares and a truth's, in percentage points. */
export function meanGap(truth: ChannelTruthRow[], shares: Map<string, number>, key: TruthKey): number {
  return truth.reduce((s, t) => s + Math.abs((shares.get(t.channel) ?? 0) - (truthShare(t, key) ?? 0)), 0) / truth.length * 100;
}

/** Every model's gap to every truth the file holds, the models ranked closest first against the chosen truth. */
export function rankAgainstTruth(truth: ChannelTruthRow[], rows: Record<string, unknown>[], models: string[], by: TruthKey) {
  const channels = truth.map((t) => t.channel);
  const truths = availableTruths(truth);
  const scored = models.map((model) => {
    const shares = modelShares(rows, model, channels);
    const gaps = Object.fromEntries(truths.map((k) => [k, meanGap(truth, shares, k)])) as Partial<Record<TruthKey, number>>;
    return { model, shares, gaps };
  });
  return scored.sort((a, b) => (a.gaps[by] ?? 0) - (b.gaps[by] ?? 0));
}
