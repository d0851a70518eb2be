import { describe, expect, it } from "vitest";
import type { Schemas } from "./api/client";
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { Owner } from "./Assets";
import { ownership } from "./ownership";

const writes = (pipeline: string, at: string, fingerprint: string | null): Schemas["AssetLineage"] =>
  ({ pipeline, step: "customer_ltv", type: "analytics.ltv", upstream: [], downstream: [], partitioned: false, at, fingerprint });

describe("ownership", () => {
  it("names the one pipeline that writes a table, and where", () => {
    expect(ownership([writes("customer_ltv", "pipelines/customer_ltv.yaml:57:5", "a")]))
      .toEqual({ kind: "owned", writer: { pipeline: "customer_ltv", at: "pipelines/customer_ltv.yaml:57:5" } });
    expect(ownership([])).toBeNull();
  });

  it("calls a table that two pipelines define differently a conflict, each writer at its line", () => {
    expect(ownership([writes("customer_ltv", "pipelines/customer_ltv.yaml:57:5", "a"), writes("full_cdp", "pipelines/full_cdp.yaml:242:5", "b")])).toEqual({
      kind: "conflict",
      writers: [{ pipeline: "customer_ltv", at: "pipelines/customer_ltv.yaml:57:5" }, { pipeline: "full_cdp", at: "pipelines/full_cdp.yaml:242:5" }],
    });
  });

  it("calls a table defined alike down to its sources shared, and one of unknown definition not alike", () => {
    expect(ownership([writes("customer_ltv", "pipelines/customer_ltv.yaml:20:5", "a"), writes("churn_prevention", "pipelines/churn_prevention.yaml:20:5", "a")])?.kind).toBe("shared");
    expect(ownership([writes("customer_ltv", "pipelines/customer_ltv.yaml:20:5", null), writes("churn_prevention", "pipelines/churn_prevention.yaml:20:5", null)])?.kind).toBe("conflict");
  });
});

describe("the asset page's owner line", () => {
  const text = (html: string) => html.replace(/<[^>]+>/g, "").replace(/&#x27;/g, "'");

  it("says which pipeline owns a table and where it writes it", () => {
    expect(text(renderToStaticMarkup(createElement(Owner, { ownership: ownership([writes("customer_ltv", "pipelines/customer_ltv.yaml:57:5", "a")]), lastWriter: null }))))
      .toBe("Owned by customer_ltv, which writes it at pipelines/customer_ltv.yaml:57:5.");
  });

  it("says that two pipelines' writes of one table conflict, where each writes it, and whose rows are there", () => {
    const html = renderToStaticMarkup(createElement(Owner, {
      ownership: ownership([writes("customer_ltv", "pipelines/customer_ltv.yaml:57:5", "a"), writes("full_cdp", "pipelines/full_cdp.yaml:242:5", "b")]),
      lastWriter: { pipeline: "full_cdp", runId: "20261205-070321-580974" },
    }));
    expect(html).toContain('role="alert"');
    expect(text(html)).toBe("No single owner (TRIB0209): customer_ltv (pipelines/customer_ltv.yaml:57:5) and full_cdp (pipelines/full_cdp.yaml:242:5) define this table differently "
      + "and each writes it, so whichever runs last replaces the others' rows; these are full_cdp's, from run 20261205-070321-580974. "
      + "full_cdp is the whole platform in one pipeline: keep it or the single templates, not both, or give one of them other ids.");
  });
});
