import { intervalNote, ltvUnits, ltvValueLabel, pipelineCurrency } from "./ltv";
import { moneyHeader } from "./usePipelineCurrency";
import { attributionModelLabel } from "./attribution";
import { glossary, readableName, recommenderName } from "./glossary";
import { audienceNote, audienceOutcomes, hasHoldoutValues, signalWarning } from "./propensity";
import { formatCompactCurrency, formatPercent } from "./ui/format";
import type { Sort } from "./ui/sorting";
import { humanTitle } from "./titles";

/**
 * Result panels by component type. A pipeline's dashboard shows one panel for each of its components whose type is
 * listed here; adding a dashboard for a new use case is one entry: which declared output to read, and how to turn its
 * rows into a chart (categories, one or more series, axis titles and the unit of the values).
 */
export interface Panel {
  title: string;
  /** The step's declared output to chart ("main" for the step's asset); its table comes from the asset list (sideTable), never from a name. */
  output: string;
  /** The chart from the table's rows (objects keyed by column). */
  chart: (rows: Record<string, unknown>[], currency?: string | null) => Chart;
  /** The use case's own result: shown before the pipeline's other panels (e.g. churn before the LTV it reads). */
  lead?: boolean;
  /** The table's first order (the whole table's, by the server). */
  sort?: Sort;
  /**
   * What the values mean, from the step's latest materialization metadata, the pipeline's params and the chart's rows: a
   * line over the chart (horizon, currency), units of the table's columns, and a note on its empty columns.
   */
  about?: (metadata: Record<string, unknown> | null, params: Record<string, unknown> | null, rows: Record<string, unknown>[]) =>
    { summary?: string; units?: Record<string, string>; note?: string | null };
}

/** How values read: counts, money, money per day, a share (0..1) or a plain ratio. */
/** How a chart's values read: "ratio" is a multiple (2.4×), "score" a measure such as AUC or NDCG (0.968). */
export type Unit = "count" | "money" | "money_per_day" | "share" | "ratio" | "score";

export interface Chart {
  bars: { x: string; series: Record<string, number> }[];
  /** The category axis' title. */
  xTitle: string;
  /** The value axis' title, unit included. */
  yTitle: string;
  unit: Unit;
  /** The currency of a money unit (the pipeline's), for its ticks; none: no symbol rather than a guessed $. */
  currency?: string | null;
  /** Bars run left to right with their labels in a column: for long or many category names. */
  horizontal?: boolean;
  /** The series are alternatives (e.g. attribution models): the reader picks one, and a heat table shows them all. */
  pick?: string;
  /** What the picked series are, for the picker's label and the heat table's name ("Model" when not set). */
  pickLabel?: string;
  /** A note under the chart, e.g. how the bins were chosen. */
  note?: string;
  /** Flows between steps: drawn as a Sankey diagram instead of bars. */
  sankey?: Sankey;
  /**
   * A 95% interval per category (bar x) of a one-series chart, drawn as error bars; a bar whose interval spans zero is
   * drawn pale: it is not distinguishable from zero.
   */
  intervals?: Record<string, [number, number]>;
  /** The value axis' top when the measure has one (PR-AUC, AUC: 1), so that the axis never runs past it. */
  max?: number;
}

/** A Sankey diagram's data: nodes by name, links by node index (recharts' shape). */
export interface Sankey {
  nodes: { name: string; column: number }[];
  links: { source: number; target: number; value: number }[];
}

const n = (v: unknown) => (typeof v === "number" ? v : Number(v ?? 0));

/** Links a paths Sankey keeps: more would not be readable. */
export const sankeyLinks = 40;

/**
 * journey.paths edges as a Sankey. A step is one node per depth (the same page at depths 2 and 4 is two nodes), so the
 * diagram has no cycles. Next-step trees run from the step at `depth` to `depth + 1`; previous-step trees (sources
 * '(start)', depth 1 the end event) from `depth + 1` to `depth`, drawn left to right towards the end event. Only the
 * busiest `limit` edges are kept.
 */
