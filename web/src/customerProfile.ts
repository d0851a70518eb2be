import type { Schemas } from "./api/client";
import { formatCell, formatCurrency, formatMoney, formatNumber, formatPercent } from "./ui/format";
import { predictionIntervalMeaning } from "./ltv";

export type CustomerProfile = Schemas["CustomerProfile"];
export type ProfileSection = Schemas["ProfileSection"];
export type CustomerMatch = Schemas["CustomerMatch"];
export type CustomerSearchPage = Schemas["CustomerSearchPage"];
/** One row of a section, keyed by column name. */
export type ProfileRow = Record<string, unknown>;

/** A section's rows as records keyed by column name. */
export function records(section: ProfileSection | undefined): ProfileRow[] {
  if (!section) return [];
  return section.rows.map((r) => Object.fromEntries(section.columns.map((c, i) => [c.name, r[i]])));
}

/** The section with this key, if the server sent it. */
export const sectionOf = (profile: CustomerProfile, key: string) => profile.sections.find((s) => s.key === key);

/**
 * A profile's parts split in two, each in the server's order: those read from a table (shown, with or without rows for
 * this person) and those the warehouse has no table for yet (missing: listed once on the page, not shown as parts).
 */
export function profileParts(profile: CustomerProfile): { shown: ProfileSection[]; missing: ProfileSection[] } {
  return { shown: profile.sections.filter((s) => s.table), missing: profile.sections.filter((s) => !s.table) };
}

/** A recommended product as people know it: "Name (SKU)" from the catalog name the server adds, else the SKU alone. */
export function productName(row: ProfileRow): string {
  const name = text(row.product_name), sku = text(row.sku);
  return name && sku && name !== sku ? `${name} (${sku})` : name ?? sku ?? "?";
}

/** The first of these columns the row has with a value. */
function pick(row: ProfileRow | undefined, ...names: string[]): unknown {
  if (!row) return undefined;
  for (const n of names) if (row[n] !== null && row[n] !== undefined && row[n] !== "") return row[n];
  return undefined;
}

const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : undefined);
const text = (v: unknown) => (v === null || v === undefined || v === "" ? undefined : formatCell(v));
const joined = (...parts: (string | undefined)[]) => parts.filter((p): p is string => !!p).join(" · ") || null;

// A segment's name, unless it only repeats the decile beside it (decile_2).
const segmentName = (v: unknown) => (typeof v === "string" && /^decile_?\d+$/.test(v) ? undefined : text(v));

/** One score on the profile: what it is, its value, and the reason the model or rule gives for it. */
export interface Score {
  key: string;
  label: string;
  /** The value for people, or null when the customer has none. */
  value: string | null;
  /** Why: the model's reason, band or decision; or why there is no value. */
  reason: string | null;
  /** The table it was read from (null when the project has no such table). */
  table: string | null;
  /** "high" for a risk or flag that wants attention, "good" for a favourable one. */
  tone?: "high" | "good";
  /** What the reason's figures mean, as its tooltip. */
  hint?: string;
}

// What a score with no value says: no table (a pipeline has not run) or no row for this person.
function missing(key: string, label: string, section: ProfileSection | undefined, notScored: string): Score {
  return section?.table
    ? { key, label, value: null, reason: notScored, table: section.table }
    : { key, label, value: null, reason: `No ${section ? "table" : "section"} for it yet: run full_cdp (or the template that writes it).`, table: null };
}

/** What the scores read beside the profile's rows: the LTV's latest materialization metadata (its resolved with: holds the horizon). */
export interface ScoreContext {
  ltvMetadata?: Record<string, unknown>;
  /** The currency of the pipeline that wrote the LTV table (its params convert amounts into it), for when the table and run name none. */
  currency?: string | null;
}

/** The LTV's currency (a currency column, or a currency parameter of the run) and horizon in days (horizon_days of the run, else a column), where recorded. */
export function ltvUnits(row: ProfileRow, metadata: Record<string, unknown> | undefined): { currency?: string; horizonDays?: number } {
  const withs = metadata?.with && typeof metadata.with === "object" ? metadata.with as Record<string, unknown> : {};
  const currency = text(pick(row, "currency")) ?? (typeof withs.currency === "string" && /^[A-Z]{3}$/.test(withs.currency) ? withs.currency : undefined);
  const days = Number(withs.horizon_days ?? row.horizon_days);
  return { currency, horizonDays: Number.isFinite(days) && days > 0 ? days : undefined };
}

/** A propensity decile with its direction: decile 1 holds the highest scores (segment.propensity's deciles). */
export function decileText(d: unknown): string {
  const n = Number(d);
  const end = n === 1 ? ", the highest scores" : n === 10 ? ", the lowest scores" : " (1 holds the highest scores)";
  return `decile ${formatCell(d)} of 10${end}`;
}

