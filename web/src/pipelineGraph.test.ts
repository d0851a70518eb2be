import { describe, expect, it } from "vitest";
import { addComponent, componentAtLine, connect, getSection, getSensors, needsPartition, setParam, setParamDefault, setSection, toGraph } from "./pipelineGraph";

const text = `pipeline: shop   # the demo
components:
  # Data in.
  - id: orders
    type: source.csv
    with: { path: data/orders.csv }   # relative to the project
  - id: totals
    type: transform.sql
    inputs: [orders]
    with:
      sql: SELECT count(*) AS n FROM orders
`;

describe("YAML and graph round trip", () => {
  it("reads components, inputs, params and their lines", () => {
    const g = toGraph(text);
    expect(g.name).toBe("shop");
    expect(g.components.map((c) => [c.id, c.type])).toEqual([["orders", "source.csv"], ["totals", "transform.sql"]]);
    expect(g.edges).toEqual([{ from: "orders", to: "totals" }]);
    expect(g.components[0].params).toEqual({ path: "data/orders.csv" });
    expect(g.components[1].paramLines.sql).toBe(11);
    expect(g.components[1].lines[0]).toBe(7);
  });

  it("editing a parameter keeps every comment and the graph follows", () => {
    const edited = setParam(text, "orders", "path", "data/new.csv");
    expect(edited).toContain("# the demo");
    expect(edited).toContain("# Data in.");
    expect(edited).toContain("# relative to the project");
    expect(toGraph(edited).components[0].params.path).toBe("data/new.csv");
    expect(toGraph(edited).components[1].params.sql).toBe("SELECT count(*) AS n FROM orders");
  });

  it("adding and connecting a component edits the YAML, and the graph follows", () => {
    const added = connect(addComponent(text, "report", "export.csv"), "totals", "report");
    const g = toGraph(added);
    expect(g.components.map((c) => c.id)).toEqual(["orders", "totals", "report"]);
    expect(g.edges).toContainEqual({ from: "totals", to: "report" });
    expect(added).toContain("# Data in.");
    expect(() => addComponent(added, "report", "export.csv")).toThrow("already used");
  });

  it("graph -> YAML -> graph is stable", () => {
    const once = setParam(text, "totals", "sql", "SELECT 1 AS n");
    const twice = setParam(once, "totals", "sql", "SELECT 1 AS n");
    expect(twice).toBe(once);
  });

  it("sets a template param default, keeping numbers numbers", () => {
    const withParams = `pipeline: p\nparams:\n  days: { type: integer, default: 30 }  # horizon\ncomponents: []\n`;
    const edited = setParamDefault(withParams, "days", "90");
    expect(edited).toContain("default: 90");
    expect(edited).toContain("# horizon");
  });

  it("schedule and retry are edited in place and read back", () => {
    const scheduled = setSection(setSection(text, "schedule", { cron: "0 6 * * *", timezone: "Europe/Berlin" }), "retry", { max_retries: 2, delay: "30s" });
    expect(getSection(scheduled, "schedule")).toEqual({ cron: "0 6 * * *", timezone: "Europe/Berlin" });
    expect(getSection(scheduled, "retry")).toEqual({ max_retries: 2, delay: "30s" });
    expect(scheduled).toContain("# Data in.");
    expect(toGraph(scheduled).components).toHaveLength(2);
    expect(getSection(setSection(scheduled, "schedule", null), "schedule")).toBeNull();
  });

  it("partitions and sensors are edited in place", () => {
    const edited = setSection(setSection(text, "partitions", { type: "daily", start: "2025-01-01" }), "sensors", [{ type: "file_arrival", path: "inbox", interval: "30s" }]);
    expect(getSection(edited, "partitions")).toEqual({ type: "daily", start: "2025-01-01" });
    expect(getSensors(edited)).toEqual([{ type: "file_arrival", path: "inbox", interval: "30s" }]);
    expect(edited).toContain("# relative to the project");
    expect(getSensors(setSection(edited, "sensors", []))).toEqual([]);
  });

  // The printer restyled the whole file on any edit: `[people]` became `[ people ]`, long one-line `with:` maps were folded.
  const styled = `pipeline: people   # comment
schedule: { cron: "0 6 * * *" }
components:
  - id: people
    type: source.csv
    with: {path: data/people.csv, columns: {customer_id: BIGINT, email: VARCHAR, phone: VARCHAR, seg: VARCHAR, signed_up: DATE}}
  - { id: aud, type: activate.audience_file, inputs: [people], with: {path: "out/aud/{segment}.csv", segment_column: seg} }
  - id: totals
    type: transform.sql
    inputs: [people]
    with:
        sql: SELECT count(*) AS n FROM people
`;

  it("editing the schedule leaves every other line byte-identical", () => {
    const edited = setSection(styled, "schedule", { cron: "0 7 * * *", timezone: "UTC" });
    const before = styled.split("\n"), after = edited.split("\n");
    expect(after.length).toBe(before.length);
    expect(after.filter((l, i) => l !== before[i])).toEqual(['schedule: { cron: 0 7 * * *, timezone: UTC }']);
    expect(getSection(edited, "schedule")).toEqual({ cron: "0 7 * * *", timezone: "UTC" });
  });

  it("adding a section, a parameter or a component adds lines and changes none of the others", () => {
    const withRetry = setSection(styled, "retry", { max_retries: 2 });
    expect(withRetry).toBe(styled + "retry: { max_retries: 2 }\n");
    const withParam = setParam(styled, "totals", "engine", "duckdb");
    expect(withParam).toBe(styled + "        engine: duckdb\n");
    expect(toGraph(withParam).components[2].params).toEqual({ sql: "SELECT count(*) AS n FROM people", engine: "duckdb" });
    const added = addComponent(styled, "report", "export.csv", ["totals"]);
    expect(added.startsWith(styled)).toBe(true);
    expect(toGraph(added).components.map((c) => c.id)).toEqual(["people", "aud", "totals", "report"]);
    const connected = connect(styled, "people", "totals");
    expect(connected).toBe(styled);
    expect(setSection(setSection(styled, "retry", { max_retries: 2 }), "retry", null)).toBe(styled);
  });

  it("two keys added to one map keep their order", () => {
    const edited = setParam(setParam(styled, "totals", "a", 1), "totals", "b", 2);
    expect(edited).toBe(styled + "        a: 1\n        b: 2\n");
  });

  it("a component written as a list item without indent keeps its indent when edited", () => {
    const flat = `pipeline: p\ncomponents:\n- id: a\n  type: transform.sql\n  with: {sql: SELECT 1}\n- {id: b, type: transform.sql, inputs: [a]}\n`;
    const edited = setParam(flat, "a", "sql", "SELECT 2");
    expect(edited).toBe(`pipeline: p\ncomponents:\n- id: a\n  type: transform.sql\n  with: { sql: SELECT 2 }\n- {id: b, type: transform.sql, inputs: [a]}\n`);
  });

  it("text that is not YAML is an error, not a graph", () => {
    expect(() => toGraph("pipeline: [unclosed")).toThrow();
  });

  it("a parse error leaves the position to the server's diagnostic", () => {
    const badIndent = "pipeline: p\ncomponents:\n  - id: b\n    inputs: [a]\n      with: { sql: SELECT 2 }\n";
    expect(() => toGraph(badIndent)).toThrow(/^All mapping items must start at the same column$/);
  });
});

