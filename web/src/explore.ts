import type { Schemas } from "./api/client";
import { toCsv } from "./csv";
import { alignedFormat, formatCompact, formatCount } from "./ui/format";

/** The pure logic of the Explore page: what a table click runs, how cells read, what the notices say, the CSV, the recent queries. */

/** Rows the page asks for at most: one more tells whether the result was cut (the server caps its answer at 100,000 rows and `query_max_mb`). */
export const shownRowCap = 1000;

/** How many recent queries are kept. */
export const recentCap = 10;

/** Where the page keeps the SQL in the editor and the recent queries, so that a reload keeps them. */
export const storageKeys = { sql: "tributary.explore.sql", recent: "tributary.explore.recent" } as const;

/** An identifier quoted as SQL (both engines) takes it: in double quotes, each double quote doubled. */
export const quoteIdentifier = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** What clicking a table runs: its first 100 rows, schema and name quoted. */
export const tableQuery = (schema: string, name: string) => `SELECT * FROM ${quoteIdentifier(schema)}.${quoteIdentifier(name)} LIMIT 100`;

/** A table an Explore link names: its schema, or null for the pipelines' schema (where assets are), and its name. */
export interface TableLink { schema: string | null; name: string }

/** The Explore page with a table selected: `#/explore/NAME` for a table of the pipelines' schema (an asset), `#/explore/SCHEMA/NAME` for another schema's. */
export const exploreLink = (name: string, schema: string | null = null) =>
  `#/explore/${schema === null ? "" : `${encodeURIComponent(schema)}/`}${encodeURIComponent(name)}`;

/** The table the route's segments after `explore` name (decoded), or null when they name none. */
export function linkedTable(first: string | undefined, second: string | undefined): TableLink | null {
  if (!first) return null;
  return second ? { schema: first, name: second } : { schema: null, name: first };
}

/** The listed table `link` names, the pipelines' schema standing in for a link without one; undefined when there is none such. */
export function findTable(tables: readonly Schemas["WarehouseTableView"][], current: string, link: TableLink): Schemas["WarehouseTableView"] | undefined {
  const schema = link.schema ?? current;
  return tables.find((t) => t.schema === schema && t.name === link.name);
}

/** A table's rows as the list shows them: "3 rows", "≈ 12.3M rows" for the engine's estimate, "view" for a view, nothing when not counted. */
export function rowsLabel(t: Pick<Schemas["WarehouseTableView"], "is_view" | "rows" | "rows_estimated">): { text: string; title: string | null } {
  if (t.is_view) return { text: "view", title: null };
  if (t.rows === null || t.rows === undefined) return { text: "", title: null };
  const unit = t.rows === 1 ? "row" : "rows";
  if (t.rows_estimated)
    return { text: `≈ ${formatCompact(t.rows)} ${unit}`, title: `About ${formatCount(t.rows)} ${unit}: the engine's estimate as of the table's last ANALYZE (counting a table this large takes too long); SELECT count(*) counts them.` };
  return { text: `${formatCount(t.rows)} ${unit}`, title: null };
}

/** Tables under their schema: the current schema (where pipelines write) first, then the others by name. */
export function groupBySchema(tables: readonly Schemas["WarehouseTableView"][], current: string): { schema: string; tables: Schemas["WarehouseTableView"][] }[] {
  const schemas = [...new Set(tables.map((t) => t.schema))].sort((a, b) => (a === current ? -1 : b === current ? 1 : a.localeCompare(b)));
  return schemas.map((schema) => ({ schema, tables: tables.filter((t) => t.schema === schema) }));
}

/** Tables whose schema, name or a column's name contains `search` (any case). */
export function searchTables(tables: readonly Schemas["WarehouseTableView"][], search: string): Schemas["WarehouseTableView"][] {
  const s = search.trim().toLowerCase();
  if (!s) return [...tables];
  return tables.filter((t) => t.name.toLowerCase().includes(s) || t.schema.toLowerCase().includes(s) || t.columns.some((c) => c.name.toLowerCase().includes(s)));
}

/**
 * A cell as a SQL console shows it: NULL as NULL (never an empty cell), lists and structs as JSON, a number through its
 * column's format when it has one (rounded: `exact` then keeps the value as the engine gave it), else as the engine gave it.
 */
export function gridCell(value: unknown, format: ((n: number) => string) | null = null): { text: string; isNull: boolean; exact?: string } {
  if (value === null || value === undefined) return { text: "NULL", isNull: true };
  if (typeof value === "object") return { text: JSON.stringify(value), isNull: false };
  if (typeof value === "number" && format) {
    const text = format(value);
    return text === String(value) ? { text, isNull: false } : { text, isNull: false, exact: String(value) };
  }
  return { text: String(value), isNull: false };
}

