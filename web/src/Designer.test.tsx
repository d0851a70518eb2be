import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import type { Diagnostic } from "./api/client";
import { DesignerBody, LaunchForm, nodeStatuses, paramReference, ParamField, pipelineParams, yamlNotice } from "./Designer";

const error: Diagnostic = {
  code: "TRIB0101", severity: "error", line: 4, column: 11, message: "unknown component type 'segment.rfmm'.", hint: "Did you mean 'segment.rfm'?",
};

describe("DesignerBody", () => {
  it("shows the problems right under the editor, above the schedule, each one a button", () => {
    const html = renderToStaticMarkup(
      <DesignerBody editor={<textarea aria-label="YAML" />} diagnostics={[error]} onPick={() => {}} text={"name: x\ncomponents: []\n"} onChange={() => {}} />);
    const editor = html.indexOf('aria-label="YAML"');
    const problems = html.indexOf('aria-label="Problems"');
    const schedule = html.indexOf('aria-label="Schedule and retry"');
    expect([editor, problems, schedule].every((i) => i >= 0)).toBe(true);
    expect(editor).toBeLessThan(problems);
    expect(problems).toBeLessThan(schedule);
    expect(html).toContain(">line 4:11 unknown component type &#x27;segment.rfmm&#x27;. Did you mean &#x27;segment.rfm&#x27;?</button>");
  });
});

describe("LaunchForm", () => {
  it("offers a full refresh, unchecked, with what it does", () => {
    const html = renderToStaticMarkup(<LaunchForm name="p" params={{}} onLaunched={() => {}} />);
    expect(html).toContain('<input type="checkbox" name="full_refresh"/> Full refresh</label>');
    expect(html).toContain("Sources forget the files they loaded and load every file at their path again; rows of files no longer there are removed.");
  });
});

describe("ParamField", () => {
  // fail_on_dead_letter (a bool) showed as an empty text box.
  it("shows a boolean as a true / false select holding its value", () => {
    const html = renderToStaticMarkup(<ParamField name="fail_on_dead_letter" property={{ type: "boolean", default: false }} value={true} errors={[]} onChange={() => {}} />);
    expect(html).toContain('<select name="fail_on_dead_letter"');
    expect(html).toContain('<option value="true" selected="">true</option>');
    expect(html).not.toContain("<input");
  });

  it("an unset boolean shows its default", () => {
    const html = renderToStaticMarkup(<ParamField name="fail_on_dead_letter" property={{ type: ["boolean", "null"], default: false }} value={undefined} errors={[]} onChange={() => {}} />);
    expect(html).toContain('<option value="" disabled="" selected="">default: false</option>');
  });

  it("a string stays a text box", () => {
    expect(renderToStaticMarkup(<ParamField name="url" property={{ type: "string" }} value="https://x" errors={[]} onChange={() => {}} />)).toContain('<input aria-invalid="false" name="url" value="https://x"/>');
  });
});

describe("ParamField and the pipeline's params", () => {
  // The LTV node's model select was blank (its value is ${param.model}) and horizon_days read "${param.horizon_days}" with no word on it.
  it("keeps a value from a pipeline param in the select and says which param sets it and its value", () => {
    const params = pipelineParams("pipeline: p\nparams:\n  model: { type: string, default: bgnbd }\n  horizon_days: { type: integer, default: 365 }\ncomponents: []\n");
    const select = renderToStaticMarkup(<ParamField name="model" property={{ type: "string", enum: ["bgnbd", "pareto_nbd"], default: "bgnbd", description: "Purchase model." }}
      value="${param.model}" params={params} errors={[]} onChange={() => {}} />);
    expect(select).toContain('<option value="${param.model}" selected="">param model (now bgnbd)</option>');
    expect(select).toContain("Set by the pipeline param <strong>model</strong>, now bgnbd");
    const input = renderToStaticMarkup(<ParamField name="horizon_days" property={{ type: "integer", default: 365, description: "Days ahead to predict." }}
      value="${param.horizon_days}" params={params} errors={[]} onChange={() => {}} />);
    expect(input).toContain("Set by the pipeline param <strong>horizon_days</strong>, now 365");
    expect(input).toContain("Days ahead to predict. Default: 365.");
  });

  it("reads a reference only from a whole ${param.name} value", () => {
    expect(paramReference("${param.horizon_days}")).toBe("horizon_days");
    expect(paramReference("EUR=${param.eur_usd}")).toBeNull();
    expect(paramReference(365)).toBeNull();
    expect(pipelineParams("pipeline: p\ncomponents: []\n")).toEqual({});
  });
});

describe("nodeStatuses", () => {
  // The badges showed only the last run's steps: after a run of one step, every other (existing) table said "not run".
  it("shows the last run's steps, and the latest materialization of the steps it left out", () => {
    const statuses = nodeStatuses(
      [{ asset: "ltv", status: "failed" }, { asset: "report", status: "skipped" }, { asset: "audience", status: "skipped" }],
      [{ name: "orders", step: "orders", output: "main", pipeline: "p" }, { name: "ltv", step: "ltv", output: "main", pipeline: "p" }, { name: "report", step: "report", output: "main", pipeline: "p" },
        { name: "ltv_model", step: "ltv", output: "model", pipeline: "p" }], "p");
    expect(statuses).toEqual({ orders: "succeeded", ltv: "failed", report: "succeeded", audience: "skipped" });
    expect(statuses.never).toBeUndefined();
  });

  // A template copied as my_customer_ltv showed all its steps succeeded before its first run: customer_ltv had written them.
  it("says nothing for a step whose table another pipeline wrote", () => {
    expect(nodeStatuses([], [{ name: "orders", step: "orders", output: "main", pipeline: "customer_ltv" }], "my_customer_ltv")).toEqual({});
  });
});

describe("yamlNotice", () => {
  // The notice said "line 9, column 1" (the browser's parser) and the problems list "9:4" (the server) for one error.
  it("gives the server's position of the error", () => {
    const d: Diagnostic = { code: "TRIB0001", severity: "error", line: 9, column: 4, message: "bad indentation", hint: null };
    expect(yamlNotice("All mapping items must start at the same column", [d])).toBe("All mapping items must start at the same column (line 9:4)");
    expect(yamlNotice("All mapping items must start at the same column", [])).toBe("All mapping items must start at the same column");
  });
});
