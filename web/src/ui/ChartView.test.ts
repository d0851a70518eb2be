import { describe, expect, it } from "vitest";
import { chartLayout, formatUnit, heatColumnFormats, niceTicks, seriesOrder, valueDomain } from "./ChartView";
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

describe("niceTicks", () => {
  it("steps a share axis by round tens of percent, not recharts' 9%, 18%, 27%", () => {
    expect(niceTicks(0, 0.348)).toEqual([0, 0.1, 0.2, 0.3, 0.4]);
  });

  it("steps money by 1, 2, 2.5 or 5 times a power of ten and reaches past the largest value", () => {
    expect(niceTicks(0, 128_277)).toEqual([0, 50_000, 100_000, 150_000]);
    expect(niceTicks(0, 2.64)).toEqual([0, 1, 2, 3]);
    expect(niceTicks(0, 983)).toEqual([0, 250, 500, 750, 1000]);
  });

  it("keeps zero on an axis with negative values, and gives one tick when there is no range", () => {
    expect(niceTicks(-0.04, 0.3)).toEqual([-0.1, 0, 0.1, 0.2, 0.3]);
    expect(niceTicks(0, 0)).toEqual([0]);
  });
});

describe("chartLayout", () => {
  it("keeps twelve short bins side by side on a desktop card", () => {
    expect(chartLayout(12, 7, 1300)).toEqual({ horizontal: false, rotate: false });
  });

  it("turns bars sideways on a phone, where twelve labels would run into each other", () => {
    expect(chartLayout(12, 7, 330)).toEqual({ horizontal: true, rotate: false });
  });

  it("rotates long labels that still have room, and keeps a chart asked to be horizontal so", () => {
    expect(chartLayout(6, 28, 1300)).toEqual({ horizontal: false, rotate: true });
    expect(chartLayout(3, 5, 1300, true)).toEqual({ horizontal: true, rotate: false });
  });
});

describe("heat table", () => {
  it("writes each column of shares at one precision, not 16% over 34.8%", () => {
    const chart = { bars: [{ x: "email", series: { shapley: 0.16, linear: 0.2 } }, { x: "paid search", series: { shapley: 0.348, linear: 0.25 } }], unit: "share" as const };
    const formats = heatColumnFormats(chart, ["shapley", "linear"]);
    expect([formats.shapley(0.16), formats.shapley(0.348)]).toEqual(["16.0%", "34.8%"]);
    expect([formats.linear(0.2), formats.linear(0.25)]).toEqual(["20%", "25%"]);
  });

  it("names attribution models and channels as a reader does, in the picker too", () => {
    const rows = [
      { model: "markov_1", channel: "paid_search", share: 0.6 }, { model: "markov_1", channel: "email", share: 0.4 },
      { model: "first_touch", channel: "paid_search", share: 0.5 }, { model: "first_touch", channel: "email", share: 0.5 },
    ];
    const chart = panels["analytics.attribution"].chart(rows);
    expect(chart.bars.map((b) => b.x)).toEqual(["paid search", "email"]);
    expect(Object.keys(chart.bars[0].series)).toEqual(["Markov (1st order)", "first touch"]);
    expect(chart.pick).toBe("Markov (1st order)");
  });
});

describe("seriesOrder", () => {
  // The funnel's heat table read desktop, (all), mobile: the breakdown's total sat between its parts.
  it("puts the series shown first ahead of the rest, which keep the data's order", () => {
    const bars: { x: string; series: Record<string, number> }[] = [{ x: "1. Viewed", series: { desktop: 3, "(all)": 5, mobile: 2 } }, { x: "2. Added", series: { desktop: 1, "(all)": 2, mobile: 1, tablet: 0 } }];
    expect(seriesOrder({ bars, pick: "(all)" })).toEqual(["(all)", "desktop", "mobile", "tablet"]);
    expect(seriesOrder({ bars })).toEqual(["desktop", "(all)", "mobile", "tablet"]);
    expect(seriesOrder({ bars, pick: "Markov" })).toEqual(["desktop", "(all)", "mobile", "tablet"]);
  });
});
