import { describe, expect, it } from "vitest";
import { formatUnit, valueDomain } from "./ChartView";
import { panels } from "../dashboards";
import { formatCurrency } from "./format";

describe("formatUnit", () => {
  it("writes a score such as PR-AUC or NDCG as a plain number, not a multiple", () => {
    expect(formatUnit(0.9684, "score")).toBe("0.968");
    expect(formatUnit(1, "score")).toBe("1.000");
  });

  it("writes money in the pipeline's currency, and with none no guessed $", () => {
    expect(formatUnit(1234.5, "money", "USD")).toBe(formatCurrency(1234.5, "USD"));
    expect(formatUnit(1234.5, "money", "EUR")).toContain("€");
    expect(formatUnit(12, "money_per_day", "EUR")).toBe(`${formatCurrency(12, "EUR")}/day`);
    expect(formatUnit(1234.5, "money")).not.toContain("$");
    const budget = panels["analytics.budget_optimizer"];
    expect(budget.chart([], "EUR").yTitle).toBe("Spend (EUR/day)");
    expect(budget.chart([]).yTitle).toBe("Spend per day");
  });

  it("keeps a ratio such as ROAS or lift as a multiple", () => {
    expect(formatUnit(2.437, "ratio")).toBe("2.44×");
  });
});

describe("valueDomain", () => {
  it("caps the fraud panel's PR-AUC axis at 1 and leaves other charts to recharts", () => {
    const chart = panels["analytics.risk_score"].chart([{ fraud_type: "card_testing", score: "combined", pr_auc: 0.97 }]);
    expect(valueDomain(chart)).toEqual([0, 1]);
    expect(valueDomain({})).toBeUndefined();
  });
});