export function pathsSankey(rows: Record<string, unknown>[], limit = sankeyLinks): Sankey {
  const depth1 = rows.filter((r) => n(r.depth) === 1);
  const depth2 = rows.filter((r) => n(r.depth) === 2);
  // Whichever way edges run, a depth-2 edge starts where a depth-1 edge ends; with neither marker that tells the direction.
  const backward = rows.some((r) => r.source === "(start)")
    || (!rows.some((r) => r.target === "(end)") && depth2.length > 0 && depth2.every((r) => depth1.some((e) => e.source === r.target))
      && !depth2.every((r) => depth1.some((e) => e.target === r.source)));
  const maxDepth = Math.max(0, ...rows.map((r) => n(r.depth)));
  const nodes: Sankey["nodes"] = [];
  const index = new Map<string, number>();
  const node = (name: string, column: number) => {
    const key = `${column}\u0000${name}`;
    if (!index.has(key)) { index.set(key, nodes.length); nodes.push({ name, column }); }
    return index.get(key)!;
  };
  const links = [...rows].filter((r) => n(r.units) > 0).sort((a, b) => n(b.units) - n(a.units)).slice(0, limit).map((r) => {
    const d = n(r.depth);
    const [from, to] = backward ? [maxDepth - d, maxDepth - d + 1] : [d - 1, d];
    return { source: node(String(r.source), from), target: node(String(r.target), to), value: n(r.units) };
  });
  return { nodes, links };
}

function countBy(rows: Record<string, unknown>[], column: string, series: string) {
  const counts = new Map<string, number>();
  for (const r of rows) counts.set(String(r[column]), (counts.get(String(r[column])) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1]).map(([x, c]) => ({ x, series: { [series]: c } }));
}

/** Bin edges on a 1-2-5 log scale from 0 to past the largest value: skewed values (CLV) spread over the bins instead of piling into the first. */
export function logBinEdges(max: number): number[] {
  const edges = [0];
  for (let decade = 1; edges[edges.length - 1] <= max; decade *= 10)
    for (const m of [1, 2, 5]) {
      edges.push(m * decade);
      if (m * decade > max) break;
    }
  return edges;
}

/** Counts of values per log bin, labelled with the bin's range (e.g. "100–200"); empty leading and trailing bins dropped. */
export function logHistogram(values: number[], label: (n: number) => string, series: string) {
  const finite = values.filter((v) => Number.isFinite(v));
  if (finite.length === 0) return [];
  const edges = logBinEdges(Math.max(...finite, 0));
  const counts = new Array<number>(edges.length - 1).fill(0);
  for (const v of finite) {
    let i = edges.findIndex((e, k) => k > 0 && v < e) - 1;
    if (i < 0) i = v < 0 ? 0 : counts.length - 1;
    counts[i]++;
  }
  const first = counts.findIndex((c) => c > 0);
  const last = counts.length - 1 - [...counts].reverse().findIndex((c) => c > 0);
  return counts.slice(first, last + 1).map((c, k) => ({ x: `${label(edges[first + k])}–${label(edges[first + k + 1])}`, series: { [series]: c } }));
}

/** analytics.uplift's orderings by the names a reader knows them by. */
const learnerNames: Record<string, string> = { x: "X-learner", t: "T-learner", class_transformation: "class transformation", propensity: "propensity ordering", random: "random ordering" };


