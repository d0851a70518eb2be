import { describe, expect, it } from "vitest";
import { moneyHeader } from "./usePipelineCurrency";

describe("moneyHeader", () => {
  // Churn's value at risk said "($)" whatever the pipeline's reporting currency was.
  it("names the pipeline's currency, and no unit rather than a guessed $ when it names none", () => {
    expect(moneyHeader("Value at risk", "EUR")).toBe("Value at risk (EUR)");
    expect(moneyHeader("Value at risk", null)).toBe("Value at risk");
  });
});
