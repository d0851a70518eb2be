import { describe, expect, it } from "vitest";
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import type { Run, RunEvent } from "./api/client";
import { axisTicks, checkResult, LoadWarnings, rerunFrom, stepWarnings, tickLabelWidth, withoutLoadWarnings } from "./RunDetail";

const run = (params: Run["params"]): Run => ({
  run_id: "r1", pipeline: "customer_ltv", status: "failed", trigger: "backfill", selection: null, partition: "2026-11-28",
  started_at: "2026-11-28T00:00:00Z", ended_at: "2026-11-28T00:01:00Z", error: "step ltv failed", params, full_refresh: false,
});

describe("axisTicks", () => {
  it("gives a wide axis round steps, about five", () => {
    expect(axisTicks(560)).toEqual([0, 100, 200, 300, 400, 500]);
    expect(axisTicks(560, 1000)).toEqual([0, 100, 200, 300, 400, 500]);
  });

  it("gives a phone's narrow axis only the ticks whose labels fit: no '0 s+100 ms+200 ms'", () => {
    // About 150 px at 390 px wide: one label per 80 px.
    const ticks = axisTicks(560, 150);
    expect(ticks).toEqual([0, 500]);
    expect((150 / 560) * (ticks[1] - ticks[0])).toBeGreaterThanOrEqual(tickLabelWidth);
    expect(axisTicks(560, 250)).toEqual([0, 250, 500]);
    expect(axisTicks(7_200_000 * 3, 150)).toEqual([0, 21_600_000]);
  });

  it("keeps the start even on the narrowest axis and for a run shorter than a step", () => {
    expect(axisTicks(40, 10)).toEqual([0]);
    expect(axisTicks(0)).toEqual([0]);
  });
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

describe("load warnings", () => {
  const warning = "pipelines/hook.yaml:5:75: warning TRIB0301: 'url_env' of component 'crm' (activate.webhook) names environment variable 'CRM_URL', which is not set here: the step would fail when it runs.";
  const event = (kind: RunEvent["kind"], message: string, asset: string | null = null): RunEvent => ({ at: "2026-12-05T21:00:00Z", kind, asset, message });

  it("shows the record's warnings, which a log trimmed of its first lines no longer carries", () => {
    const html = renderToStaticMarkup(createElement(LoadWarnings, { warnings: [warning] }));
    expect(html).toContain('data-testid="load-warnings"');
    expect(html).toContain("Loading the pipeline warned");
    expect(html).toContain("names environment variable &#x27;CRM_URL&#x27;, which is not set here");
    expect(renderToStaticMarkup(createElement(LoadWarnings, { warnings: [] }))).toBe("");
  });

  it("leaves them out of the log, so each is shown once; a step's line of the same text stays", () => {
    const log = [event("run_started", "run r1 of hook started"), event("log", warning), event("step_started", "started", "crm"), event("log", warning, "crm")];
    expect(withoutLoadWarnings(log, [warning])).toEqual([log[0], log[2], log[3]]);
    expect(withoutLoadWarnings(log, [])).toEqual(log);
  });
});