const learnerNames: Record<string, string> = { uplift_x: "X-learner", uplift_t: "T-learner", uplift_class_transformation: "class transformation" };

/**
 * The uplift's reason, every number from the model whose estimate fills the uplift column (and the group): the learner is
 * the one whose column equals it. The chance if contacted and if not come from the T-learner's two outcome models, so they
 * are shown only when the T-learner is that model; a customer outside the send gets the send's average.
 */
export function upliftReason(r: ProfileRow): string | null {
  const u = num(r.uplift)!;
  const points = `uplift ${u >= 0 ? "+" : "−"}${formatNumber(Math.abs(u) * 100)} points`;
  if (r.in_send === false) return joined(points, "the send's average: not in the send, so no estimate of their own");
  const learner = Object.keys(learnerNames).find((c) => num(r[c]) !== undefined && Math.abs(num(r[c])! - u) < 1e-9);
  const ifContacted = num(r.p_if_contacted), ifNot = num(r.p_if_not_contacted);
  const levels = ifContacted !== undefined && ifNot !== undefined && Math.abs(ifContacted - ifNot - u) < 1e-9;
  return joined(learner ? `${points} (${learnerNames[learner]})` : points,
    levels ? `${formatPercent(ifContacted!)} if contacted, ${formatPercent(ifNot!)} if not` : undefined);
}

/**
 * Every score of the profile with its reason, in the page's order: value tier, lifetime value, churn risk, purchase
 * propensity, uplift group, recommendations, fraud flags and experiment variants. A score the warehouse has no table
 * for, or no row of this person in, says which and why instead of a value.
 */