describe("needsPartition", () => {
  it("is true for a pipeline partitioned by day or by static keys, false with a time column or without partitions", () => {
    expect(needsPartition(text)).toBe(false);
    expect(needsPartition(`pipeline: orch\npartitions: { type: daily, start: 2026-11-25 }\ncomponents: []\n`)).toBe(true);
    expect(needsPartition(`pipeline: regions\npartitions: { type: static, keys: [north, south] }\ncomponents: []\n`)).toBe(true);
    expect(needsPartition(`pipeline: orch\npartitions: { type: daily, start: 2026-11-25, column: day }\ncomponents: []\n`)).toBe(false);
    // A partitioned group runs whole without a partition (the whole history).
    expect(needsPartition(`pipeline: cdp\ngroups: { intake: { assets: [a], partitions: { type: hourly, start: 2025-01-01 } } }\ncomponents: []\n`)).toBe(false);
  });
});

describe("componentAtLine", () => {
  // The review: an error on b's first line outlined a too, since a block item's range ends where the next one starts.
  const yaml = "pipeline: p\ncomponents:\n  - id: a\n    type: transform.sql\n    with:\n      sql: SELECT 1 AS v\n  - id: b\n    type: transform.sqll\n    inputs: [a]\n\n  - { id: c, type: transform.sql, inputs: [b] }\n";
  it("gives a diagnostic to the component whose step it is, never to the one above", () => {
    const graph = toGraph(yaml);
    expect(graph.components.map((c) => [c.id, c.lines])).toEqual([["a", [3, 6]], ["b", [7, 9]], ["c", [11, 11]]]);
    expect([3, 6, 7, 8, 11].map((line) => componentAtLine(graph, line)?.id)).toEqual(["a", "a", "b", "b", "c"]);
    expect(componentAtLine(graph, 1)).toBeNull();
  });
});
