import { describe, expect, it } from "vitest";
import type { Schemas } from "./api/client";
import {
  describeFailure, errorPointer, exploreLink, findTable, gridCell, gridFormats, groupBySchema, linkedTable, readRecent, rememberQuery, resultCsv, resultNotices,
  resultSummary, rowsLabel, searchTables, shownResult, shownRowCap, tableQuery,
} from "./explore";

const table = (schema: string, name: string, columns: string[] = ["id"]): Schemas["WarehouseTableView"] =>
  ({ schema, name, is_view: false, rows: 1, rows_estimated: false, columns: columns.map((c) => ({ name: c, sql_type: "INTEGER", type: "integer" })) });

const answer = (rows: unknown[][], extra: Partial<Schemas["QueryAnswer"]> = {}): Schemas["QueryAnswer"] => ({
  columns: [{ name: "id", type: "integer", sql_type: "INTEGER" }, { name: "at", type: "timestamp", sql_type: "TIMESTAMP" }, { name: "note", type: "text", sql_type: "VARCHAR" }],
  rows, ...extra,
});

describe("the Explore page", () => {
  it("quotes the schema and table a click runs, doubling quotes inside", () => {
    expect(tableQuery("main", "customers")).toBe('SELECT * FROM "main"."customers" LIMIT 100');
    expect(tableQuery("my schema", 'odd "name" t')).toBe('SELECT * FROM "my schema"."odd ""name"" t" LIMIT 100');
  });

  it("lists the pipelines' schema first, then the others by name, and finds tables by name, schema or column", () => {
    const tables = [table("raw", "b"), table("main", "orders", ["order_id"]), table("analytics", "a")];
    expect(groupBySchema(tables, "main").map((g) => g.schema)).toEqual(["main", "analytics", "raw"]);
    expect(searchTables(tables, "ORDER_").map((t) => t.name)).toEqual(["orders"]);
    expect(searchTables(tables, "raw").map((t) => t.name)).toEqual(["b"]);
    expect(searchTables(tables, " ")).toHaveLength(3);
  });

  it("shows NULL as NULL, never as an empty cell, and other values as the engine gave them", () => {
    expect(gridCell(null)).toEqual({ text: "NULL", isNull: true });
    expect(gridCell(undefined)).toEqual({ text: "NULL", isNull: true });
    expect(gridCell("")).toEqual({ text: "", isNull: false });
    expect(gridCell(0)).toEqual({ text: "0", isNull: false });
    expect(gridCell(1234567.5)).toEqual({ text: "1234567.5", isNull: false });
    expect(gridCell(false)).toEqual({ text: "false", isNull: false });
    expect(gridCell([1, 2])).toEqual({ text: "[1,2]", isNull: false });
  });

  it("rounds a DOUBLE column to one precision, as the Audiences grid does, and keeps the exact value", () => {
    const columns = [{ name: "id", type: "integer" }, { name: "avg_items", type: "number" }, { name: "note", type: "text" }] as const;
    const rows = [[1234567, 17.571428571428573, "a"], [2, 3.5, "b"], [3, null, "c"]];
    const formats = gridFormats(columns, rows);
    expect(formats[0]).toBeNull();
    expect(formats[2]).toBeNull();
    expect(gridCell(rows[0][1], formats[1])).toEqual({ text: "17.57", isNull: false, exact: "17.571428571428573" });
    expect(gridCell(rows[1][1], formats[1])).toEqual({ text: "3.50", isNull: false, exact: "3.5" });
    expect(gridCell(rows[2][1], formats[1])).toEqual({ text: "NULL", isNull: true });
    // Ids and counts read as the engine gave them, ungrouped.
    expect(gridCell(rows[0][0], formats[0])).toEqual({ text: "1234567", isNull: false });
  });

  it("rounds a DOUBLE column with values under 0.001 to one precision too, not 0.5 beside 0.000523", () => {
    const rows = [[0.5], [0.000523], [null]];
    const [format] = gridFormats([{ type: "number" }], rows);
    expect(gridCell(rows[0][0], format)).toEqual({ text: new Intl.NumberFormat(undefined, { minimumFractionDigits: 5 }).format(0.5), isNull: false, exact: "0.5" });
    expect(gridCell(rows[1][0], format)).toEqual({ text: "0.00052", isNull: false, exact: "0.000523" });
  });

  it("says nothing when every row is shown, and why rows are missing when some are not", () => {
    const whole = shownResult(answer([[1, "2026-01-01T00:00:00", null]]));
    expect(resultNotices(whole)).toEqual([]);
    expect(resultSummary(whole, "12 ms")).toBe("1 row in 12 ms");

    // The page asks for one row more than it shows: getting it means the query returned more.
    const many = shownResult(answer(Array.from({ length: shownRowCap + 1 }, (_, i) => [i, null, null])));
    expect(many.rows).toHaveLength(shownRowCap);
    expect(resultNotices(many)).toEqual(["Only the first 1,000 rows are shown: the query returned more; add a LIMIT or a WHERE to see the rest here, or run it with `trib query --format csv` at the terminal for every row."]);
    expect(resultSummary(many, "1.2 s")).toBe("first 1,000 rows in 1.2 s");

    const bytes = shownResult(answer([[1, null, "x".repeat(10)], [2, null, "y"]], { truncated_at_bytes: 32 * 1024 * 1024 }));
    expect(resultNotices(bytes)).toEqual(["Only the first 2 rows are shown: the result is larger than the server answers at once (32 MB, server: query_max_mb in tributary.yaml); add a LIMIT or a WHERE to see the rest here, or run it with `trib query --format csv` at the terminal for every row."]);
    expect(resultNotices(shownResult(answer([[1, null, null]], { truncated_at: 100000 })))).toHaveLength(1);
  });

  it("writes the CSV of the rows shown: NULL as an empty field, timestamps in UTC with Z, text quoted where it needs it", () => {
    const many = shownResult(answer(Array.from({ length: shownRowCap + 1 }, (_, i) => [i, null, null])));
    expect(resultCsv(many).split("\n")).toHaveLength(shownRowCap + 2);
    expect(resultCsv(shownResult(answer([[1, "2026-01-01T09:30:00", 'say "hi", twice'], [2, null, null]]))))
      .toBe('id,at,note\n1,2026-01-01T09:30:00Z,"say ""hi"", twice"\n2,,\n');
  });

  it("points at the line and column PostgreSQL names, and at nothing when it names none", () => {
    expect(errorPointer("SELECT v,\n  nme FROM t", 13)).toEqual({ line: 2, column: 3, text: "  nme FROM t" });
    expect(errorPointer("SELEC 1", 1)).toEqual({ line: 1, column: 1, text: "SELEC 1" });
    expect(errorPointer("SELECT 1", null)).toBeNull();
    expect(errorPointer("SELECT 1", 99)).toBeNull();
  });

  it("says that the page only reads when the server refuses a change, and gives the engine's message otherwise", () => {
    const refusal = "the query console runs read-only statements; use `trib query` at the terminal to change data (it is a UPDATE statement).";
    expect(describeFailure(refusal)).toEqual({ title: "This page only reads: the statement would change data, so it was not run", message: refusal });
    expect(describeFailure("query failed: Parser Error: syntax error at or near \"SELEC\"")).toEqual({ title: "The query failed", message: "Parser Error: syntax error at or near \"SELEC\"" });
  });

  it("keeps the last ten queries, newest first, each once", () => {
    let recent: string[] = [];
    for (let i = 0; i < 12; i++) recent = rememberQuery(recent, `SELECT ${i}`);
    recent = rememberQuery(recent, "  SELECT 5 ");
    expect(recent).toHaveLength(10);
    expect(recent.slice(0, 3)).toEqual(["SELECT 5", "SELECT 11", "SELECT 10"]);
    expect(recent.filter((q) => q === "SELECT 5")).toHaveLength(1);
    expect(rememberQuery(recent, "   ")).toEqual(recent);
    expect(readRecent(JSON.stringify(recent))).toEqual(recent);
    expect(readRecent("not json")).toEqual([]);
    expect(readRecent(null)).toEqual([]);
    expect(readRecent('[1, "SELECT 1"]')).toEqual(["SELECT 1"]);
  });

  it("links to a table as the router reads it back: an asset's name alone, another schema's table with its schema, names encoded", () => {
    expect(exploreLink("customer_360")).toBe("#/explore/customer_360");
    expect(exploreLink("odd/name ?#", "raw data")).toBe("#/explore/raw%20data/odd%2Fname%20%3F%23");
    // App splits the hash at "/" and decodes each segment.
    const read = (hash: string) => { const [, first, second] = hash.replace(/^#\//, "").split("/").map(decodeURIComponent); return linkedTable(first, second); };
    expect(read(exploreLink("customer_360"))).toEqual({ schema: null, name: "customer_360" });
    expect(read(exploreLink("odd/name ?#", "raw data"))).toEqual({ schema: "raw data", name: "odd/name ?#" });
    expect(linkedTable(undefined, undefined)).toBeNull();
  });

  it("finds a linked table in the pipelines' schema when the link names none, and nothing for a table the warehouse lacks", () => {
    const tables = [table("raw", "orders"), table("main", "orders"), table("main", "people")];
    expect(findTable(tables, "main", { schema: null, name: "orders" })).toBe(tables[1]);
    expect(findTable(tables, "main", { schema: "raw", name: "orders" })).toBe(tables[0]);
    expect(findTable(tables, "main", { schema: null, name: "missing" })).toBeUndefined();
    expect(findTable(tables, "main", { schema: "raw", name: "people" })).toBeUndefined();
  });

  it("marks an engine's estimate of a table's rows as one, and gives exact counts as they are", () => {
    expect(rowsLabel({ is_view: false, rows: 12_345_678, rows_estimated: true })).toEqual({
      text: "≈ 12.3M rows",
      title: "About 12,345,678 rows: the engine's estimate as of the table's last ANALYZE (counting a table this large takes too long); SELECT count(*) counts them.",
    });
    expect(rowsLabel({ is_view: false, rows: 12_345_678, rows_estimated: false })).toEqual({ text: "12,345,678 rows", title: null });
    expect(rowsLabel({ is_view: false, rows: 1, rows_estimated: false }).text).toBe("1 row");
    expect(rowsLabel({ is_view: false, rows: null, rows_estimated: false }).text).toBe("");
    expect(rowsLabel({ is_view: true, rows: null, rows_estimated: false }).text).toBe("view");
  });
});
