import type { Schemas } from "./api/client";
import { addComponent, toGraph } from "./pipelineGraph";
import { percentToShare, type ColumnUnit } from "./columnUnits";
import { formatCount } from "./ui/format";

/** A column's kind as the API names it (DataKind, snake_case). */
export type ColumnKind = Schemas["DataKind"];

/**
 * One row of the condition builder; `value` is what the input holds: items separated by commas for in / not in (an item
 * with a comma in double quotes: "Acme, Inc.", Globex), a percentage for a share column (80 for 0.8).
 */
export interface ConditionRow { column: string; op: string; value: string }

/** Where a saved audience goes: only its table, an ad platform's hashed audience file, or a webhook. */
export type Destination = "table" | "meta" | "google" | "webhook";

const comparisons = ["=", "!=", ">", ">=", "<", "<="];
const nulls = ["is null", "is not null"];

/** The operators that fit a column of this kind, as segment.audience takes them. */
export function operatorsFor(kind: ColumnKind | undefined): string[] {
  switch (kind) {
    case "text": return ["=", "!=", "in", "not in", "contains", ...comparisons.slice(2), ...nulls];
    case "integer": case "number": return [...comparisons, "in", "not in", ...nulls];
    case "date": case "timestamp": return ["within last", "older than", ...comparisons, ...nulls];
    case "boolean": return ["=", "!=", ...nulls];
    default: return nulls;
  }
}

/** The input a condition's value needs: none (is null), a number of days, a number, a date, a date and time, true/false, or text. */
export function valueInput(kind: ColumnKind | undefined, op: string): "none" | "days" | "number" | "date" | "datetime-local" | "boolean" | "text" {
  if (nulls.includes(op)) return "none";
  if (op === "within last" || op === "older than") return "days";
  if (op === "in" || op === "not in" || op === "contains") return "text";
  switch (kind) {
    case "integer": case "number": return "number";
    case "date": return "date";
    case "timestamp": return "datetime-local";
    case "boolean": return "boolean";
    default: return "text";
  }
}

/** Whether the row says enough to be sent: a column, an operator, and a value where one is needed. */
export function isComplete(row: ConditionRow, kind: ColumnKind | undefined): boolean {
  return row.column !== "" && row.op !== "" && (valueInput(kind, row.op) === "none" || row.value.trim() !== "");
}

/**
 * The items of an in / not in value as typed: separated by commas, spaces around them trimmed, an item in double quotes
 * kept whole with its commas ("Acme, Inc."; "" inside quotes is one "). Empty items are dropped.
 */
export function splitItems(text: string): string[] {
  const items: string[] = [];
  const re = /\s*(?:"((?:[^"]|"")*)"|([^,]*))\s*(?:,|$)/g;
  let m: RegExpExecArray | null;
  while (re.lastIndex < text.length && (m = re.exec(text)) !== null) {
    const item = m[1] !== undefined ? m[1].replace(/""/g, '"') : m[2].trim();
    if (item !== "") items.push(item);
    if (m[0] === "") break;
  }
  return items;
}

/**
 * The rows as the API and segment.audience take them: complete rows only, in order. A share column's percentages become
 * shares (80 → 0.8); in / not in items go as one text joined by commas, or as a list (`values`) when an item holds a comma.
 */
export function conditionsOf(rows: ConditionRow[], kinds: Record<string, ColumnKind>, units: Record<string, ColumnUnit> = {}): Schemas["AudienceConditionView"][] {
  return rows.filter((r) => isComplete(r, kinds[r.column])).map((r) => {
    const input = valueInput(kinds[r.column], r.op);
    if (input === "none") return { column: r.column, op: r.op };
    const share = units[r.column] === "share" && r.op !== "within last" && r.op !== "older than";
    if (r.op === "in" || r.op === "not in") {
      const items = splitItems(r.value).map((v) => (share ? percentToShare(v) : v));
      return items.some((v) => v.includes(",")) ? { column: r.column, op: r.op, values: items } : { column: r.column, op: r.op, value: items.join(", ") };
    }
    return { column: r.column, op: r.op, value: share ? percentToShare(r.value) : r.value.trim() };
  });
}

/** "1,234 of 10,000 customers". */
export const countLabel = (count: number, total: number, noun = "customers") => `${formatCount(count)} of ${formatCount(total)} ${noun}`;

