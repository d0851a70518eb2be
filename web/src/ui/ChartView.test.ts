import { describe, expect, it } from "vitest";
import { formatUnit } from "./ChartView";

describe("formatUnit", () => {
  it("writes a score such as PR-AUC or NDCG as a plain number, not a multiple", () => {
    expect(formatUnit(0.9684, "score")).toBe("0.968");
    expect(formatUnit(1, "score")).toBe("1.000");
  });

  it("keeps a ratio such as ROAS or lift as a multiple", () => {
    expect(formatUnit(2.437, "ratio")).toBe("2.44×");
  });
});
