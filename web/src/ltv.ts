/**
 * What an LTV fit's values mean, for the dashboard to say it: the horizon its CLV covers, the currency the pipeline
 * values orders in, the time unit of recency and t, and whether it drew an interval. Read from the fit's metadata (what
 * the run used) and the pipeline's params, never assumed.
 */
import { formatCount } from "./ui/format";

/** "12-month" for 365 days, "24-month" for 730, else "90-day". */
export function horizonLabel(days: number): string {
  return days % 365 === 0 ? `${(days / 365) * 12}-month` : `${days}-day`;
}

/**
 * The currency the pipeline converts orders into, from params named FROM_TO (e.g. eur_usd: USD per EUR), with the rates;
 * a pipeline without rates that names its amounts' currency in a `currency` param (ab_testing, customer_journey) is in that one.
 */
export function pipelineCurrency(params: Record<string, unknown> | null): { currency: string; rates: { from: string; rate: number }[] } | null {
  const rates: { from: string; to: string; rate: number }[] = [];
  for (const [name, spec] of Object.entries(params ?? {})) {
    const m = /^([a-z]{3})_([a-z]{3})$/.exec(name);
    const value = (spec as { default?: unknown } | null)?.default;
    if (m && typeof value === "number") rates.push({ from: m[1].toUpperCase(), to: m[2].toUpperCase(), rate: value });
  }
  const targets = [...new Set(rates.map((r) => r.to))];
  const named = (params?.currency as { default?: unknown } | null | undefined)?.default;
  if (targets.length === 0 && typeof named === "string" && /^[A-Za-z]{3}$/.test(named)) return { currency: named.toUpperCase(), rates: [] };
  if (targets.length !== 1) return null;
  return { currency: targets[0], rates: rates.map(({ from, rate }) => ({ from, rate })) };
}

/** "12-month predicted value, USD (EUR at 1.09, GBP at 1.27 USD each)", or what is known of it. */
export function ltvValueLabel(metadata: Record<string, unknown> | null, params: Record<string, unknown> | null): string {
  const days = typeof metadata?.horizon_days === "number" ? metadata.horizon_days : null;
  const currency = pipelineCurrency(params);
  const horizon = days === null ? "Predicted value (this fit did not record its horizon; run the pipeline again to see it)" : `${horizonLabel(days)} predicted value (${days} days)`;
  if (!currency) return horizon;
  const rates = currency.rates.map((r) => `${r.from} at ${r.rate}`).join(", ");
  return `${horizon}, ${currency.currency}${rates ? ` (${rates} ${currency.currency} each)` : ""}`;
}

/** What the two intervals of an LTV table are, for a column header's tooltip and a caption under the table. */
export const predictionIntervalLabel = "90% prediction interval";
export const predictionIntervalMeaning =
  "90% prediction interval: the customer's own spend over the horizon, discounted, falls in it 9 times in 10 (5th to 95th percentile of simulated futures; 0 when they may well not buy again).";
export const expectedValueIntervalLabel = "uncertainty of the expected value (parameters only)";
export const expectedValueIntervalMeaning =
  "How well the model knows each customer's expected value (clv) given how much data it was fitted on: 5th to 95th percentile of clv under redrawn model parameters. Not a range for what a customer will spend; far narrower than that.";

/**
 * The units of the LTV table's columns: recency and t in the fit's time unit, and what the interval columns are
 * (clv_p05/clv_p95 the prediction interval of the customer's value, clv_low/clv_high only the expected value's
 * uncertainty from the parameters, far narrower than what a customer spends).
 */
export function ltvUnits(metadata: Record<string, unknown> | null): Record<string, string> {
  const unit = metadata?.time_unit === "week" ? "weeks" : metadata?.time_unit === "day" ? "days" : null;
  const intervals = { clv_p05: `${predictionIntervalLabel}, low`, clv_p95: `${predictionIntervalLabel}, high`,
    clv_low: `${expectedValueIntervalLabel}, low`, clv_high: `${expectedValueIntervalLabel}, high` };
  return unit ? { recency: unit, t: unit, ...intervals } : intervals;
}

