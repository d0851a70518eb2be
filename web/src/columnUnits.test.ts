import { describe, expect, it } from "vitest";
import { columnUnit, columnUnits, percentToShare } from "./columnUnits";

describe("column units", () => {
  // The Audiences sample printed p_alive 0.996 as "1" and clv with no currency.
  it("reads probabilities, shares and rates in 0..1 as shares, values as money", () => {
    expect(columnUnit("p_alive", [0.996, 0.31])).toBe("share");
    expect(columnUnit("churn_probability", [0.4])).toBe("share");
    expect(columnUnit("conversion_rate", [])).toBe("share");
    expect(columnUnit("share", [1])).toBe("share");
    expect(columnUnit("clv", [120.5])).toBe("money");
    expect(columnUnit("max_cac", [30])).toBe("money");
    expect(columnUnit("monetary_value", [30])).toBe("money");
    expect(columnUnit("revenue", [30])).toBe("money");
    expect(columnUnit("frequency", [3])).toBeNull();
    expect(columnUnit("recency", [0.5])).toBeNull();
  });

  it("does not read a rate above 1 as a percent", () => {
    expect(columnUnit("purchase_rate", [0.2, 3.5])).toBeNull();
  });

  it("gives units to numeric columns only", () => {
    const columns = [{ name: "p_alive", type: "number" }, { name: "share", type: "text" }, { name: "clv", type: "number" }];
    expect(columnUnits(columns, [[0.9, "a", 10]])).toEqual({ p_alive: "share", clv: "money" });
  });

  it("turns a typed percentage into the share it means, without binary rounding", () => {
    expect(percentToShare("80")).toBe("0.8");
    expect(percentToShare("7")).toBe("0.07");
    expect(percentToShare("12.5")).toBe("0.125");
    expect(percentToShare("33.3")).toBe("0.333");
    expect(percentToShare("100")).toBe("1");
    expect(percentToShare("0")).toBe("0");
    expect(percentToShare(" 0.5 ")).toBe("0.005");
    expect(percentToShare("-5")).toBe("-0.05");
    expect(percentToShare("abc")).toBe("abc");
  });
});