export const panels: Record<string, Panel> = {
  "segment.value_tiers": {
    title: "Value tiers: share of customers and of predicted value",
    output: "summary",
    chart: (rows) => {
      // Side by side, a tier's share of the customers and of their predicted value is the concentration a tier plan acts on.
      const customers = rows.reduce((s, r) => s + n(r.customers), 0) || 1;
      const value = rows.reduce((s, r) => s + n(r.total_clv), 0) || 1;
      return {
        bars: [...rows].sort((a, b) => n(a.tier_rank) - n(b.tier_rank))
          .map((r) => ({ x: String(r.tier), series: { "customers": n(r.customers) / customers, "predicted value (CLV)": n(r.total_clv) / value } })),
        xTitle: "Value tier", yTitle: "Share of the total", unit: "share",
        note: "The table below has each tier's customers, average CLV and the acquisition cost it affords.",
      };
    },
  },
  "segment.rfm": {
    title: "RFM segments: customers per segment",
    output: "main",
    chart: (rows) => ({ bars: countBy(rows, "segment", "customers"), xTitle: "RFM segment", yTitle: "Customers", unit: "count", horizontal: true }),
  },
  "analytics.ltv": {
    title: "CLV distribution",
    output: "main",
    chart: (rows, currency) => ({
      // Bin edges in the pipeline's currency ($100–$200); without one, plain numbers rather than a guessed $.
      bars: logHistogram(rows.map((r) => n(r.clv)), (v) => formatCompactCurrency(v, currency), "customers"),
      xTitle: `Predicted customer lifetime value (${currency ? `${currency}, ` : ""}log-spaced bins)`, yTitle: "Customers", unit: "count",
      note: "Bins grow 1–2–5 per decade, so that the many low values and the few high ones are both visible.",
    }),
    sort: { column: "clv", direction: "desc" },
    about: (metadata, params, rows) => ({
      summary: `CLV: ${ltvValueLabel(metadata, params)}, discounted.`,
      units: ltvUnits(metadata),
      note: intervalNote(metadata, rows),
    }),
  },
  "analytics.attribution": {
    title: "Attribution: share of conversions by channel and model",
    output: "main",
    chart: (rows) => {
      // Models and channels by their readable names (Markov (1st order), paid search): the picker, legend and heat table show them.
      const byChannel = new Map<string, Record<string, number>>();
      for (const r of rows) {
        const s = byChannel.get(readableName(String(r.channel))) ?? {};
        s[readableName(String(r.model))] = n(r.share);
        byChannel.set(readableName(String(r.channel)), s);
      }
      const models = [...new Set(rows.map((r) => String(r.model)))];
      const first = readableName(models.includes("markov") ? "markov" : models[0] ?? "");
      const bars = [...byChannel].map(([x, series]) => ({ x, series })).sort((a, b) => (b.series[first] ?? 0) - (a.series[first] ?? 0));
      return { bars, xTitle: "Channel", yTitle: "Share of conversions (%)", unit: "share", horizontal: true, pick: first };
    },
  },
  "analytics.funnel": {
    title: "Funnel: units reaching each step, by breakdown value",
    output: "main",
    chart: (rows) => {
      const bySteps = new Map<string, Record<string, number>>();
      for (const r of [...rows].sort((a, b) => n(a.step) - n(b.step))) {
        const x = `${n(r.step)}. ${String(r.step_name)}`;
        const s = bySteps.get(x) ?? {};
        s[String(r.breakdown)] = n(r.units);
        bySteps.set(x, s);
      }
      const bars = [...bySteps].map(([x, series]) => ({ x, series }));
      return { bars, xTitle: "Step", yTitle: "Units reaching the step", unit: "count", pick: "(all)", pickLabel: "Breakdown",
        note: "(all) counts every unit; pick a breakdown value to see its funnel. Median time to convert is in the table below." };
    },
  },
  "journey.paths": {
    title: "Paths: the most travelled steps (Sankey edges)",
    output: "main",
    chart: (rows) => ({
      bars: [], xTitle: "Steps left to right from the start (or towards the end) event; a band's width is its units", yTitle: "Units", unit: "count", sankey: pathsSankey(rows),
      note: `The ${Math.min(rows.length, sankeyLinks)} busiest of ${rows.length} edges; '(end)' marks units whose path stopped there, '(start)' paths that began there. Every edge is in the table below.`,
    }),
  },
  "analytics.retention": {
    title: "Retention: share of each cohort still returning",
    output: "main",
    chart: (rows) => {
      // A cohort's size beside its date: a 0% column of one person reads differently from one of five hundred.
      const cohort = (r: Record<string, unknown>) => `${String(r.cohort).slice(0, 10)} (n=${n(r.cohort_size)})`;
      const byPeriod = new Map<string, Record<string, number>>();
      // Cohorts in date order within each period: the heat table's columns follow the first period's keys.
      for (const r of [...rows].sort((a, b) => n(a.period) - n(b.period) || cohort(a).localeCompare(cohort(b)))) {
        const x = `period ${n(r.period)}`;
        const s = byPeriod.get(x) ?? {};
        s[cohort(r)] = n(r.retention);
        byPeriod.set(x, s);
      }
      // The largest cohort (the latest of equals) first: the earliest can be a handful of people.
      const sizes = new Map(rows.map((r) => [cohort(r), n(r.cohort_size)]));
      const largest = [...sizes].sort(([a, x], [b, y]) => y - x || b.localeCompare(a))[0]?.[0];
      return { bars: [...byPeriod].map(([x, series]) => ({ x, series })), xTitle: "Periods after the cohort's first", yTitle: "Retained (%)", unit: "share", pick: largest, pickLabel: "Cohort",
        note: "Periods that end after the last event are left out. Pick a cohort to chart it; the table shows them all." };
    },
  },
  "analytics.conversion_opportunities": {
    title: "Conversion opportunities: value lost by finding",
    output: "main",
    chart: (rows) => ({
      bars: rows.filter((r) => r.kind === "drop_off" || r.significant === true).sort((a, b) => n(a.rank) - n(b.rank)).slice(0, 15)
        .map((r) => ({ x: r.kind === "drop_off" ? `drop-off before ${String(r.step_name)}` : `${String(r.segment)} at ${String(r.step_name)}`, series: { value_lost: n(r.value_lost) } })),
      xTitle: "Finding (ranked)", yTitle: "Conversion value at stake", unit: "money", horizontal: true,
      note: "A drop-off is valued at winning back recoverable_share of it (10% by default), a segment at closing that share of its gap. Findings overlap: do not add them up. Each finding's sentence, with its assumption, is in the table below.",
    }),
  },
  "analytics.campaign_performance": {
    title: "Campaigns: ROAS over the period",
    output: "summary",
    chart: (rows) => ({
      bars: rows.filter((r) => n(r.spend) > 0).map((r) => ({ x: `${readableName(String(r.channel))} / ${r.campaign ?? ""}`, series: { roas: n(r.roas) } })).sort((a, b) => b.series.roas - a.series.roas),
      xTitle: "Channel / campaign", yTitle: "ROAS (attributed revenue per unit of spend)", unit: "ratio", horizontal: true,
    }),
    about: (metadata, params) => {
      const currency = pipelineCurrency(params)?.currency;
      return { summary: `ROAS: revenue credited by ${attributionModelLabel(metadata)} per 1${currency ? ` ${currency}` : ""} spent, over the days each channel's ad spend covers (credit on days without spend data is left out and named in the step's warnings). Each channel's attributed revenue and cost per attributed conversion are in the card below.` };
    },
  },
  "recs.evaluate": {
    title: "Recommendations: NDCG on the holdout by model",
    output: "main",
    chart: (rows) => ({
      bars: rows.map((r) => ({ x: recommenderName(String(r.model)), series: { ndcg: n(r.ndcg) } })),
      xTitle: "Model", yTitle: "NDCG at k (higher is better)", unit: "score",
    }),
  },
  "analytics.churn": {
    title: "Churn: value at risk by risk band",
    output: "main",
    lead: true,
    chart: (rows, currency) => {
      const bands = ["high", "medium", "low"].map((band) => {
        const own = rows.filter((r) => r.risk_band === band);
        const p = own.map((r) => r.churn_probability).filter((v): v is number => typeof v === "number");
        return { band, customers: own.length, value: own.reduce((s, r) => s + n(r.value_at_risk), 0), low: Math.min(...p), high: Math.max(...p) };
      });
      // Bands rank customers, so each says which share of the riskiest it is and its probability range: where most
      // customers churn, "low" alone read as safe while its customers had up to an 89% chance of leaving.
      const total = bands.reduce((sum, b) => sum + b.customers, 0);
      const share = (b: (typeof bands)[number]) => (total > 0 ? Math.round((100 * b.customers) / total) : 0);
      const rank = (b: (typeof bands)[number], i: number) => (i === 0 ? `riskiest ${share(b)}%` : i === bands.length - 1 ? `other ${share(b)}%` : `next ${share(b)}%`);
      const range = (b: (typeof bands)[number]) => (b.customers > 0 && Number.isFinite(b.low) ? `, ${formatPercent(b.low)}–${formatPercent(b.high)}` : "");
      return {
        bars: bands.map((b, i) => ({ x: `${b.band}: ${rank(b, i)}${range(b)}`, series: { value_at_risk: b.value } })),
        // A short axis title: the long one was cut at the chart's height; the definition goes in the note.
        xTitle: "Risk band", yTitle: moneyHeader("Value at risk", currency ?? null), unit: "money", currency,
        note: `Value at risk: churn probability × predicted CLV. Customers: ${bands.map((b) => `${b.band} ${b.customers}`).join(", ")}. ` +
          "Bands rank customers by churn probability (by default the top 10% high, the next 20% medium); alerts with a budget go to the highest value at risk first.",
      };
    },
  },
  "alert.churn": {
    title: "Churn alerts: customers to contact by action",
    output: "main",
    lead: true,
    chart: (rows) => ({
      // Actions in words, as the alert list beside the chart writes them ("winback offer", not winback_offer).
      bars: countBy(rows, "action", "customers").map((b) => ({ ...b, x: b.x.replaceAll("_", " ") })), xTitle: "Playbook action", yTitle: "Customers alerted", unit: "count", horizontal: true,
      note: "Each alert's reason and value at risk are in the alert list.",
    }),
  },
  "analytics.propensity": {
    title: "Propensity: purchase rate lift by decile",
    output: "gains",
    lead: true,
    chart: (rows) => {
      const byDecile = new Map<number, Record<string, number>>();
      for (const r of rows) byDecile.set(n(r.decile), { ...byDecile.get(n(r.decile)), [String(r.model).replaceAll("_", " ")]: n(r.lift) });
      return {
        bars: [...byDecile].sort((a, b) => a[0] - b[0]).map(([d, series]) => ({ x: `decile ${d}`, series })),
        xTitle: "Decile of score on the holdout (1 the highest)", yTitle: "Lift (purchase rate ÷ the holdout's rate)", unit: "ratio",
        note: "Cumulative gains and calibration are in the model card below.",
      };
    },
  },
  "analytics.uplift": {
    title: "Uplift: observed uplift by decile of each learner's estimate",
    output: "deciles",
    lead: true,
    chart: (rows) => {
      const byDecile = new Map<number, Record<string, number>>();
      // Readable names, and no series called "x": the chart keys its categories by x.
      const name = (learner: string) => learnerNames[learner] ?? learner.replaceAll("_", " ");
      for (const r of rows) byDecile.set(n(r.decile), { ...byDecile.get(n(r.decile)), [name(String(r.learner))]: n(r.observed_uplift) });
      const learners = [...new Set(rows.map((r) => name(String(r.learner))))];
      return {
        bars: [...byDecile].sort((a, b) => a[0] - b[0]).map(([d, series]) => ({ x: `decile ${d}`, series })),
        xTitle: "Decile of estimated uplift on the holdout (1 the highest)", yTitle: "Observed uplift (treated − control rate, %)", unit: "share",
        pick: learners.includes(learnerNames.x) ? learnerNames.x : learners[0], pickLabel: "Learner",
        note: "A good learner's first deciles have the largest observed uplift and its last the smallest (do-not-disturb below zero).",
      };
    },
  },
  "activate.campaign_targeting": {
    title: "Targeting: incremental profit by audience",
    output: "summary",
    lead: true,
    chart: (rows, currency) => {
      const outcomes = audienceOutcomes(rows);
      // On the holdout when the scores carry its evidence: the model's own sum is biased upward for its top customers.
      const holdout = hasHoldoutValues(rows);
      const warning = signalWarning(rows);
      const x = (r: Record<string, unknown>) => String(r.strategy).replaceAll("_", " ");
      const intervals = holdout ? Object.fromEntries(outcomes.filter((r) => Number.isFinite(n(r.holdout_profit_low)) && Number.isFinite(n(r.holdout_profit_high)))
        .map((r) => [x(r), [n(r.holdout_profit_low), n(r.holdout_profit_high)] as [number, number]])) : undefined;
      const spansZero = Object.entries(intervals ?? {}).filter(([, [low, high]]) => low <= 0 && high >= 0).map(([name]) => name);
      return {
        bars: outcomes.map((r) => ({ x: x(r), series: { [holdout ? "profit_on_holdout" : "model_claimed_profit"]: n(holdout ? r.holdout_profit : r.expected_profit) } })),
        // A short title: the long one was cut at 1024 px; what it measures is in the note.
        xTitle: "Audience", yTitle: moneyHeader(holdout ? "Incremental profit" : "Claimed profit", currency ?? null), unit: "money", currency, intervals,
        note: `${warning ? `${warning} ` : ""}${holdout ? "Incremental profit on the send's holdout, with its 95% interval as error bars. " : "The model's own claim of incremental profit, unchecked. "}`
          + `${spansZero.length > 0 ? `Not distinguishable from zero (the interval spans 0, drawn pale): ${spansZero.join(", ")}. ` : ""}${audienceNote(rows)}`,
      };
    },
  },
  "analytics.risk_score": {
    title: "Fraud risk: PR-AUC by fraud type, each part and the combination",
    output: "evaluation",
    lead: true,
    chart: (rows) => {
      const byType = new Map<string, Record<string, number>>();
      for (const r of rows) byType.set(String(r.fraud_type).replaceAll("_", " "), { ...byType.get(String(r.fraud_type).replaceAll("_", " ")), [String(r.score).replaceAll("_", " ")]: n(r.pr_auc) });
      return {
        bars: [...byType].map(([x, series]) => ({ x, series })),
        xTitle: "Fraud type (against the unlabelled transactions)", yTitle: "PR-AUC (higher is better, at most 1)", unit: "score", max: 1, pick: "combined", pickLabel: "Score",
        note: rows.length === 0 ? "No labels input: the evaluation needs known fraud (e.g. the demo's ground_truth/fraud_labels.csv)."
          : `${capitalized(glossary.prAuc)}. Recall at the alert rate, per fraud type and part, is in the model card below.`,
      };
    },
  },
  "analytics.budget_optimizer": {
    title: "Budget reallocation: daily spend now and recommended",
    output: "main",
    chart: (rows, currency) => ({
      bars: rows.map((r) => ({ x: readableName(String(r.channel)), series: { current: n(r.current_spend), recommended: n(r.recommended_spend) } })),
      xTitle: "Channel", yTitle: currency ? `Spend (${currency}/day)` : "Spend per day", unit: "money_per_day", currency,
    }),
  },
};