/**
 * Each column's number format in the grid: DOUBLE and DECIMAL columns at one precision per column, as the Audiences grid
 * rounds them (17.57, not 17.571428571428573); null for the others, whose values (ids, counts, text) read as given.
 */
export function gridFormats(columns: readonly { type: string }[], rows: readonly (readonly unknown[])[]): (((n: number) => string) | null)[] {
  return columns.map((c, j) => (c.type === "number" ? alignedFormat(rows.map((r) => r[j])) : null));
}

/** An answer as the page shows it: at most `shownRowCap` rows, and whether the page cut it. */
export interface ShownResult {
  columns: Schemas["ColumnView"][];
  rows: unknown[][];
  /** The page left rows out (it asked for one more than it shows, and got it). */
  cutByPage: boolean;
  truncatedAt: number | null;
  truncatedAtBytes: number | null;
  rowsChanged: number | null;
}

/** The part of an answer the page shows (it asked for `shownRowCap` + 1 rows). */
export function shownResult(answer: Schemas["QueryAnswer"]): ShownResult {
  const cutByPage = answer.rows.length > shownRowCap;
  return {
    columns: answer.columns,
    rows: cutByPage ? answer.rows.slice(0, shownRowCap) : answer.rows,
    cutByPage,
    truncatedAt: answer.truncated_at ?? null,
    truncatedAtBytes: answer.truncated_at_bytes ?? null,
    rowsChanged: answer.rows_changed ?? null,
  };
}

const megabytes = (bytes: number) => `${formatCount(Math.round(bytes / (1024 * 1024)))} MB`;

/** What the page says when the rows shown are not all the query returned, and why; empty when they are. */
export function resultNotices(result: ShownResult): string[] {
  const notices: string[] = [];
  const more = "add a LIMIT or a WHERE to see the rest here, or run it with `trib query --format csv` at the terminal for every row";
  if (result.truncatedAtBytes !== null)
    notices.push(`Only the first ${formatCount(result.rows.length)} rows are shown: the result is larger than the server answers at once (${megabytes(result.truncatedAtBytes)}, server: query_max_mb in tributary.yaml); ${more}.`);
  else if (result.cutByPage || result.truncatedAt !== null)
    notices.push(`Only the first ${formatCount(result.rows.length)} rows are shown: the query returned more; ${more}.`);
  return notices;
}

/** "3 rows in 42 ms", from the rows shown and the round trip's milliseconds. */
export function resultSummary(result: ShownResult, elapsedText: string): string {
  const rows = `${formatCount(result.rows.length)} ${result.rows.length === 1 ? "row" : "rows"}`;
  return `${result.cutByPage || result.truncatedAt !== null || result.truncatedAtBytes !== null ? `first ${rows}` : rows} in ${elapsedText}`;
}

/** The CSV of what the grid shows: its columns and rows, dates and timestamps in ISO 8601 as the server's downloads. */
export const resultCsv = (result: ShownResult) => toCsv(result.columns, result.rows);

/** Where the engine stopped in the SQL (PostgreSQL gives a 1-based character position): the line's number and text, and the column of the caret. */
export function errorPointer(sql: string, position: number | null | undefined): { line: number; column: number; text: string } | null {
  if (!position || position < 1 || position > sql.length + 1) return null;
  const before = sql.slice(0, position - 1).split("\n");
  const line = before.length;
  return { line, column: before[line - 1].length + 1, text: sql.split("\n")[line - 1] };
}

/** The server's refusal of a statement that would change something starts so (QueryApi.ReadOnlyRefusal). */
export const readOnlyRefusal = "the query console runs read-only statements";

/** How a failure reads: a refused change says that this page never changes data; anything else is the engine's message. */
export function describeFailure(message: string): { title: string; message: string } {
  if (message.startsWith(readOnlyRefusal))
    return { title: "This page only reads: the statement would change data, so it was not run", message };
  return { title: "The query failed", message: message.replace(/^query failed: /, "") };
}

/** The recent queries with `sql` first, each once, at most `recentCap`. */
export function rememberQuery(recent: readonly string[], sql: string): string[] {
  const text = sql.trim();
  if (!text) return [...recent];
  return [text, ...recent.filter((q) => q !== text)].slice(0, recentCap);
}

/** The recent queries kept in storage; a missing or damaged entry reads as none. */
export function readRecent(stored: string | null): string[] {
  try {
    const list: unknown = JSON.parse(stored ?? "[]");
    return Array.isArray(list) ? list.filter((q): q is string => typeof q === "string").slice(0, recentCap) : [];
  } catch {
    return [];
  }
}
