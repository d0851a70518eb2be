import { describe, expect, it } from "vitest";
import type { Run } from "./api/client";
import { rerunFrom } from "./RunDetail";

const run = (params: Run["params"]): Run => ({
  run_id: "r1", pipeline: "customer_ltv", status: "failed", trigger: "backfill", selection: null, partition: "2026-11-28",
  started_at: "2026-11-28T00:00:00Z", ended_at: "2026-11-28T00:01:00Z", error: "step ltv failed", params,
});

describe("rerunFrom", () => {
  it("submits the run's params and partition again, from the failed step on", () => {
    expect(rerunFrom(run({ horizon_days: "90" }), "ltv")).toEqual({
      pipeline: "customer_ltv", partition: "2026-11-28", selection: "ltv+", params: { horizon_days: "90" },
    });
  });

  it("sends no params for a run recorded before params were kept", () => {
    expect(rerunFrom(run(null), "ltv").params).toBeNull();
  });
});
