import { describe, expect, it } from "vitest";
import type { Schemas } from "./api/client";
import { foreignWrites, writerRuns } from "./provenance";

const asset = (name: string, step: string | null, output: string | null, run: string | null, at: string | null = "2026-12-04T21:30:40Z"): Schemas["AssetSummary"] =>
  ({ name, step, output, run_id: run, last_materialized: at, rows: 1, role: output === "main" ? "main" : null }) as Schemas["AssetSummary"];

describe("tables last written by another pipeline", () => {
  const assets = [
    asset("customer_ltv", "customer_ltv", "main", "r-full"),
    asset("customer_ltv__model", "customer_ltv", "model", "r-full"),
    asset("value_tiers", "value_tiers", "main", "r-full"),
    asset("rfm_segments", "rfm_segments", "main", "r-own"),
    asset("loaded", null, null, null, null),
  ];
  const runs = { "r-full": "full_cdp", "r-own": "customer_ltv" };

  it("names the other pipeline's run and the tables it replaced, one notice per run", () => {
    expect(foreignWrites("customer_ltv", ["customer_ltv", "value_tiers", "rfm_segments"], assets, runs)).toEqual([
      { pipeline: "full_cdp", runId: "r-full", at: "2026-12-04T21:30:40Z", tables: ["customer_ltv", "value_tiers"] },
    ]);
    expect(writerRuns(["customer_ltv", "value_tiers", "rfm_segments", "loaded"], assets)).toEqual(["r-full", "r-own"]);
  });

  it("says nothing when the pipeline wrote its tables last, a table is not written yet, or its run is unknown", () => {
    expect(foreignWrites("full_cdp", ["customer_ltv", "value_tiers"], assets, runs)).toEqual([]);
    expect(foreignWrites("customer_ltv", ["loaded", "never_run"], assets, runs)).toEqual([]);
    expect(foreignWrites("customer_ltv", ["customer_ltv"], assets, {})).toEqual([]);
  });
});