export function scores(profile: CustomerProfile, context: ScoreContext = {}): Score[] {
  const row = (key: string) => records(sectionOf(profile, key))[0];
  const section = (key: string) => sectionOf(profile, key);
  const out: Score[] = [];

  const value = row("value");
  if (value) {
    out.push({ key: "tier", label: "Value tier", value: text(value.tier) ?? "—", table: section("value")!.table,
      reason: joined(text(pick(value, "segment")) && `RFM ${text(value.segment)}`, text(value.action), num(value.max_cac) !== undefined ? `affordable acquisition cost ${formatCurrency(num(value.max_cac)!, context.currency)}` : undefined) });
  } else out.push(missing("tier", "Value tier", section("value"), "Not tiered: no order in the data the tiers were computed on."));

  const ltv = row("ltv");
  if (ltv && num(ltv.clv) !== undefined) {
    // The prediction interval of what the customer will spend; a table written before it has only the expected value's
    // parameter uncertainty, which is named as such.
    const p05 = num(ltv.clv_p05), p95 = num(ltv.clv_p95), low = num(ltv.clv_low), high = num(ltv.clv_high);
    const units = ltvUnits(ltv, context.ltvMetadata);
    const currency = units.currency ?? context.currency ?? undefined, horizonDays = units.horizonDays;
    // With its currency's symbol where known ($29.02), else two decimals and no guessed symbol.
    const money = (n: number) => formatCurrency(n, currency);
    const interval = p05 !== undefined && p95 !== undefined ? `90% prediction interval ${money(p05)}–${money(p95)}`
      : low !== undefined && high !== undefined ? `uncertainty of the expected value (parameters only) ${money(low)}–${money(high)}` : undefined;
    out.push({ key: "ltv", label: "Lifetime value", value: money(num(ltv.clv)!), table: section("ltv")!.table,
      hint: p05 !== undefined && p95 !== undefined ? predictionIntervalMeaning : undefined,
      reason: joined(horizonDays !== undefined ? `predicted over the next ${formatNumber(horizonDays)} days` : undefined,
        currency ? undefined : "in the currency of the order amounts",
        interval,
        num(ltv.p_alive) !== undefined ? `P(alive) ${formatPercent(num(ltv.p_alive)!)}` : undefined,
        num(ltv.expected_purchases) !== undefined ? `${formatNumber(num(ltv.expected_purchases)!)} expected purchases` : undefined,
        // BG/NBD's frequency: days with an order after the first, several orders on one day counting once.
        num(ltv.frequency) !== undefined ? `${formatNumber(num(ltv.frequency)!)} repeat purchase days (days with an order after the first)` : undefined) });
  } else out.push(missing("ltv", "Lifetime value", section("ltv"), "Not valued: the LTV model saw no order of this customer."));

  const churn = row("churn");
  if (churn && num(churn.churn_probability) !== undefined) {
    const p = num(churn.churn_probability)!;
    // The band ranks customers (by default the riskiest 10% are high), so "low" is no promise: the tone follows the chance itself.
    out.push({ key: "churn", label: "Churn risk", value: `${formatPercent(p)}${churn.risk_band ? ` (${text(churn.risk_band)} band)` : ""}`, table: section("churn")!.table,
      tone: churn.risk_band === "high" || p >= 0.5 ? "high" : p < 0.2 ? "good" : undefined,
      reason: joined(text(churn.reason), text(churn.reason_2), text(churn.reason_3)) ?? "No reason stands out from the average customer." });
  } else out.push(missing("churn", "Churn risk", section("churn"), "Not scored: churn is scored for customers with an order before the snapshot."));

  const propensity = row("propensity");
  const decile = row("segments_propensity");
  const p = num(pick(propensity, "purchase_probability", "propensity", "probability", "score"));
  if (p !== undefined) {
    const d = pick(decile, "decile", "propensity_decile");
    out.push({ key: "propensity", label: "Purchase propensity", value: formatPercent(p), table: section("propensity")!.table,
      reason: joined(d !== undefined ? decileText(d) : undefined, segmentName(pick(decile, "segment", "band")),
        num(propensity?.horizon_days) !== undefined ? `buys within ${formatNumber(num(propensity?.horizon_days)!)} days` : undefined) });
  } else out.push(missing("propensity", "Purchase propensity", section("propensity"), "Not scored: no snapshot row for this customer."));

  const uplift = row("uplift");
  if (uplift && num(uplift.uplift) !== undefined) {
    out.push({ key: "uplift", label: "Uplift group", value: text(uplift.uplift_group) ?? "—", table: section("uplift")!.table,
      // The tone follows the group, not the estimate's sign: an unproven estimate is not good news yet.
      tone: uplift.uplift_group === "persuadable" ? "good" : uplift.uplift_group === "do_not_disturb" ? "high" : undefined,
      reason: upliftReason(uplift) });
  } else out.push(missing("uplift", "Uplift group", section("uplift"), "Not scored: not in the campaign's scoring population."));

  const recs = records(section("recommendations"));
  if (recs.length > 0) {
    const sources = [...new Set(recs.map((r) => text(r.source)).filter((s): s is string => !!s))];
    out.push({ key: "recommendations", label: "Recommendations", value: `${formatNumber(recs.length)} products`, table: section("recommendations")!.table,
      reason: joined(`top: ${productName(recs[0])}`, sources.length > 0 ? `from ${sources.join(", ")}` : undefined) });
  } else out.push(missing("recommendations", "Recommendations", section("recommendations"), "None: every product is excluded or the customer has no history."));

  const fraud = records(section("fraud"));
  if (fraud.length > 0) {
    const worst = fraud.reduce((a, b) => ((num(b.risk_score) ?? 0) > (num(a.risk_score) ?? 0) ? b : a));
    const flagged = fraud.filter((r) => r.decision === "review" || r.decision === "block").length;
    out.push({ key: "fraud", label: "Fraud flags", value: flagged === 0 ? "none" : `${formatNumber(flagged)} of ${formatNumber(fraud.length)} payments`,
      table: section("fraud")!.table, tone: flagged > 0 ? "high" : "good",
      reason: joined(`highest risk ${formatNumber(num(worst.risk_score) ?? 0)}/100 (${text(worst.decision) ?? "?"})`, text(worst.reasons)) });
  } else out.push(missing("fraud", "Fraud flags", section("fraud"), "No payments scored for this customer's emails."));

  const exposures = records(section("experiments"));
  if (exposures.length > 0) {
    const variants = [...new Set(exposures.map((r) => `${text(r.experiment) ?? "experiment"}: ${text(pick(r, "variant", "arm")) ?? "?"}`))];
    out.push({ key: "experiments", label: "Experiment variants", value: variants.join(", "), table: section("experiments")!.table,
      reason: joined(text(pick(exposures[0], "first_exposed_at")) && `first exposed ${text(exposures[0].first_exposed_at)}`) });
  } else out.push(missing("experiments", "Experiment variants", section("experiments"), "Not exposed to any experiment."));
  return out;
}

/** The scores the page shows: those whose table the warehouse has, with a value or the reason it has none. */
export const shownScores = (profile: CustomerProfile, context: ScoreContext = {}): Score[] => scores(profile, context).filter((s) => s.table !== null);

/** A segment or audience the customer is in, with the table that says so and its detail. */
export interface Membership {
  label: string;
  detail: string | null;
  table: string;
}

