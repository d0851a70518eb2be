import { describe, expect, it } from "vitest";
import type { Schemas } from "./api/client";
import { groupByStep, isInternal, searchAssets, sideTable } from "./sideTables";

const table = (name: string, step: string | null, output: string | null, role: Schemas["AssetSummary"]["role"]): Schemas["AssetSummary"] =>
  ({ name, step, output, role, last_materialized: null, rows: null, run_id: null, pipeline: step === null ? null : step === "shopify" ? "full_cdp" : "customer_ltv" });

// Table names are deliberately unlike any naming convention: only the declared step and output count.
const assets = [
  table("clv", "ltv", "main", "main"),
  table("fitted_params", "ltv", "model", "model"),
  table("orders", "shopify", "main", "main"),
  table("orders_ledger", "shopify", "files", "internal"),
  table("raw_upload", null, null, null),
];

describe("sideTable", () => {
  it("finds a step's output by its declaration, not its table name", () => {
    expect(sideTable(assets, "ltv", "model")?.name).toBe("fitted_params");
    expect(sideTable(assets, "ltv", "main")?.name).toBe("clv");
    expect(sideTable(assets, "ltv", "holdout")).toBeUndefined();
    expect(sideTable(assets, "fitted", "params")).toBeUndefined();
  });
});

describe("groupByStep", () => {
  it("keeps each step's tables together and puts undeclared tables last", () => {
    const groups = groupByStep([assets[4], ...assets.slice(0, 4)]);
    expect(groups.map((g) => [g.step, g.tables.map((t) => t.name)])).toEqual([
      ["ltv", ["clv", "fitted_params"]],
      ["shopify", ["orders", "orders_ledger"]],
      [null, ["raw_upload"]],
    ]);
    expect(assets.filter(isInternal).map((t) => t.name)).toEqual(["orders_ledger"]);
  });
});

describe("searchAssets", () => {
  it("keeps the tables whose name, step, output or pipeline holds every word, in any case", () => {
    expect(searchAssets(assets, "").map((a) => a.name)).toEqual(assets.map((a) => a.name));
    expect(searchAssets(assets, "  FITTED ").map((a) => a.name)).toEqual(["fitted_params"]);
    expect(searchAssets(assets, "ltv").map((a) => a.name)).toEqual(["clv", "fitted_params"]);
    expect(searchAssets(assets, "full_cdp").map((a) => a.name)).toEqual(["orders", "orders_ledger"]);
    expect(searchAssets(assets, "full_cdp files").map((a) => a.name)).toEqual(["orders_ledger"]);
    expect(searchAssets(assets, "nothing like it")).toEqual([]);
  });
});
