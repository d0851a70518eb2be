import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { assetTitle, humanTitle } from "./titles";

describe("humanTitle", () => {
  it("reads a snake_case id as words, abbreviations as people write them", () => {
    expect(humanTitle("customer_ltv__summary")).toBe("Customer LTV summary");
    expect(humanTitle("value_tiers")).toBe("Value tiers");
    expect(humanTitle("rfm_segments")).toBe("RFM segments");
    expect(humanTitle("ab_testing")).toBe("A/B testing");
    expect(humanTitle("p_alive")).toBe("P alive");
    expect(humanTitle("_")).toBe("_");
  });
});

describe("assetTitle", () => {
  // The review: dashboards showed customer_ltv__summary where a person reads a title; the id stays beside it.
  it("leads with the human name and keeps the id as secondary text", () => {
    expect(renderToStaticMarkup(<h2>{assetTitle("Model card", "churn_scores")}</h2>))
      .toBe('<h2>Model card: Churn scores<span class="muted asset-id" title="step and table id: churn_scores">churn_scores</span></h2>');
  });

  it("does not repeat a step named after what it is", () => {
    expect(renderToStaticMarkup(<h2>{assetTitle("Model card", "model_card")}</h2>))
      .toBe('<h2>Model card<span class="muted asset-id" title="step and table id: model_card">model_card</span></h2>');
  });
});