/** The segments and audiences the customer is in (RFM segment, propensity decile, uplift band, win-back and campaign audiences). */
export function memberships(profile: CustomerProfile): Membership[] {
  const out: Membership[] = [];
  const add = (key: string, label: (r: ProfileRow) => string, detail: (r: ProfileRow) => string | null) => {
    const s = sectionOf(profile, key);
    for (const r of records(s)) out.push({ label: label(r), detail: detail(r), table: s!.table! });
  };
  add("segments_rfm", (r) => `RFM: ${text(r.segment) ?? "?"}`, (r) => joined(text(r.rfm_score) && `score ${text(r.rfm_score)}`, text(r.action)));
  add("segments_propensity", (r) => `Propensity decile ${text(pick(r, "decile", "propensity_decile")) ?? "?"}`, (r) => segmentName(pick(r, "segment", "band")) ?? null);
  // The chip names the uplift group the scores tile shows; the band by score alone (which ignores the holdout's evidence) is its detail.
  const group = text(records(sectionOf(profile, "uplift"))[0]?.uplift_group);
  add("segments_uplift", (r) => `Uplift: ${group ?? text(pick(r, "band", "uplift_band", "uplift_group", "segment")) ?? "?"}`, (r) => {
    const band = text(pick(r, "band", "uplift_band", "segment"));
    return group && band && band !== group ? `score band ${band}` : null;
  });
  add("audience_winback", () => "Win-back audience", (r) => joined(text(r.alerted_on) && `alerted ${text(r.alerted_on)}`, text(r.action), text(r.reason)));
  add("audience_campaign", () => "Campaign audience", (r) => joined(num(r.rank) !== undefined ? `rank ${formatNumber(num(r.rank)!)}` : undefined, text(r.uplift_group),
    num(r.expected_profit) !== undefined ? `expected profit ${formatMoney(num(r.expected_profit)!)}` : undefined));
  return out;
}

/** The headline of a profile: a name or email to call it by, and its contact identifiers. */
export function headline(profile: CustomerProfile): { title: string; email?: string; phone?: string } {
  const c360 = records(sectionOf(profile, "profile"))[0];
  const ids = records(sectionOf(profile, "identifiers"));
  const byType = (type: string) => ids.find((r) => r.identifier_type === type)?.identifier_value as string | undefined;
  const email = (pick(c360, "email") as string | undefined) ?? byType("email");
  const phone = (pick(c360, "phone") as string | undefined) ?? byType("phone");
  // customer_360 (full_cdp) has the name; without it, the CRM contact (standardize.customers) does.
  const contact = records(sectionOf(profile, "contact"))[0];
  const fullName = (r: Record<string, unknown> | undefined) =>
    [pick(r, "first_name"), pick(r, "last_name")].filter((x) => typeof x === "string" && x !== "").join(" ");
  const name = fullName(c360) || fullName(contact);
  return { title: name || email || profile.profile_id, email, phone };
}

/**
 * The columns a section's table shows first (the rest stay one click away): for each section the few that answer
 * its question; a table without them shows all its columns.
 */
export const preferredColumns: Record<string, string[]> = {
  identifiers: ["identifier_type", "identifier_value", "source", "first_seen", "last_seen"],
  contact: ["first_name", "last_name", "email", "phone", "lifecycle_stage", "country", "created_at", "hubspot_id"],
  merges: ["merged_at", "surviving_profile", "merged_profile", "reason", "identifier_type", "identifier_value"],
  orders: ["ordered_at", "order_id", "amount", "discount", "refunded", "total", "currency", "items", "status", "channel"],
  events: ["occurred_at", "event_type", "event", "event_name", "page_path", "page_url", "channel", "utm_source", "utm_campaign", "revenue"],
  sessions: ["started_at", "ended_at", "channel", "source", "medium", "campaign", "landing_page", "events", "pageviews", "converted", "revenue"],
  tickets: ["created_at", "ticket_id", "subject", "status", "priority", "category", "satisfaction", "solved_at"],
  // The catalog's names first (the server adds product_name and because_product_name), each SKU beside its name: names repeat in a catalog.
  recommendations: ["rank", "product_name", "sku", "source", "because_product_name", "because_sku", "score"],
  fraud: ["created_at", "transaction_id", "amount", "risk_score", "decision", "reasons"],
  experiments: ["experiment", "variant", "first_exposed_at"],
};

/** The columns to show of a section: its preferred ones that the table has, in that order, else all. */
export function shownColumns(section: ProfileSection, all: boolean): number[] {
  const every = section.columns.map((_, i) => i);
  if (all) return every;
  const wanted = preferredColumns[section.key];
  if (!wanted) return every;
  const idx = wanted.map((w) => section.columns.findIndex((c) => c.name === w)).filter((i) => i >= 0);
  return idx.length === 0 ? every : idx;
}