/** One interval tile of the LTV model card: its title in words, how it was drawn, what it is, and the columns that hold it. */
export interface LtvIntervalFact {
  term: string;
  text: string;
  meaning: string;
  columns: string;
  /** The parameter that turned it off, when the fit drew none. */
  off?: string;
}

/**
 * The model card's tiles on the two intervals of an LTV fit, from its metadata: titled by what each is (a marketer reads
 * "90% range of each customer's value", not clv_p05 – clv_p95), with how many draws it took and its columns beside.
 */
export function ltvIntervalFacts(metadata: Record<string, unknown>): LtvIntervalFact[] {
  const facts: LtvIntervalFact[] = [];
  const prediction = metadata.prediction_draws, parameters = metadata.interval_draws;
  if (typeof prediction === "number")
    facts.push({ term: "90% range of each customer's value", columns: "clv_p05 – clv_p95", meaning: predictionIntervalMeaning,
      text: prediction > 0 ? `${formatCount(prediction)} simulated futures` : "not simulated", off: prediction > 0 ? undefined : "prediction_draws: 0" });
  if (typeof parameters === "number")
    facts.push({ term: "Range from parameter uncertainty", columns: "clv_low – clv_high", meaning: expectedValueIntervalMeaning,
      text: parameters > 0 ? `${formatCount(parameters)} parameter draws` : "not drawn", off: parameters > 0 ? undefined : "interval_draws: 0" });
  return facts;
}

/**
 * Why the prediction interval (clv_p05, clv_p95) is empty, when it is: the run simulated none (prediction_draws 0), or
 * the table was written before the LTV step had it. Null when it is there.
 */
export function intervalNote(metadata: Record<string, unknown> | null, rows: readonly Record<string, unknown>[]): string | null {
  if (rows.length === 0 || rows.some((r) => r.clv_p05 !== null && r.clv_p05 !== undefined)) return null;
  if (metadata?.prediction_draws === 0)
    return "clv_p05 and clv_p95 are empty: the run that wrote this table simulated no prediction interval (prediction_draws: 0). Set prediction_draws to 1000 on the LTV step for a 90% prediction interval.";
  return rows.some((r) => "clv_p05" in r)
    ? "clv_p05 and clv_p95 are empty: this fit has no prediction interval."
    : "This table was written before the LTV step predicted intervals: run the pipeline again for each customer's 90% prediction interval.";
}

/** One of the top customers by predicted value, with who they are and where they stand. */
export interface TopCustomer {
  customerId: string;
  email: string | null;
  tier: string | null;
  segment: string | null;
  repeatOrders: number | null;
  clv: number;
  /** The 90% prediction interval of the customer's value (clv_p05, clv_p95). */
  clvP05: number | null;
  clvP95: number | null;
  pAlive: number | null;
}

const num = (v: unknown) => (typeof v === "number" ? v : v === null || v === undefined || v === "" ? null : Number(v));

/**
 * The LTV rows (already ordered by clv, highest first) joined with the identity graph's emails, the value tiers and the RFM
 * segments by customer id; a customer missing from a side table has null there.
 */
export function topCustomers(ltv: readonly Record<string, unknown>[], identity: readonly Record<string, unknown>[],
  tiers: readonly Record<string, unknown>[], segments: readonly Record<string, unknown>[]): TopCustomer[] {
  const email = new Map<string, string>();
  // The alphabetically first email of a profile, as the templates' customer_value table picks it.
  for (const r of identity)
    if (r.identifier_type === "email" && typeof r.identifier_value === "string") {
      const id = String(r.profile_id);
      const known = email.get(id);
      if (known === undefined || r.identifier_value < known) email.set(id, r.identifier_value);
    }
  const tier = new Map(tiers.map((r) => [String(r.customer_id), r.tier === null || r.tier === undefined ? null : String(r.tier)]));
  const segment = new Map(segments.map((r) => [String(r.customer_id), r.segment === null || r.segment === undefined ? null : String(r.segment)]));
  return ltv.map((r) => {
    const id = String(r.customer_id);
    return {
      customerId: id, email: email.get(id) ?? null, tier: tier.get(id) ?? null, segment: segment.get(id) ?? null,
      repeatOrders: num(r.frequency), clv: num(r.clv) ?? 0, clvP05: num(r.clv_p05), clvP95: num(r.clv_p95), pAlive: num(r.p_alive),
    };
  });
}