/** Component types whose card (there is no panel) leads: the fraud alerts card charts the open queue itself; an A/B test's decision is its answer. */
export const leadingCards: ReadonlySet<string> = new Set(["alert.fraud", "decision.experiment"]);

/** A dashboard's components in reading order: those whose panel or card leads first, then the rest, each group in pipeline order. */
export function dashboardOrder<T extends { type: string }>(items: T[]): T[] {
  const leads = (i: T) => panels[i.type]?.lead === true || leadingCards.has(i.type);
  return [...items.filter(leads), ...items.filter((i) => !leads(i))];
}

const capitalized = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** The anchor id of a dashboard's section for a step, for the section navigation to scroll to. */
export const sectionAnchor = (step: string) => `section-${step.replace(/[^A-Za-z0-9_-]/g, "_")}`;

/**
 * The dashboard's sections, one per step, in the dashboard's order, each titled for a long dashboard's navigation and
 * its landmark: by what its chart shows (the chart's title before its colon, e.g. "CLV distribution"), or, for a step
 * without a chart, by its step's name as people read it ("fraud_alerts" → "Fraud alerts"). A title two steps would share
 * names the later step in brackets ("Recommendations (Recs model card)").
 */
export function dashboardSections(items: readonly { id: string; type: string }[]): { anchor: string; label: string; step: string }[] {
  const seen = new Set<string>();
  return items.map((i) => {
    const title = panels[i.type]?.title.split(":")[0].trim() || humanTitle(i.id);
    const label = seen.has(title.toLowerCase()) ? `${title} (${humanTitle(i.id)})` : title;
    seen.add(title.toLowerCase());
    return { anchor: sectionAnchor(i.id), label, step: i.id };
  });
}