/** A new row for a column: its kind's first operator, no value. */
export function newRow(column: string, kind: ColumnKind | undefined): ConditionRow {
  return { column, op: operatorsFor(kind)[0], value: kind === "boolean" ? "true" : "" };
}

/** What is wrong with the audience's name as a step id, or null: lower-case letters, digits and _, starting with a letter. */
export function nameProblem(name: string): string | null {
  return /^[a-z][a-z0-9_]{0,59}$/.test(name) ? null : "Name the audience with lower-case letters, digits and _ (starting with a letter), e.g. top_tier_recent.";
}

/** The audience's settings as the page collects them. */
export interface AudienceDraft {
  name: string;
  /** The step of the pipeline that writes the source table. */
  input: string;
  conditions: Schemas["AudienceConditionView"][];
  match: "all" | "any";
  destination: Destination;
  /** The webhook's URL, for the webhook destination. */
  url?: string;
  /** Whether the source table has a phone column, sent (hashed) with the email to the ad platforms. */
  hasPhone?: boolean;
  /** Most rows in the audience, the first by orderBy. */
  limit?: number;
  /** The column (and direction) ordering the rows: "clv desc". */
  orderBy?: string;
}

/** The steps that save the audience: segment.audience, then its destination (none for a table: the audience's own table is it). */
export function audienceSteps(d: AudienceDraft): { id: string; type: string; inputs: string[]; params: Record<string, unknown> }[] {
  // A list of items is written as a YAML sequence, so that an item's commas stay in it.
  const conditions = d.conditions.map((c) => (c.values ? { column: c.column, op: c.op, value: [...c.values] }
    : c.value === undefined || c.value === null ? { column: c.column, op: c.op } : { column: c.column, op: c.op, value: c.value }));
  // The step orders rows only to cut them at the limit: an order alone would be a parameter that does nothing.
  const ordering = d.orderBy && d.limit ? { order_by: d.orderBy, limit: d.limit } : {};
  const steps = [{ id: d.name, type: "segment.audience", inputs: [d.input], params: { conditions, ...(d.match === "any" ? { match: "any" } : {}), ...ordering } as Record<string, unknown> }];
  const phone = d.hasPhone ? { phone_column: "phone" } : {};
  if (d.destination === "meta")
    steps.push({ id: `${d.name}_meta`, type: "activate.audience_file", inputs: [d.name], params: { path: `out/audiences/${d.name}_meta.csv`, format: "meta_custom_audience", ...phone } });
  if (d.destination === "google")
    steps.push({ id: `${d.name}_google`, type: "activate.audience_file", inputs: [d.name], params: { path: `out/audiences/${d.name}_google.csv`, format: "google_customer_match", ...phone } });
  if (d.destination === "webhook")
    steps.push({ id: `${d.name}_webhook`, type: "activate.webhook", inputs: [d.name], params: { url: d.url ?? "" } });
  return steps;
}

/** The pipeline's YAML with the audience's steps added at the end, its comments and formatting kept; throws when the input is not a step of it or an id is taken. */
export function addAudience(yaml: string, d: AudienceDraft): string {
  const graph = toGraph(yaml);
  if (!graph.components.some((c) => c.id === d.input)) throw new Error(`this pipeline has no step '${d.input}', which writes the table: save the audience in the pipeline that makes it`);
  let text = yaml;
  for (const s of audienceSteps(d)) text = addComponent(text, s.id, s.type, s.inputs, s.params);
  return text;
}

/** Tables with one row per customer that the templates write, and what an audience picks customers by in each. */
const startingPoints: readonly { name: string; what: string }[] = [
  { name: "customer_value", what: "value tier, predicted value (CLV) and marketing consent" },
  { name: "customer_360", what: "everything known of each customer: orders, sessions, tickets, scores" },
  { name: "churn_scores", what: "churn probability and risk band" },
  { name: "propensity_scores", what: "how likely each customer is to buy soon" },
  { name: "uplift_scores", what: "who a campaign would persuade, rather than who buys anyway" },
  { name: "rfm_segments", what: "RFM segment (Champions, At Risk, …)" },
];

/**
 * The tables to start an audience from, of those the project has (a project lists a hundred and more tables, most of
 * them no customer list): what a marketer would open the table list looking for.
 */
export function audienceStartingPoints(assets: readonly { name: string }[]): { name: string; what: string }[] {
  const names = new Set(assets.map((a) => a.name));
  return startingPoints.filter((s) => names.has(s.name));
}