/** The steps beside an LTV step that name its customers: the identity graph, the value tiers read from it and the RFM segments. */
export function ltvNeighbours(components: readonly { id: string; type: string; inputs: string[] }[], ltvStep: string): { identity?: string; tiers?: string; segments?: string } {
  return {
    identity: components.find((c) => c.type === "identity.resolve")?.id,
    tiers: components.find((c) => c.type === "segment.value_tiers" && c.inputs.includes(ltvStep))?.id,
    segments: components.find((c) => c.type === "segment.rfm")?.id,
  };
}

/** One row of an LTV step's model output: a fitted parameter (with its standard error) or a fit diagnostic. */
export interface LtvModelRow { model: string; parameter: string; value: number; std_error: number | null }

/**
 * What an LTV fit says, in sentences, before its parameters: how often customers order while they keep buying (BG/NBD
 * r/α per time unit, per year), how likely they are to stop after an order (a/(a+b), the mean dropout chance), and what
 * an order is worth (Gamma-Gamma p·γ/(q−1), when q > 1). Each is left out when the fit lacks its parameters.
 */
export function ltvSays(rows: readonly LtvModelRow[], format: { number: (n: number) => string; percent: (n: number) => string; money: (n: number) => string }): string[] {
  const value = (model: string, parameter: string) => rows.find((r) => r.model === model && r.parameter === parameter)?.value;
  const says: string[] = [];
  const [r, alpha, a, b] = ["r", "alpha", "a", "b"].map((p) => value("bgnbd", p));
  const unitDays = value("bgnbd", "time_unit_days") ?? 7;
  if (r !== undefined && alpha !== undefined && alpha > 0)
    says.push(`While they keep buying, customers order about ${format.number((r / alpha) * (365 / unitDays))} times a year on average.`);
  if (a !== undefined && b !== undefined && a + b > 0)
    says.push(`After each order, about ${format.percent(a / (a + b))} of customers stop buying for good.`);
  const [p, q, gamma] = ["p", "q", "gamma"].map((x) => value("gamma_gamma", x));
  if (p !== undefined && q !== undefined && gamma !== undefined && q > 1)
    says.push(`An order is worth about ${format.money((p * gamma) / (q - 1))} on average.`);
  return says;
}

// The fit diagnostics' names as a reader says them; others lose their underscores.
const diagnosticNames: Record<string, string> = {
  time_unit_days: "time unit", log_likelihood: "log-likelihood", frequency_spend_correlation: "frequency–spend correlation", converged: "converged",
};

/** A fitted model's name as the literature writes it (the parameters' and diagnostics' model column: bgnbd → BG/NBD). */
export function clvModelName(model: string): string {
  const names: Readonly<Record<string, string>> = { bgnbd: "BG/NBD", pareto_nbd: "Pareto/NBD", gamma_gamma: "Gamma-Gamma" };
  return names[model] ?? model.replaceAll("_", " ");
}

/**
 * One fit diagnostic of an LTV step's model output as the card's row reads it: "time unit" with "7 days (a week)" (the
 * length of the unit recency and t are counted in), "converged" with yes or no, any other measure with its number.
 */
export function ltvDiagnostic(parameter: string, value: number, number: (n: number) => string): { measure: string; value: string } {
  const measure = diagnosticNames[parameter] ?? parameter.replaceAll("_", " ");
  if (parameter === "converged") return { measure, value: value === 1 ? "yes" : "no" };
  if (parameter === "time_unit_days") return { measure, value: value === 1 ? "1 day" : value === 7 ? "7 days (a week)" : `${number(value)} days` };
  return { measure, value: number(value) };
}
