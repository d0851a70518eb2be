import { describe, expect, it } from "vitest";
import type { Run } from "./api/client";
import { checkResult, rerunFrom, stepWarnings } from "./RunDetail";

const run = (params: Run["params"]): Run => ({
  run_id: "r1", pipeline: "customer_ltv", status: "failed", trigger: "backfill", selection: null, partition: "2026-11-28",
  started_at: "2026-11-28T00:00:00Z", ended_at: "2026-11-28T00:01:00Z", error: "step ltv failed", params, full_refresh: false,
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

  it("re-runs a full refresh as a full refresh", () => {
    expect(rerunFrom({ ...run(null), full_refresh: true }, "ltv").full_refresh).toBe(true);
    expect(rerunFrom(run(null), "ltv").full_refresh).toBeUndefined();
  });
});

describe("step warnings", () => {
  const check = (asset: string, passed: boolean, blocking: boolean, detail = "d") => ({ asset, check: "warning", passed, blocking, detail, at: "2026-11-28T00:00:00Z" });

  it("shows a non-blocking check that did not pass as a warning of its step, a blocking one as a failure", () => {
    expect([checkResult(check("a", true, true)), checkResult(check("a", false, true)), checkResult(check("a", false, false))]).toEqual(["passed", "failed", "warning"]);
    const checks = [check("hook", false, false, "1 row(s) in 1 of 1 batch(es) could not be delivered"), check("hook", true, false), check("other", false, false), check("hook", false, true)];
    expect(stepWarnings(checks, "hook")).toEqual(["1 row(s) in 1 of 1 batch(es) could not be delivered"]);
  });
});
