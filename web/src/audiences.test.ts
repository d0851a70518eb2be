import { describe, expect, it } from "vitest";
import { addAudience, audienceStartingPoints, audienceSteps, conditionsOf, countLabel, isComplete, nameProblem, operatorsFor, splitItems, valueInput } from "./audiences";
import { toGraph } from "./pipelineGraph";

const pipeline = `pipeline: customer_ltv
# Activation: who they are, what to do, where it goes.
components:
  - { id: customer_value, type: transform.sql, with: { sql: "SELECT 1 AS customer_id" } }  # the profile table
`;

describe("audience builder", () => {
  it("offers the operators that fit each kind of column", () => {
    expect(operatorsFor("timestamp")).toContain("within last");
    expect(operatorsFor("text")).toContain("contains");
    expect(operatorsFor("number")).not.toContain("contains");
    expect(operatorsFor("boolean")).toEqual(["=", "!=", "is null", "is not null"]);
    expect(operatorsFor("other")).toEqual(["is null", "is not null"]);
  });

  it("asks for a value suited to the column and operator", () => {
    expect(valueInput("timestamp", "within last")).toBe("days");
    expect(valueInput("timestamp", ">=")).toBe("datetime-local");
    expect(valueInput("date", "<")).toBe("date");
    expect(valueInput("number", ">")).toBe("number");
    expect(valueInput("text", "in")).toBe("text");
    expect(valueInput("boolean", "=")).toBe("boolean");
    expect(valueInput("text", "is null")).toBe("none");
  });

  it("sends only complete conditions, without a value where none is needed", () => {
    const kinds = { tier: "text", email: "text", clv: "number" } as const;
    const rows = [{ column: "tier", op: "in", value: " platinum, gold " }, { column: "clv", op: ">", value: "" }, { column: "email", op: "is not null", value: "x" }];
    expect(isComplete(rows[1], "number")).toBe(false);
    expect(conditionsOf(rows, kinds)).toEqual([{ column: "tier", op: "in", value: "platinum, gold" }, { column: "email", op: "is not null" }]);
  });

  it("sends a share column's percentages as shares", () => {
    const kinds = { p_alive: "number", clv: "number" } as const;
    const rows = [{ column: "p_alive", op: ">=", value: "80" }, { column: "p_alive", op: "in", value: "10, 12.5" }, { column: "clv", op: ">", value: "80" }];
    expect(conditionsOf(rows, kinds, { p_alive: "share", clv: "money" })).toEqual([
      { column: "p_alive", op: ">=", value: "0.8" }, { column: "p_alive", op: "in", value: "0.1, 0.125" }, { column: "clv", op: ">", value: "80" }]);
  });

  it("keeps a quoted item's commas, sending the items as a list only then", () => {
    expect(splitItems(`"Acme, Inc.", Globex ,, "say ""hi"""`)).toEqual(["Acme, Inc.", "Globex", `say "hi"`]);
    const kinds = { company: "text" } as const;
    expect(conditionsOf([{ column: "company", op: "not in", value: `"Acme, Inc.", Globex` }], kinds)).toEqual([{ column: "company", op: "not in", values: ["Acme, Inc.", "Globex"] }]);
    expect(conditionsOf([{ column: "company", op: "in", value: "Acme, Globex" }], kinds)).toEqual([{ column: "company", op: "in", value: "Acme, Globex" }]);
  });

  it("writes a list value as a YAML sequence, and the order and limit", () => {
    const text = addAudience(pipeline, {
      name: "key_accounts", input: "customer_value", match: "all", destination: "table", orderBy: "clv desc", limit: 100,
      conditions: [{ column: "company", op: "in", values: ["Acme, Inc.", "Globex"] }],
    });
    expect(text).toContain(`- { column: company, op: in, value: [ "Acme, Inc.", Globex ] }`);
    expect(text).toContain("order_by: clv desc");
    expect(text).toContain("limit: 100");
    expect(audienceSteps({ name: "a", input: "customer_value", match: "all", destination: "table", conditions: [], limit: 5 })[0].params).toEqual({ conditions: [] });
    expect(audienceSteps({ name: "a", input: "customer_value", match: "all", destination: "table", conditions: [], orderBy: "clv desc" })[0].params).toEqual({ conditions: [] });
  });

  it("says the count of the total", () => {
    expect(countLabel(1234, 10000)).toBe("1,234 of 10,000 customers");
  });

  it("refuses a name that is no step id", () => {
    expect(nameProblem("Top tier")).not.toBeNull();
    expect(nameProblem("top_tier_recent")).toBeNull();
  });

  it("adds the audience and its hashed Meta file to the pipeline, keeping its comments", () => {
    const text = addAudience(pipeline, {
      name: "top_recent", input: "customer_value", match: "all", destination: "meta", hasPhone: true,
      conditions: [{ column: "tier", op: "=", value: "platinum" }, { column: "marketing_consent", op: "=", value: "true" }, { column: "email", op: "is not null" }],
    });
    expect(text).toContain("# Activation: who they are, what to do, where it goes.");
    expect(text).toContain("# the profile table");
    const graph = toGraph(text);
    expect(graph.components.map((c) => [c.id, c.type])).toEqual([["customer_value", "transform.sql"], ["top_recent", "segment.audience"], ["top_recent_meta", "activate.audience_file"]]);
    expect(graph.edges).toContainEqual({ from: "top_recent", to: "top_recent_meta" });
    expect(text).toContain(`- { column: marketing_consent, op: =, value: "true" }`);
    expect(text).toContain("inputs: [ top_recent ]");
    expect(text).toContain("format: meta_custom_audience");
    expect(text).toContain("phone_column: phone");
  });

  it("saves just the audience's table, or a webhook with its URL", () => {
    const base = { name: "a", input: "customer_value", match: "any" as const, conditions: [] };
    expect(audienceSteps({ ...base, destination: "table" }).map((s) => s.type)).toEqual(["segment.audience"]);
    expect(audienceSteps({ ...base, destination: "table" })[0].params.match).toBe("any");
    expect(audienceSteps({ ...base, destination: "webhook", url: "https://crm.example.com/h" })[1]).toEqual({ id: "a_webhook", type: "activate.webhook", inputs: ["a"], params: { url: "https://crm.example.com/h" } });
  });

  it("refuses a pipeline that does not make the table", () => {
    expect(() => addAudience(pipeline, { name: "a", input: "value_tiers", match: "all", destination: "table", conditions: [] })).toThrow(/no step 'value_tiers'/);
  });
});

describe("audienceStartingPoints", () => {
  // The table list held 156 tables, most no customer list, with nothing to say where to begin.
  it("offers the customer tables the project has, in the order a marketer looks for them", () => {
    const assets = [{ name: "rfm_segments" }, { name: "orders" }, { name: "churn_scores__metrics" }, { name: "churn_scores" }, { name: "customer_value" }];
    expect(audienceStartingPoints(assets).map((s) => s.name)).toEqual(["customer_value", "churn_scores", "rfm_segments"]);
    expect(audienceStartingPoints(assets)[0].what).toBe("value tier, predicted value (CLV) and marketing consent");
    expect(audienceStartingPoints([{ name: "orders" }])).toEqual([]);
  });
});
