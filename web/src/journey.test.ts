import { describe, expect, it } from "vitest";
import { correlationFindings } from "./journey";

describe("funnel correlation findings", () => {
  const rows = [
    { step: 3, step_name: "Order Completed", kind: "event", item: "Coupon Applied", odds_ratio: 1.4, ci_low: 0.9, ci_high: 2.1, converter_share: 0.3, drop_off_share: 0.2, adjusted_p_value: 0.3, significant: false, direction: "success" },
    { step: 2, step_name: "Checkout Started", kind: "property", item: "category=Product", odds_ratio: 0.2079, ci_low: 0.08, ci_high: 0.55, converter_share: 0.05, drop_off_share: 0.2, adjusted_p_value: 0.04, significant: true, direction: "failure" },
    { step: 2, step_name: "Checkout Started", kind: "event", item: "Product Viewed", odds_ratio: 3, ci_low: 0.8, ci_high: 9, converter_share: 0.9, drop_off_share: 0.7, adjusted_p_value: 0.3, significant: false, direction: "success" },
  ];

  it("puts the significant items first, then by adjusted p and by how far the odds are from even", () => {
    const f = correlationFindings(rows);
    expect(f.map((x) => x.item)).toEqual(["category=Product", "Product Viewed (event)", "Coupon Applied (event)"]);
    expect(f[0]).toMatchObject({ step: "2. Checkout Started", goesWith: "dropping off", oddsRatio: 0.2079, low: 0.08, high: 0.55, adjustedP: 0.04, significant: true });
    expect(f[1].goesWith).toBe("converting");
  });

  it("reads no rows as no findings", () => {
    expect(correlationFindings([])).toEqual([]);
  });
});
